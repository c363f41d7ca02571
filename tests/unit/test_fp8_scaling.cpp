// FP8 scaling recipes (include/ual/fp8_scaling.hpp) against computations written here independently of src/fp8:
// a std::deque window for the delayed-scaling history, scales divided in double and rounded once, powers of two from
// std::exp2(std::floor(std::log2())), E8M0 codes from std::frexp; plus property-style round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ual/fp8_scaling.hpp"

namespace ual::fp8 {
namespace {

using Shape = std::pair<std::size_t, std::size_t>;
constexpr float kFltMax = std::numeric_limits<float>::max();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
const Format kFormats[] = {Format::e4m3, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz};
const BlockDirection kDirections[] = {BlockDirection::rowwise, BlockDirection::columnwise};

std::uint32_t bits(float f) { return std::bit_cast<std::uint32_t>(f); }
InputMatrix f32(const std::vector<float>& v, std::size_t r, std::size_t c) { return {std::span<const float>(v), r, c}; }
template <class R>
void expect_error(const R& r, const char* what) {
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().message;
}

// TE's scale rule, with the division done in double and rounded to float once.
float model_scale(float amax, float fp8_max, bool pow2, float eps, float inf_value) {
  if (amax < eps) amax = eps;
  if (!std::isfinite(amax) || amax == 0.0f) return 1.0f;
  auto s = static_cast<float>(double(fp8_max) / double(amax));
  if (std::isinf(s)) s = inf_value;
  return pow2 ? static_cast<float>(std::exp2(std::floor(std::log2(double(s))))) : s;
}

// E8M0 code of v rounded up (satfinite), from frexp: v = m * 2^e with m in [0.5, 1).
int model_e8m0_up(float v) {
  if (std::isnan(v) || std::isinf(v) || v == 0.0f) return std::isnan(v) ? 255 : (v == 0.0f ? 0 : 254);
  int e = 0;
  return std::clamp((std::frexp(double(v), &e) == 0.5 ? e - 1 : e) + 127, 0, 254);
}

std::vector<float> random_values(std::size_t n, unsigned seed, double spread) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> exponent(-spread, spread);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(normal(gen) * std::exp2(exponent(gen)));
  return v;
}

// Walks the tr x tc tiles of q (partial at the edges): the stored scale must satisfy stored(index, tile amax) and every
// element must be encode(x * multiplier(tile amax)). The amax is taken over the tile's real elements, NaN skipped.
template <class Stored, class Multiplier>
void expect_tiles(const QuantizedTensor& q, const InputMatrix& in, std::size_t tr, std::size_t tc, Stored stored,
                  Multiplier multiplier) {
  ASSERT_EQ(q.data.size(), in.size());
  for (std::size_t r0 = 0; r0 < in.rows; r0 += tr)
    for (std::size_t c0 = 0; c0 < in.cols; c0 += tc) {
      const std::size_t r1 = std::min(in.rows, r0 + tr), c1 = std::min(in.cols, c0 + tc);
      double amax = 0.0;
      for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t c = c0; c < c1; ++c)
          if (!std::isnan(in.at(r * in.cols + c))) amax = std::max(amax, double(std::fabs(in.at(r * in.cols + c))));
      ASSERT_TRUE(stored(r0 / tr * ((in.cols + tc - 1) / tc) + c0 / tc, float(amax))) << "tile " << r0 << "," << c0;
      const float m = multiplier(float(amax));
      for (std::size_t r = r0; r < r1; ++r)
        for (std::size_t c = c0; c < c1; ++c)
          ASSERT_EQ(q.data[r * in.cols + c], encode(in.at(r * in.cols + c) * m, q.format, Overflow::saturate));
    }
}

