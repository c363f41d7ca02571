// Text parsers against the kernel's real formats (samples quoted from the sources named beside each case).
#include <gtest/gtest.h>

#include "core/text.hpp"
#include "discovery/cpuinfo_parser.hpp"
#include "discovery/pci.hpp"
#include "discovery/runtimes.hpp"
#include "discovery/vendor_passes.hpp"

namespace ual {
namespace {

TEST(TextParsers, HexIdsAsSysfsPrintsThem) {
  EXPECT_EQ(text::parse_hex_id("0x10de\n"), 0x10deu);
  EXPECT_EQ(text::parse_hex_id("0x030200"), 0x030200u);
  EXPECT_EQ(text::parse_hex_id("17f0"), 0x17f0u);
  EXPECT_FALSE(text::parse_hex_id(""));
  EXPECT_FALSE(text::parse_hex_id("0x"));
  EXPECT_FALSE(text::parse_hex_id("0x10de garbage"));
  EXPECT_FALSE(text::parse_hex_id("0x1ffffffff"));
}

TEST(TextParsers, CacheSizesWithSuffix) {
  EXPECT_EQ(text::parse_size_with_suffix("48K\n"), 48u * 1024);
  EXPECT_EQ(text::parse_size_with_suffix("32768K"), 32u << 20);
  EXPECT_EQ(text::parse_size_with_suffix("2M"), 2u << 20);
  EXPECT_EQ(text::parse_size_with_suffix("512"), 512u);
  EXPECT_FALSE(text::parse_size_with_suffix("K"));
  EXPECT_FALSE(text::parse_size_with_suffix("99999999999999999999K"));
}

TEST(TextParsers, CpuListsAndTheirCap) {
  EXPECT_EQ(text::parse_cpu_list("0-3,8,10-11").value(), (std::vector<std::uint32_t>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(text::parse_cpu_list("0\n").value(), (std::vector<std::uint32_t>{0}));
  EXPECT_TRUE(text::parse_cpu_list("").value().empty());
  EXPECT_FALSE(text::parse_cpu_list("3-1"));
  EXPECT_FALSE(text::parse_cpu_list("0-999999999"));  // refused, not allocated
  EXPECT_FALSE(text::parse_cpu_list("1-2-3"));
  EXPECT_FALSE(text::parse_cpu_list("a"));
  EXPECT_FALSE(text::parse_cpu_list("18446744073709551615"));  // would wrap a 64-bit loop counter
  EXPECT_FALSE(text::parse_cpu_list("4294967296"));            // beyond the kernel's 32-bit CPU numbers
  EXPECT_EQ(text::parse_cpu_list("4294967295").value(), (std::vector<std::uint32_t>{4294967295u}));
}

TEST(CpuinfoParser, X86BlockAsLinuxPrintsIt) {
  // arch/x86/kernel/cpu/proc.c show_cpuinfo(), from this project's CI machine.
  const char* text =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\n"
      "stepping\t: 1\nphysical id\t: 0\nsiblings\t: 2\ncore id\t\t: 0\ncpu cores\t: 2\n"
      "flags\t\t: fpu sse4_2 avx2 fma f16c\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"
      "physical id\t: 0\ncore id\t\t: 1\nflags\t\t: fpu sse4_2 avx2 fma f16c\n\n";
  const auto summary = discovery::parse_cpuinfo(text);
  EXPECT_EQ(summary.processors, 2u);
  EXPECT_EQ(summary.vendor_id, "AuthenticAMD");
  EXPECT_EQ(summary.model_name, "AMD EPYC");
  EXPECT_EQ(summary.family, 25);
  EXPECT_EQ(summary.model, 1);
  EXPECT_EQ(summary.stepping, 1);
  EXPECT_TRUE(summary.flags.count("avx2"));
  EXPECT_EQ(summary.physical_ids.size(), 1u);
  EXPECT_EQ(summary.physical_cores.size(), 2u);
  EXPECT_FALSE(summary.is_arm());
}

TEST(CpuinfoParser, Arm64BlockAsLinuxPrintsIt) {
  // arch/arm64/kernel/cpuinfo.c c_show(): NVIDIA Grace (Neoverse V2, implementer 0x41 part 0xd4f).
  const char* text =
      "processor\t: 0\nBogoMIPS\t: 2000.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp "
      "asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm "
      "ssbs sb paca pacg dcpodp sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 "
      "dgh bti\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd4f\n"
      "CPU revision\t: 0\n\n";
  const auto summary = discovery::parse_cpuinfo(text);
  EXPECT_EQ(summary.processors, 1u);
  ASSERT_TRUE(summary.is_arm());
  EXPECT_EQ(*summary.arm_implementer, 0x41u);
  EXPECT_EQ(*summary.arm_part, 0xd4fu);
  EXPECT_TRUE(summary.flags.count("sve2"));
  EXPECT_TRUE(summary.model_name.empty());
}

TEST(CpuinfoParser, MeminfoTotal) {
  EXPECT_EQ(discovery::parse_meminfo_total("MemTotal:       24596348 kB\nMemFree:  1 kB\n"), 24596348ull * 1024);
  EXPECT_FALSE(discovery::parse_meminfo_total("MemFree: 1 kB\n"));
  EXPECT_FALSE(discovery::parse_meminfo_total("MemTotal: lots\n"));
  EXPECT_FALSE(discovery::parse_meminfo_total("MemTotal: 12 MB\n"));
}

TEST(KfdParser, GfxTargetVersionDecoding) {
  // amdkfd gfx_target_version = major*10000 + minor*100 + stepping (kfd_topology.c); LLVM names steppings in hex.
  EXPECT_EQ(discovery::decode_gfx_target_version(90402), "gfx942");
  EXPECT_EQ(discovery::decode_gfx_target_version(110501), "gfx1151");
  EXPECT_EQ(discovery::decode_gfx_target_version(90010), "gfx90a");
  EXPECT_EQ(discovery::decode_gfx_target_version(100300), "gfx1030");
  EXPECT_EQ(discovery::decode_gfx_target_version(110003), "gfx1103");
  EXPECT_EQ(discovery::decode_gfx_target_version(0), "");
  EXPECT_EQ(discovery::decode_gfx_target_version(91700), "");  // minor 17 has no single hex digit
}

TEST(KfdParser, PropertiesLines) {
  const auto properties = discovery::parse_kfd_properties(
      "cpu_cores_count 0\nsimd_count 1216\ngfx_target_version 90402\nlocation_id 1280\nbad line\nneg -1\n");
  EXPECT_EQ(properties.at("simd_count"), 1216u);
  EXPECT_EQ(properties.at("location_id"), 1280u);
  EXPECT_FALSE(properties.count("bad"));
  EXPECT_FALSE(properties.count("neg"));
}

TEST(NvidiaParser, GpuInformationFile) {
  // kernel-open/nvidia/nv-procfs.c nv_procfs_read_gpu_info().
  const auto information = discovery::parse_nvidia_gpu_information(
      "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 18\nGPU UUID: \t GPU-86aafd01-9c94-5caa-f90b-fbf4659c5b83\n"
      "Bus Location: \t 0000:1B:00.0\nDevice Minor: \t 3\nGPU Excluded:\t No\n");
  EXPECT_EQ(information.model, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(information.uuid, "GPU-86aafd01-9c94-5caa-f90b-fbf4659c5b83");
  EXPECT_EQ(information.bus_location, "0000:1b:00.0");
  EXPECT_EQ(information.device_minor, 3);
}

TEST(NvidiaParser, DriverVersionBothModuleFlavours) {
  EXPECT_EQ(discovery::parse_nvidia_driver_version(
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n"
                "GCC version:  gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04)\n"),
            "550.54.15");
  EXPECT_EQ(discovery::parse_nvidia_driver_version(
                "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  (dvs-builder@U16)\n"),
            "570.86.15");
  EXPECT_EQ(discovery::parse_nvidia_driver_version("garbage\n"), "");
}

TEST(PciParsers, AddressesAndLinks) {
  EXPECT_TRUE(discovery::is_pci_address("0000:c6:00.1"));
  EXPECT_TRUE(discovery::is_pci_address("10000:00:01.0"));  // VMD domains are wider
  EXPECT_FALSE(discovery::is_pci_address("0000:c6:00.8"));
  EXPECT_FALSE(discovery::is_pci_address("../../etc"));
  EXPECT_FALSE(discovery::is_pci_address("0000:c6:00"));
  EXPECT_EQ(discovery::pci_address_of_link("../../../0000:c6:00.1"), "0000:c6:00.1");
  EXPECT_EQ(discovery::pci_address_of_link("../../../bus/pci/devices/0000:c6:00.1/"), "0000:c6:00.1");
  EXPECT_EQ(discovery::pci_address_of_link("../../../platform/amdgpu_xcp.1"), "");
}

TEST(PciParsers, AcceleratorClasses) {
  EXPECT_TRUE(discovery::is_accelerator_class(0x030200));  // 3D controller (H100)
  EXPECT_TRUE(discovery::is_accelerator_class(0x030000));  // VGA
  EXPECT_TRUE(discovery::is_accelerator_class(0x120000));  // processing accelerator (MI300X, Intel NPU)
  EXPECT_TRUE(discovery::is_accelerator_class(0x118000));  // signal processing controller (XDNA)
  EXPECT_FALSE(discovery::is_accelerator_class(0x068000));  // bridge (NVSwitch)
  EXPECT_FALSE(discovery::is_accelerator_class(0x020700));  // InfiniBand (ConnectX-7)
}

TEST(PciParsers, PciIdsLookup) {
  // pciutils pci.ids layout.
  const char* ids =
      "# comment\n10de  NVIDIA Corporation\n\t2330  GH100 [H100 SXM5 80GB]\n\t\t10de 16c1  H100 SXM5 80GB\n"
      "\t2331  GH100 [H100 PCIe]\n1002  Advanced Micro Devices, Inc. [AMD/ATI]\n\t74a1  Aqua Vanjaram [Instinct MI300X]\n"
      "C 00  Unclassified device\n";
  EXPECT_EQ(discovery::lookup_pci_ids_name(ids, 0x10de, 0x2331), "NVIDIA Corporation GH100 [H100 PCIe]");
  EXPECT_EQ(discovery::lookup_pci_ids_name(ids, 0x1002, 0x74a1),
            "Advanced Micro Devices, Inc. [AMD/ATI] Aqua Vanjaram [Instinct MI300X]");
  EXPECT_FALSE(discovery::lookup_pci_ids_name(ids, 0x10de, 0x9999));
  EXPECT_FALSE(discovery::lookup_pci_ids_name(ids, 0x8086, 0x2330));
}

TEST(RuntimeParsers, VersionFromFileName) {
  EXPECT_EQ(discovery::version_from_file_name("libcuda.so.1", "libcuda.so.550.54.15"), "550.54.15");
  EXPECT_EQ(discovery::version_from_file_name("libcublasLt.so.12", "libcublasLt.so.12.4.5.8"), "12.4.5.8");
  EXPECT_EQ(discovery::version_from_file_name("libxrt_coreutil.so.2", "libxrt_coreutil.so.2"), "");
  EXPECT_EQ(discovery::version_from_file_name("libcuda.so.1", "libnvidia-ml.so.550"), "");
}

TEST(RuntimeParsers, FastFlowLmVersionOutput) {
  // FastFlowLM src/main.cpp: `flm version --json` prints {"version": "..."}, `flm version` prints "FLM v...".
  EXPECT_EQ(discovery::parse_fastflowlm_version("{ \"version\": \"0.9.21\" }\n"), "0.9.21");
  EXPECT_EQ(discovery::parse_fastflowlm_version("FLM v0.9.21\n"), "0.9.21");
  EXPECT_EQ(discovery::parse_fastflowlm_version("{\"version\": 3}"), "");
  EXPECT_EQ(discovery::parse_fastflowlm_version("unknown option --json"), "");
}

}  // namespace
}  // namespace ual
