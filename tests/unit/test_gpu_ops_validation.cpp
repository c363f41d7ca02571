// The CUDA/HIP op layer (backends/gpu_common/) driven through RecordingGpuStandIn: a stand-in for a GPU that hands
// out fake device addresses and records each launch instead of running it. It proves what reaches a kernel (the
// views, their broadcast strides, the launch sequence) and that bad ops never do; the kernels' numerics are checked
// on real GPUs by the plugins' backend tests and, for the scalar code, by test_gpu_device_scalar.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpu_ops.hpp"

namespace {

struct RecordedLaunch {
  std::string kernel;
  std::vector<unsigned char> params;
  ual::gpu::LaunchShape shape;

  template <class Params>
  Params as() const {
    Params p;
    EXPECT_EQ(params.size(), sizeof p);
    std::memcpy(&p, params.data(), sizeof p);
    return p;
  }
};

class RecordingGpuStandIn final : public ual::gpu::GpuDevice {
 public:
  // A fake ABI buffer of `bytes`: its device address is a distinct made-up number (never dereferenced).
  ual_buffer* buffer(uint64_t bytes) {
    handles_.push_back(std::make_unique<char>());
    auto* handle = reinterpret_cast<ual_buffer*>(handles_.back().get());
    sizes_[handle] = bytes;
    addresses_[handle] = 0x10000000ULL * handles_.size();
    return handle;
  }

  const std::string& label() const override { return label_; }
  int multiprocessor_count() const override { return 4; }
  int max_threads_per_block() const override { return 1024; }
  uint64_t address(const ual_buffer* b) const override { return addresses_.at(b); }
  uint64_t size(const ual_buffer* b) const override { return sizes_.at(b); }
  ual_status launch(const char* name, const void* params, std::size_t bytes, const ual::gpu::LaunchShape& shape,
                    ual_error*) override {
    const auto* p = static_cast<const unsigned char*>(params);
    launches.push_back({name, std::vector<unsigned char>(p, p + bytes), shape});
    return UAL_STATUS_OK;
  }
  ual_status scratch(int slot, uint64_t, uint64_t* address, ual_error*) override {
    *address = 0xF0000000ULL + 0x1000000ULL * uint64_t(slot);
    return UAL_STATUS_OK;
  }

  std::vector<RecordedLaunch> launches;

 private:
  std::string label_ = "cuda:0 (recording stand-in)";
  std::vector<std::unique_ptr<char>> handles_;
  std::map<const ual_buffer*, uint64_t> sizes_;
  std::map<const ual_buffer*, uint64_t> addresses_;
};

ual_tensor tensor(ual_dtype dtype, std::vector<int64_t> shape, ual_buffer* buffer, std::vector<int64_t> strides = {}) {
  ual_tensor t{};
  t.abi_version = UAL_BACKEND_ABI_VERSION;
  t.dtype = dtype;
  t.rank = static_cast<uint32_t>(shape.size());
  int64_t stride = 1;
  for (int d = int(shape.size()) - 1; d >= 0; --d) {
    t.shape[d] = shape[d];
    t.strides[d] = strides.empty() ? stride : strides[d];
    stride *= shape[d];
  }
  t.buffer = buffer;
  t.scale_inv = 1.0F;
  return t;
}

ual_op make_op(ual_op_kind kind, const std::vector<ual_tensor>& inputs, const std::vector<ual_tensor>& outputs,
               const void* params = nullptr) {
  return ual_op{UAL_BACKEND_ABI_VERSION, kind,           uint32_t(inputs.size()), inputs.data(),
                uint32_t(outputs.size()), outputs.data(), params};
}

ual_error new_error() {
  ual_error e{};
  e.abi_version = UAL_BACKEND_ABI_VERSION;
  return e;
}

TEST(GpuOpsValidation, RejectsRankBeyondTheAbiWithoutLaunching) {
  RecordingGpuStandIn gpu;
  ual_tensor x = tensor(UAL_DTYPE_F32, {2, 2}, gpu.buffer(1 << 20));
  x.rank = 7;
  std::vector<ual_tensor> in{x}, out{tensor(UAL_DTYPE_F32, {2, 2}, gpu.buffer(16))};
  ual_error error = new_error();
  EXPECT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_GELU, in, out), false, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("cuda:0 (recording stand-in) GELU input 0 (x): rank 7"), std::string::npos)
      << error.message;
  EXPECT_TRUE(gpu.launches.empty());
}

