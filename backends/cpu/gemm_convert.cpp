#include "backends/cpu/gemm_convert.hpp"

#include <array>
#include <cmath>
#include <cstring>

#include "ual/fp8.hpp"

namespace ual::cpu {
namespace {

// Below this many elements a copy runs on the calling thread: an OpenMP fork costs a few microseconds.
// Used only in OpenMP pragmas: a build without OpenMP code generation (clang with libgomp, the fuzzers) ignores them.
[[maybe_unused]] constexpr std::int64_t kParallelElements = 1 << 15;

// Every FP8 value is exact in float, so one 256-entry table per format (built once from ual::fp8::decode, the
// contract the GPU backends follow) is the whole widening.
const std::array<float, 256>& fp8_table(ual_dtype dtype) {
  static const auto tables = [] {
    std::array<std::array<float, 256>, 4> built{};
    const ual::fp8::Format formats[] = {ual::fp8::Format::e4m3, ual::fp8::Format::e5m2,
                                        ual::fp8::Format::e4m3fnuz, ual::fp8::Format::e5m2fnuz};
    for (std::size_t f = 0; f < 4; ++f) {
      for (std::size_t bits = 0; bits < 256; ++bits) {
        built[f][bits] = ual::fp8::decode(static_cast<std::uint8_t>(bits), formats[f]);
      }
    }
    return built;
  }();
  return tables[static_cast<std::size_t>(fp8_format(dtype))];
}

struct LoadF32 {
  float operator()(const void* base, std::int64_t i) const { return static_cast<const float*>(base)[i]; }
};
struct LoadBf16 {
  float operator()(const void* base, std::int64_t i) const {
    return std::bit_cast<float>(static_cast<std::uint32_t>(static_cast<const std::uint16_t*>(base)[i]) << 16);
  }
};
struct LoadF16 {
  float operator()(const void* base, std::int64_t i) const {
    return half_bits_to_float(static_cast<const std::uint16_t*>(base)[i]);
  }
};
struct LoadFp8 {
  const float* table;
  float operator()(const void* base, std::int64_t i) const { return table[static_cast<const std::uint8_t*>(base)[i]]; }
};

struct StoreF32 {
  void operator()(void* base, std::int64_t i, float x) const { static_cast<float*>(base)[i] = x; }
};
struct StoreBf16 {
  void operator()(void* base, std::int64_t i, float x) const {
    static_cast<std::uint16_t*>(base)[i] = float_to_bfloat16_bits(x);
  }
};
struct StoreF16 {
  void operator()(void* base, std::int64_t i, float x) const {
    static_cast<std::uint16_t*>(base)[i] = ual::fp8::to_float16(x).bits;
  }
};

template <class Visit>
void with_loader(ual_dtype dtype, Visit&& visit) {
  switch (dtype) {
    case UAL_DTYPE_F32: visit(LoadF32{}); return;
    case UAL_DTYPE_BF16: visit(LoadBf16{}); return;
    case UAL_DTYPE_F16: visit(LoadF16{}); return;
    default: visit(LoadFp8{fp8_table(dtype).data()}); return;
  }
}

// FP8 D: stored = encode(x / scale_inv), saturating, as Transformer Engine's FP8 GEMM output and cuBLASLt's
// D_SCALE_POINTER (scale = 1 / scale_inv).
struct StoreFp8 {
  ual::fp8::Format format;
  float scale;
  void operator()(void* base, std::int64_t i, float x) const {
    static_cast<std::uint8_t*>(base)[i] = ual::fp8::encode(x * scale, format, ual::fp8::Overflow::saturate);
  }
};

template <class Visit>
void with_storer(const MatrixView& to, Visit&& visit) {
  switch (to.dtype) {
    case UAL_DTYPE_BF16: visit(StoreBf16{}); return;
    case UAL_DTYPE_F16: visit(StoreF16{}); return;
    case UAL_DTYPE_FP8_E4M3: visit(StoreFp8{ual::fp8::Format::e4m3, 1.0f / to.scale_inv}); return;
    case UAL_DTYPE_FP8_E5M2: visit(StoreFp8{ual::fp8::Format::e5m2, 1.0f / to.scale_inv}); return;
    case UAL_DTYPE_FP8_E4M3FNUZ: visit(StoreFp8{ual::fp8::Format::e4m3fnuz, 1.0f / to.scale_inv}); return;
    case UAL_DTYPE_FP8_E5M2FNUZ: visit(StoreFp8{ual::fp8::Format::e5m2fnuz, 1.0f / to.scale_inv}); return;
    default: visit(StoreF32{}); return;
  }
}

template <class Load, class Store>
void copy_loop(const MatrixView& from, const MatrixView& to, Load load, Store store) {
  // Walk along the destination's unit-stride dimension so writes stream (a packed column-major target walks rows).
  const bool rows_inner = to.row_stride == 1 && to.col_stride != 1 && to.rows > 1;
  const std::int64_t outer = rows_inner ? to.cols : to.rows;
  const std::int64_t inner = rows_inner ? to.rows : to.cols;
  const std::int64_t from_outer = rows_inner ? from.col_stride : from.row_stride;
  const std::int64_t from_inner = rows_inner ? from.row_stride : from.col_stride;
  const std::int64_t to_outer = rows_inner ? to.col_stride : to.row_stride;
  const std::int64_t to_inner = rows_inner ? to.row_stride : to.col_stride;
  const std::int64_t lines = to.batch * outer;
  const std::size_t from_size = dtype_size(from.dtype);
  const std::size_t to_size = dtype_size(to.dtype);
#pragma omp parallel for schedule(static) if (lines * inner >= kParallelElements)
  for (std::int64_t line = 0; line < lines; ++line) {
    const std::int64_t batch = line / outer;
    const std::int64_t index = line % outer;
    const char* source =
        static_cast<const char*>(from.data) + (batch * from.batch_stride + index * from_outer) * from_size;
    char* target = static_cast<char*>(to.data) + (batch * to.batch_stride + index * to_outer) * to_size;
    if (from_inner == 1 && to_inner == 1) {
      for (std::int64_t j = 0; j < inner; ++j) store(target, j, load(source, j));
    } else {
      for (std::int64_t j = 0; j < inner; ++j) store(target, j * to_inner, load(source, j * from_inner));
    }
  }
}

}  // namespace

void copy_matrix(const MatrixView& from, const MatrixView& to) {
  if (to.batch == 0 || to.rows == 0 || to.cols == 0) return;
  with_loader(from.dtype, [&](auto load) {
    with_storer(to, [&](auto store) { copy_loop(from, to, load, store); });
  });
}

float max_abs(const MatrixView& view) {
  if (view.batch == 0 || view.rows == 0 || view.cols == 0) return 0.0f;
  float result = 0.0f;
  with_loader(view.dtype, [&](auto load) {
    const std::int64_t lines = view.batch * view.rows;
    const std::size_t size = dtype_size(view.dtype);
    float found = 0.0f;
    // `x > found` is false for NaN, so NaN elements never win (fmaxf's rule).
#pragma omp parallel for schedule(static) reduction(max : found) if (lines * view.cols >= kParallelElements)
    for (std::int64_t line = 0; line < lines; ++line) {
      const char* row = static_cast<const char*>(view.data) +
                        ((line / view.rows) * view.batch_stride + (line % view.rows) * view.row_stride) * size;
      for (std::int64_t j = 0; j < view.cols; ++j) {
        const float x = std::fabs(load(row, j * view.col_stride));
        if (x > found) found = x;
      }
    }
    result = found;
  });
  return result;
}

float load_as_float(ual_dtype dtype, const void* base, std::int64_t index) {
  float value = 0.0f;
  with_loader(dtype, [&](auto load) { value = load(base, index); });
  return value;
}

}  // namespace ual::cpu