// The history as a window, oldest first, with the current step's slot at the back. TE slot 0 = back, slot i = [i-1].
struct DelayedModel {
  std::deque<float> window;
  DelayedScaling recipe;
  float fp8_max, scale = 1.0f, used = 0.0f;
  void record(float a) { window.back() = a >= 0.0f && a > window.back() ? a : window.back(); }  // NaN slot stays
  void update() {
    const float last = window.back();
    double amax = 0.0;
    if (!(recipe.skip_update_on_zero_amax && last == 0.0f)) {
      for (float v : window) amax = std::isnan(v) ? amax : std::max(amax, double(v));
      window.pop_front(), window.push_back(0.0f);
    }
    if (recipe.amax_compute == DelayedScaling::AmaxCompute::most_recent) amax = last;
    if (std::isfinite(amax) && amax > 0.0) scale = float(double(fp8_max) / amax / std::exp2(recipe.margin));
    if (std::isinf(scale)) scale = kFltMax;
    used = static_cast<float>(amax);
  }
  float slot(std::size_t i) const { return i == 0 ? window.back() : window[i - 1]; }
};

TEST(Fp8ScalingDelayed, MatchesWindowModelOverRandomSteps) {
  std::mt19937 gen(1234);
  const float specials[] = {0.0f, 0.0f, kNan, kInf, 1e-40f, 1e-38f, kFltMax, 3e38f, 448.0f, 1.0f};
  for (std::size_t len : {1u, 2u, 5u, 16u})
    for (auto algo : {DelayedScaling::AmaxCompute::max, DelayedScaling::AmaxCompute::most_recent})
      for (int margin : {0, 2, -3})
        for (bool skip : {true, false})
          for (auto role : {TensorRole::forward, TensorRole::backward}) {
            const DelayedScaling recipe{margin, RecipeFormat::hybrid, len, algo, skip};
            auto state = DelayedScalingState::create(recipe, role);
            ASSERT_TRUE(state.ok()) << state.error().message;
            DelayedModel model{std::deque<float>(len, 0.0f), recipe, format_info(format_for(recipe.format, role)).max};
            for (int step = 0; step < 60; ++step) {
              const int kind = int(gen() % 10);
              if (kind < 2) {  // a reduced amax that may be NaN/Inf/0/tiny/huge
                const float a = specials[gen() % std::size(specials)];
                state->set_amax(a), model.window.back() = a;
              } else if (kind < 9) {  // several observations in one step; NaN and negatives are ignored
                for (unsigned k = 0; k < 1 + gen() % 3; ++k) {
                  const float a = std::ldexp(float(gen() % 1000) / 100.0f, int(gen() % 40) - 20);
                  state->record_amax(a), model.record(a);
                }
                state->record_amax(kNan), state->record_amax(-5.0f);
              }  // else: nothing recorded, amax 0
              state->update(), model.update();
              ASSERT_EQ(bits(state->scale()), bits(model.scale)) << "len " << len << " step " << step;
              ASSERT_EQ(bits(state->scale_inv()), bits(1.0f / model.scale));
              ASSERT_EQ(bits(state->used_amax()), bits(model.used));
              for (std::size_t i = 0; i < len; ++i) ASSERT_EQ(bits(state->history(i)), bits(model.slot(i)));
            }
          }
}