TEST(GpuOpsValidation, RejectsAViewPastItsBufferWithoutLaunching) {
  RecordingGpuStandIn gpu;
  std::vector<ual_tensor> in{tensor(UAL_DTYPE_F32, {4, 4}, gpu.buffer(64))};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_F32, {4, 4}, gpu.buffer(64))};
  out[0].offset_bytes = 4;  // the last element lands one float past the end
  ual_error error = new_error();
  EXPECT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_SOFTMAX, in, out), false, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("SOFTMAX output 0 (y): view [4, 4]"), std::string::npos) << error.message;
  EXPECT_NE(std::string(error.message).find("exceeds its 64-byte buffer"), std::string::npos) << error.message;
  EXPECT_TRUE(gpu.launches.empty());
}

TEST(GpuOpsValidation, RejectsUnsupportedDtypeNamingDeviceAndOp) {
  RecordingGpuStandIn gpu;
  std::vector<ual_tensor> in{tensor(UAL_DTYPE_I8, {3, 5}, gpu.buffer(15))};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_F32, {3, 5}, gpu.buffer(60))};
  ual_error error = new_error();
  EXPECT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_SOFTMAX, in, out), false, &error), UAL_STATUS_UNSUPPORTED);
  EXPECT_STREQ(error.message,
               "cuda:0 (recording stand-in) SOFTMAX input 0 (x): dtype i8 is not supported here (expected "
               "f32/f16/bf16)");
  EXPECT_TRUE(gpu.launches.empty());
}

TEST(GpuOpsValidation, RejectsMissingOperands) {
  RecordingGpuStandIn gpu;
  std::vector<ual_tensor> one{tensor(UAL_DTYPE_F32, {8}, gpu.buffer(32))};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_F32, {8}, gpu.buffer(32))};
  ual_error error = new_error();
  EXPECT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_ADD, one, out), false, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("ADD needs 2 input(s) (got 1)"), std::string::npos) << error.message;
  const ual_norm_params norm{UAL_BACKEND_ABI_VERSION, 1e-5F};
  EXPECT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_RMS_NORM, one, out, &norm), false, &error),
            UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("RMS_NORM needs 2 input(s)"), std::string::npos) << error.message;
  EXPECT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_QUANTIZE, one, out), false, &error),
            UAL_STATUS_INVALID_ARGUMENT);  // no ual_quantize_params
  EXPECT_TRUE(gpu.launches.empty());
}

TEST(GpuOpsValidation, BroadcastsTrailingOperandThroughZeroStrides) {
  RecordingGpuStandIn gpu;
  ual_buffer* a = gpu.buffer(2 * 3 * 4 * 4);
  ual_buffer* b = gpu.buffer(4 * 4);
  ual_buffer* y = gpu.buffer(2 * 3 * 4 * 4);
  std::vector<ual_tensor> in{tensor(UAL_DTYPE_F32, {2, 3, 4}, a), tensor(UAL_DTYPE_F32, {4}, b)};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_BF16, {2, 3, 4}, y)};
  in[1].offset_bytes = 0;
  ual_error error = new_error();
  ASSERT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_ADD, in, out), false, &error), UAL_STATUS_OK) << error.message;
  ASSERT_EQ(gpu.launches.size(), 1U);
  EXPECT_EQ(gpu.launches[0].kernel, "ual_pointwise");
  const auto p = gpu.launches[0].as<ual_gpu_pointwise_params>();
  EXPECT_EQ(p.count, 24);
  EXPECT_EQ(p.op, UAL_OP_ADD);
  // [2, 3] merge into 6 rows in every view; b's zero row stride keeps the last dim apart.
  EXPECT_EQ(p.y.rank, 2);
  EXPECT_EQ(p.y.shape[0], 6);
  EXPECT_EQ(p.y.shape[1], 4);
  EXPECT_EQ(p.y.strides[0], 4);
  EXPECT_EQ(p.b.strides[0], 0);
  EXPECT_EQ(p.b.strides[1], 1);
  EXPECT_EQ(p.x.data, gpu.address(a));
  EXPECT_EQ(p.y.dtype, UAL_DTYPE_BF16);
}

