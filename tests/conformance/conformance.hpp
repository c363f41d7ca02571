// Shared pieces of the conformance suite: every available compute device as a test parameter, host-side tensors in
// any dtype, and the scalar reference helpers (double precision, on the same rounded inputs the device sees).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ual/backends.hpp"
#include "ual/fp8.hpp"
#include "ual/ops.hpp"

namespace conformance {

// The registry every conformance test uses: the built-in CPU backend plus the plugins built next to libual, with a
// private cache directory so that OpenCL program binaries and calibrations never leak between runs.
const ual::BackendRegistry& registry();
std::vector<std::string> device_ids();
ual::ComputeDevice device(const std::string& id);

// Host values of any float dtype, stored as the bits the device gets, with their exact real values for references.
struct HostTensor {
  ual::DType dtype = ual::DType::f32;
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> bytes;  // row-major, contiguous
  std::vector<double> values;       // exact value of each element (decoded, times scale_inv for FP8)
  float scale_inv = 1.0f;
};

// Random values in [-range, range], rounded to dtype (FP8: quantized with scale 1 / scale_inv).
HostTensor random_tensor(ual::DType dtype, std::vector<std::int64_t> shape, std::uint32_t seed, float range = 1.0f,
                         float scale_inv = 1.0f);
double decode_element(ual::DType dtype, const std::uint8_t* bits, float scale_inv);
std::vector<double> read_values(const ual::Tensor& tensor);  // decoded elements in row-major order

// Uploads into a buffer with the given element strides (empty: contiguous) after `offset_elements` of padding, so
// that tests exercise non-contiguous views.
ual::Tensor upload(const ual::ComputeDevice& device, const HostTensor& host, std::vector<std::int64_t> strides = {},
                   std::int64_t offset_elements = 0);
ual::Tensor zeros(const ual::ComputeDevice& device, ual::DType dtype, std::vector<std::int64_t> shape);

// Unit roundoff of a dtype's storage (2^-24 for f32, 2^-9 bf16, 2^-12 f16).
double unit_roundoff(ual::DType dtype);

// GTEST_SKIP when the device says it does not support an op (an error with code unavailable from dispatch), with
// its reason; any other error fails the test.
#define UAL_RUN_OR_SKIP(expression)                                                                     \
  do {                                                                                                  \
    auto ual_status_ = (expression);                                                                    \
    if (!ual_status_ && ual_status_.error().code == ual::ErrorCode::unavailable &&                     \
        ual_status_.error().message.find("not supported") != std::string::npos)                         \
      GTEST_SKIP() << ual_status_.error().message;                                                      \
    ASSERT_TRUE(ual_status_) << ual_status_.error().message;                                            \
  } while (0)

class DeviceTest : public testing::TestWithParam<std::string> {
 protected:
  ual::ComputeDevice device_ = device(GetParam());
};

std::string device_test_name(const testing::TestParamInfo<std::string>& info);

}  // namespace conformance
