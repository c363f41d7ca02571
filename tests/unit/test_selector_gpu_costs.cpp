// The selector's cost model for GPUs without a GPU: devices matched to HopperSim's catalog (by PCI ids or name,
// through the planner's data/planner/device-matches.json), seeded figures with their sources, the four decisions the
// model exists for (tiny GEMMs and host-resident streaming ops stay on the CPU; big GEMMs and device-resident
// streaming ops go to the GPU), and measured figures replacing seeded ones.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "compute/calibration_cache.hpp"
#include "compute/compute_state.hpp"
#include "compute/device_cost_seed.hpp"
#include "discovery/device_tables.hpp"
#include "planner/machine_view.hpp"
#include "ual/selector.hpp"
#include "ual/version.hpp"

namespace {

namespace fs = std::filesystem;

// Stand-ins: the description a CUDA, HIP or CPU backend would report (ual_device_info), with no backend behind it.
// The cost model reads nothing else; running anything on them reports an error. The selector tests must not measure
// them (calibrate = false, or a cache entry for each).
struct StandIn {
  std::string id, backend, name;
  ual::DeviceKind kind = ual::DeviceKind::gpu;
  std::uint32_t pci_vendor_id = 0, pci_device_id = 0;
  double peak_f32_gflops = 0, memory_bandwidth_gbps = 0;
};

ual::ComputeDevice stand_in(const StandIn& description) {
  auto state = std::make_shared<ual::detail::DeviceState>();
  ual::ComputeDeviceInfo& info = state->info;
  info.id = description.id;
  info.backend = description.backend;
  info.name = description.name;
  info.kind = description.kind;
  info.host_visible_memory = description.kind == ual::DeviceKind::cpu;
  info.pci_vendor_id = description.pci_vendor_id;
  info.pci_device_id = description.pci_device_id;
  info.peak_f32_gflops = description.peak_f32_gflops;
  info.memory_bandwidth_gbps = description.memory_bandwidth_gbps;
  return ual::ComputeDevice(state);
}

// Names as the vendor runtimes report them; PCI ids from data/pci/.
const StandIn h100_sxm{"cuda:0", "cuda", "NVIDIA H100 80GB HBM3", ual::DeviceKind::gpu, 0x10de, 0x2330};
const StandIn h100_pcie{"cuda:0", "cuda", "NVIDIA H100 PCIe", ual::DeviceKind::gpu, 0x10de, 0x2331};
const StandIn a100_sxm{"cuda:0", "cuda", "NVIDIA A100-SXM4-80GB", ual::DeviceKind::gpu, 0x10de, 0x20b2};
const StandIn mi300x{"hip:0", "hip", "AMD Instinct MI300X", ual::DeviceKind::gpu, 0x1002, 0x74a1};
// An H100 host's CPU, in the catalog by name (/proc/cpuinfo's model name).
const StandIn epyc_9654{"cpu:0", "cpu", "AMD EPYC 9654 96-Core Processor", ual::DeviceKind::cpu};
// DGX A100's CPU, not in the catalog; the figures its backend would report: 64 cores x 2.25 GHz x 32 f32 FLOP/cycle
// (two 256-bit FMA pipes) = 4608 GFLOP/s, 8 channels of DDR4-3200 x 8 bytes = 204.8 GB/s.
const StandIn epyc_7742{"cpu:0", "cpu", "AMD EPYC 7742 64-Core Processor", ual::DeviceKind::cpu, 0, 0, 4608, 204.8};
// A CPU nothing is known about: the defaults of data/compute/selector-costs.json.
const StandIn unknown_cpu{"cpu:0", "cpu", "Test CPU (stand-in)", ual::DeviceKind::cpu};

ual::ComputeDeviceInfo info_of(const StandIn& description) { return stand_in(description).info(); }

ual::Selector seeded_selector(std::vector<StandIn> descriptions) {
  std::vector<ual::ComputeDevice> devices;
  for (const StandIn& description : descriptions) devices.push_back(stand_in(description));
  ual::SelectorOptions options;
  options.calibrate = false;
  auto selector = ual::Selector::create(devices, options);
  EXPECT_TRUE(selector) << selector.error().message;
  return std::move(selector.value());
}

std::size_t index_of(const ual::Selector& selector, const std::string& id) {
  for (std::size_t i = 0; i < selector.ordered_devices().size(); ++i)
    if (selector.ordered_devices()[i].id() == id) return i;
  ADD_FAILURE() << "no device " << id;
  return 0;
}

// The four decisions, each with a margin of at least 2x, so a modest change of a constant cannot flip them silently.
void expect_the_four_decisions(const ual::Selector& selector, const std::string& gpu) {
  struct Case {
    const char* what;
    ual::OpShape op;
    std::string expected;
  };
  const Case cases[] = {
      {"64^3 f32 GEMM, host operands", ual::OpShape::gemm(64, 64, 64), "cpu:0"},
      {"8192^3 bf16 GEMM, host operands", ual::OpShape::gemm(8192, 8192, 8192, ual::DType::bf16), gpu},
      {"add of 1e6 host floats", ual::OpShape::elementwise(ual::OpKind::add, 1'000'000), "cpu:0"},
      {"add of 1e6 device-resident floats",
       ual::OpShape::elementwise(ual::OpKind::add, 1'000'000, ual::DType::f32, false), gpu},
  };
  for (const Case& test : cases) {
    auto selection = selector.select(test.op);
    ASSERT_TRUE(selection) << test.what;
    EXPECT_EQ(selection->device.id(), test.expected) << test.what << ": " << selection->reason;
    const double chosen = selector.predict_seconds(index_of(selector, test.expected), test.op);
    const double other = selector.predict_seconds(index_of(selector, test.expected == "cpu:0" ? gpu : "cpu:0"), test.op);
    EXPECT_GT(other, 2 * chosen) << test.what << ": " << selection->reason;
  }
}

TEST(SelectorGpuCosts, CatalogEntriesMatchByPciIdsOrName) {
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(h100_sxm)), "h100-sxm");
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(h100_pcie)), "h100-pcie");
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(a100_sxm)), "a100-sxm-80gb");
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(mi300x)), "mi300x");
  // A runtime name that says nothing (HIP on some ROCm versions reports the gfx target): the PCI table's name is
  // tried next.
  StandIn gfx_named = mi300x;
  gfx_named.name = "gfx942:sramecc+:xnack-";
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(gfx_named)), "mi300x");
  // Without PCI ids the name alone decides, for GPUs and for CPUs.
  StandIn no_ids = h100_sxm;
  no_ids.pci_vendor_id = no_ids.pci_device_id = 0;
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(no_ids)), "h100-sxm");
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(epyc_9654)), "epyc-9654");
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(epyc_7742)), std::nullopt);
  EXPECT_EQ(ual::detail::catalog_id_for(info_of(unknown_cpu)), std::nullopt);
}

