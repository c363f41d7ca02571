// The compute layer's core on the built-in CPU backend: buffers, tensor views, copies, the checks every op makes
// before any work starts, and what happens to handles of a closed device.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ual/backends.hpp"
#include "ual/ops.hpp"

namespace {

using ual::DType;
using ual::Tensor;

std::shared_ptr<ual::BackendRegistry> cpu_only_registry() {
  ual::BackendOptions options;
  options.load_plugins = false;
  auto registry = ual::BackendRegistry::load(options);
  EXPECT_TRUE(registry) << registry.error().message;
  return registry.value();
}

ual::ComputeDevice cpu_device(const std::shared_ptr<ual::BackendRegistry>& registry) {
  auto device = registry->device("cpu");
  EXPECT_TRUE(device) << device.error().message;
  return device.value();
}

Tensor upload(const ual::ComputeDevice& device, const std::vector<float>& values, std::vector<std::int64_t> shape) {
  auto tensor = device.upload(std::span<const float>(values), DType::f32, std::move(shape));
  EXPECT_TRUE(tensor) << tensor.error().message;
  return tensor.value();
}

std::vector<float> read(const Tensor& tensor) {
  auto values = tensor.to_vector<float>();
  EXPECT_TRUE(values) << values.error().message;
  return values.value_or({});
}

TEST(ComputeCore, CpuDeviceIsAlwaysThereAndDescribesItself) {
  auto registry = cpu_only_registry();
  ASSERT_EQ(registry->devices().size(), 1u);
  const auto& info = registry->devices()[0].info();
  EXPECT_EQ(info.id, "cpu:0");
  EXPECT_EQ(info.backend, "cpu");
  EXPECT_EQ(info.hardware, "cpu");
  EXPECT_TRUE(info.host_visible_memory);
  EXPECT_GT(info.memory_bytes, 0u);
  EXPECT_NE(info.driver_version.find("oneDNN"), std::string::npos);
  auto missing = registry->device("opencl:7");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cpu:0"), std::string::npos) << "the error lists the devices that exist";
}

TEST(ComputeCore, DtypeNamesRoundTrip) {
  for (DType dtype : {DType::f32, DType::f16, DType::bf16, DType::fp8_e4m3, DType::fp8_e5m2, DType::fp8_e4m3fnuz,
                      DType::fp8_e5m2fnuz, DType::i8, DType::i32}) {
    auto parsed = ual::parse_dtype(ual::to_string(dtype));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed.value(), dtype);
  }
  EXPECT_EQ(ual::dtype_size(DType::bf16), 2u);
  EXPECT_EQ(ual::dtype_size(DType::fp8_e5m2), 1u);
  EXPECT_FALSE(ual::parse_dtype("float64"));
}

TEST(ComputeCore, BufferCopiesAreBoundsChecked) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  auto buffer = device.allocate(16);
  ASSERT_TRUE(buffer);
  std::vector<std::byte> bytes(16, std::byte{7});
  ASSERT_TRUE(buffer->write(0, bytes));
  std::vector<std::byte> back(8);
  ASSERT_TRUE(buffer->read(8, back));
  EXPECT_EQ(back[0], std::byte{7});
  auto too_far = buffer->write(10, bytes);
  ASSERT_FALSE(too_far);
  EXPECT_NE(too_far.error().message.find("outside the 16-byte buffer"), std::string::npos) << too_far.error().message;
  auto event = buffer->read_async(0, back);
  ASSERT_TRUE(event);
  EXPECT_TRUE(event->wait());
  EXPECT_NE(buffer->host_pointer(), nullptr);
  auto empty = device.allocate(0);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->write(0, {}));
}