TEST(Fp8ScalingDelayed, TransformerEngineEdgeCases) {
  auto make = [](DelayedScaling r) { return DelayedScalingState::create(r, Format::e4m3).value(); };
  auto step = [](DelayedScalingState& st, float amax) { st.set_amax(amax), st.update(); return st.scale(); };
  auto s = make({});
  EXPECT_EQ(s.scale(), 1.0f);            // TE initialises scale = scale_inv = 1
  EXPECT_EQ(step(s, 0.0f), 1.0f);        // amax 0: scale kept
  s.record_amax(2.0f);
  EXPECT_EQ(s.history(0), 2.0f);
  s.update();
  EXPECT_EQ(s.scale(), 224.0f);          // 448 / 2
  EXPECT_EQ(s.history(0), 0.0f);
  EXPECT_EQ(s.history(1023), 2.0f);      // the newest completed entry sits at the end
  EXPECT_EQ(step(s, kInf), 224.0f);      // Inf amax: scale kept
  EXPECT_TRUE(std::isnan(s.history(1024)));
  auto tiny = make({.amax_history_len = 1});
  EXPECT_EQ(step(tiny, 1e-40f), kFltMax);  // 448 / 1e-40 overflows: FLT_MAX
  EXPECT_EQ(bits(tiny.scale_inv()), bits(1.0f / kFltMax));
  EXPECT_EQ(tiny.history(0), 0.0f);        // length 1: the only slot is cleared
  auto margin = make({.margin = 1, .amax_compute = DelayedScaling::AmaxCompute::most_recent});
  EXPECT_EQ(step(margin, 7.0f), 32.0f);    // 448 / 7 / 2
  EXPECT_EQ(step(margin, kNan), 32.0f);    // NaN most-recent amax: scale kept
  auto big = make({.margin = 134, .amax_history_len = 1});
  EXPECT_EQ(step(big, kFltMax), 0.0f);     // the scale underflows; scale_inv = 1 / 0
  EXPECT_EQ(big.scale_inv(), kInf);
  auto hybrid = DelayedScalingState::create({.amax_history_len = 4}, TensorRole::backward).value();
  std::vector<float> v = {1.0f, -3.0f, 2.0f, 0.5f};
  ASSERT_TRUE(quantize_delayed(f32(v, 2, 2), hybrid).ok());
  EXPECT_EQ(hybrid.history(0), 3.0f);
  hybrid.update();
  EXPECT_EQ(hybrid.scale(), 57344.0f / 3.0f);  // HYBRID backward -> E5M2
  auto q = quantize_delayed(f32(v, 2, 2), hybrid);
  EXPECT_EQ(q->data[1], encode(-3.0f * hybrid.scale(), Format::e5m2, Overflow::saturate));
  EXPECT_EQ(q->scale_inv.at(0), hybrid.scale_inv());
}

TEST(Fp8ScalingDelayed, FormatsAndValidationErrors) {
  EXPECT_EQ(format_for(RecipeFormat::hybrid, TensorRole::forward), Format::e4m3);  // HYBRID: E4M3 forward,
  EXPECT_EQ(format_for(RecipeFormat::hybrid, TensorRole::backward), Format::e5m2);  // E5M2 gradients
  EXPECT_EQ(format_for(RecipeFormat::e4m3, TensorRole::backward), Format::e4m3);
  auto bad = [](DelayedScaling r, const char* w) { expect_error(DelayedScalingState::create(r, Format::e4m3), w); };
  bad({.amax_history_len = 0}, "amax_history_len");
  bad({.amax_history_len = std::size_t(1) << 40}, "amax_history_len");
  for (int m : {200, -200, std::numeric_limits<int>::min()}) bad({.margin = m}, "margin");
  expect_error(DelayedScalingState::create({.format = RecipeFormat(7)}, TensorRole::forward), "DelayedScaling.format");
  bad({.amax_compute = DelayedScaling::AmaxCompute(9)}, "amax_compute");
  expect_error(DelayedScalingState::create({}, TensorRole(5)), "role");
  expect_error(DelayedScalingState::create({}, Format(17)), "format");
}

TEST(Fp8ScalingCurrent, ComputeScaleMatchesDoubleModel) {
  std::mt19937 gen(7);
  std::vector<float> amaxes = {0.0f, -0.0f, kNan, kInf, 1e-45f, 1e-40f, 1.3e-36f, 1e-30f, 1.0f, 448.0f, 3.0f, kFltMax};
  for (int i = 0; i < 4000; ++i) amaxes.push_back(std::fabs(std::bit_cast<float>(std::uint32_t(gen()))));
  for (Format f : kFormats)
    for (float eps : {0.0f, 1e-3f, 1e30f})
      for (bool pow2 : {false, true})
        for (float a : amaxes)
          ASSERT_EQ(bits(compute_scale(a, f, {eps, pow2})),
                    bits(model_scale(a, format_info(f).max, pow2, eps, kFltMax)))
              << format_info(f).name << " amax " << a << " eps " << eps << " pow2 " << pow2;
  EXPECT_EQ(compute_scale(kFltMax, Format::e4m3, {0.0f, true}), std::ldexp(1.0f, -120));
  EXPECT_EQ(compute_scale(1e-40f, Format::e4m3, {0.0f, true}), std::ldexp(1.0f, 127));  // FLT_MAX, rounded down
}

