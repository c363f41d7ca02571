// Device-node permission advice: a copy of the Strix Halo laptop whose NPU node is root:render 0660, as the
// amdxdna udev rule makes it, seen by a user outside group render.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "fixture_paths.hpp"
#include "ual/inventory.hpp"

namespace ual {
namespace {

namespace fs = std::filesystem;

TEST(DevicePermissions, UserOutsideRenderGroupIsToldWhichGroupToJoin) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown the copied device node to the render group";
  char pattern[] = "/tmp/ual-permissions-XXXXXX";
  const fs::path root = ::mkdtemp(pattern);
  fs::copy(testing::machine_path("strix-halo-laptop"), root,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  const fs::path node = root / "dev/accel/accel0";
  // etc/group of this machine: render:x:992:alex
  ASSERT_EQ(::chown(node.c_str(), 0, 992), 0);
  fs::permissions(node, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write);

  DiscoveryOptions options;
  options.sysroot = root;
  options.probe_runtimes = false;
  options.identity = UserIdentity{1000, {1000}};
  const auto outsider = discover(options);
  ASSERT_TRUE(outsider.ok());
  const auto npu = std::find_if(outsider->devices.begin(), outsider->devices.end(),
                                [](const HardwareDevice& device) { return device.kind == DeviceKind::npu; });
  ASSERT_NE(npu, outsider->devices.end());
  ASSERT_EQ(npu->problems.size(), 1u);
  EXPECT_NE(npu->problems[0].find("/dev/accel/accel0"), std::string::npos);
  EXPECT_NE(npu->problems[0].find("add the user to group render"), std::string::npos) << npu->problems[0];

  options.identity = UserIdentity{1000, {1000, 992}};
  const auto member = discover(options);
  const auto member_npu = std::find_if(member->devices.begin(), member->devices.end(),
                                       [](const HardwareDevice& device) { return device.kind == DeviceKind::npu; });
  EXPECT_TRUE(member_npu->problems.empty());

  // Without an explicit identity a recorded tree gets no permission advice: its owners are whoever checked it out.
  options.identity.reset();
  const auto unjudged = discover(options);
  for (const HardwareDevice& device : unjudged->devices)
    for (const std::string& problem : device.problems) EXPECT_EQ(problem.find("permission"), std::string::npos) << problem;
  fs::remove_all(root);
}

}  // namespace
}  // namespace ual
