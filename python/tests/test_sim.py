"""ual.sim: the same numbers as `ual sim infer --json` and `ual sim partition --json`."""
import json
import subprocess

import pytest

import ual


def run_cli(ual_cli, *arguments):
    completed = subprocess.run([ual_cli, "sim", *arguments, "--json"], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


INFER_CASES = [
    (dict(model="llama-3.1-8b", hardware="h100-sxm", input_len=1024, output_len=256),
     ["--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--input-len", "1024", "--output-len", "256"]),
    (dict(model="llama-3.1-70b", hardware="h100-sxm", gpus=8, tp=4, precision="bf16", input_len=2048,
          output_len=128, batch=16),
     ["--model", "llama-3.1-70b", "--hardware", "h100-sxm", "--gpus", "8", "--tp", "4", "--precision", "bf16",
      "--input-len", "2048", "--output-len", "128", "--batch", "16"]),
    (dict(model="llama-3.1-8b", hardware="h100-sxm", input_len=512, output_len=128, request_rate=4.0,
          num_requests=200, kv_cache="bf16"),
     ["--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--input-len", "512", "--output-len", "128",
      "--request-rate", "4", "--num-requests", "200", "--kv-cache", "bf16"]),
]


@pytest.mark.parametrize("keywords,arguments", INFER_CASES, ids=["offline", "batch", "request-rate"])
def test_infer_equals_the_cli(ual_cli, keywords, arguments):
    assert ual.sim.infer(**keywords) == run_cli(ual_cli, "infer", *arguments)


def test_infer_answers_with_the_simulator_keys():
    result = ual.sim.infer("llama-3.1-8b", "h100-sxm", input_len=1024, output_len=256, batch=8)
    assert result["mode"] == "batch" and result["batch"] == 8
    assert result["throughput_tokens_per_s"] > 0 and result["tpot_ms"] > 0
    assert result["memory_per_gpu"]["weights_bytes"] > 0


def test_partition_equals_the_cli(ual_cli):
    mine = ual.sim.partition("llama-3.1-70b", "h100-sxm", gpus=8, precision="fp8", input_len=2048, output_len=512,
                             objective="throughput", max_tpot_ms=50)
    cli = run_cli(ual_cli, "partition", "--model", "llama-3.1-70b", "--hardware", "h100-sxm", "--gpus", "8",
                  "--precision", "fp8", "--input-len", "2048", "--output-len", "512", "--objective", "throughput",
                  "--max-tpot-ms", "50")
    for key, value in cli.items():
        assert mine[key] == value, key
    assert mine["partitions"] and all(entry["tpot_ms"] <= 50 for entry in mine["partitions"])
    assert mine["max_tpot_ms"] == 50


def test_partition_that_fits_nowhere_is_empty():
    result = ual.sim.partition("llama-3.1-405b", "h100-sxm", gpus=1, precision="bf16", input_len=1024,
                               output_len=128)
    assert result["partitions"] == [] and result["rejected"]


def test_catalogs():
    assert "h100-sxm" in ual.sim.hardware_ids()
    assert "llama-3.1-8b" in ual.sim.model_ids()


def test_sim_errors():
    with pytest.raises(ValueError, match="precision"):
        ual.sim.infer("llama-3.1-8b", "h100-sxm", precision="fp7", input_len=8, output_len=8)
    with pytest.raises(ValueError, match="batch or request_rate"):
        ual.sim.infer("llama-3.1-8b", "h100-sxm", input_len=8, output_len=8, batch=1, request_rate=1.0)
    with pytest.raises(ValueError, match="positive"):
        ual.sim.infer("llama-3.1-8b", "h100-sxm", input_len=0, output_len=8)
    with pytest.raises(ual.NotFoundError):
        ual.sim.infer("llama-3.1-8b", "no-such-gpu", input_len=8, output_len=8)
    with pytest.raises(ValueError):
        ual.sim.partition("llama-3.1-8b", "h100-sxm", objective="cheapest")
    with pytest.raises(TypeError):
        ual.sim.infer("llama-3.1-8b", "h100-sxm", input_len="many", output_len=8)
