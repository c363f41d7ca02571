"""HopperSim from Python: analytical predictions of LLM inference on GPUs, NPUs and CPUs.

Both functions answer with the document the ``ual sim`` command prints with ``--json``, as a dict. Catalog ids:
:func:`hardware_ids` and :func:`model_ids` (``ual sim catalog``); a model may also be a Hugging Face ``config.json``
path.
"""
from __future__ import annotations

import json as _json
from typing import Any, Dict, List, Optional

from . import _ual

__all__ = ["infer", "partition", "hardware_ids", "model_ids"]


def infer(model: str, hardware: str, gpus: int = 1, tp: int = 1, pp: int = 1, precision: str = "fp8",
          input_len: int = 1024, output_len: int = 256, batch: Optional[int] = None,
          request_rate: Optional[float] = None, num_requests: int = 0, kv_cache: Optional[str] = None,
          max_batch: int = 0, max_num_tokens: int = 0, kv_cache_fraction: float = 0.0,
          device_memory_gb: float = 0.0, seed: int = 1) -> Dict[str, Any]:
    """Throughput, latency and memory of serving ``model`` on ``gpus`` x ``hardware``: ``ual sim infer --json``.

    The mode follows the CLI: ``batch`` given: a fixed batch per instance; ``request_rate`` given: Poisson arrivals
    (requests/s for the whole system) with continuous batching; neither: offline (all ``num_requests`` queued at
    once; 0 simulates enough for steady state).

    Args:
        model, hardware: catalog ids (``"llama-3.1-8b"``, ``"h100-sxm"``); model may be a config.json path.
        gpus, tp, pp: devices in total, tensor-parallel ranks and pipeline stages per instance; the remaining
            ``gpus / (tp * pp)`` instances serve in data parallel.
        precision: weights: ``fp8``, ``bf16``, ``fp16``, ``int8``, ``int4``, ``fp32``.
        kv_cache: KV-cache format (default fp8 with fp8 weights, else bf16).
        input_len, output_len: prompt and generated tokens per request.
        max_batch, max_num_tokens: engine limits per instance (0: TensorRT-LLM's defaults).
        kv_cache_fraction: share of the memory left after the weights for the KV cache (0: 0.9).
        device_memory_gb: override the catalog's memory per device, in GiB (as ``--device-memory-gb``).
        seed: seed of the arrival times (request_rate mode).

    Raises:
        InvalidArgumentError (a ValueError): bad options, both batch and request_rate; NotFoundError: an unknown
        catalog id.
    """
    arguments = _ual.InferArguments()
    arguments.model, arguments.hardware = model, hardware
    arguments.gpus, arguments.tp, arguments.pp = gpus, tp, pp
    arguments.precision, arguments.kv_cache = precision, kv_cache
    arguments.input_len, arguments.output_len = input_len, output_len
    arguments.batch, arguments.request_rate, arguments.num_requests = batch, request_rate, num_requests
    arguments.max_batch, arguments.max_num_tokens = max_batch, max_num_tokens
    arguments.kv_cache_fraction, arguments.device_memory_gb, arguments.seed = kv_cache_fraction, device_memory_gb, seed
    return _json.loads(_ual.sim_infer_json(arguments))


def partition(model: str, hardware: str, gpus: int = 8, precision: str = "fp8", input_len: int = 1024,
              output_len: int = 256, objective: str = "throughput", max_tpot_ms: float = 0.0,
              max_ttft_ms: float = 0.0, kv_cache: Optional[str] = None, max_batch: int = 0,
              max_results: int = 10) -> Dict[str, Any]:
    """The best ways to split ``gpus`` devices for serving (TP x PP x instances x batch): ``ual sim partition --json``.

    Keys: ``model``, ``hardware``, ``gpus``, ``objective``, ``precision``, ``max_tpot_ms``, ``max_ttft_ms``,
    ``evaluated``, ``partitions`` (best first: ``tp``, ``pp``, ``instances``, ``batch``,
    ``throughput_tokens_per_s``, ``ttft_ms``, ``tpot_ms``, ``e2e_latency_ms``, ``memory_per_gpu_bytes``,
    ``weights_per_gpu_bytes``) and ``rejected`` (one sentence per split that does not fit or meet the limits).
    ``partitions`` is empty when nothing fits (the CLI exits 1 then).

    Args:
        objective: ``"throughput"`` (tokens/s of the whole system) or ``"latency"``.
        max_tpot_ms, max_ttft_ms: limits on time per output token and time to first token (0: none).
        max_results: how many partitions to return.
    """
    return _json.loads(_ual.sim_partition_json(model, hardware, gpus, precision, kv_cache, input_len, output_len,
                                               objective, max_tpot_ms, max_ttft_ms, max_batch, max_results))


def hardware_ids() -> List[str]:
    """HopperSim's hardware catalog ids (data/hardware/)."""
    return list(_ual.hardware_ids())


def model_ids() -> List[str]:
    """HopperSim's model catalog ids (data/models/)."""
    return list(_ual.model_ids())
