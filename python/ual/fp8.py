"""FP8 quantization of numpy arrays with ual's bulk kernels (bit-for-bit the casts of NVIDIA's cuda_fp8.h).

Formats: ``e4m3`` and ``e5m2`` (OCP FP8, Hopper/Ada/Blackwell), ``e4m3fnuz`` and ``e5m2fnuz`` (AMD MI300). Codes
are ``uint8`` arrays; the real value of a code is ``decode(code) * scale_inv`` (Transformer Engine's convention).
The kernels read the input array's memory and write the output array's memory directly: no copy either way.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import numpy

from . import _ual

__all__ = ["quantize", "dequantize", "format_info"]


def quantize(x: numpy.ndarray, scale: Optional[float] = None, format: str = "e4m3", saturate: bool = True,
             margin: float = 0.0) -> Tuple[numpy.ndarray, float, float]:
    """Quantize ``x`` to FP8: returns ``(codes, scale_inv, amax)``.

    ``codes[i] = fp8(x[i] * scale)`` rounded to nearest even, same shape as ``x``, dtype ``uint8``;
    ``scale_inv = 1 / scale`` (as float32); ``amax = max |x|`` ignoring NaN (0 for an empty array).

    Args:
        x: a C-contiguous ``float32`` or ``float16`` array of any shape.
        scale: the multiplier applied before the cast. ``None``: Transformer Engine's current scaling from this
            tensor's own amax, ``scale = fp8_max / amax / 2**margin`` (1 when amax is 0 or not finite).
        format: ``"e4m3"``, ``"e5m2"``, ``"e4m3fnuz"`` or ``"e5m2fnuz"``.
        saturate: clamp values beyond the format's range to +-max (cuda_fp8.h ``__NV_SATFINITE``); False gives
            Inf/NaN instead (``__NV_NOSAT``).
        margin: Transformer Engine's margin (powers of two of headroom) for a computed scale.

    Raises:
        TypeError: x is not a float32/float16 array. ValueError: x not C-contiguous, a NaN scale, an unknown format.
    """
    return _ual.fp8_quantize(x, None if scale is None else float(scale), format, saturate, float(margin))


def dequantize(q: numpy.ndarray, scale_inv: float, format: str = "e4m3", dtype: Any = numpy.float32) -> numpy.ndarray:
    """The values of FP8 codes: ``decode(q[i]) * scale_inv``, same shape as ``q``.

    Args:
        q: a C-contiguous ``uint8`` array of FP8 codes (as :func:`quantize` returns).
        scale_inv: the ``scale_inv`` :func:`quantize` returned (real value = decoded code x scale_inv).
        format: the format of the codes.
        dtype: ``numpy.float32`` (computed directly) or ``numpy.float16`` (the float32 result rounded to float16,
            one extra copy).

    Raises:
        TypeError: q is not uint8, or dtype is neither float32 nor float16. ValueError: q not C-contiguous, a NaN
        scale_inv, an unknown format.
    """
    wanted = numpy.dtype(dtype)
    if wanted not in (numpy.dtype(numpy.float32), numpy.dtype(numpy.float16)):
        raise TypeError(f"dtype: must be float32 or float16, got {wanted}")
    values = _ual.fp8_dequantize(q, float(scale_inv), format)
    return values if wanted == numpy.float32 else values.astype(numpy.float16)


def format_info(format: str = "e4m3") -> Dict[str, Any]:
    """The facts of an FP8 format: ``name``, ``exponent_bits``, ``mantissa_bits``, ``exponent_bias``, ``max``,
    ``min_normal``, ``min_subnormal``, ``has_infinity``, ``has_negative_zero``, ``positive_nan`` (its NaN code)."""
    return dict(_ual.fp8_format_info(format))
