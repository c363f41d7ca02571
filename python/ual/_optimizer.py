"""The seed's names (PyAgent's ModelOptimizerAgent and get_fastflow_command), answered by ual's planner.

PyAgent chose an engine with a few rules on sizes and hardware features.
:meth:`ModelOptimizer.select_optimization_strategy` keeps that signature and those strategy names, and decides with
the thresholds of ual's planner (src/planner/), each branch documented with the planner rule it mirrors;
:meth:`ModelOptimizer.plan` and :meth:`ModelOptimizer.strategy_for_model` run the planner itself when the model is
known.
"""
from __future__ import annotations

import shlex
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _ual

__all__ = ["ModelOptimizer", "ModelOptimizerAgent", "get_fastflow_command", "fastflowlm_models"]

FASTFLOWLM_NPU = "FastFlowLM (NPU Optimized)"
H100_FP8 = "H100 native FP8 via Transformer Engine"
MI300_FP8 = "MI300 native FP8 (e4m3fnuz)"
GPU_BF16 = "Native BF16 on GPU"
OFFLOAD_8BIT = "Layer-by-layer offload with 8-bit weights"
OFFLOAD_4BIT = "Layer-by-layer offload with 4-bit weights"
CPU_LLAMA_CPP = "CPU inference (llama.cpp, 4-bit GGUF)"

# GPU architectures with FP8 tensor cores: rules_gpu_servers.cpp has_fp8_tensor_cores (Ada, Hopper, Blackwell;
# CDNA3, CDNA4), plus the product names a PyAgent caller writes.
_FP8_ARCHES = {"sm_89", "sm_90", "sm_90a", "sm_100", "sm_120", "gfx942", "gfx950"}
_FP8_PRODUCTS = {"h100": "sm_90", "h200": "sm_90", "gh200": "sm_90", "l40s": "sm_89", "l4": "sm_89",
                 "rtx 4090": "sm_89", "b200": "sm_100", "gb200": "sm_100", "mi300x": "gfx942", "mi300a": "gfx942",
                 "mi325x": "gfx942", "mi355x": "gfx950"}
# NPUs FastFlowLM runs on: rules_fastflowlm.cpp accepts an AMD NPU of arch xdna2 (Strix, Strix Halo, Krackan) only.
_XDNA2_NAMES = {"xdna2", "strix", "strix point", "strix halo", "krackan", "krackan point", "ryzen ai 300",
                "ryzen ai max"}
_GB = 1e9  # decimal gigabytes, as the seed and datasheets write sizes


def fastflowlm_models() -> List[Dict[str, Any]]:
    """FastFlowLM's model tags (data/engines/fastflowlm.json): ``tag``, ``catalog_id``, ``hugging_face_repo``,
    ``context_length``, ``memory_bytes``."""
    return [dict(entry) for entry in _ual.fastflowlm_models()]


def get_fastflow_command(model_tag: str, subcommand: str = "run", port: Optional[int] = None,
                         host: Optional[str] = None, ctx_len: Optional[int] = None,
                         pmode: Optional[str] = None) -> str:
    """The ``flm`` command line that runs ``model_tag`` on the NPU (the seed's command routing), shell-quoted.

    Built by ual's FastFlowLM engine (``build_flm_arguments``), which checks flm's documented flag rules: ``port``
    and ``host`` only with ``subcommand="serve"``. ``model_tag`` is an flm tag (``"llama3.2:1b"``) or a catalog id
    (``"llama-3.2-1b"``); the command always names the flm tag. Example: ``get_fastflow_command("llama3.2:1b")`` is
    ``"flm run llama3.2:1b"``.

    Raises:
        ValueError: FastFlowLM ships no model under that tag or id (the message lists known tags), or an option
        flm does not accept with this subcommand (InvalidArgumentError).
    """
    tag = _ual.find_fastflowlm_tag(str(model_tag))
    if tag is None:
        known = [entry["tag"] for entry in _ual.fastflowlm_models()]
        raise ValueError(f"model_tag: FastFlowLM ships no model {model_tag!r} (known tags include "
                         f"{', '.join(known[:8])}, ...; {len(known)} in all)")
    return shlex.join(_ual.flm_arguments(subcommand, tag, ctx_len, host, port, pmode))