TEST(SelectorGpuCosts, MatchingWithPciIdsAgreesWithThePlanner) {
  auto tables = ual::discovery::DeviceTables::parse_embedded();
  ASSERT_TRUE(tables) << tables.error().message;
  for (const StandIn& gpu : {h100_sxm, h100_pcie, a100_sxm, mi300x}) {
    const auto* entry = tables->find_device(gpu.pci_vendor_id, gpu.pci_device_id, std::nullopt);
    ASSERT_NE(entry, nullptr) << gpu.name;
    ual::HardwareDevice discovered;
    discovered.kind = ual::DeviceKind::gpu;
    discovered.vendor = tables->find_vendor(gpu.pci_vendor_id)->key;
    discovered.name = gpu.name;
    discovered.arch = entry->arch;
    discovered.generation = entry->generation;
    EXPECT_EQ(ual::detail::catalog_id_for(info_of(gpu)), ual::planner::match_catalog_hardware(discovered))
        << gpu.name;
  }
}

TEST(SelectorGpuCosts, SeededFiguresComeFromTheCatalogWithTheirSources) {
  const ual::DeviceCost h100 = ual::detail::seeded_cost(info_of(h100_sxm));
  EXPECT_FALSE(h100.measured);
  // HopperSim's achievable rates: datasheet peak x measured large-GEMM fraction (0.803) x sustained clock (0.9).
  EXPECT_NEAR(h100.gemm_flops_per_second, 66.9e12 * 0.803 * 0.9, 1e10);
  EXPECT_NEAR(h100.gemm_bf16_flops_per_second, 989.4e12 * 0.803 * 0.9, 1e11);
  EXPECT_NEAR(h100.gemm_fp8_flops_per_second, 1978.9e12 * 0.803 * 0.914 * 0.9, 1e11);
  EXPECT_GT(h100.gemm_flops_per_second_for(ual::DType::bf16), 10 * h100.gemm_flops_per_second_for(ual::DType::f32))
      << "one f32 figure would mispredict a bf16 GEMM by more than 10x";
  EXPECT_EQ(h100.gemm_flops_per_second_for(ual::DType::fp8_e5m2), h100.gemm_fp8_flops_per_second);
  EXPECT_NEAR(h100.stream_bytes_per_second, 3.35e12 * 0.887, 1e9);
  EXPECT_NEAR(h100.transfer_bytes_per_second, 64e9 * 0.86, 1e6) << "PCIe Gen5 x16 at the measured 86 %";
  for (const char* field : {"gemm_flops_per_second", "gemm_bf16_flops_per_second", "gemm_f16_flops_per_second",
                            "gemm_fp8_flops_per_second", "stream_bytes_per_second", "transfer_bytes_per_second"})
    EXPECT_EQ(h100.source(field), "catalog: h100-sxm") << field;
  EXPECT_EQ(h100.source("op_overhead_seconds"), "default");
  EXPECT_EQ(h100.source("transfer_latency_seconds"), "default");
  EXPECT_GE(h100.op_overhead_seconds, 5e-6);
  EXPECT_LE(h100.op_overhead_seconds, 10e-6);

  // Ampere has no FP8: that rate stays 0 and an FP8 GEMM is predicted at the f32 rate.
  const ual::DeviceCost a100 = ual::detail::seeded_cost(info_of(a100_sxm));
  EXPECT_NEAR(a100.gemm_bf16_flops_per_second, 312e12 * 0.869 * 0.9, 1e11);
  EXPECT_EQ(a100.gemm_fp8_flops_per_second, 0.0);
  EXPECT_EQ(a100.gemm_flops_per_second_for(ual::DType::fp8_e4m3), a100.gemm_flops_per_second);
  EXPECT_EQ(a100.source("gemm_fp8_flops_per_second"), "catalog: a100-sxm-80gb");
  EXPECT_NEAR(a100.transfer_bytes_per_second, 32e9 * 0.86, 1e6) << "PCIe Gen4 x16";

  // No catalog entry: the backend's reported peaks (at 70 %), else the defaults; a GPU's copies then run over a
  // PCIe 4.0 x16 link.
  StandIn reported{"opencl:0", "opencl", "Some Future GPU", ual::DeviceKind::gpu, 0, 0, 40000, 1000};
  const ual::DeviceCost future = ual::detail::seeded_cost(info_of(reported));
  EXPECT_NEAR(future.gemm_flops_per_second, 40000e9 * 0.7, 1e6);
  EXPECT_EQ(future.source("gemm_flops_per_second"), "backend-reported");
  EXPECT_EQ(future.source("stream_bytes_per_second"), "backend-reported");
  EXPECT_EQ(future.source("gemm_bf16_flops_per_second"), "default");
  EXPECT_EQ(future.gemm_flops_per_second_for(ual::DType::bf16), future.gemm_flops_per_second);
  EXPECT_NEAR(future.transfer_bytes_per_second, 31.5e9 * 0.86, 1e6);
  EXPECT_EQ(future.source("transfer_bytes_per_second"), "default");

  const ual::DeviceCost cpu = ual::detail::seeded_cost(info_of(unknown_cpu));
  EXPECT_EQ(cpu.source("gemm_flops_per_second"), "default");
  EXPECT_EQ(cpu.transfer_bytes_per_second, 0.0);
  EXPECT_EQ(cpu.source("transfer_bytes_per_second"), "host memory");
  EXPECT_EQ(ual::detail::seeded_cost(info_of(epyc_9654)).source("gemm_flops_per_second"), "catalog: epyc-9654");
  for (const StandIn& device : {h100_sxm, a100_sxm, mi300x, epyc_9654, epyc_7742, unknown_cpu, reported})
    EXPECT_TRUE(ual::detail::plausible(ual::detail::seeded_cost(info_of(device)))) << device.name;
}