TEST(ComputeCore, TensorViewsCheckTheirExtent) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  auto buffer = device.allocate(4 * 12);
  ASSERT_TRUE(buffer);
  EXPECT_TRUE(Tensor::view(*buffer, DType::f32, {3, 4}));
  EXPECT_FALSE(Tensor::view(*buffer, DType::f32, {4, 4}));
  EXPECT_FALSE(Tensor::view(*buffer, DType::f32, {3, 4}, {4, -1}));
  EXPECT_FALSE(Tensor::view(*buffer, DType::f32, {2, 2}, {}, 2)) << "offset not a multiple of the element size";
  EXPECT_FALSE(Tensor::view(*buffer, DType::f32, {1, 1, 1, 1, 1, 1, 1}));
  auto column = Tensor::view(*buffer, DType::f32, {3}, {4}, 4);  // column 1 of a 3x4 matrix
  ASSERT_TRUE(column);
  EXPECT_FALSE(column->is_contiguous());
  std::vector<float> values(12);
  for (int i = 0; i < 12; ++i) values[i] = static_cast<float>(i);
  ASSERT_TRUE(buffer->write(0, std::as_bytes(std::span<const float>(values))));
  EXPECT_EQ(read(*column), (std::vector<float>{1, 5, 9}));
  auto matrix = Tensor::view(*buffer, DType::f32, {3, 4});
  EXPECT_EQ(read(matrix->transposed()), (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  auto copy = matrix->transposed().to(device);
  ASSERT_TRUE(copy);
  EXPECT_TRUE(copy->is_contiguous());
  EXPECT_EQ(read(*copy), read(matrix->transposed()));
}

TEST(ComputeCore, OpsNameTheOperandThatIsWrong) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  Tensor a = upload(device, std::vector<float>(6, 1.0f), {2, 3});
  Tensor b = upload(device, std::vector<float>(8, 1.0f), {4, 2});
  Tensor d = upload(device, std::vector<float>(4, 0.0f), {2, 2});
  auto mismatch = ual::gemm(a, b, d);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("K differs (3 vs 4)"), std::string::npos) << mismatch.error().message;

  auto i32 = device.empty(DType::i32, {2, 3});
  auto wrong_dtype = ual::gelu(*i32, *i32);
  ASSERT_FALSE(wrong_dtype);
  EXPECT_NE(wrong_dtype.error().message.find("x is i32"), std::string::npos) << wrong_dtype.error().message;

  Tensor gamma = upload(device, std::vector<float>(2, 1.0f), {2});
  auto bad_gamma = ual::rms_norm(a, gamma, a);
  ASSERT_FALSE(bad_gamma);
  EXPECT_NE(bad_gamma.error().message.find("gamma has shape 2"), std::string::npos) << bad_gamma.error().message;

  ual::GemmOptions with_beta;
  with_beta.beta = 1.0f;
  auto no_c = ual::gemm(a, a.transposed(), d, with_beta);
  ASSERT_FALSE(no_c);
  EXPECT_NE(no_c.error().message.find("no C"), std::string::npos);

  auto fp8 = device.empty(DType::fp8_e4m3, {2, 3});
  auto nan_scale = ual::quantize(a, *fp8, std::nanf(""));
  ASSERT_FALSE(nan_scale);
  EXPECT_NE(nan_scale.error().message.find("NaN"), std::string::npos);

  Tensor wide = upload(device, std::vector<float>(6, 1.0f), {3, 2});
  auto no_broadcast = ual::add(a, wide, a);
  ASSERT_FALSE(no_broadcast);
  EXPECT_NE(no_broadcast.error().message.find("does not broadcast"), std::string::npos);

  auto overlap = ual::gemm(a, a.transposed(), Tensor::view(a.buffer(), DType::f32, {2, 2}).value());
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message.find("D overlaps A"), std::string::npos) << overlap.error().message;
}

TEST(ComputeCore, ViewsThatWouldWrapAroundAreRefused) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  auto buffer = device.allocate(4);
  ASSERT_TRUE(buffer);
  // (2^22 + 1) elements 2^40 apart: the last one is 2^62 elements away, 2^64 bytes, which would wrap to 0.
  auto huge = Tensor::view(*buffer, DType::f32, {(std::int64_t{1} << 22) + 1}, {std::int64_t{1} << 40});
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("2^56"), std::string::npos) << huge.error().message;
  // Zero strides make a huge logical tensor of one element; its element count must not wrap either.
  EXPECT_FALSE(Tensor::view(*buffer, DType::f32, {std::int64_t{1} << 40, (std::int64_t{1} << 24) + 1}, {0, 0}));
  EXPECT_FALSE(device.empty(DType::f32, {std::int64_t{1} << 31, std::int64_t{1} << 31}));
}

