// `ual devices`' compute listing: loaded once, then reused from its cache while nothing it depends on changes;
// --refresh and a corrupt cache file both load the backends again.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ual/backends.hpp"

namespace {

namespace fs = std::filesystem;

TEST(ComputeListing, CachedUntilRefreshedOrCorrupt) {
  const fs::path directory = fs::temp_directory_path() / ("ual-listing-" + std::to_string(::getpid()));
  fs::remove_all(directory);
  const ual::ComputeListing first = ual::list_compute_devices(false, directory.string());
  EXPECT_FALSE(first.from_cache);
  ASSERT_FALSE(first.devices.empty());
  EXPECT_EQ(first.devices[0].id, "cpu:0");

  const ual::ComputeListing second = ual::list_compute_devices(false, directory.string());
  EXPECT_TRUE(second.from_cache);
  ASSERT_EQ(second.devices.size(), first.devices.size());
  for (std::size_t i = 0; i < first.devices.size(); ++i) {
    EXPECT_EQ(second.devices[i].id, first.devices[i].id);
    EXPECT_EQ(second.devices[i].name, first.devices[i].name);
    EXPECT_EQ(second.devices[i].kind, first.devices[i].kind);
    EXPECT_EQ(second.devices[i].memory_bytes, first.devices[i].memory_bytes);
  }
  EXPECT_EQ(second.reports.size(), first.reports.size());

  EXPECT_FALSE(ual::list_compute_devices(true, directory.string()).from_cache) << "--refresh loads again";

  std::ofstream(directory / "compute-devices-v1.json") << "{\"format\": 1, \"key\": [garbage";
  const ual::ComputeListing rebuilt = ual::list_compute_devices(false, directory.string());
  EXPECT_FALSE(rebuilt.from_cache);
  EXPECT_EQ(rebuilt.devices.size(), first.devices.size());
  EXPECT_TRUE(ual::list_compute_devices(false, directory.string()).from_cache) << "the rebuilt file is valid";
  fs::remove_all(directory);
}

}  // namespace