TEST(SelectorGpuCosts, FourDecisionsOnAnH100SxmHost) {
  expect_the_four_decisions(seeded_selector({epyc_9654, h100_sxm}), "cuda:0");
}

TEST(SelectorGpuCosts, FourDecisionsOnAnA100Host) {
  expect_the_four_decisions(seeded_selector({epyc_7742, a100_sxm}), "cuda:0");
}

TEST(SelectorGpuCosts, FourDecisionsOnAnMi300xHost) {
  expect_the_four_decisions(seeded_selector({epyc_9654, mi300x}), "hip:0");
}

TEST(SelectorGpuCosts, TransfersAreCountedPerCopyBothWays) {
  const ual::Selector selector = seeded_selector({epyc_9654, h100_sxm});
  const std::size_t gpu = index_of(selector, "cuda:0");
  const ual::DeviceCost& cost = selector.cost(gpu);
  const ual::OpShape op = ual::OpShape::gemm(64, 64, 64);
  EXPECT_EQ(op.host_copies_in, 2);
  EXPECT_EQ(op.host_copies_out, 1);
  double transfer = 0;
  const double total = selector.predict_seconds(gpu, op, &transfer);
  EXPECT_NEAR(transfer, (2 * 64 * 64 * 4 + 64 * 64 * 4) / cost.transfer_bytes_per_second + 3 * cost.transfer_latency_seconds,
              1e-12);
  EXPECT_NEAR(total - transfer, cost.op_overhead_seconds + std::max(2.0 * 64 * 64 * 64 / cost.gemm_flops_per_second,
                                                                     3.0 * 64 * 64 * 4 / cost.stream_bytes_per_second),
              1e-12);
  // Device-resident operands: no copies at all.
  double none = -1;
  selector.predict_seconds(gpu, ual::OpShape::gemm(64, 64, 64, ual::DType::f32, 1, false), &none);
  EXPECT_EQ(none, 0.0);
  // The reason names where the deciding figure came from.
  auto big = selector.select(ual::OpShape::gemm(8192, 8192, 8192, ual::DType::bf16));
  ASSERT_TRUE(big);
  EXPECT_NE(big->reason.find("bf16 GEMM rate catalog: h100-sxm"), std::string::npos) << big->reason;
}