TEST(ComputeCore, OutputsThatWouldBeWrittenTwiceOrOverlapParametersAreRefused) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  Tensor x = upload(device, {1, 2, 3, 4, 5, 6}, {2, 3});
  auto row = Tensor::view(x.buffer(), DType::f32, {2, 3}, {0, 1});  // both rows are row 0
  ASSERT_TRUE(row);
  auto twice = ual::gelu(x, *row);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("written more than once"), std::string::npos) << twice.error().message;

  auto y = device.empty(DType::f32, {2, 3});
  auto gamma = Tensor::view(y->buffer(), DType::f32, {3});  // the first row of the output
  auto overlapping = ual::rms_norm(x, *gamma, *y);
  ASSERT_FALSE(overlapping);
  EXPECT_NE(overlapping.error().message.find("gamma overlaps the output"), std::string::npos);

  auto d = device.empty(DType::f32, {2, 2});
  auto amax_in_d = Tensor::view(d->buffer(), DType::f32, {1}, {}, 4);
  ual::GemmOptions options;
  options.amax = &amax_in_d.value();
  auto amax_overlap = ual::gemm(x, x.transposed(), *d, options);
  ASSERT_FALSE(amax_overlap);
  EXPECT_NE(amax_overlap.error().message.find("D overlaps amax"), std::string::npos) << amax_overlap.error().message;
}

TEST(ComputeCore, OperandsOnTwoDevicesAreRefused) {
  auto first = cpu_only_registry();
  auto second = cpu_only_registry();  // a second, separate cpu:0 device
  Tensor a = upload(cpu_device(first), {1, 2, 3, 4}, {2, 2});
  Tensor b = upload(cpu_device(second), {1, 2, 3, 4}, {2, 2});
  auto result = ual::add(a, b, a);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("all operands of an op must be on one device"), std::string::npos)
      << result.error().message;
  auto moved = b.to(cpu_device(first));
  ASSERT_TRUE(moved);
  Tensor y = upload(cpu_device(first), {0, 0, 0, 0}, {2, 2});
  ASSERT_TRUE(ual::add(a, *moved, y));
  EXPECT_EQ(read(y), (std::vector<float>{2, 4, 6, 8}));
}

TEST(ComputeCore, HandlesOfAClosedDeviceFailCleanly) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  Tensor a = upload(device, {1, 2, 3, 4}, {2, 2});
  device.close();
  EXPECT_FALSE(device.is_open());
  auto result = ual::gelu(a, a);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("cpu:0, which was closed"), std::string::npos) << result.error().message;
  std::vector<float> host(4);
  auto read_back = a.read(std::as_writable_bytes(std::span<float>(host)));
  ASSERT_FALSE(read_back);
  EXPECT_NE(read_back.error().message.find("was closed"), std::string::npos);
  EXPECT_FALSE(device.allocate(4));
  EXPECT_FALSE(ual::ComputeDevice().allocate(4)) << "an empty handle reports, never crashes";
}

TEST(ComputeCore, GemmWithBiasEpilogueAndAmax) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  Tensor a = upload(device, {1, 2, 3, 4}, {2, 2});
  Tensor b = upload(device, {1, 0, 0, 1}, {2, 2});
  Tensor c = upload(device, {10, 10, 10, 10}, {2, 2});
  Tensor bias = upload(device, {-100, 0}, {2});
  Tensor d = upload(device, {0, 0, 0, 0}, {2, 2});
  Tensor amax = upload(device, {0}, {1});
  ual::GemmOptions options;
  options.alpha = 2.0f;
  options.beta = 0.5f;
  options.c = &c;
  options.bias = &bias;
  options.amax = &amax;
  ASSERT_TRUE(ual::gemm(a, b, d, options));
  // D = 2·A·I + 0.5·10 + bias
  EXPECT_EQ(read(d), (std::vector<float>{-93, 9, -89, 13}));
  EXPECT_EQ(read(amax), (std::vector<float>{93}));
}

TEST(ComputeCore, QuantizeSetsScaleInvAndDequantizeUsesIt) {
  auto registry = cpu_only_registry();
  auto device = cpu_device(registry);
  Tensor x = upload(device, {0.5f, -1.0f, 2.0f, 1000.0f}, {4});
  auto q = device.empty(DType::fp8_e4m3, {4});
  Tensor amax = upload(device, {0}, {1});
  ASSERT_TRUE(ual::quantize(x, *q, 4.0f, {.saturate = true, .amax = &amax}));
  EXPECT_FLOAT_EQ(q->scale_inv(), 0.25f);
  EXPECT_EQ(read(amax), (std::vector<float>{1000}));
  Tensor back = upload(device, {0, 0, 0, 0}, {4});
  ASSERT_TRUE(ual::dequantize(*q, back));
  EXPECT_EQ(read(back), (std::vector<float>{0.5f, -1.0f, 2.0f, 112.0f})) << "4000 saturates to 448, times 1/4";
}

}  // namespace
