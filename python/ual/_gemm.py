"""GEMM on numpy arrays and the compute devices it runs on (re-exported by ``ual``)."""
from __future__ import annotations

from typing import Any, Dict, List

import numpy

from . import _ual

__all__ = ["gemm", "compute_devices", "select_device"]


def gemm(a: numpy.ndarray, b: numpy.ndarray, device: str = "auto", transpose_a: bool = False,
         transpose_b: bool = False, alpha: float = 1.0, policy: str = "max_performance") -> numpy.ndarray:
    """``alpha * op(a) @ op(b)`` on a compute device, with float32 accumulation; op(x) is x or x.T.

    ``a`` and ``b`` are 2-D ``float32`` or ``float16`` arrays of the same dtype; the result has that dtype and
    shape ``(M, N)``. Memory: the inputs are read straight from the arrays' buffers (buffer protocol, no
    intermediate copy) into the device's memory; a C-contiguous array is used as it is and a Fortran-contiguous one
    (such as ``x.T``) as the transpose of a row-major matrix, so transposed views cost no copy either. Other
    strides are a ValueError (``numpy.ascontiguousarray`` makes the copy explicit). On a device whose memory is host
    memory (``cpu:0``) the result is a view of the device's output buffer (``result.base`` keeps it alive).

    Args:
        device: ``"auto"`` (the device ``policy`` picks for this GEMM, see :func:`select_device`) or an id from
            :func:`compute_devices` such as ``"cpu:0"`` or ``"opencl:0"``.
        policy: for ``device="auto"``: ``max_performance`` (the cost model's fastest device, transfers included),
            ``prefer_npu``, ``prefer_gpu``, ``prefer_cpu`` or ``min_power``.

    Raises:
        TypeError: a or b not a float32/float16 array, or different dtypes. ValueError: not 2-D, non-contiguous,
        mismatched inner dimensions. NotFoundError: an unknown device id. ual.Error: the device failed.
    """
    return _ual.gemm(a, b, device, bool(transpose_a), bool(transpose_b), float(alpha), policy)


def compute_devices() -> List[Dict[str, Any]]:
    """The compute devices of this process (the built-in CPU backend plus every plugin that loads here): ``id``,
    ``backend``, ``name``, ``kind``, ``hardware``, ``memory_bytes``, ``host_visible_memory``."""
    return list(_ual.compute_devices())


def select_device(m: int, n: int, k: int, dtype: Any = numpy.float32,
                  policy: str = "max_performance") -> Dict[str, Any]:
    """The device ``gemm(device="auto")`` uses for an ``m x n x k`` GEMM of host arrays under ``policy``, with the
    ``reason`` (one sentence). No measurement is run: the cost model uses ual's calibration cache where
    ``ual bench``/``ual devices`` filled it, else the backends' reported peaks."""
    name = numpy.dtype(dtype).name
    if name not in ("float32", "float16"):
        raise TypeError(f"dtype: must be float32 or float16, got {name}")
    return dict(_ual.select_gemm_device(int(m), int(n), int(k), name, policy))