struct TemporaryDirectory {
  fs::path path;
  TemporaryDirectory() {
    path = fs::temp_directory_path() / ("ual-selector-gpu-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TemporaryDirectory() {
    std::error_code error;
    fs::remove_all(path, error);
  }
};

TEST(SelectorGpuCosts, MeasuredFiguresReplaceCatalogOnes) {
  const ual::ComputeDevice cpu = stand_in(unknown_cpu), gpu = stand_in(h100_sxm);
  // Seeded only, the unknown CPU streams at the modest default and loses even the host-resident add.
  ual::SelectorOptions seeded;
  seeded.calibrate = false;
  auto before = ual::Selector::create({cpu, gpu}, seeded);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->select(ual::OpShape::elementwise(ual::OpKind::add, 1'000'000))->device.id(), "cuda:0");

  // A calibration file as a measurement would have left it (measured figures only; FP8 is never measured).
  TemporaryDirectory cache;
  nlohmann::json document = {{"format", 2}, {"ual_version", ual::version()}, {"devices", nlohmann::json::object()}};
  document["devices"][ual::detail::calibration_key(cpu)] = {
      {"gemm_flops_per_second", 1.5e12}, {"op_overhead_seconds", 3e-6}, {"stream_bytes_per_second", 60e9}};
  document["devices"][ual::detail::calibration_key(gpu)] = {
      {"gemm_flops_per_second", 5.0e13},         {"gemm_bf16_flops_per_second", 6.5e14},
      {"gemm_f16_flops_per_second", 6.6e14},     {"op_overhead_seconds", 1.2e-5},
      {"stream_bytes_per_second", 2.9e12},       {"transfer_bytes_per_second", 1.0e10},
      {"transfer_latency_seconds", 8e-6}};
  EXPECT_EQ(std::string(ual::detail::calibration_file_name), "compute-calibration-v2.json") << "format 2";
  std::ofstream(cache.path / ual::detail::calibration_file_name) << document.dump();
  ual::SelectorOptions calibrated;
  calibrated.cache_directory = cache.path.string();
  auto after = ual::Selector::create({cpu, gpu}, calibrated);
  ASSERT_TRUE(after) << after.error().message;
  const ual::DeviceCost& h100 = after->cost(index_of(*after, "cuda:0"));
  EXPECT_TRUE(h100.measured);
  EXPECT_EQ(h100.gemm_bf16_flops_per_second, 6.5e14);
  EXPECT_EQ(h100.source("gemm_bf16_flops_per_second"), "measured");
  EXPECT_EQ(h100.transfer_bytes_per_second, 1.0e10);
  EXPECT_EQ(h100.source("transfer_bytes_per_second"), "measured");
  EXPECT_EQ(h100.source("gemm_fp8_flops_per_second"), "catalog: h100-sxm") << "not measured: the catalog's stays";
  EXPECT_NEAR(h100.gemm_fp8_flops_per_second, 1978.9e12 * 0.803 * 0.914 * 0.9, 1e11);
  const ual::DeviceCost& host = after->cost(index_of(*after, "cpu:0"));
  EXPECT_EQ(host.stream_bytes_per_second, 60e9);
  EXPECT_EQ(host.source("stream_bytes_per_second"), "measured");
  EXPECT_EQ(host.source("transfer_bytes_per_second"), "host memory");
  // With the CPU's measured bandwidth and the GPU's measured (pageable) copies, the add stays on the CPU.
  auto add = after->select(ual::OpShape::elementwise(ual::OpKind::add, 1'000'000));
  ASSERT_TRUE(add);
  EXPECT_EQ(add->device.id(), "cpu:0") << add->reason;
  EXPECT_EQ(after->select(ual::OpShape::gemm(8192, 8192, 8192, ual::DType::bf16))->device.id(), "cuda:0");
}

}  // namespace
