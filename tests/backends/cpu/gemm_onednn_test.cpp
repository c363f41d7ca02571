// run_gemm against a naive double-precision triple loop on the same decoded inputs.
//
// Error bound per element (u = 2^-24, the f32 unit roundoff; S = sum_k |A[i,k]| |B[k,j]|; s = alpha * FP8 scales):
//   pre-epilogue:  |s| S * 2 K u  (f32 accumulation, any summation order)  +  4 u (|s AB| + |beta C| + |bias|)
//   epilogue:      1.2 * that (|gelu'|, |silu'| <= 1.13)  +  1e-6 (1 + |x|) (oneDNN's vector tanh / exp)
//   output:        + u_out (|D| + the bound so far) (u_out = 2^-8 bf16, 2^-11 f16, 0 f32) + 2^-25 (f16 subnormals)
// Widening bf16, f16 and FP8 to f32 is exact, so inputs add nothing. Tests also report the largest error measured
// as a fraction of the bound ("normalised error"): ~0.01-0.03 for f32 outputs (errors grow like sqrt(K), the bound
// like K); bf16 / f16 outputs sit near 0.9 because one output rounding can use its whole half-ulp.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/cpu_buffer.hpp"
#include "backends/cpu/gemm_convert.hpp"
#include "backends/cpu/gemm_onednn.hpp"
#include "ual/fp8.hpp"

namespace ual::cpu {
namespace {

using ual::fp8::Format;

std::optional<Format> format_of(ual_dtype dtype) {
  switch (dtype) {
    case UAL_DTYPE_FP8_E4M3: return Format::e4m3;
    case UAL_DTYPE_FP8_E5M2: return Format::e5m2;
    case UAL_DTYPE_FP8_E4M3FNUZ: return Format::e4m3fnuz;
    case UAL_DTYPE_FP8_E5M2FNUZ: return Format::e5m2fnuz;
    default: return std::nullopt;
  }
}

std::size_t size_of(ual_dtype dtype) {
  if (dtype == UAL_DTYPE_F32) return 4;
  if (dtype == UAL_DTYPE_F16 || dtype == UAL_DTYPE_BF16) return 2;
  return 1;
}

// A tensor in its own CpuBuffer: any shape, element strides (row-major by default) and element offset. Storage
// starts as a 0x5A byte pattern so that writes outside the view can be detected.
class TestTensor {
 public:
  TestTensor(ual_dtype dtype, std::vector<std::int64_t> shape, std::vector<std::int64_t> strides = {},
             std::int64_t offset_elements = 0)
      : dtype_(dtype), shape_(std::move(shape)), strides_(std::move(strides)), offset_(offset_elements) {
    if (strides_.empty()) {
      strides_.assign(shape_.size(), 1);
      for (std::size_t i = shape_.size(); i-- > 1;) {
        strides_[i - 1] = strides_[i] * std::max<std::int64_t>(shape_[i], 1);
      }
    }
    std::int64_t span = 1;
    for (std::size_t i = 0; i < shape_.size(); ++i) span += std::max<std::int64_t>(shape_[i] - 1, 0) * strides_[i];
    storage_.assign(static_cast<std::size_t>(offset_ + span) * size_of(dtype), std::byte{0x5A});
    buffer_.data = storage_.data();
    buffer_.bytes = storage_.size();
    tensor_.abi_version = UAL_BACKEND_ABI_VERSION;
    tensor_.dtype = dtype;
    tensor_.rank = static_cast<std::uint32_t>(shape_.size());
    for (std::size_t i = 0; i < shape_.size(); ++i) {
      tensor_.shape[i] = shape_[i];
      tensor_.strides[i] = strides_[i];
    }
    tensor_.buffer = to_abi_buffer(&buffer_);
    tensor_.offset_bytes = static_cast<std::uint64_t>(offset_) * size_of(dtype);
    tensor_.scale_inv = 1.0f;
  }
  TestTensor(const TestTensor&) = delete;
  TestTensor& operator=(const TestTensor&) = delete;

  ual_tensor& tensor() { return tensor_; }
  const ual_tensor& tensor() const { return tensor_; }
  ual_dtype dtype() const { return dtype_; }
  std::int64_t extent(std::size_t i) const { return shape_[i]; }
  std::vector<std::byte>& storage() { return storage_; }

  std::int64_t index(std::int64_t b, std::int64_t i, std::int64_t j) const {
    return offset_ + b * strides_[0] + i * strides_[1] + j * strides_[2];
  }
  std::int64_t index(std::int64_t i) const { return offset_ + i * strides_[0]; }