def _features(hardware_features: Union[Mapping[str, Any], Iterable[str], None]) -> Dict[str, Any]:
    """Lower-cased feature map: a dict as given, or an iterable of names (each present means True)."""
    if hardware_features is None:
        return {}
    if isinstance(hardware_features, Mapping):
        return {str(key).lower(): value for key, value in hardware_features.items()}
    if isinstance(hardware_features, str):
        hardware_features = [hardware_features]
    return {str(name).lower(): True for name in hardware_features}


def _text(value: Any) -> str:
    """A feature value as lower-case text ("" for True, numbers and None)."""
    return value.lower() if isinstance(value, str) else ""


class ModelOptimizer:
    """PyAgent's ModelOptimizerAgent on ual: choose how to run a model on the hardware at hand.

    Args:
        sysroot: plan for a recorded machine (a directory holding proc/, sys/, dev/) instead of this one.
    """

    FASTFLOWLM_NPU = FASTFLOWLM_NPU
    H100_FP8 = H100_FP8
    MI300_FP8 = MI300_FP8
    GPU_BF16 = GPU_BF16
    OFFLOAD_8BIT = OFFLOAD_8BIT
    OFFLOAD_4BIT = OFFLOAD_4BIT
    CPU_LLAMA_CPP = CPU_LLAMA_CPP

    def __init__(self, sysroot: Optional[str] = None) -> None:
        self.sysroot = sysroot

    def select_optimization_strategy(self, model_size_gb: float, available_vram_gb: float,
                                     hardware_features: Union[Mapping[str, Any], Iterable[str], None] = None) -> str:
        """The seed's decision on sizes alone, with the thresholds of ual's planner. Returns a strategy name.

        Args:
            model_size_gb: the model's weights at 16 bits (its BF16/FP16 checkpoint size), decimal GB.
            available_vram_gb: GPU memory in total (all GPUs), decimal GB; 0 for no GPU.
            hardware_features: a dict such as ``{"npu": "xdna2", "fp8": True, "gpu": "h100"}`` or a list of
                feature names (``["npu", "fp8"]``). Keys read: ``npu`` (an arch or product: ``"xdna2"``,
                ``"strix halo"``, ``"xdna"``; True means a Ryzen AI NPU FastFlowLM supports), ``fp8`` (FP8 tensor
                cores), ``gpu`` / ``gpu_arch`` (``"h100"``, ``"sm_90"``, ``"mi300x"``, ``"gfx942"``: FP8 is inferred
                from it), ``model`` (a tag or catalog id: FastFlowLM is chosen only if it ships that model).

        Branches, first match wins:

        1. ``FastFlowLM (NPU Optimized)``: an XDNA2 NPU (and, when ``model`` is given, FastFlowLM ships it) —
           planner rule rules_fastflowlm.cpp (an AMD XDNA2 NPU and a shipped tag; XDNA1 Phoenix/Hawk Point are
           rejected there and here).
        2. ``CPU inference (llama.cpp, 4-bit GGUF)``: no GPU memory — rules_llama_cpp.cpp's CPU strategy.
        3. ``H100 native FP8 via Transformer Engine`` (``MI300 native FP8 (e4m3fnuz)`` on gfx94x/gfx95x), or
           ``Native BF16 on GPU`` without FP8 tensor cores: the weights at the GPU's precision (half the 16-bit size
           with FP8) fit the usable memory, ``available_vram * usable_memory_fraction (0.9) - runtime overhead
           (1.5 GiB)`` — rules_gpu_servers.cpp (has_fp8_tensor_cores picks FP8; best_partition must fit). The KV
           cache is not counted here (sizes alone do not give it); :meth:`plan` counts it.
        4. ``Layer-by-layer offload with 8-bit weights`` when the 16-bit weights are at most twice the usable
           memory, else ``... 4-bit weights`` — rules_gpu_servers.cpp add_layered_offload (vLLM --cpu-offload-gb).

        Raises:
            ValueError: a negative or non-numeric size.
        """
        try:
            size, vram = float(model_size_gb), float(available_vram_gb)
        except (TypeError, ValueError) as error:
            raise ValueError(f"model_size_gb and available_vram_gb must be numbers: {error}") from None
        if not size >= 0 or not vram >= 0:
            raise ValueError(f"sizes must be non-negative numbers, got model_size_gb={model_size_gb!r}, "
                             f"available_vram_gb={available_vram_gb!r}")
        features = _features(hardware_features)
        npu = features.get("npu")
        npu_name = _text(npu) or _text(features.get("npu_arch"))
        xdna2 = npu is True or npu_name in _XDNA2_NAMES or bool(features.get("xdna2"))
        if xdna2:
            model = features.get("model")
            if model is None or _ual.find_fastflowlm_tag(str(model)) is not None:
                return FASTFLOWLM_NPU
        if vram <= 0:
            return CPU_LLAMA_CPP
        gpu = _text(features.get("gpu_arch")) or _text(features.get("gpu"))
        arch = _FP8_PRODUCTS.get(gpu, gpu)
        for product, product_arch in _FP8_PRODUCTS.items():  # feature names such as "h100": True
            if features.get(product) is True:
                arch = arch or product_arch
        fp8 = bool(features.get("fp8")) or arch in _FP8_ARCHES
        usable = vram * _GB * _ual.usable_memory_fraction - _ual.runtime_overhead_bytes
        weights16 = size * _GB
        if (weights16 / 2 if fp8 else weights16) <= usable:
            if not fp8:
                return GPU_BF16
            return MI300_FP8 if arch.startswith("gfx") else H100_FP8
        return OFFLOAD_8BIT if weights16 <= 2 * usable else OFFLOAD_4BIT

    def get_fastflow_command(self, model_tag: str, **options: Any) -> str:
        """:func:`ual.get_fastflow_command` (the seed's method name on the agent)."""
        return get_fastflow_command(model_tag, **options)

    def plan(self, model: str, objective: str = "latency", **options: Any) -> Dict[str, Any]:
        """ual's planner for a known model on this machine (or ``sysroot``): :func:`ual.plan`."""
        from . import plan
        options.setdefault("sysroot", self.sysroot)
        return plan(model, objective=objective, **options)

    def strategy_for_model(self, model: str, objective: str = "latency", **options: Any) -> Tuple[str, Dict[str, Any]]:
        """The planner's best strategy for ``model`` here, named as the seed names it, with the strategy itself.

        The name maps the engine: fastflowlm -> ``FastFlowLM (NPU Optimized)``; vllm / tensorrt-llm with an fp8
        precision -> the FP8 name of the GPU's vendor, else ``Native BF16 on GPU``; layered-offload -> the 8-bit or
        4-bit offload name; llama.cpp on the CPU -> the CPU name; anything else ``"<engine> on <device>"``.

        Raises:
            UnavailableError: the planner found no way to run the model here (its ``rejected`` reasons in the
            message).
        """
        document = self.plan(model, objective=objective, **options)
        if not document["strategies"]:
            reasons = "; ".join(f"{entry['engine']}: {entry['reason']}" for entry in document["rejected"][:6])
            raise _ual.UnavailableError(f"no way to run {model} on this machine ({reasons})")
        best = document["strategies"][0]
        return _seed_name(best), best


def _seed_name(strategy: Mapping[str, Any]) -> str:
    """The seed's strategy name of one planner strategy (see ModelOptimizer.strategy_for_model)."""
    engine, precision = strategy.get("engine", ""), str(strategy.get("precision", "")).lower()
    device = str(strategy.get("device", ""))
    if engine == "fastflowlm":
        return FASTFLOWLM_NPU
    if engine in ("vllm", "tensorrt-llm"):
        if precision.startswith("fp8"):
            return MI300_FP8 if "fnuz" in precision else H100_FP8
        return GPU_BF16
    if engine == "layered-offload":
        return OFFLOAD_8BIT if precision.startswith("8-bit") else OFFLOAD_4BIT
    if engine == "llama.cpp" and strategy.get("device_kind", device.split(":")[0]) == "cpu":
        return CPU_LLAMA_CPP
    return f"{engine} on {device}"


# The seed's class name.
ModelOptimizerAgent = ModelOptimizer
