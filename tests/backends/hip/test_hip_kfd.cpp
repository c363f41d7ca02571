// The plugin's own readers of what the driver says about a GPU, on the recorded machines of tests/fixtures: the gfx
// target from the KFD topology (matched by PCI address), and what a target means (FP8 family, wavefront, whether the
// embedded code object covers it). Compiled in from the plugin's sources: they are hidden inside the plugin.
#define UAL_HIP_BUILT_ARCHITECTURES "gfx90a,gfx1030"
#include "backends/hip/gfx_target.cpp"
#include "backends/hip/kfd_topology.cpp"

#include <gtest/gtest.h>

namespace ual::hip::test {
namespace {

const std::string kMachines = std::string(UAL_SOURCE_DIR) + "/tests/fixtures/machines/";

TEST(HipKfdTopology, DecodesGfxTargetVersions) {
  EXPECT_EQ(decode_gfx_target_version(90010), "gfx90a");
  EXPECT_EQ(decode_gfx_target_version(90402), "gfx942");
  EXPECT_EQ(decode_gfx_target_version(90500), "gfx950");
  EXPECT_EQ(decode_gfx_target_version(100300), "gfx1030");
  EXPECT_EQ(decode_gfx_target_version(110501), "gfx1151");
  EXPECT_EQ(decode_gfx_target_version(0), "");
  EXPECT_EQ(decode_gfx_target_version(91600), "");
}

TEST(HipKfdTopology, FindsMi300xByPciAddress) {
  KfdNode node;
  ASSERT_TRUE(read_kfd_node(kMachines + "mi300x-node/sys", "0000:2b:00.0", node));
  EXPECT_EQ(node.gfx_target, "gfx942");
  EXPECT_EQ(node.compute_units, 304);
  EXPECT_EQ(node.wavefront_size, 64);
}

TEST(HipKfdTopology, FindsPhoenixIgpuWithUppercaseAddress) {
  KfdNode node;
  ASSERT_TRUE(read_kfd_node(kMachines + "phoenix-laptop/sys", "0000:C6:00.0", node));
  EXPECT_EQ(node.gfx_target, "gfx1103");
  EXPECT_EQ(node.wavefront_size, 32);
  EXPECT_EQ(node.compute_units, 12);
}

TEST(HipKfdTopology, UnknownAddressOrMissingTreeIsNotFound) {
  KfdNode node;
  EXPECT_FALSE(read_kfd_node(kMachines + "mi300x-node/sys", "0000:ff:1f.0", node));
  EXPECT_FALSE(read_kfd_node(kMachines + "cpu-only-server/sys", "0000:2b:00.0", node));
  EXPECT_FALSE(read_kfd_node("/nonexistent", "0000:2b:00.0", node));
  EXPECT_FALSE(read_kfd_node(kMachines + "mi300x-node/sys", "not a pci address", node));
}

TEST(HipGfxTarget, Fp8FormatFollowsTheTarget) {
  EXPECT_EQ(fp8_family("gfx942"), Fp8Family::fnuz);
  EXPECT_EQ(fp8_family("gfx950"), Fp8Family::ocp);
  EXPECT_EQ(fp8_family("gfx90a"), Fp8Family::none);
  EXPECT_EQ(fp8_family("gfx1100"), Fp8Family::none);
  EXPECT_EQ(fp8_family(""), Fp8Family::none);
  EXPECT_TRUE(fp8_native(Fp8Family::fnuz, UAL_DTYPE_FP8_E4M3FNUZ));
  EXPECT_FALSE(fp8_native(Fp8Family::fnuz, UAL_DTYPE_FP8_E4M3));
  EXPECT_TRUE(fp8_native(Fp8Family::ocp, UAL_DTYPE_FP8_E5M2));
  EXPECT_FALSE(fp8_native(Fp8Family::ocp, UAL_DTYPE_FP8_E5M2FNUZ));
  EXPECT_FALSE(fp8_native(Fp8Family::none, UAL_DTYPE_FP8_E4M3));
}

TEST(HipGfxTarget, WavefrontAndCodeObjectCoverage) {
  EXPECT_EQ(default_wavefront_size("gfx90a"), 64);
  EXPECT_EQ(default_wavefront_size("gfx942"), 64);
  EXPECT_EQ(default_wavefront_size("gfx1030"), 32);
  EXPECT_EQ(default_wavefront_size("gfx1151"), 32);
  EXPECT_TRUE(code_object_covers("gfx90a"));
  EXPECT_TRUE(code_object_covers("gfx1030"));
  EXPECT_FALSE(code_object_covers("gfx942"));
  EXPECT_FALSE(code_object_covers("gfx9"));
  EXPECT_FALSE(code_object_covers(""));
}

}  // namespace
}  // namespace ual::hip::test