TEST(Fp8ScalingCurrent, QuantizeUsesTensorAmax) {
  auto v = random_values(48 * 40, 3, 8.0);
  v[5] = kNan;  // skipped by the amax, NaN in FP8
  std::vector<float> zeros(64, 0.0f), with_inf(64, 1.0f);
  with_inf[3] = -kInf;
  for (Format f : kFormats)
    for (const auto& in : {f32(v, 48, 40), f32(zeros, 8, 8), f32(with_inf, 8, 8)}) {  // amax 0 and Inf: scale 1
      auto q = quantize_current_scaling(in, f, {});
      ASSERT_TRUE(q.ok()) << q.error().message;
      EXPECT_EQ(q->amax, tensor_amax(in));
      const auto scale = [&](float a) { return model_scale(a, format_info(f).max, false, 0.0f, kFltMax); };
      const auto stored = [&](std::size_t, float a) { return q->scale_inv.at(0) == 1.0f / scale(a); };
      expect_tiles(*q, in, in.rows, in.cols, stored, scale);
    }
}

TEST(Fp8ScalingMxfp8, ScaleCodeFromFrexpAndMultiplier) {
  std::mt19937 gen(11);
  std::vector<float> amaxes = {0.0f, kNan, kInf, 1e-45f, 448.0f * std::ldexp(1.0f, -127), 448.0f, 449.0f, 57344.0f,
                               kFltMax, 1.0f, 1e-38f};
  for (int i = 0; i < 20000; ++i) amaxes.push_back(std::fabs(std::bit_cast<float>(std::uint32_t(gen()))));
  for (Format f : kFormats) {
    const auto rcp = static_cast<float>(1.0 / double(format_info(f).max));  // Quantized_Limits::max_norm_rcp
    for (float a : amaxes) ASSERT_EQ(int(mxfp8_scale_code(a, f)), model_e8m0_up(a * rcp)) << a;
  }
  for (int code = 0; code < 255; ++code)
    ASSERT_EQ(mxfp8_quantize_multiplier(std::uint8_t(code)), static_cast<float>(std::exp2(127.0 - code)));
  EXPECT_TRUE(std::isnan(mxfp8_quantize_multiplier(0xFF)));
}

void expect_mxfp8(const InputMatrix& in, Format f, BlockDirection d) {
  auto q = quantize_mxfp8(in, f, d);
  ASSERT_TRUE(q.ok()) << q.error().message;
  const bool row = d == BlockDirection::rowwise;
  EXPECT_EQ(q->layout, row ? Layout::mxfp8_rowwise : Layout::mxfp8_columnwise);
  ASSERT_EQ(q->scale_e8m0.size(), in.size() / 32);
  const auto rcp = static_cast<float>(1.0 / double(format_info(f).max));
  const auto code = [&](float amax) { return model_e8m0_up(amax * rcp); };
  expect_tiles(*q, in, row ? 1 : 32, row ? 32 : 1, [&](std::size_t i, float a) { return q->scale_e8m0[i] == code(a); },
               [&](float a) { return static_cast<float>(std::exp2(127.0 - code(a))); });
}

TEST(Fp8ScalingMxfp8, Shapes32x32And64x96AllInputTypes) {
  for (auto [rows, cols] : {Shape{32, 32}, Shape{64, 96}}) {
    auto v = random_values(rows * cols, unsigned(rows), 20.0);
    std::vector<bfloat16> b;  // the same values as BF16, and scaled into FP16's range
    std::vector<float16> h;
    for (float x : v) b.push_back(to_bfloat16(x)), h.push_back(to_float16(x / 1024.0f));
    for (Format f : kFormats)
      for (auto d : kDirections) {
        expect_mxfp8(f32(v, rows, cols), f, d);
        expect_mxfp8({std::span<const bfloat16>(b), rows, cols}, f, d);
        expect_mxfp8({std::span<const float16>(h), rows, cols}, f, d);
      }
  }
}

