// README example: a bias + GELU layer on whatever device the selector picks for it, then on every device this
// machine has, with the same answer from each.
#include <cstdio>
#include <vector>

#include <ual/ual.hpp>

int main() {
  const ual::BackendRegistry& backends = ual::default_backends();  // cpu:0, plus opencl:0 ... when present
  auto selector = ual::Selector::create(backends.devices());       // max_performance: the calibrated cost model
  if (!selector) return std::fprintf(stderr, "%s\n", selector.error().message.c_str()), 1;
  auto choice = selector->select(ual::OpShape::gemm(64, 32, 128));
  std::printf("selected %s: %s\n", choice->device.id().c_str(), choice->reason.c_str());

  std::vector<float> x(64 * 128), w(128 * 32), bias(32, 0.25f);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) / 7.0f - 0.5f;
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 5) / 5.0f - 0.4f;
  for (const ual::ComputeDevice& device : backends.devices()) {
    auto a = device.upload(std::span<const float>(x), ual::DType::f32, {64, 128});
    auto b = device.upload(std::span<const float>(w), ual::DType::f32, {128, 32});
    auto b_bias = device.upload(std::span<const float>(bias), ual::DType::f32, {32});
    auto d = device.empty(ual::DType::f32, {64, 32});
    if (!a || !b || !b_bias || !d) return std::fprintf(stderr, "allocation failed on %s\n", device.id().c_str()), 1;
    ual::GemmOptions options;
    options.bias = &b_bias.value();
    options.epilogue = ual::Epilogue::gelu;
    if (auto status = ual::gemm(*a, *b, *d, options); !status)
      return std::fprintf(stderr, "%s\n", status.error().message.c_str()), 1;
    auto result = d->to_vector<float>();  // waits for the device
    std::printf("%-9s D[0][0] = %.6f  D[63][31] = %.6f\n", device.id().c_str(), result->front(), result->back());
  }
  return 0;
}