  // Stores x rounded to the dtype; returns the value actually stored.
  double set_at(std::int64_t element, double x) {
    std::byte* at = storage_.data() + element * static_cast<std::int64_t>(size_of(dtype_));
    if (dtype_ == UAL_DTYPE_F32) {
      const float value = static_cast<float>(x);
      std::memcpy(at, &value, 4);
    } else if (dtype_ == UAL_DTYPE_BF16) {
      const auto bits = ual::fp8::to_bfloat16(static_cast<float>(x)).bits;
      std::memcpy(at, &bits, 2);
    } else if (dtype_ == UAL_DTYPE_F16) {
      const auto bits = ual::fp8::to_float16(static_cast<float>(x)).bits;
      std::memcpy(at, &bits, 2);
    } else {
      *reinterpret_cast<std::uint8_t*>(at) = ual::fp8::encode(static_cast<float>(x), *format_of(dtype_));
    }
    return get_at(element);
  }
  double get_at(std::int64_t element) const {
    const std::byte* at = storage_.data() + element * static_cast<std::int64_t>(size_of(dtype_));
    if (dtype_ == UAL_DTYPE_F32) {
      float value = 0;
      std::memcpy(&value, at, 4);
      return value;
    }
    if (dtype_ == UAL_DTYPE_BF16 || dtype_ == UAL_DTYPE_F16) {
      std::uint16_t bits = 0;
      std::memcpy(&bits, at, 2);
      return dtype_ == UAL_DTYPE_BF16 ? ual::fp8::to_float(ual::fp8::bfloat16{bits})
                                      : ual::fp8::to_float(ual::fp8::float16{bits});
    }
    return ual::fp8::decode(*reinterpret_cast<const std::uint8_t*>(at), *format_of(dtype_));
  }
  double get(std::int64_t b, std::int64_t i, std::int64_t j) const { return get_at(index(b, i, j)); }
  double get(std::int64_t i) const { return get_at(index(i)); }

  void fill_random(std::mt19937& random, double low, double high) {
    std::uniform_real_distribution<double> uniform(low, high);
    if (shape_.size() == 1) {
      for (std::int64_t i = 0; i < shape_[0]; ++i) set_at(index(i), uniform(random));
      return;
    }
    // A broadcast batch (stride 0) is one matrix: fill it once.
    const std::int64_t batches = strides_[0] == 0 ? std::min<std::int64_t>(shape_[0], 1) : shape_[0];
    for (std::int64_t b = 0; b < batches; ++b) {
      for (std::int64_t i = 0; i < shape_[1]; ++i) {
        for (std::int64_t j = 0; j < shape_[2]; ++j) set_at(index(b, i, j), uniform(random));
      }
    }
  }

 private:
  ual_dtype dtype_;
  std::vector<std::int64_t> shape_;
  std::vector<std::int64_t> strides_;
  std::int64_t offset_;
  std::vector<std::byte> storage_;
  CpuBuffer buffer_;
  ual_tensor tensor_{};
};

struct GemmCall {
  TestTensor* a = nullptr;
  TestTensor* b = nullptr;
  TestTensor* c = nullptr;
  TestTensor* bias = nullptr;
  TestTensor* d = nullptr;
  TestTensor* amax = nullptr;
  ual_gemm_params params{UAL_BACKEND_ABI_VERSION, 1.0f, 0.0f, UAL_EPILOGUE_NONE, 1};

  ual_op op() {
    const ual_tensor absent{};
    inputs_[0] = a->tensor();
    inputs_[1] = b->tensor();
    inputs_[2] = c != nullptr ? c->tensor() : absent;
    inputs_[3] = bias != nullptr ? bias->tensor() : absent;
    outputs_[0] = d->tensor();
    outputs_[1] = amax != nullptr ? amax->tensor() : absent;
    return ual_op{UAL_BACKEND_ABI_VERSION, UAL_OP_GEMM, 4, inputs_, 2, outputs_, &params};
  }
  ual_status run(ual_error* error) {
    const ual_op gemm = op();
    return run_gemm(gemm, error);
  }