TEST(GpuOpsValidation, BroadcastsSizeOneMiddleDimAndCollapsesContiguousViewsToRankOne) {
  RecordingGpuStandIn gpu;
  std::vector<ual_tensor> in{tensor(UAL_DTYPE_F32, {2, 3, 4}, gpu.buffer(96)),
                             tensor(UAL_DTYPE_F16, {3, 1}, gpu.buffer(6))};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_F32, {2, 3, 4}, gpu.buffer(96))};
  ual_error error = new_error();
  ASSERT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_MUL, in, out), false, &error), UAL_STATUS_OK) << error.message;
  auto p = gpu.launches.at(0).as<ual_gpu_pointwise_params>();
  ASSERT_EQ(p.b.rank, 3);
  EXPECT_EQ(p.b.strides[0], 0);
  EXPECT_EQ(p.b.strides[1], 1);
  EXPECT_EQ(p.b.strides[2], 0);

  gpu.launches.clear();
  std::vector<ual_tensor> x{tensor(UAL_DTYPE_F32, {2, 3, 4}, gpu.buffer(96))};
  ASSERT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_SILU, x, out), false, &error), UAL_STATUS_OK);
  p = gpu.launches.at(0).as<ual_gpu_pointwise_params>();
  EXPECT_EQ(p.y.rank, 1);
  EXPECT_EQ(p.y.shape[0], 24);
  EXPECT_EQ(p.x.strides[0], 1);

  std::vector<ual_tensor> wrong{tensor(UAL_DTYPE_F32, {2, 4}, gpu.buffer(32))};
  in[1] = wrong[0];
  EXPECT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_MUL, in, out), false, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("input 1 (b) has shape [2, 4] but output 0 (y) has shape [2, 3, 4]"),
            std::string::npos)
      << error.message;
}

TEST(GpuOpsValidation, QuantizePassesScaleAndZeroesAmaxFirst) {
  RecordingGpuStandIn gpu;
  ual_buffer* amax = gpu.buffer(4);
  std::vector<ual_tensor> in{tensor(UAL_DTYPE_BF16, {16}, gpu.buffer(32))};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_FP8_E4M3, {16}, gpu.buffer(16)), tensor(UAL_DTYPE_F32, {1}, amax)};
  const ual_quantize_params q{UAL_BACKEND_ABI_VERSION, 0.5F, 0};
  ual_error error = new_error();
  ASSERT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_QUANTIZE, in, out, &q), false, &error), UAL_STATUS_OK)
      << error.message;
  ASSERT_EQ(gpu.launches.size(), 2U);
  EXPECT_EQ(gpu.launches[0].kernel, "ual_fill_f32");
  EXPECT_EQ(gpu.launches[0].as<ual_gpu_fill_params>().data, gpu.address(amax));
  const auto p = gpu.launches[1].as<ual_gpu_pointwise_params>();
  EXPECT_EQ(p.scale, 0.5F);
  EXPECT_EQ(p.saturate, 0);
  EXPECT_EQ(p.amax, gpu.address(amax));
  EXPECT_EQ(p.y.dtype, UAL_DTYPE_FP8_E4M3);
}