TEST(Fp8ScalingMxfp8, BlocksWithZeroNanInfAndDenormals) {
  std::vector<float> v(32 * 64, 0.0f);  // row 0: block 0 zero, block 1 NaN + values; row 1: Inf; 2: NaN; 3: denormal
  for (std::size_t c = 32; c < 64; ++c) v[c] = float(c);
  v[40] = kNan;
  for (std::size_t c = 0; c < 64; ++c) v[64 + c] = c == 7 ? kInf : 1.5f, v[128 + c] = kNan, v[192 + c] = 1e-40f;
  auto q = quantize_mxfp8(f32(v, 32, 64), Format::e4m3, BlockDirection::rowwise);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->scale_e8m0[0], 0);  // amax 0 -> code 0, data +0
  EXPECT_EQ(q->data[0], 0);
  EXPECT_EQ(q->scale_e8m0[1], model_e8m0_up(63.0f / 448.0f));  // NaN skipped by the amax
  EXPECT_EQ(q->data[40], encode(kNan, Format::e4m3));
  EXPECT_EQ(q->scale_e8m0[2], 254);  // Inf amax -> 0xFE
  EXPECT_EQ(q->data[64 + 7], encode(kInf, Format::e4m3, Overflow::saturate));
  EXPECT_EQ(q->scale_e8m0[4], 0);  // all NaN: amax 0
  EXPECT_EQ(q->scale_e8m0[6], 0);  // float denormals: code 0, multiplier 2^127
  EXPECT_EQ(q->data[192], encode(1e-40f * std::ldexp(1.0f, 127), Format::e4m3));
  for (auto d : kDirections) expect_mxfp8(f32(v, 32, 64), Format::e5m2, d);
}

void expect_blocks(const InputMatrix& in, Format f, const BlockScaling& o, std::size_t tr, std::size_t tc,
                   float inf_value) {
  const auto d = tr == 1 ? BlockDirection::rowwise : BlockDirection::columnwise;
  auto q = tr == 128 && tc == 128 ? quantize_block_128x128(in, f, o) : quantize_block_1x128(in, f, o, d);
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->scale_inv.size(), ((in.rows + tr - 1) / tr) * ((in.cols + tc - 1) / tc));
  const float m = format_info(f).max;
  const auto scale = [&](float a) { return model_scale(a, m, o.power_2_scale, o.amax_epsilon, inf_value); };
  expect_tiles(*q, in, tr, tc, [&](std::size_t i, float a) { return bits(q->scale_inv[i]) == bits(1.0f / scale(a)); },
               scale);
}

TEST(Fp8ScalingBlock, TilesMatchModelIncludingPartialTiles) {
  for (auto [rows, cols] : {Shape{128, 128}, Shape{303, 300}, Shape{1, 5}, Shape{130, 256}}) {
    auto v = random_values(rows * cols, unsigned(rows + cols), 12.0);
    std::vector<bfloat16> b;
    for (float x : v) b.push_back(to_bfloat16(x));
    for (Format f : {Format::e4m3, Format::e5m2})
      for (BlockScaling o : {BlockScaling{}, BlockScaling{0.0f, false}, BlockScaling{1e-2f, true}})
        for (auto [tr, tc] : {Shape{1, 128}, Shape{128, 1}, Shape{128, 128}}) {
          expect_blocks(f32(v, rows, cols), f, o, tr, tc, kFltMax);
          expect_blocks({std::span<const bfloat16>(b), rows, cols}, f, o, tr, tc, 0x1.FEp127f);
        }
  }
}

TEST(Fp8ScalingBlock, InfiniteScaleBecomesTheInputTypeMax) {
  const std::vector<float> tiny(128, 1e-40f);
  const std::vector<bfloat16> tiny_bf16(128, to_bfloat16(1e-40f));
  const std::vector<float16> one_h(128, to_float16(1.0f));
  const InputMatrix bf{std::span<const bfloat16>(tiny_bf16), 1, 128}, h{std::span<const float16>(one_h), 1, 128};
  const auto scale_inv = [](const Result<QuantizedTensor>& q) { return q->scale_inv.at(0); };
  EXPECT_EQ(scale_inv(quantize_block_1x128(f32(tiny, 1, 128), Format::e4m3, {0.0f, false})),
            static_cast<float>(1.0 / double(kFltMax)));  // FP32 input: FLT_MAX
  EXPECT_EQ(scale_inv(quantize_block_128x128(bf, Format::e4m3, {0.0f, false})), 1.0f / 0x1.FEp127f);  // BF16 max
  EXPECT_EQ(scale_inv(quantize_block_128x128(bf, Format::e4m3, {0.0f, true})), std::ldexp(1.0f, -127));
  EXPECT_EQ(scale_inv(quantize_block_1x128(h, Format::e4m3, {})), 1.0f / 256.0f);  // 448 rounded down to 2^8
}

