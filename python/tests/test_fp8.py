"""ual.fp8 against an independent numpy E4M3 oracle (all 256 codes decoded by the OCP spec, rounding by table)."""
import numpy as np
import pytest

import ual


def decode_e4m3(codes):
    """OCP FP8 E4M3: bias 7, no infinity, S.1111.111 is NaN, subnormals 2^-6 * m/8."""
    codes = np.asarray(codes, dtype=np.int64)
    sign = np.where(codes & 0x80, -1.0, 1.0)
    exponent = (codes >> 3) & 0xF
    mantissa = codes & 0x7
    value = np.where(exponent == 0, mantissa / 8.0 * 2.0 ** -6, (1 + mantissa / 8.0) * 2.0 ** (exponent - 7.0))
    value = np.where((exponent == 0xF) & (mantissa == 0x7), np.nan, value)
    return sign * value


POSITIVE_CODES = np.arange(0x7F)  # 0x00..0x7E: every finite non-negative value, increasing
POSITIVE_VALUES = decode_e4m3(POSITIVE_CODES)


def encode_e4m3(values):
    """Round to nearest, ties to even (the even code), saturating to +-448; NaN -> 0x7F; -0.0 -> 0x80."""
    values = np.asarray(values, dtype=np.float64)
    magnitude = np.minimum(np.abs(values), 448.0)
    above = np.clip(np.searchsorted(POSITIVE_VALUES, magnitude), 1, len(POSITIVE_VALUES) - 1)
    below = above - 1
    distance_below = magnitude - POSITIVE_VALUES[below]
    distance_above = POSITIVE_VALUES[above] - magnitude
    pick_above = (distance_above < distance_below) | ((distance_above == distance_below) & (above % 2 == 0))
    codes = np.where(pick_above, above, below)
    codes = np.where(np.signbit(values), codes | 0x80, codes)
    return np.where(np.isnan(values), 0x7F, codes).astype(np.uint8)


def test_oracle_facts():
    assert POSITIVE_VALUES[-1] == 448.0 and POSITIVE_VALUES[1] == 2.0 ** -9
    info = ual.fp8.format_info("e4m3")
    assert info["max"] == 448.0 and info["exponent_bias"] == 7 and info["positive_nan"] == 0x7F


def test_dequantize_all_codes_matches_the_oracle():
    codes = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(ual.fp8.dequantize(codes, 1.0), decode_e4m3(codes).astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_quantize_with_computed_scale(dtype):
    rng = np.random.default_rng(42)
    x = (rng.standard_normal((37, 53)) * 3).astype(dtype)
    codes, scale_inv, amax = ual.fp8.quantize(x)
    expected_amax = np.float32(np.abs(x.astype(np.float32)).max())
    scale = np.float32(448.0 / float(expected_amax))  # Transformer Engine's current scaling
    assert amax == expected_amax
    assert scale_inv == np.float32(1.0) / scale
    assert codes.dtype == np.uint8 and codes.shape == x.shape
    np.testing.assert_array_equal(codes, encode_e4m3(x.astype(np.float32) * scale))
    # Round trip: E4M3 keeps 3 mantissa bits, so the relative error of normal values is at most 2^-4.
    back = ual.fp8.dequantize(codes, scale_inv)
    np.testing.assert_array_equal(back, decode_e4m3(codes).astype(np.float32) * np.float32(scale_inv))
    normal = np.abs(x.astype(np.float32) * scale) >= 2.0 ** -6
    relative = np.abs(back - x.astype(np.float32))[normal] / np.abs(x.astype(np.float32))[normal]
    assert relative.max() <= 2.0 ** -4


def test_quantize_with_given_scale_saturates_and_keeps_nan():
    x = np.array([0.0, -0.0, 1.0, -1.0, 1000.0, -1e30, np.inf, np.nan, 0.0017, 239.0], dtype=np.float32)
    codes, scale_inv, amax = ual.fp8.quantize(x, scale=2.0)
    np.testing.assert_array_equal(codes, encode_e4m3(x * np.float32(2.0)))
    assert codes[4] == 0x7E and codes[5] == 0xFE and codes[7] == 0x7F and codes[1] == 0x80
    assert scale_inv == 0.5 and amax == np.inf


def test_nonfinite_mode_and_other_formats():
    x = np.array([1000.0], np.float32)
    assert ual.fp8.quantize(x, scale=1.0, saturate=False)[0][0] == 0x7F  # E4M3 has no infinity: NaN
    y = np.linspace(-100, 100, 101, dtype=np.float32)
    for name in ("e5m2", "e4m3fnuz", "e5m2fnuz"):
        codes, scale_inv, _ = ual.fp8.quantize(y, format=name)
        back = ual.fp8.dequantize(codes, scale_inv, format=name, dtype=np.float16)
        assert back.dtype == np.float16
        assert np.abs(back.astype(np.float32) - y).max() <= 100 * 2.0 ** -2


def test_zero_and_empty_inputs_use_scale_one():
    codes, scale_inv, amax = ual.fp8.quantize(np.zeros((3, 3), np.float32))
    assert scale_inv == 1.0 and amax == 0.0 and not codes.any()
    codes, scale_inv, amax = ual.fp8.quantize(np.zeros((0,), np.float32))
    assert codes.shape == (0,) and scale_inv == 1.0 and amax == 0.0


def test_margin_halves_the_scale():
    x = np.array([1.0, 2.0, 4.0], np.float32)
    assert ual.fp8.quantize(x, margin=1)[1] == 2 * ual.fp8.quantize(x)[1]


def test_bad_inputs():
    with pytest.raises(TypeError, match="x: dtype must be float32 or float16, got float64"):
        ual.fp8.quantize(np.ones(4))
    with pytest.raises(ValueError, match="x: the array is not C-contiguous"):
        ual.fp8.quantize(np.ones((4, 4), np.float32)[:, ::2])
    with pytest.raises(ValueError, match="scale: NaN"):
        ual.fp8.quantize(np.ones(4, np.float32), scale=float("nan"))
    with pytest.raises(ValueError, match="format"):
        ual.fp8.quantize(np.ones(4, np.float32), format="e3m4")
    with pytest.raises(TypeError, match="q: dtype must be uint8, got float32"):
        ual.fp8.dequantize(np.ones(4, np.float32), 1.0)
    with pytest.raises(ValueError, match="scale_inv: NaN"):
        ual.fp8.dequantize(np.ones(4, np.uint8), float("nan"))
    with pytest.raises(ValueError, match="q: the array is not C-contiguous"):
        ual.fp8.dequantize(np.ones((4, 4), np.uint8).T, 1.0)
    with pytest.raises(TypeError, match="dtype"):
        ual.fp8.dequantize(np.ones(4, np.uint8), 1.0, dtype=np.int32)
    with pytest.raises(TypeError, match="x: expected a numpy array"):
        ual.fp8.quantize([1.0, 2.0])