  // The arrays op() points at (public only so that GemmCall stays an aggregate).
  ual_tensor inputs_[4]{};
  ual_tensor outputs_[2]{};
};

bool fp8(ual_dtype dtype) { return format_of(dtype).has_value(); }

double epilogue(ual_epilogue kind, double x) {
  if (kind == UAL_EPILOGUE_GELU) return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  if (kind == UAL_EPILOGUE_SILU) return x / (1.0 + std::exp(-x));
  return x;
}

// Checks every element of D against the oracle within the bound in the file comment; returns the largest
// normalised error.
double expect_matches_oracle(GemmCall& call) {
  const TestTensor& a = *call.a;
  const TestTensor& b = *call.b;
  const TestTensor& d = *call.d;
  const std::int64_t batch = d.extent(0), m = d.extent(1), n = d.extent(2), k = a.extent(2);
  double scale = call.params.alpha;
  if (fp8(a.dtype())) scale *= a.tensor().scale_inv;
  if (fp8(b.dtype())) scale *= b.tensor().scale_inv;
  const double u = std::ldexp(1.0, -24);
  const double u_out = d.dtype() == UAL_DTYPE_BF16 ? std::ldexp(1.0, -8)
                       : d.dtype() == UAL_DTYPE_F16 ? std::ldexp(1.0, -11)
                                                    : 0.0;
  const bool use_c = call.c != nullptr && call.params.beta != 0.0f;
  double worst = 0.0;
  int reported = 0;
  for (std::int64_t bi = 0; bi < batch; ++bi) {
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        double sum = 0.0, magnitude = 0.0;
        for (std::int64_t kk = 0; kk < k; ++kk) {
          const double product = a.get(bi, i, kk) * b.get(bi, kk, j);
          sum += product;
          magnitude += std::fabs(product);
        }
        const double c_term = use_c ? call.params.beta * call.c->get(bi, i, j) : 0.0;
        const double bias_term = call.bias != nullptr ? call.bias->get(j) : 0.0;
        const double pre = scale * sum + c_term + bias_term;
        double bound = std::fabs(scale) * magnitude * 2.0 * static_cast<double>(k) * u +
                       4.0 * u * (std::fabs(scale * sum) + std::fabs(c_term) + std::fabs(bias_term));
        if (call.params.epilogue != UAL_EPILOGUE_NONE) bound = 1.2 * bound + 1e-6 * (1.0 + std::fabs(pre));
        const double expected = epilogue(call.params.epilogue, pre);
        // The stored value rounds the computed f32 one, which lies within `bound` of the exact value.
        bound += u_out * (std::fabs(expected) + bound) + (d.dtype() == UAL_DTYPE_F16 ? std::ldexp(1.0, -25) : 0.0);
        bound = std::max(bound, 1e-30);
        const double actual = d.get(bi, i, j);
        const double error = std::fabs(actual - expected);
        worst = std::max(worst, error / bound);
        if (!(error <= bound) && reported++ < 5) {
          ADD_FAILURE() << "D[" << bi << "," << i << "," << j << "] = " << actual << ", expected " << expected
                        << " (error " << error << ", bound " << bound << ")";
        }
      }
    }
  }
  return worst;
}

ual_status run_expecting_ok(GemmCall& call) {
  ual_error error{};
  const ual_status status = call.run(&error);
  EXPECT_EQ(status, UAL_STATUS_OK) << error.message;
  return status;
}

struct Shape {
  std::int64_t batch, m, n, k;
};

// Row-major A [batch, m, k], B [batch, k, n], D [batch, m, n] filled with uniform values in [-range, range].
struct Problem {
  Problem(Shape shape, ual_dtype a_type, ual_dtype b_type, ual_dtype d_type, double range = 1.0,
          unsigned seed = 7)
      : a(a_type, {shape.batch, shape.m, shape.k}),
        b(b_type, {shape.batch, shape.k, shape.n}),
        d(d_type, {shape.batch, shape.m, shape.n}) {
    std::mt19937 random(seed);
    a.fill_random(random, -range, range);
    b.fill_random(random, -range, range);
    call.a = &a;
    call.b = &b;
    call.d = &d;
  }
  TestTensor a, b, d;
  GemmCall call;
};

// ---- dtype combinations ----

struct DtypeCase {
  ual_dtype a, b, d;
  float scale_inv_a, scale_inv_b;
  double range;
};

class GemmDtypes : public ::testing::TestWithParam<DtypeCase> {};

TEST_P(GemmDtypes, MatchesOracle) {
  const DtypeCase& param = GetParam();
  Problem problem({2, 17, 13, 29}, param.a, param.b, param.d, param.range);
  problem.a.tensor().scale_inv = param.scale_inv_a;
  problem.b.tensor().scale_inv = param.scale_inv_b;
  problem.call.params.alpha = 0.75f;
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  const double worst = expect_matches_oracle(problem.call);
  RecordProperty("normalised_error", std::to_string(worst));
}

INSTANTIATE_TEST_SUITE_P(
    Gemm, GemmDtypes,
    ::testing::Values(DtypeCase{UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32, 1, 1, 1},
                      DtypeCase{UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_BF16, 1, 1, 1},
                      DtypeCase{UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F16, 1, 1, 1},
                      DtypeCase{UAL_DTYPE_BF16, UAL_DTYPE_BF16, UAL_DTYPE_F32, 1, 1, 1},
                      DtypeCase{UAL_DTYPE_BF16, UAL_DTYPE_BF16, UAL_DTYPE_BF16, 1, 1, 1},
                      DtypeCase{UAL_DTYPE_F16, UAL_DTYPE_F16, UAL_DTYPE_F32, 1, 1, 1},
                      DtypeCase{UAL_DTYPE_F16, UAL_DTYPE_F16, UAL_DTYPE_BF16, 1, 1, 1},
                      DtypeCase{UAL_DTYPE_F16, UAL_DTYPE_F16, UAL_DTYPE_F16, 1, 1, 1},
                      // FP8 ranges reach the formats' coarse upper binades; scale_inv != 1 is folded into alpha.
                      DtypeCase{UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_F32, 0.5f, 0.25f, 200},
                      DtypeCase{UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_BF16, 2.0f, 0.125f, 8},
                      DtypeCase{UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2, UAL_DTYPE_F32, 0.5f, 3.0f, 16},
                      DtypeCase{UAL_DTYPE_FP8_E5M2, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_F16, 0.01f, 0.02f, 100},
                      DtypeCase{UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_F32, 0.5f, 2.0f, 200},
                      DtypeCase{UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_FP8_E5M2FNUZ, UAL_DTYPE_BF16, 1.5f, 0.5f, 4},
                      DtypeCase{UAL_DTYPE_FP8_E5M2FNUZ, UAL_DTYPE_FP8_E5M2FNUZ, UAL_DTYPE_F32, 0.001f, 1.0f,
                                1000}));