// |dequantize(quantize(x)) - x| <= 2^-(mantissa_bits+1) |x| (plus float rounding of the scales) + half the smallest
// subnormal times the element's dequantization scale (+ float subnormal rounding).
void expect_round_trip(const std::vector<float>& v, std::size_t rows, std::size_t cols, const char* name) {
  const auto in = f32(v, rows, cols);
  for (Format f : kFormats) {
    const FormatInfo& info = format_info(f);
    std::vector<Result<QuantizedTensor>> all = {
        quantize_current_scaling(in, f), quantize_current_scaling(in, f, {0.0f, true}), quantize_block_1x128(in, f),
        quantize_block_1x128(in, f, {0.0f, false}, BlockDirection::columnwise), quantize_block_128x128(in, f)};
    if (rows % 32 == 0 && cols % 32 == 0)
      for (auto d : kDirections) all.push_back(quantize_mxfp8(in, f, d));
    for (const auto& q : all) {
      ASSERT_TRUE(q.ok()) << q.error().message;
      auto back = dequantize(*q);
      ASSERT_TRUE(back.ok()) << back.error().message;
      const double rel = std::ldexp(1.0, -(info.mantissa_bits + 1)) + std::ldexp(1.0, -20);
      const std::size_t tiles[][2] = {{rows, cols}, {1, 32}, {32, 1}, {1, 128}, {128, 1}, {128, 128}};
      const auto [tr, tc] = tiles[int(q->layout)];
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::size_t k = (i / cols / tr) * scale_shape(q->layout, rows, cols).cols + i % cols / tc;
        const double s = q->scale_e8m0.empty() ? q->scale_inv[k] : decode_e8m0(q->scale_e8m0[k]);  // dequant scale
        const double bound = rel * std::fabs(v[i]) + 0.5 * info.min_subnormal * s * 1.01 + std::ldexp(1.0, -147);
        ASSERT_LE(std::fabs(double((*back)[i]) - v[i]), bound)
            << name << " " << info.name << " " << to_string(q->layout) << " i=" << i << " x=" << v[i];
      }
    }
  }
}

TEST(Fp8ScalingRoundTrip, RandomAndAdversarialInputs) {
  expect_round_trip(random_values(128 * 256, 42, 6.0), 128, 256, "random");
  expect_round_trip(random_values(160 * 96, 43, 30.0), 160, 96, "random wide range");
  expect_round_trip(random_values(303 * 77, 44, 4.0), 303, 77, "random unaligned");
  expect_round_trip(std::vector<float>(64 * 128, -3.25f), 64, 128, "all equal");
  std::vector<float> outlier = random_values(64 * 128, 45, 2.0);
  outlier[1000] = 3e37f;
  expect_round_trip(outlier, 64, 128, "one huge outlier");
  std::vector<float> denormals(64 * 64), alternating(64 * 64), zeros(64 * 64, 0.0f);
  for (std::size_t i = 0; i < denormals.size(); ++i) {
    denormals[i] = std::bit_cast<float>(std::uint32_t(1 + i * 2047 % 0x7FFFFF)) * (i % 2 ? -1.0f : 1.0f);
    alternating[i] = (i % 2 ? -1.0f : 1.0f) * (1.0f + float(i % 7));
  }
  expect_round_trip(denormals, 64, 64, "denormals");
  expect_round_trip(alternating, 64, 64, "alternating signs");
  expect_round_trip(zeros, 64, 64, "zeros");
}

