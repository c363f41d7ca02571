"""ual.gemm against numpy: values, transposes, dtypes, devices, memory behaviour and bad inputs."""
import numpy as np
import pytest

import ual

DEVICE_IDS = [device["id"] for device in ual.compute_devices()]


def reference(a, b, transpose_a=False, transpose_b=False, alpha=1.0):
    a64 = a.astype(np.float64)
    b64 = b.astype(np.float64)
    return alpha * ((a64.T if transpose_a else a64) @ (b64.T if transpose_b else b64))


def assert_close(result, expected, rtol):
    # Normalized by the row's magnitude, as the conformance suite does: rounding of f32 accumulation grows with K.
    scale = np.maximum(np.abs(expected).max(), 1.0)
    assert np.abs(result.astype(np.float64) - expected).max() <= rtol * scale


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (17, 33, 65), (64, 48, 128), (3, 200, 7)])
def test_float32_matches_numpy(m, n, k):
    rng = np.random.default_rng(m * 1000 + n * 10 + k)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    result = ual.gemm(a, b)
    assert result.dtype == np.float32 and result.shape == (m, n)
    np.testing.assert_allclose(result, a @ b, rtol=1e-5, atol=1e-5 * np.sqrt(k))


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_transpose_flags(transpose_a, transpose_b):
    rng = np.random.default_rng(7)
    m, n, k = 19, 23, 31
    a = rng.standard_normal((k, m) if transpose_a else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if transpose_b else (k, n), dtype=np.float32)
    result = ual.gemm(a, b, transpose_a=transpose_a, transpose_b=transpose_b, alpha=0.5)
    assert result.shape == (m, n)
    assert_close(result, reference(a, b, transpose_a, transpose_b, 0.5), 1e-5)


def test_transposed_views_need_no_copy():
    # a.T of a C-contiguous array is Fortran-contiguous: ual reads it as the transpose, no copy, no error.
    rng = np.random.default_rng(3)
    a = rng.standard_normal((40, 30), dtype=np.float32)
    b = rng.standard_normal((50, 40), dtype=np.float32)
    assert not a.T.flags.c_contiguous and a.T.flags.f_contiguous
    assert_close(ual.gemm(a.T, b.T), reference(a.T, b.T), 1e-5)
    e = rng.standard_normal((30, 20), dtype=np.float32)
    # Transposed views combined with the flags: op(a.T) = a and op(e.T) = e.
    assert_close(ual.gemm(a.T, e.T, transpose_a=True, transpose_b=True), reference(a, e), 1e-5)


def test_float16_matches_numpy():
    rng = np.random.default_rng(11)
    a = rng.standard_normal((32, 64)).astype(np.float16)
    b = rng.standard_normal((64, 16)).astype(np.float16)
    result = ual.gemm(a, b)
    assert result.dtype == np.float16
    assert_close(result, reference(a, b), 2e-3)


@pytest.mark.parametrize("device", DEVICE_IDS)
def test_every_compute_device(device):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((33, 65), dtype=np.float32)
    b = rng.standard_normal((65, 17), dtype=np.float32)
    result = ual.gemm(a, b, device=device)
    assert_close(result, reference(a, b), 1e-5)
    assert_close(ual.gemm(a.astype(np.float16), b.astype(np.float16), device=device),
                 reference(a.astype(np.float16), b.astype(np.float16)), 2e-3)
    assert_close(ual.gemm(a.T.copy(), b, device=device, transpose_a=True), reference(a, b), 1e-5)
    host_visible = {entry["id"]: entry["host_visible_memory"] for entry in ual.compute_devices()}[device]
    assert result.flags.owndata != host_visible  # device memory is read back into a new array, host memory viewed


def test_cpu_result_is_the_device_buffer():
    # Zero-copy evidence: on cpu:0 the result does not own its memory; a capsule holding the device buffer does.
    a = np.ones((4, 5), dtype=np.float32)
    b = np.ones((5, 6), dtype=np.float32)
    result = ual.gemm(a, b, device="cpu:0")
    assert not result.flags.owndata and result.base is not None
    assert type(result.base).__name__ == "PyCapsule"
    del a, b
    np.testing.assert_array_equal(result, np.full((4, 6), 5.0, dtype=np.float32))


def test_inputs_are_not_modified():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.arange(8, dtype=np.float32).reshape(4, 2)
    a_before, b_before = a.copy(), b.copy()
    ual.gemm(a, b)
    np.testing.assert_array_equal(a, a_before)
    np.testing.assert_array_equal(b, b_before)


def test_empty_inner_dimension_gives_zeros():
    result = ual.gemm(np.zeros((3, 0), np.float32), np.zeros((0, 4), np.float32))
    np.testing.assert_array_equal(result, np.zeros((3, 4), np.float32))


def test_auto_selects_a_listed_device():
    choice = ual.select_device(256, 256, 256)
    assert choice["id"] in DEVICE_IDS and choice["reason"]
    assert ual.select_device(8, 8, 8, policy="prefer_cpu")["id"] == "cpu:0"
    a = np.eye(8, dtype=np.float32)
    np.testing.assert_array_equal(ual.gemm(a, a, policy="prefer_cpu"), a)


def test_bad_dtypes():
    good = np.ones((2, 2), np.float32)
    with pytest.raises(TypeError, match=r"a: dtype must be float32 or float16, got int32"):
        ual.gemm(np.ones((2, 2), np.int32), good)
    with pytest.raises(TypeError, match=r"b: dtype must be .* got float64"):
        ual.gemm(good, np.ones((2, 2)))
    with pytest.raises(TypeError, match="same dtype"):
        ual.gemm(good, good.astype(np.float16))
    with pytest.raises(TypeError, match="a: expected a numpy array"):
        ual.gemm([[1.0]], good)
    with pytest.raises(TypeError, match="b: expected a numpy array"):
        ual.gemm(good, None)


def test_bad_shapes_and_strides():
    good = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match=r"a: expected a 2-D matrix, got 3 dimension"):
        ual.gemm(np.ones((2, 4, 4), np.float32), good)
    with pytest.raises(ValueError, match=r"b: expected a 2-D matrix, got 1 dimension"):
        ual.gemm(good, np.ones(4, np.float32))
    with pytest.raises(ValueError, match=r"a: the array is not contiguous.*ascontiguousarray"):
        ual.gemm(np.ones((4, 8), np.float32)[:, ::2], good)
    with pytest.raises(ValueError, match="inner dimensions differ"):
        ual.gemm(np.ones((4, 3), np.float32), good)
    with pytest.raises(ValueError, match="inner dimensions differ"):
        ual.gemm(good, np.ones((4, 3), np.float32), transpose_b=True)


def test_bad_device_and_policy():
    good = np.ones((2, 2), np.float32)
    with pytest.raises(ual.Error) as raised:
        ual.gemm(good, good, device="cuda:7")
    assert "cuda:7" in str(raised.value)
    with pytest.raises(ValueError):
        ual.gemm(good, good, policy="fastest")
