// GEMM f32 throughput on opencl:0, run only when UAL_OPENCL_BENCH=1 (it takes seconds on a CPU device):
//   UAL_OPENCL_BENCH=1 ual_opencl_backend_tests --gtest_filter='OpenClBenchmark.*'
#include <chrono>
#include <cstdlib>

#include "opencl_harness.hpp"

namespace ual::opencl::test {
namespace {

TEST(OpenClBenchmark, GemmF32Throughput) {
  UAL_OPENCL_REQUIRE_DEVICE();
  const char* enabled = std::getenv("UAL_OPENCL_BENCH");
  if (enabled == nullptr || std::string(enabled) != "1") GTEST_SKIP() << "set UAL_OPENCL_BENCH=1 to run";
  std::mt19937 rng(9);
  for (int64_t size : {512, 1024}) {
    HostTensor a = make_host_tensor(UAL_DTYPE_F32, {1, size, size});
    HostTensor b = make_host_tensor(UAL_DTYPE_F32, {1, size, size});
    fill_uniform(a, rng, -1.0F, 1.0F);
    fill_uniform(b, rng, -1.0F, 1.0F);
    DeviceTensor ad(a), bd(b), d(make_host_tensor(UAL_DTYPE_F32, {1, size, size}));
    const ual_gemm_params params{UAL_BACKEND_ABI_VERSION, 1.0F, 0.0F, UAL_EPILOGUE_NONE, 1};
    ual_error error = make_error();
    const auto once = [&] {
      const auto start = std::chrono::steady_clock::now();
      EXPECT_EQ(run_op(UAL_OP_GEMM, {ad.view(), bd.view()}, {d.view()}, &params), UAL_STATUS_OK);
      EXPECT_EQ(session().api->synchronize(session().device, &error), UAL_STATUS_OK);
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    // Warm-up. PoCL compiles a kernel to machine code at its first launch (per work-group size), outside the program
    // binary ual caches; PoCL keeps its own cache of those (POCL_CACHE_DIR, default ~/.cache/pocl/kcache).
    std::printf("GEMM f32 %lld^3: first launch %.3f s\n", static_cast<long long>(size), once());
    std::vector<double> gflops;
    for (int run = 0; run < 5; ++run) gflops.push_back(2.0 * double(size * size * size) / once() / 1e9);
    std::sort(gflops.begin(), gflops.end());
    std::printf("GEMM f32 %lld^3: median %.2f GFLOP/s (range %.2f - %.2f, 5 runs)\n", static_cast<long long>(size),
                gflops[2], gflops[0], gflops[4]);
  }
}

}  // namespace
}  // namespace ual::opencl::test