TEST(Fp8ScalingTensor, ZeroSizeTensors) {
  const std::vector<float> none;
  for (auto [rows, cols] : {Shape{0, 0}, Shape{0, 64}, Shape{64, 0}}) {
    const auto in = f32(none, rows, cols);
    for (auto q : {quantize_current_scaling(in, Format::e4m3), quantize_per_tensor(in, 2.0f, Format::e5m2),
                   quantize_mxfp8(in, Format::e4m3, BlockDirection::columnwise),
                   quantize_block_1x128(in, Format::e4m3), quantize_block_128x128(in, Format::e4m3)}) {
      ASSERT_TRUE(q.ok()) << q.error().message;
      EXPECT_TRUE(q->data.empty());
      EXPECT_EQ(q->amax, 0.0f);
      const ScaleShape g = scale_shape(q->layout, rows, cols);
      EXPECT_EQ(q->scale_inv.size() + q->scale_e8m0.size(), g.rows * g.cols);
      EXPECT_TRUE(dequantize(*q)->empty());
    }
  }
}

TEST(Fp8ScalingTensor, EveryErrorPath) {
  std::vector<float> v(64, 1.0f);
  const auto err = [](const auto& r, const char* what) { expect_error(r, what); };
  std::vector<float> w(64 * 64, 1.0f);
  for (auto d : kDirections) {
    expect_error(quantize_mxfp8(f32(std::vector<float>(31 * 32), 31, 32), Format::e4m3, d), "rows = 31");
    expect_error(quantize_mxfp8(f32(std::vector<float>(32 * 48), 32, 48), Format::e4m3, d), "cols = 48");
  }
  expect_error(quantize_mxfp8(f32(w, 64, 64), Format::e4m3, BlockDirection(3)), "direction");
  expect_error(quantize_mxfp8(f32(w, 64, 63), Format::e4m3, BlockDirection::rowwise), "4096 values");
  err(check_input(f32(v, 8, 9)), "64 values");
  err(check_input(f32(v, std::size_t(1) << 40, std::size_t(1) << 40)), "overflows");
  for (float s : {0.0f, -1.0f, kNan, kInf}) err(quantize_per_tensor(f32(v, 8, 8), s, Format::e4m3), "scale");
  err(quantize_per_tensor(f32(v, 8, 8), 1.0f, Format(9)), "format");
  err(quantize_current_scaling(f32(v, 8, 8), Format(9)), "format");
  err(quantize_mxfp8(f32(v, 8, 8), Format(9), BlockDirection::rowwise), "format");
  err(quantize_block_128x128(f32(v, 8, 8), Format(9)), "format");
  for (float e : {-1.0f, kNan, kInf}) {
    err(quantize_current_scaling(f32(v, 8, 8), Format::e4m3, {e, false}), "amax_epsilon");
    err(quantize_block_1x128(f32(v, 8, 8), Format::e4m3, {e, true}), "amax_epsilon");
    err(quantize_block_128x128(f32(v, 8, 8), Format::e4m3, {e, true}), "amax_epsilon");
  }
  err(quantize_block_1x128(f32(v, 8, 8), Format::e4m3, {}, BlockDirection(4)), "direction");
  err(quantize_block_1x128(f32(v, 8, 9), Format::e4m3), "64 values");
  const auto good = quantize_block_1x128(f32(v, 8, 8), Format::e4m3).value();
  const auto broken = [&](auto change, const char* what) {
    QuantizedTensor t = good;
    change(t);
    expect_error(dequantize(t), what);
  };
  broken([](QuantizedTensor& t) { t.data.pop_back(); }, "QuantizedTensor.data");
  broken([](QuantizedTensor& t) { t.scale_inv.push_back(1.0f); }, "QuantizedTensor.scale_inv");
  broken([](QuantizedTensor& t) { t.layout = Layout(42); }, "layout");
  broken([](QuantizedTensor& t) { t.format = Format(42); }, "format");
  broken([](QuantizedTensor& t) { t.layout = Layout::mxfp8_rowwise; }, "32-element");
  broken([](QuantizedTensor& t) { t.rows = t.cols = std::size_t(1) << 40; }, "overflows");
  auto mx = quantize_mxfp8(f32(std::vector<float>(1024, 1.0f), 32, 32), Format::e4m3, BlockDirection::rowwise).value();
  mx.scale_e8m0.pop_back();
  err(dequantize(mx), "QuantizedTensor.scale_e8m0");
  EXPECT_STREQ(to_string(Layout(42)), "unknown");
}

}  // namespace
}  // namespace ual::fp8