TEST(GemmWidening, HalfBitsToFloatIsExactForEveryValue) {
  for (std::uint32_t bits = 0; bits < 65536; ++bits) {
    const float expected = ual::fp8::to_float(ual::fp8::float16{static_cast<std::uint16_t>(bits)});
    const float actual = half_bits_to_float(static_cast<std::uint16_t>(bits));
    if (std::isnan(expected)) {
      ASSERT_TRUE(std::isnan(actual)) << bits;
    } else {
      ASSERT_EQ(std::bit_cast<std::uint32_t>(actual), std::bit_cast<std::uint32_t>(expected)) << bits;
    }
  }
}

TEST(GemmWidening, FloatToBfloat16MatchesTheContract) {
  // Every sign/exponent/upper-mantissa pattern with the low halves where rounding decides (ties, just below and
  // above them, the extremes), plus random low halves.
  std::mt19937 random(17);
  for (std::uint32_t high = 0; high < 65536; ++high) {
    const auto random_low = static_cast<std::uint32_t>(random() & 0xffffu);
    for (std::uint32_t low : {0u, 1u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu, random_low}) {
      const float x = std::bit_cast<float>((high << 16) | low);
      ASSERT_EQ(float_to_bfloat16_bits(x), ual::fp8::to_bfloat16(x).bits) << std::hex << ((high << 16) | low);
    }
  }
}

// ---- layouts ----

struct LayoutCase {
  const char* name;
  ual_dtype dtype;
  bool transpose_a, transpose_b, transpose_d;
  std::int64_t pad;  // extra elements per leading dimension
};

class GemmLayouts : public ::testing::TestWithParam<LayoutCase> {};

// Strides for a [batch, rows, cols] view stored transposed and/or with padded leading dimensions.
std::vector<std::int64_t> strides_for(std::int64_t rows, std::int64_t cols, bool transposed, std::int64_t pad) {
  if (transposed) return {(rows + pad) * cols, 1, rows + pad};
  return {rows * (cols + pad), cols + pad, 1};
}

