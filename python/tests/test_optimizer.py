"""The seed's names: ModelOptimizer(Agent).select_optimization_strategy and get_fastflow_command."""
import shlex

import pytest

import ual
from ual import ModelOptimizer

GIB = 1024 ** 3


@pytest.fixture
def optimizer():
    return ModelOptimizer()


def test_agent_alias():
    assert ual.ModelOptimizerAgent is ModelOptimizer


def test_xdna2_npu_picks_fastflowlm(optimizer):
    assert optimizer.select_optimization_strategy(6, 0, {"npu": "xdna2"}) == "FastFlowLM (NPU Optimized)"
    assert optimizer.select_optimization_strategy(6, 24, {"npu": "Strix Halo", "fp8": True}) == \
        ModelOptimizer.FASTFLOWLM_NPU
    assert optimizer.select_optimization_strategy(6, 0, ["NPU"]) == ModelOptimizer.FASTFLOWLM_NPU


def test_fastflowlm_needs_xdna2_and_a_shipped_model(optimizer):
    # rules_fastflowlm.cpp rejects XDNA (Phoenix) and models FastFlowLM does not ship.
    assert optimizer.select_optimization_strategy(6, 0, {"npu": "xdna"}) == ModelOptimizer.CPU_LLAMA_CPP
    assert optimizer.select_optimization_strategy(6, 0, {"npu": "xdna2", "model": "llama3.2:1b"}) == \
        ModelOptimizer.FASTFLOWLM_NPU
    assert optimizer.select_optimization_strategy(140, 0, {"npu": "xdna2", "model": "llama-2-70b"}) == \
        ModelOptimizer.CPU_LLAMA_CPP


def test_fp8_gpus(optimizer):
    assert optimizer.select_optimization_strategy(16, 80, {"fp8": True}) == "H100 native FP8 via Transformer Engine"
    assert optimizer.select_optimization_strategy(140, 640, {"gpu": "H100"}) == ModelOptimizer.H100_FP8
    assert optimizer.select_optimization_strategy(140, 640, {"gpu_arch": "sm_90"}) == ModelOptimizer.H100_FP8
    assert optimizer.select_optimization_strategy(140, 192, {"gpu": "mi300x"}) == ModelOptimizer.MI300_FP8
    assert optimizer.select_optimization_strategy(16, 24, ["h100"]) == ModelOptimizer.H100_FP8


def test_bf16_without_fp8(optimizer):
    assert optimizer.select_optimization_strategy(16, 80, {"gpu": "sm_80"}) == ModelOptimizer.GPU_BF16
    assert optimizer.select_optimization_strategy(16, 80, None) == ModelOptimizer.GPU_BF16


def test_offload_thresholds_follow_the_planner(optimizer):
    # usable = vram * 0.9 - 1.5 GiB (memory_fit.hpp); 8-bit offload while the 16-bit weights are <= 2 x usable.
    vram = 80.0
    usable_gb = (vram * 1e9 * 0.9 - 1.5 * GIB) / 1e9
    assert optimizer.select_optimization_strategy(usable_gb * 1.01, vram, {}) == \
        "Layer-by-layer offload with 8-bit weights"
    assert optimizer.select_optimization_strategy(usable_gb * 2 * 0.999, vram, {}) == ModelOptimizer.OFFLOAD_8BIT
    assert optimizer.select_optimization_strategy(usable_gb * 2 * 1.001, vram, {}) == \
        "Layer-by-layer offload with 4-bit weights"
    # With FP8 the weights take half: fits up to 2 x usable, then offload.
    assert optimizer.select_optimization_strategy(usable_gb * 1.9, vram, {"fp8": True}) == ModelOptimizer.H100_FP8
    assert optimizer.select_optimization_strategy(usable_gb * 2.1, vram, {"fp8": True}) == ModelOptimizer.OFFLOAD_4BIT


def test_no_gpu_runs_on_the_cpu(optimizer):
    assert optimizer.select_optimization_strategy(16, 0, {}) == ModelOptimizer.CPU_LLAMA_CPP


def test_bad_sizes(optimizer):
    with pytest.raises(ValueError):
        optimizer.select_optimization_strategy(-1, 80, {})
    with pytest.raises(ValueError):
        optimizer.select_optimization_strategy("big", 80, {})
    with pytest.raises(ValueError):
        optimizer.select_optimization_strategy(float("nan"), 80, {})


def test_known_models_go_through_the_planner(machine):
    name, strategy = ModelOptimizer(sysroot=machine("strix-halo-laptop")).strategy_for_model("llama-3.2-3b")
    assert name == ModelOptimizer.FASTFLOWLM_NPU and strategy["engine"] == "fastflowlm"
    name, strategy = ModelOptimizer(sysroot=machine("dgx-h100")).strategy_for_model("llama-3.1-70b")
    assert name == ModelOptimizer.H100_FP8 and strategy["precision"].startswith("fp8")
    assert ModelOptimizer(sysroot=machine("dgx-h100")).plan("llama-3.1-8b")["strategies"]


def test_get_fastflow_command():
    assert ual.get_fastflow_command("llama3.2:1b") == "flm run llama3.2:1b"
    assert ModelOptimizer().get_fastflow_command("llama3.2:1b") == "flm run llama3.2:1b"
    served = shlex.split(ual.get_fastflow_command("llama3.2:1b", subcommand="serve", port=52626))
    assert served[:3] == ["flm", "serve", "llama3.2:1b"] and "52626" in served
    # A catalog id names the same model.
    tag = next(entry["tag"] for entry in ual.fastflowlm_models() if entry["catalog_id"] == "llama-3.2-1b")
    assert ual.get_fastflow_command("llama-3.2-1b") == f"flm run {tag}"


def test_get_fastflow_command_errors():
    with pytest.raises(ValueError, match=r"ships no model 'gpt-17'.*llama3\.2:1b"):
        ual.get_fastflow_command("gpt-17")
    with pytest.raises(ValueError, match="port"):  # flm accepts --port only with serve
        ual.get_fastflow_command("llama3.2:1b", port=1234)