TEST(GpuOpsValidation, ZeroSizeWorkAndCheckOnlyLaunchNothing) {
  RecordingGpuStandIn gpu;
  std::vector<ual_tensor> in{tensor(UAL_DTYPE_F32, {0, 5}, gpu.buffer(0))};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_F32, {0, 5}, gpu.buffer(0))};
  ual_error error = new_error();
  EXPECT_EQ(ual::gpu::run_pointwise(gpu, make_op(UAL_OP_GELU, in, out), false, &error), UAL_STATUS_OK);
  EXPECT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_SOFTMAX, in, out), false, &error), UAL_STATUS_OK);
  std::vector<ual_tensor> full_in{tensor(UAL_DTYPE_F32, {3, 5}, gpu.buffer(60))};
  std::vector<ual_tensor> full_out{tensor(UAL_DTYPE_F32, {3, 5}, gpu.buffer(60))};
  EXPECT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_SOFTMAX, full_in, full_out), true, &error), UAL_STATUS_OK);
  EXPECT_TRUE(gpu.launches.empty());
}

TEST(GpuOpsValidation, RowwiseFlattensLeadingDimsOrCopiesThroughScratch) {
  RecordingGpuStandIn gpu;
  ual_buffer* gamma = gpu.buffer(8 * 4);
  const ual_norm_params norm{UAL_BACKEND_ABI_VERSION, 1e-6F};
  std::vector<ual_tensor> in{tensor(UAL_DTYPE_F16, {2, 3, 8}, gpu.buffer(96)), tensor(UAL_DTYPE_F32, {8}, gamma)};
  std::vector<ual_tensor> out{tensor(UAL_DTYPE_F16, {2, 3, 8}, gpu.buffer(96))};
  ual_error error = new_error();
  ASSERT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_RMS_NORM, in, out, &norm), false, &error), UAL_STATUS_OK)
      << error.message;
  ASSERT_EQ(gpu.launches.size(), 1U);
  auto p = gpu.launches[0].as<ual_gpu_rowwise_params>();
  EXPECT_EQ(p.rows, 6);
  EXPECT_EQ(p.cols, 8);
  EXPECT_EQ(p.x.strides[0], 8);
  EXPECT_EQ(p.epsilon, 1e-6F);
  EXPECT_EQ(p.gamma.data, gpu.address(gamma));
  EXPECT_EQ(gpu.launches[0].shape.grid[0], 6U);

  // x's first two dims swapped ([3, 2, 8] read with strides [8, 24, 1]): rows no longer chain, so x goes to scratch.
  gpu.launches.clear();
  in[0] = tensor(UAL_DTYPE_F16, {3, 2, 8}, in[0].buffer, {8, 24, 1});
  out[0] = tensor(UAL_DTYPE_F16, {3, 2, 8}, out[0].buffer);
  ASSERT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_RMS_NORM, in, out, &norm), false, &error), UAL_STATUS_OK)
      << error.message;
  ASSERT_EQ(gpu.launches.size(), 2U);
  EXPECT_EQ(gpu.launches[0].kernel, "ual_convert");
  EXPECT_EQ(gpu.launches[1].kernel, "ual_rowwise");
  p = gpu.launches[1].as<ual_gpu_rowwise_params>();
  EXPECT_EQ(p.x.dtype, UAL_DTYPE_F32);
  EXPECT_EQ(p.x.strides[0], 8);
  EXPECT_EQ(p.x.data, gpu.launches[0].as<ual_gpu_convert_params>().y.data);

  // Now y is the permuted one: the kernel writes scratch, a convert scatters it into y.
  gpu.launches.clear();
  std::swap(in[0].strides, out[0].strides);
  std::swap(in[0].buffer, out[0].buffer);
  ASSERT_EQ(ual::gpu::run_rowwise(gpu, make_op(UAL_OP_RMS_NORM, in, out, &norm), false, &error), UAL_STATUS_OK)
      << error.message;
  ASSERT_EQ(gpu.launches.size(), 2U);
  EXPECT_EQ(gpu.launches[0].kernel, "ual_rowwise");
  EXPECT_EQ(gpu.launches[1].kernel, "ual_convert");
  EXPECT_EQ(gpu.launches[1].as<ual_gpu_convert_params>().y.data, gpu.address(out[0].buffer));
}

}  // namespace
