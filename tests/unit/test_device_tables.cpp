// ual's data tables parse, and hold the ids and microarchitectures that public references give (pci.ids, the
// kernel's driver id tables, LLVM's Host.cpp): each expectation below is checked against those, not our own data.
#include <gtest/gtest.h>

#include "core/embedded_data.hpp"
#include "discovery/device_tables.hpp"

namespace ual::discovery {
namespace {

const DeviceTables& tables() {
  const auto& result = device_tables();
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.value();
}

TEST(DeviceTables, EveryDataFileIsEmbeddedAndParses) {
  EXPECT_TRUE(data::find_embedded_file("pci/nvidia.json"));
  EXPECT_TRUE(data::find_embedded_file("cpu/microarchitectures.json"));
  EXPECT_TRUE(data::find_embedded_file("runtimes.json"));
  EXPECT_TRUE(device_tables().ok());
}

TEST(DeviceTables, NvidiaArchitecturesFromDeviceIds) {
  // Device ids: NVIDIA open-gpu-kernel-modules README; compute capabilities: CUDA GPUs list.
  EXPECT_EQ(tables().find_device(0x10de, 0x2330, std::nullopt)->arch, "sm_90");   // H100 SXM5
  EXPECT_EQ(tables().find_device(0x10de, 0x2331, std::nullopt)->arch, "sm_90");   // H100 PCIe
  EXPECT_EQ(tables().find_device(0x10de, 0x20b0, std::nullopt)->arch, "sm_80");   // A100 SXM4 40GB
  EXPECT_EQ(tables().find_device(0x10de, 0x26b9, std::nullopt)->arch, "sm_89");   // L40S
  EXPECT_EQ(tables().find_device(0x10de, 0x2684, std::nullopt)->arch, "sm_89");   // RTX 4090
  EXPECT_EQ(tables().find_device(0x10de, 0x2335, std::nullopt)->arch, "sm_90");   // H200
  EXPECT_EQ(tables().find_device(0x10de, 0x2901, std::nullopt)->arch, "sm_100");  // B200
}

TEST(DeviceTables, AmdXdnaGenerationsByRevision) {
  // drivers/accel/amdxdna/amdxdna_pci_drv.c: 0x1502 npu1 (Phoenix); 0x17f0 rev 0x10 npu4, 0x11 npu5, 0x20 npu6.
  const auto* phoenix = tables().find_device(0x1022, 0x1502, 0x00);
  ASSERT_TRUE(phoenix);
  EXPECT_EQ(phoenix->arch, "xdna");
  EXPECT_FALSE(phoenix->fastflowlm.value_or(false));
  const auto* strix = tables().find_device(0x1022, 0x17f0, 0x10);
  const auto* strix_halo = tables().find_device(0x1022, 0x17f0, 0x11);
  const auto* krackan = tables().find_device(0x1022, 0x17f0, 0x20);
  ASSERT_TRUE(strix && strix_halo && krackan);
  EXPECT_EQ(strix->arch, "xdna2");
  EXPECT_NE(strix->generation.find("Strix Point"), std::string::npos);
  EXPECT_NE(strix_halo->generation.find("Strix Halo"), std::string::npos);
  EXPECT_NE(krackan->generation.find("Krackan"), std::string::npos);
  EXPECT_TRUE(strix_halo->fastflowlm.value_or(false));
}

TEST(DeviceTables, AmdGpusAndIntelNpus) {
  EXPECT_EQ(tables().find_device(0x1002, 0x74a1, std::nullopt)->arch, "gfx942");  // MI300X (amdgpu_drv.c)
  EXPECT_EQ(tables().find_device(0x1002, 0x1586, std::nullopt)->kind, DeviceKind::igpu);  // Radeon 8060S
  EXPECT_EQ(tables().find_device(0x8086, 0x643e, std::nullopt)->kind, DeviceKind::npu);   // ivpu_drv.h LNL
  EXPECT_EQ(tables().find_device(0x8086, 0x7d1d, std::nullopt)->kind, DeviceKind::npu);   // ivpu_drv.h MTL
}

TEST(DeviceTables, NotAcceleratorsCoverBmcsAndNvSwitches) {
  EXPECT_TRUE(tables().find_not_accelerator(0x1a03, 0x2000));  // ASPEED AST2500/2600 BMC VGA
  EXPECT_TRUE(tables().find_not_accelerator(0x10de, 0x22a3));  // NVSwitch (HGX H100)
  EXPECT_FALSE(tables().find_not_accelerator(0x10de, 0x2330));
}

TEST(DeviceTables, X86MicroarchitecturesFromLlvmHostCpp) {
  EXPECT_EQ(tables().find_x86_microarchitecture("AuthenticAMD", 25, 1), "zen3");     // Milan
  EXPECT_EQ(tables().find_x86_microarchitecture("AuthenticAMD", 25, 17), "zen4");    // Genoa
  EXPECT_EQ(tables().find_x86_microarchitecture("AuthenticAMD", 25, 116), "zen4");   // Phoenix
  EXPECT_EQ(tables().find_x86_microarchitecture("AuthenticAMD", 26, 36), "zen5");    // Strix Point
  EXPECT_EQ(tables().find_x86_microarchitecture("AuthenticAMD", 26, 112), "zen5");   // Strix Halo
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 85), "skylake-x");
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 106), "icelake-server");
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 143), "sapphirerapids");
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 173), "graniterapids");
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 151), "alderlake");
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 170), "meteorlake");
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 189), "lunarlake");
  EXPECT_EQ(tables().find_x86_microarchitecture("GenuineIntel", 6, 9999), "");
}

TEST(DeviceTables, ArmMicroarchitectures) {
  EXPECT_EQ(tables().find_arm_microarchitecture(0x41, 0xd4f), "neoverse-v2");  // Grace, Graviton4
  EXPECT_EQ(tables().find_arm_microarchitecture(0x41, 0xd0c), "neoverse-n1");  // Graviton2, Ampere Altra
  EXPECT_EQ(tables().find_arm_microarchitecture(0x41, 0xd40), "neoverse-v1");  // Graviton3
  EXPECT_EQ(tables().find_arm_vendor(0x4e)->key, "nvidia");
  EXPECT_EQ(tables().find_x86_vendor("GenuineIntel")->key, "intel");
}

}  // namespace
}  // namespace ual::discovery