TEST_P(GemmLayouts, MatchesOracle) {
  const LayoutCase& param = GetParam();
  const std::int64_t batch = 2, m = 19, n = 23, k = 31;
  TestTensor a(param.dtype, {batch, m, k}, strides_for(m, k, param.transpose_a, param.pad), 3);
  TestTensor b(param.dtype, {batch, k, n}, strides_for(k, n, param.transpose_b, param.pad), 5);
  TestTensor d(UAL_DTYPE_F32, {batch, m, n}, strides_for(m, n, param.transpose_d, param.pad), 1);
  std::mt19937 random(11);
  a.fill_random(random, -1, 1);
  b.fill_random(random, -1, 1);
  const std::vector<std::byte> before = d.storage();
  GemmCall call{&a, &b, nullptr, nullptr, &d};
  ASSERT_EQ(run_expecting_ok(call), UAL_STATUS_OK);
  expect_matches_oracle(call);
  // Padding and the bytes before the offset stay untouched.
  std::vector<bool> in_view(d.storage().size() / 4, false);
  for (std::int64_t bi = 0; bi < batch; ++bi)
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) in_view[static_cast<std::size_t>(d.index(bi, i, j))] = true;
  for (std::size_t e = 0; e < in_view.size(); ++e) {
    if (!in_view[e]) {
      ASSERT_EQ(std::memcmp(&d.storage()[e * 4], &before[e * 4], 4), 0) << "element " << e;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Gemm, GemmLayouts,
    ::testing::Values(LayoutCase{"NN", UAL_DTYPE_F32, false, false, false, 0},
                      LayoutCase{"TN", UAL_DTYPE_F32, true, false, false, 0},
                      LayoutCase{"NT", UAL_DTYPE_F32, false, true, false, 0},
                      LayoutCase{"TT", UAL_DTYPE_F32, true, true, false, 0},
                      LayoutCase{"NN_padded", UAL_DTYPE_F32, false, false, false, 7},
                      LayoutCase{"TT_padded", UAL_DTYPE_F32, true, true, false, 3},
                      LayoutCase{"D_transposed", UAL_DTYPE_F32, false, false, true, 0},
                      LayoutCase{"D_transposed_padded", UAL_DTYPE_F32, true, false, true, 2},
                      LayoutCase{"bf16_TN_padded", UAL_DTYPE_BF16, true, false, false, 4},
                      LayoutCase{"fp8_NT_padded", UAL_DTYPE_FP8_E4M3, false, true, false, 9}),
    [](const ::testing::TestParamInfo<LayoutCase>& info) { return std::string(info.param.name); });

TEST(GemmLayouts, InterleavedBatchesAndZeroInnerStrides) {
  // Attention-style A stored [m][batch][k] (batch stride k < matrix size) and B with a zero row stride (every row
  // of B the same): neither is a gemm layout, both are packed first.
  const std::int64_t batch = 3, m = 9, n = 11, k = 7;
  TestTensor a(UAL_DTYPE_F32, {batch, m, k}, {k, batch * k, 1});
  TestTensor b(UAL_DTYPE_F32, {batch, k, n}, {n, 0, 1});
  TestTensor d(UAL_DTYPE_F32, {batch, m, n});
  std::mt19937 random(3);
  a.fill_random(random, -1, 1);
  b.fill_random(random, -1, 1);
  GemmCall call{&a, &b, nullptr, nullptr, &d};
  ASSERT_EQ(run_expecting_ok(call), UAL_STATUS_OK);
  expect_matches_oracle(call);
}

// ---- batches and broadcasting ----

TEST(GemmBatched, BatchStrideZeroBroadcasts) {
  const std::int64_t batch = 4, m = 6, n = 10, k = 12;
  for (int which = 0; which < 3; ++which) {  // A broadcast, B broadcast, both
    SCOPED_TRACE(which);
    TestTensor a(UAL_DTYPE_BF16, {batch, m, k}, {which != 1 ? 0 : m * k, k, 1});
    TestTensor bb(UAL_DTYPE_BF16, {batch, k, n}, {which != 0 ? 0 : k * n, n, 1});
    TestTensor c(UAL_DTYPE_F32, {batch, m, n}, {0, n, 1});  // C broadcast as well
    TestTensor d(UAL_DTYPE_F32, {batch, m, n});
    std::mt19937 random(5 + which);
    a.fill_random(random, -1, 1);
    bb.fill_random(random, -1, 1);
    c.fill_random(random, -1, 1);
    GemmCall call{&a, &bb, &c, nullptr, &d};
    call.params.beta = 0.5f;
    ASSERT_EQ(run_expecting_ok(call), UAL_STATUS_OK);
    expect_matches_oracle(call);
  }
}

TEST(GemmBatched, IndependentBatchesWithBf16) {
  Problem problem({5, 8, 9, 10}, UAL_DTYPE_BF16, UAL_DTYPE_BF16, UAL_DTYPE_BF16);
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  expect_matches_oracle(problem.call);
}

// ---- alpha, beta, bias, epilogues ----

TEST(GemmAlphaBeta, DistinctC) {
  for (ual_dtype d_type : {UAL_DTYPE_F32, UAL_DTYPE_BF16, UAL_DTYPE_F16}) {
    SCOPED_TRACE(d_type);
    Problem problem({2, 13, 17, 19}, UAL_DTYPE_F32, UAL_DTYPE_F32, d_type);
    TestTensor c(d_type, {2, 13, 17}, {13 * 20, 20, 1});  // padded C
    std::mt19937 random(9);
    c.fill_random(random, -2, 2);
    problem.call.c = &c;
    problem.call.params.alpha = -1.5f;
    problem.call.params.beta = 0.25f;
    ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
    expect_matches_oracle(problem.call);
  }
}

TEST(GemmAlphaBeta, CIsDInPlace) {
  for (ual_dtype d_type : {UAL_DTYPE_F32, UAL_DTYPE_BF16}) {
    SCOPED_TRACE(d_type);
    Problem problem({1, 16, 12, 8}, UAL_DTYPE_F32, UAL_DTYPE_F32, d_type);
    std::mt19937 random(10);
    problem.d.fill_random(random, -1, 1);
    // The oracle reads C after the run, so keep the original C in a separate tensor for it.
    TestTensor original(d_type, {1, 16, 12});
    for (std::int64_t i = 0; i < 16; ++i)
      for (std::int64_t j = 0; j < 12; ++j) original.set_at(original.index(0, i, j), problem.d.get(0, i, j));
    problem.call.c = &problem.d;
    problem.call.params.alpha = 2.0f;
    problem.call.params.beta = -1.0f;
    ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
    problem.call.c = &original;
    expect_matches_oracle(problem.call);
  }
}

TEST(GemmAlphaBeta, BetaZeroDoesNotReadC) {
  Problem problem({1, 4, 5, 6}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  TestTensor c(UAL_DTYPE_F32, {1, 4, 5});
  for (std::int64_t i = 0; i < 4; ++i)
    for (std::int64_t j = 0; j < 5; ++j) c.set_at(c.index(0, i, j), std::numeric_limits<double>::quiet_NaN());
  problem.call.c = &c;
  problem.call.params.beta = 0.0f;
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  expect_matches_oracle(problem.call);
}

struct EpilogueCase {
  ual_epilogue epilogue;
  ual_dtype input, d, bias;
  bool with_c;
};

class GemmEpilogue : public ::testing::TestWithParam<EpilogueCase> {};

TEST_P(GemmEpilogue, ScaleThenCThenBiasThenActivation) {
  const EpilogueCase& param = GetParam();
  Problem problem({2, 21, 18, 24}, param.input, param.input, param.d, 1.0);
  TestTensor c(param.d, {2, 21, 18});
  TestTensor bias(param.bias, {18}, {2});  // strided bias
  std::mt19937 random(12);
  c.fill_random(random, -1, 1);
  bias.fill_random(random, -2, 2);
  if (param.with_c) problem.call.c = &c;
  problem.call.bias = &bias;
  problem.call.params.alpha = 3.0f;  // a scaled bias would show up at once
  problem.call.params.beta = 0.5f;
  problem.call.params.epilogue = param.epilogue;
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  expect_matches_oracle(problem.call);
}

INSTANTIATE_TEST_SUITE_P(
    Gemm, GemmEpilogue,
    ::testing::Values(EpilogueCase{UAL_EPILOGUE_NONE, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32, true},
                      EpilogueCase{UAL_EPILOGUE_GELU, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32, true},
                      EpilogueCase{UAL_EPILOGUE_SILU, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32, false},
                      EpilogueCase{UAL_EPILOGUE_GELU, UAL_DTYPE_BF16, UAL_DTYPE_BF16, UAL_DTYPE_BF16, true},
                      EpilogueCase{UAL_EPILOGUE_SILU, UAL_DTYPE_BF16, UAL_DTYPE_BF16, UAL_DTYPE_F32, true},
                      EpilogueCase{UAL_EPILOGUE_GELU, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_F16, UAL_DTYPE_F16, false},
                      EpilogueCase{UAL_EPILOGUE_SILU, UAL_DTYPE_F16, UAL_DTYPE_F32, UAL_DTYPE_F32, true}));

// ---- amax ----

TEST(GemmAmax, MaxAbsOfStoredD) {
  for (ual_dtype d_type : {UAL_DTYPE_F32, UAL_DTYPE_BF16}) {
    Problem problem({2, 9, 7, 5}, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2, d_type, 10);
    TestTensor amax(UAL_DTYPE_F32, {1});
    problem.call.amax = &amax;
    ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
    double expected = 0;
    for (std::int64_t b = 0; b < 2; ++b)
      for (std::int64_t i = 0; i < 9; ++i)
        for (std::int64_t j = 0; j < 7; ++j) expected = std::max(expected, std::fabs(problem.d.get(b, i, j)));
    EXPECT_GT(expected, 0.0);
    EXPECT_EQ(amax.get(0), expected);
  }
}

TEST(GemmAmax, NanElementsAreIgnored) {
  Problem problem({1, 4, 3, 2}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  problem.a.set_at(problem.a.index(0, 1, 0), std::numeric_limits<double>::quiet_NaN());  // row 1 of D is NaN
  TestTensor amax(UAL_DTYPE_F32, {1});
  problem.call.amax = &amax;
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  double expected = 0;
  for (std::int64_t i = 0; i < 4; ++i) {
    for (std::int64_t j = 0; j < 3; ++j) {
      if (i == 1) {
        EXPECT_TRUE(std::isnan(problem.d.get(0, i, j)));
      } else {
        expected = std::max(expected, std::fabs(problem.d.get(0, i, j)));
      }
    }
  }
  EXPECT_EQ(amax.get(0), expected);
}

TEST(GemmAmax, EmptyDGivesZero) {
  for (Shape shape : {Shape{1, 0, 4, 4}, Shape{1, 4, 0, 4}, Shape{0, 4, 4, 4}}) {
    Problem problem(shape, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    TestTensor amax(UAL_DTYPE_F32, {1});
    amax.set_at(0, 123.0);
    problem.call.amax = &amax;
    ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
    EXPECT_EQ(amax.get(0), 0.0);
  }
}

// ---- edge shapes ----

TEST(GemmShapes, OneByOneByOne) {
  Problem problem({1, 1, 1, 1}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  const double product = problem.a.get(0, 0, 0) * problem.b.get(0, 0, 0);
  EXPECT_EQ(problem.d.get(0, 0, 0), static_cast<double>(static_cast<float>(product)));
}

TEST(GemmShapes, Primes) {
  for (ual_dtype dtype : {UAL_DTYPE_F32, UAL_DTYPE_BF16, UAL_DTYPE_FP8_E4M3}) {
    Problem problem({3, 17, 13, 29}, dtype, dtype, UAL_DTYPE_F32, 2.0);
    ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
    expect_matches_oracle(problem.call);
  }
}

TEST(GemmShapes, KZeroIsBetaCPlusBiasThenEpilogue) {
  Problem problem({2, 5, 6, 0}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_BF16);
  TestTensor c(UAL_DTYPE_BF16, {2, 5, 6});
  TestTensor bias(UAL_DTYPE_F32, {6});
  std::mt19937 random(13);
  c.fill_random(random, -3, 3);
  bias.fill_random(random, -1, 1);
  problem.call.c = &c;
  problem.call.bias = &bias;
  problem.call.params.beta = 2.0f;
  problem.call.params.epilogue = UAL_EPILOGUE_GELU;
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  expect_matches_oracle(problem.call);
}

TEST(GemmShapes, KZeroWithoutCIsZero) {
  Problem problem({1, 3, 4, 0}, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_F32);
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 4; ++j) EXPECT_EQ(problem.d.get(0, i, j), 0.0);
}

TEST(GemmShapes, MZeroLeavesDAlone) {
  Problem problem({2, 0, 5, 7}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  EXPECT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
}

TEST(GemmShapes, LargeK) {
  // K = 4096 with inputs of mixed sign: the bound grows like K, the measured error like sqrt(K).
  for (ual_dtype dtype : {UAL_DTYPE_F32, UAL_DTYPE_BF16, UAL_DTYPE_FP8_E4M3}) {
    Problem problem({1, 8, 8, 4096}, dtype, dtype, UAL_DTYPE_F32, 4.0);
    problem.a.tensor().scale_inv = 0.5f;
    ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
    const double worst = expect_matches_oracle(problem.call);
    EXPECT_LT(worst, 0.05) << "normalised error " << worst;
  }
}

// ---- primitive cache ----

TEST(GemmCache, RepeatedShapeReusesThePrimitive) {
  Problem problem({1, 37, 41, 43}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  const std::uint64_t after_first = gemm_primitive_creations();
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  EXPECT_EQ(gemm_primitive_creations(), after_first) << "same call";
  problem.call.params.alpha = 0.3f;
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  EXPECT_EQ(gemm_primitive_creations(), after_first) << "alpha is a runtime scale";
  expect_matches_oracle(problem.call);

  Problem other({1, 37, 41, 44}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  ASSERT_EQ(run_expecting_ok(other.call), UAL_STATUS_OK);
  EXPECT_EQ(gemm_primitive_creations(), after_first + 1) << "new shape";
}

TEST(GemmCache, Fp8ScaleChangeReusesThePrimitive) {
  Problem problem({1, 29, 31, 33}, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2, UAL_DTYPE_BF16, 8);
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  const std::uint64_t after_first = gemm_primitive_creations();
  problem.a.tensor().scale_inv = 0.125f;
  problem.b.tensor().scale_inv = 4.0f;
  ASSERT_EQ(run_expecting_ok(problem.call), UAL_STATUS_OK);
  EXPECT_EQ(gemm_primitive_creations(), after_first);
  expect_matches_oracle(problem.call);
}

TEST(GemmPath, DescribesTheRoute) {
  Problem f32({1, 16, 16, 16}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  const std::string direct = gemm_path_description(f32.call.op());
  EXPECT_NE(direct.find("onednn f32"), std::string::npos) << direct;
  EXPECT_EQ(direct.find("widening"), std::string::npos) << direct;
  Problem fp8({1, 16, 16, 16}, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2, UAL_DTYPE_F32);
  const std::string widened = gemm_path_description(fp8.call.op());
  EXPECT_NE(widened.find("widening"), std::string::npos) << widened;
  RecordProperty("f32_path", direct);
  RecordProperty("fp8_path", widened);
}

// ---- bad input ----

struct BadCase {
  const char* name;
  ual_status status;
  const char* message_part;
};

ual_status run_bad(GemmCall& call, const BadCase& expected) {
  ual_error error{};
  const ual_status status = call.run(&error);
  EXPECT_EQ(status, expected.status) << expected.name;
  EXPECT_NE(std::string(error.message).find(expected.message_part), std::string::npos)
      << expected.name << ": \"" << error.message << "\" should name " << expected.message_part;
  EXPECT_EQ(error.code, expected.status) << expected.name;
  // NULL error: the same status, no crash.
  EXPECT_EQ(call.run(nullptr), expected.status) << expected.name;
  // supports() says no with the same reason.
  ual_error why{};
  const ual_op op = call.op();
  EXPECT_EQ(supports_gemm(op, &why), 0) << expected.name;
  EXPECT_NE(std::string(why.message).find(expected.message_part), std::string::npos) << why.message;
  return status;
}

TEST(GemmBadInput, RejectedWithTheOperandNamed) {
  {
    TestTensor a(UAL_DTYPE_F32, {4, 4});
    TestTensor b(UAL_DTYPE_F32, {1, 4, 4});
    TestTensor d(UAL_DTYPE_F32, {1, 4, 4});
    GemmCall call{&a, &b, nullptr, nullptr, &d};
    run_bad(call, {"wrong rank", UAL_STATUS_INVALID_ARGUMENT, "A (inputs[0]): rank 2"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    TestTensor b(UAL_DTYPE_F32, {1, 5, 4});
    problem.call.b = &b;
    run_bad(problem.call, {"mismatched K", UAL_STATUS_INVALID_ARGUMENT, "B: K = 5"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_BF16, UAL_DTYPE_F32);
    run_bad(problem.call, {"f32 x bf16", UAL_STATUS_INVALID_ARGUMENT, "A is f32 but B is bf16"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_BF16, UAL_DTYPE_F32);
    run_bad(problem.call, {"fp8 x bf16", UAL_STATUS_INVALID_ARGUMENT, "A is fp8 e4m3 but B is bf16"});
  }
  {
    // An FP8 D is allowed (Transformer Engine's FP8 output), but not with a C: C's FP8 scale would be undefined.
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E4M3);
    TestTensor c(UAL_DTYPE_FP8_E4M3, {1, 4, 4});
    problem.call.c = &c;
    problem.call.params.beta = 1.0f;
    run_bad(problem.call, {"fp8 D with C", UAL_STATUS_INVALID_ARGUMENT, "C: an FP8 D takes no C"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    problem.a.tensor().strides[1] = -4;
    run_bad(problem.call, {"negative stride", UAL_STATUS_INVALID_ARGUMENT, "A (inputs[0]): negative stride"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    problem.b.tensor().strides[1] = 100;  // reaches past the end of B's buffer
    run_bad(problem.call, {"out of bounds", UAL_STATUS_INVALID_ARGUMENT, "B (inputs[1]): view"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    TestTensor d(UAL_DTYPE_F32, {1, 4, 4}, {}, 1);  // room for a 4-byte offset
    d.tensor().offset_bytes = 2;
    problem.call.d = &d;
    run_bad(problem.call, {"misaligned", UAL_STATUS_INVALID_ARGUMENT, "D (outputs[0]): offset_bytes 2"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_BF16);
    TestTensor c(UAL_DTYPE_F32, {1, 4, 4});
    problem.call.c = &c;
    problem.call.params.beta = 1.0f;
    run_bad(problem.call, {"C dtype", UAL_STATUS_INVALID_ARGUMENT, "C is f32 but D is bf16"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    TestTensor bias(UAL_DTYPE_F16, {4});
    problem.call.bias = &bias;
    run_bad(problem.call, {"bias dtype", UAL_STATUS_INVALID_ARGUMENT, "bias: dtype f16"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    TestTensor bias(UAL_DTYPE_F32, {5});
    problem.call.bias = &bias;
    run_bad(problem.call, {"bias size", UAL_STATUS_INVALID_ARGUMENT, "bias: size 5"});
  }
  {
    Problem problem({2, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    problem.d.tensor().strides[0] = 0;
    run_bad(problem.call, {"broadcast D", UAL_STATUS_INVALID_ARGUMENT, "D: a stride of 0"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    TestTensor amax(UAL_DTYPE_BF16, {1});
    problem.call.amax = &amax;
    run_bad(problem.call, {"amax dtype", UAL_STATUS_INVALID_ARGUMENT, "amax (outputs[1])"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    const std::int32_t nine = 9;  // stored as a C caller would, without forming an out-of-range enum value here
    std::memcpy(&problem.call.params.epilogue, &nine, sizeof(nine));
    run_bad(problem.call, {"epilogue", UAL_STATUS_INVALID_ARGUMENT, "epilogue 9"});
  }
  {
    Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
    const std::int32_t unknown = 77;
    std::memcpy(&problem.b.tensor().dtype, &unknown, sizeof(unknown));
    run_bad(problem.call, {"unknown dtype", UAL_STATUS_INVALID_ARGUMENT, "B (inputs[1]): unknown dtype 77"});
  }
}

TEST(GemmBadInput, MalformedOpNeverCrashes) {
  Problem problem({1, 4, 4, 4}, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32);
  ual_op op = problem.call.op();
  ual_error error{};
  ual_op no_params = op;
  no_params.params = nullptr;
  EXPECT_EQ(run_gemm(no_params, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("params"), std::string::npos);
  ual_op one_input = op;
  one_input.input_count = 1;
  EXPECT_EQ(run_gemm(one_input, &error), UAL_STATUS_INVALID_ARGUMENT);
  ual_op no_outputs = op;
  no_outputs.outputs = nullptr;
  EXPECT_EQ(run_gemm(no_outputs, &error), UAL_STATUS_INVALID_ARGUMENT);
  ual_op wrong_kind = op;
  wrong_kind.kind = UAL_OP_SOFTMAX;
  EXPECT_EQ(run_gemm(wrong_kind, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(gemm_path_description(wrong_kind).rfind("invalid:", 0), 0u);
  // A NULL data pointer behind a present buffer.
  CpuBuffer empty{nullptr, 0};
  ual_tensor inputs[4];
  std::memcpy(inputs, op.inputs, sizeof(inputs));
  inputs[0].buffer = to_abi_buffer(&empty);
  ual_op null_data = op;
  null_data.inputs = inputs;
  EXPECT_EQ(run_gemm(null_data, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("A (inputs[0])"), std::string::npos) << error.message;
  EXPECT_EQ(supports_gemm(op, nullptr), 1);
}

}  // namespace
}  // namespace ual::cpu
