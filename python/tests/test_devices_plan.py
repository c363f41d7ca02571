"""ual.devices() and ual.plan(): the JSON contracts of `ual devices --json` and `ual plan --json`."""
import pathlib

import pytest

import ual

DEVICE_KEYS = {"kind", "vendor", "name", "arch", "pci_address", "vendor_id", "device_id", "revision", "driver",
               "memory_bytes", "problems"}
RUNTIME_KEYS = {"name", "usable", "version", "path", "reason"}


def test_live_devices_have_the_contract_keys():
    document = ual.devices()
    assert {"devices", "runtimes", "compute_devices"} <= set(document)
    cpus = [device for device in document["devices"] if device["kind"] == "cpu"]
    assert len(cpus) == 1
    assert {"sockets", "cores", "threads", "features", "cache_bytes"} <= set(cpus[0])
    for device in document["devices"]:
        assert DEVICE_KEYS <= set(device), device
    for runtime in document["runtimes"]:
        assert RUNTIME_KEYS <= set(runtime), runtime
    assert "cpu:0" in [device["id"] for device in document["compute_devices"]]


def test_devices_without_compute_backends():
    assert ual.devices(compute=False)["compute_devices"] == []


def test_recorded_strix_halo_has_an_xdna2_npu(machine):
    document = ual.devices(sysroot=machine("strix-halo-laptop"))
    npus = [device for device in document["devices"] if device["kind"] == "npu"]
    assert [npu["arch"] for npu in npus] == ["xdna2"]
    assert npus[0]["vendor"] == "amd"
    assert document["compute_devices"] == []  # a recorded tree has no live compute devices


def test_sysroot_accepts_a_path_object(machine):
    document = ual.devices(sysroot=pathlib.Path(machine("dgx-h100")))
    assert [device["arch"] for device in document["devices"] if device["kind"] == "gpu"] == ["sm_90"] * 8


def test_missing_sysroot_is_a_ual_error(tmp_path):
    with pytest.raises(ual.Error) as raised:
        ual.devices(sysroot=str(tmp_path / "no-such-machine"))
    assert raised.value.code in {"not_found", "io_error", "invalid_argument"}
    assert "no-such-machine" in str(raised.value)


def test_paths_that_are_not_utf8_reach_ual(tmp_path):
    missing = bytes(tmp_path) + b"/not-utf8-\xff"
    with pytest.raises(ual.Error) as raised:
        ual.devices(sysroot=missing)
    assert "not-utf8-" in str(raised.value)
    with pytest.raises(ual.NotFoundError):
        ual.plan(missing + b".gguf")


def test_bad_path_types():
    with pytest.raises(TypeError, match="sysroot"):
        ual.devices(sysroot=42)
    with pytest.raises(TypeError, match="model"):
        ual.plan(None)


def test_plan_on_strix_halo_ranks_fastflowlm_first(machine):
    document = ual.plan("llama-3.2-3b", sysroot=machine("strix-halo-laptop"))
    assert document["strategies"][0]["engine"] == "fastflowlm"
    assert document["strategies"][0]["command"].startswith("flm serve")
    assert document["objective"] == "latency"
    assert {"engine", "device", "reason"} <= set(document["rejected"][0])


def test_plan_options_reach_the_planner(machine):
    document = ual.plan("llama-3.2-3b", sysroot=machine("strix-halo-laptop"), port=50123)
    assert document["strategies"][0]["endpoint"].endswith(":50123")


def test_plan_on_dgx_uses_fp8(machine):
    best = ual.plan("llama-3.1-70b", objective="throughput", sysroot=machine("dgx-h100"))["strategies"][0]
    assert best["engine"] in {"tensorrt-llm", "vllm"}
    assert best["precision"].startswith("fp8")


def test_plan_errors():
    with pytest.raises(ual.NotFoundError) as raised:
        ual.plan("no-such-model-xyz")
    assert raised.value.code == "not_found"
    assert isinstance(raised.value, LookupError)
    with pytest.raises(ValueError, match="objective|fastest"):
        ual.plan("llama-3.2-1b", objective="fastest")


def test_error_hierarchy():
    assert issubclass(ual.InvalidArgumentError, ual.Error) and issubclass(ual.InvalidArgumentError, ValueError)
    assert issubclass(ual.ParseError, ValueError)
    assert issubclass(ual.IoError, OSError)
    assert issubclass(ual.Error, RuntimeError)
    assert ual.__version__.count(".") == 2
