// Device selection: policy order (ONNX Runtime's rules), the cost model's choice per op, and the calibration cache
// (measured once, reused, and rebuilt when corrupt or implausible).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compute/calibration_cache.hpp"
#include "compute/compute_state.hpp"
#include "ual/backends.hpp"
#include "ual/selector.hpp"

namespace {

namespace fs = std::filesystem;

// Device descriptions only (no backend behind them): enough for ordering, which looks at nothing else. Opening,
// allocating or running on them reports an error.
ual::ComputeDevice described_device(const std::string& id, const std::string& backend, ual::DeviceKind kind) {
  auto state = std::make_shared<ual::detail::DeviceState>();
  state->info.id = id;
  state->info.backend = backend;
  state->info.kind = kind;
  return ual::ComputeDevice(state);
}

std::vector<std::string> ids(const std::vector<ual::ComputeDevice>& devices) {
  std::vector<std::string> result;
  for (const auto& device : devices) result.push_back(device.id());
  return result;
}

ual::SelectorOptions with_cache(const fs::path& directory) {
  ual::SelectorOptions options;
  options.cache_directory = directory.string();
  return options;
}

struct TemporaryDirectory {
  fs::path path;
  TemporaryDirectory() {
    path = fs::temp_directory_path() / ("ual-selector-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TemporaryDirectory() {
    std::error_code error;
    fs::remove_all(path, error);
  }
};

TEST(Selector, PoliciesOrderDevicesAsOnnxRuntimeDoes) {
  const std::vector<ual::ComputeDevice> devices = {
      described_device("cpu:0", "cpu", ual::DeviceKind::cpu),
      described_device("opencl:0", "opencl", ual::DeviceKind::igpu),
      described_device("cuda:0", "cuda", ual::DeviceKind::gpu),
      described_device("npu:0", "npu", ual::DeviceKind::npu),
      described_device("opencl:1", "opencl", ual::DeviceKind::cpu),
  };
  using ual::Policy;
  EXPECT_EQ(ids(ual::order_devices(devices, Policy::prefer_npu)),
            (std::vector<std::string>{"npu:0", "cuda:0", "opencl:0", "opencl:1", "cpu:0"}));
  EXPECT_EQ(ids(ual::order_devices(devices, Policy::prefer_gpu)),
            (std::vector<std::string>{"cuda:0", "opencl:0", "npu:0", "opencl:1", "cpu:0"}));
  EXPECT_EQ(ids(ual::order_devices(devices, Policy::prefer_cpu)),
            (std::vector<std::string>{"cpu:0", "opencl:1", "npu:0", "cuda:0", "opencl:0"}));
  EXPECT_EQ(ids(ual::order_devices(devices, Policy::min_power)),
            (std::vector<std::string>{"npu:0", "opencl:0", "cuda:0", "opencl:1", "cpu:0"}));
}

TEST(Selector, PolicyNamesParse) {
  for (auto policy : {ual::Policy::prefer_cpu, ual::Policy::prefer_gpu, ual::Policy::prefer_npu,
                      ual::Policy::max_performance, ual::Policy::min_power})
    EXPECT_EQ(ual::parse_policy(ual::to_string(policy)).value(), policy);
  auto bad = ual::parse_policy("fastest");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("prefer_npu"), std::string::npos);
}

TEST(Selector, TransfersCountForDevicesWithTheirOwnMemory) {
  const std::vector<ual::ComputeDevice> devices = {described_device("cpu:0", "cpu", ual::DeviceKind::cpu),
                                                   described_device("cuda:0", "cuda", ual::DeviceKind::gpu)};
  devices[0].state()->info.host_visible_memory = true;
  devices[1].state()->info.peak_f32_gflops = 50000;  // a big GPU: wins large GEMMs, loses tiny ops to transfers
  ual::SelectorOptions options;
  options.calibrate = false;
  auto selector = ual::Selector::create(devices, options);
  ASSERT_TRUE(selector) << selector.error().message;
  auto tiny = selector->select(ual::OpShape::elementwise(ual::OpKind::add, 256));
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->device.id(), "cpu:0") << tiny->reason;
  auto large = selector->select(ual::OpShape::gemm(4096, 4096, 4096));
  ASSERT_TRUE(large);
  EXPECT_EQ(large->device.id(), "cuda:0") << large->reason;
  EXPECT_NE(large->reason.find("transfers"), std::string::npos) << large->reason;
  ASSERT_EQ(large->estimates.size(), 2u);
  EXPECT_GT(large->estimates[0].transfer_seconds, 0.0) << "the GPU pays for moving A, B and D";
  EXPECT_EQ(large->estimates[1].transfer_seconds, 0.0) << "the CPU reads host memory in place";
}

TEST(Selector, CalibrationIsMeasuredOnceThenReusedAndRebuiltWhenCorrupt) {
  TemporaryDirectory cache;
  ual::BackendOptions options;
  options.load_plugins = false;
  auto registry = ual::BackendRegistry::load(options);
  ASSERT_TRUE(registry);
  const fs::path file = cache.path / ual::detail::calibration_file_name;

  auto first = ual::Selector::create((*registry)->devices(), with_cache(cache.path));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->cost(0).measured);
  EXPECT_GT(first->cost(0).gemm_flops_per_second, 1e8);
  EXPECT_EQ(first->cost(0).transfer_bytes_per_second, 0.0) << "CPU buffers are host memory";
  ASSERT_TRUE(fs::exists(file));
  std::stringstream written;
  written << std::ifstream(file).rdbuf();
  const auto document = nlohmann::json::parse(written.str());
  const std::string key = ual::detail::calibration_key((*registry)->devices()[0]);
  ASSERT_TRUE(document["devices"].contains(key));

  // Reused: a recognisable (plausible) value written into the file comes back unchanged.
  auto edited = document;
  edited["devices"][key]["gemm_flops_per_second"] = 1.25e9;
  std::ofstream(file) << edited.dump();
  auto second = ual::Selector::create((*registry)->devices(), with_cache(cache.path));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->cost(0).gemm_flops_per_second, 1.25e9);

  // Implausible numbers are measured again, never trusted.
  edited["devices"][key]["gemm_flops_per_second"] = -5;
  std::ofstream(file) << edited.dump();
  auto third = ual::Selector::create((*registry)->devices(), with_cache(cache.path));
  ASSERT_TRUE(third);
  EXPECT_GT(third->cost(0).gemm_flops_per_second, 1e8);

  // A corrupt file is rebuilt.
  std::ofstream(file) << "{\"format\": 1, \"devices\": {tru";
  auto fourth = ual::Selector::create((*registry)->devices(), with_cache(cache.path));
  ASSERT_TRUE(fourth);
  EXPECT_TRUE(fourth->cost(0).measured);
  std::stringstream rebuilt;
  rebuilt << std::ifstream(file).rdbuf();
  EXPECT_TRUE(nlohmann::json::accept(rebuilt.str())) << rebuilt.str();
}

TEST(Selector, NoDevicesIsAnError) {
  auto selector = ual::Selector::create({});
  ASSERT_FALSE(selector);
  EXPECT_NE(selector.error().message.find("no open compute devices"), std::string::npos);
}

}  // namespace
