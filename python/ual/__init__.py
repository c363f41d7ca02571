"""ual: the Unified Acceleration Layer from Python.

What this machine has and how to run a model on it (:func:`devices`, :func:`plan`), HopperSim's predictions
(:mod:`ual.sim`), GEMM on the best compute device (:func:`gemm`) and FP8 quantization (:mod:`ual.fp8`) on numpy
arrays, plus the names a PyAgent user looks for (:class:`ModelOptimizer`, :func:`get_fastflow_command`), answered
by ual's planner.

Errors ual reports are :class:`Error` subclasses (one per ``code``); bad arguments of the Python layer (wrong dtype,
dimensions, strides, shapes) are ``TypeError`` / ``ValueError`` naming the argument.
"""
from __future__ import annotations

import json as _json
import os as _os
from typing import Any, Dict, List, Optional, Union

from . import _ual
from ._ual import (Error, InternalError, InvalidArgumentError, IoError, NotFoundError, ParseError,
                   UnavailableError)
from . import fp8, sim
from ._gemm import compute_devices, gemm, select_device
from ._optimizer import ModelOptimizer, ModelOptimizerAgent, fastflowlm_models, get_fastflow_command

__all__ = [
    "Error", "InvalidArgumentError", "NotFoundError", "IoError", "ParseError", "UnavailableError", "InternalError",
    "devices", "plan", "gemm", "compute_devices", "select_device", "sim", "fp8",
    "ModelOptimizer", "ModelOptimizerAgent", "get_fastflow_command", "fastflowlm_models",
]

PathLike = Union[str, bytes, "_os.PathLike[str]", "_os.PathLike[bytes]"]


def _path(value: PathLike, name: str) -> bytes:
    """A path as the bytes the OS uses (os.fsencode), so names that are not UTF-8 reach ual unchanged."""
    try:
        return _os.fsencode(value)
    except TypeError:
        raise TypeError(f"{name}: expected a str, bytes or os.PathLike, got {type(value).__name__}") from None


def _sysroot(sysroot: Optional[PathLike]) -> Optional[bytes]:
    return None if sysroot is None else _path(sysroot, "sysroot")


def devices(sysroot: Optional[PathLike] = None, compute: bool = True, refresh: bool = False) -> Dict[str, Any]:
    """What this machine has: the ``ual devices --json`` document as a dict.

    Keys: ``devices`` (``kind``, ``vendor``, ``name``, ``arch``, ``pci_address``, ``vendor_id``, ``device_id``,
    ``revision``, ``driver``, ``memory_bytes``, ``problems``; the CPU entry adds ``sockets``, ``cores``, ``threads``,
    ``features``, ``cache_bytes``), ``runtimes`` (``name``, ``usable``, ``version``, ``path``, ``reason``),
    ``compute_devices`` and ``compute_backends``.

    Args:
        sysroot: a recorded machine (a directory holding ``proc/``, ``sys/``, ``dev/``; str, bytes or path-like)
            instead of this one; its ``compute_devices`` list is empty, since compute devices are this process's.
        compute: load the compute backends to fill ``compute_devices`` (live machine only).
        refresh: probe runtimes and backends again instead of reusing ual's caches of unchanged files.
    """
    return _json.loads(_ual.devices_json(_sysroot(sysroot), compute, refresh))


def plan(model: PathLike, objective: str = "latency", sysroot: Optional[PathLike] = None, input_len: int = 1024,
         output_len: int = 256, port: int = 0, host: str = "127.0.0.1", nodes: int = 1, context_length: int = 0,
         head_address: str = "") -> Dict[str, Any]:
    """Every way to run ``model`` on this machine, best first: the ``ual plan --json`` document as a dict.

    Keys: ``model``, ``objective``, ``strategies`` (``engine``, ``device``, ``precision``, ``partition``,
    ``command``, ``commands``, ``ready``, ``requires``, ``predicted``, ``reasons``, ``endpoint``) and ``rejected``
    (``engine``, ``device``, ``reason``).

    Args:
        model: a catalog id (``"llama-3.2-3b"``) or a path to a GGUF file, an ONNX file or a Hugging Face
            ``config.json`` (or its directory).
        objective: ``"latency"``, ``"throughput"`` or ``"power"``.
        sysroot: plan for a recorded machine instead of this one.
        input_len, output_len: prompt and generated tokens the predictions assume.
        port, host: where server strategies listen (port 0: each engine's default).
        nodes: identical machines available for one server (multi-node tensor x pipeline parallelism).
        context_length: context the engines start with (0: min(the model's, 8192)).
        head_address: multi-node: the address the other nodes reach this one at (default: ``host``).

    Raises:
        NotFoundError: an unknown model id or a missing file; ParseError: a file ual cannot read;
        InvalidArgumentError: an unknown objective.
    """
    return _json.loads(_ual.plan_json(_path(model, "model"), objective, _sysroot(sysroot), input_len, output_len,
                                      context_length, port, host, nodes, head_address))


__version__: str = _ual.version()
