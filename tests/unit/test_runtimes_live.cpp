// Runtime probes on this machine: real dlopen of what scripts/setup installs (OpenCL ICD + PoCL), FastFlowLM
// through clearly named stand-ins (tests/fixtures/standins/), the child-process guard, and the probe cache.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/child_process.hpp"
#include "discovery/runtime_cache.hpp"
#include "discovery/runtimes.hpp"
#include "fixture_paths.hpp"
#include "ual/inventory.hpp"

namespace ual {
namespace {

namespace fs = std::filesystem;

struct TemporaryDirectory {
  fs::path path;
  TemporaryDirectory() {
    char pattern[] = "/tmp/ual-test-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TemporaryDirectory() {
    std::error_code error;
    fs::remove_all(path, error);
  }
};

Inventory discover_live(const fs::path& cache_directory, bool refresh = false) {
  DiscoveryOptions options;
  options.runtime_cache_directory = cache_directory;
  options.refresh_runtime_cache = refresh;
  auto inventory = discover(options);
  EXPECT_TRUE(inventory.ok());
  return inventory.value();
}

const Runtime* find_runtime(const Inventory& inventory, const std::string& name) {
  for (const Runtime& runtime : inventory.runtimes)
    if (runtime.name == name) return &runtime;
  return nullptr;
}

TEST(LiveRuntimes, OpenClLoaderListsThePoclCpuDevice) {
  // scripts/setup installs ocl-icd-libopencl1 and pocl-opencl-icd: the probe must load the real loader and see
  // PoCL's CPU device through clGetPlatformIDs/clGetDeviceIDs.
  TemporaryDirectory cache;
  const Inventory inventory = discover_live(cache.path);
  const Runtime* opencl = find_runtime(inventory, "opencl");
  ASSERT_TRUE(opencl);
  ASSERT_TRUE(opencl->usable) << opencl->reason;
  EXPECT_TRUE(opencl->loaded);
  const auto pocl = std::find_if(opencl->platforms.begin(), opencl->platforms.end(), [](const OpenClPlatform& platform) {
    return platform.name.find("Portable Computing Language") != std::string::npos;
  });
  ASSERT_NE(pocl, opencl->platforms.end());
  ASSERT_FALSE(pocl->devices.empty());
  EXPECT_EQ(pocl->devices.front().type, "cpu");
  EXPECT_GT(pocl->devices.front().memory_bytes, 0u);
}

TEST(LiveRuntimes, MissingLibrariesAreUnusableWithTheirNames) {
  TemporaryDirectory cache;
  const Inventory inventory = discover_live(cache.path);
  const Runtime* xrt = find_runtime(inventory, "xrt");
  ASSERT_TRUE(xrt);
  if (!xrt->usable) {
    EXPECT_NE(xrt->reason.find("libxrt_coreutil.so.2"), std::string::npos) << xrt->reason;
  }
}

TEST(RuntimeCache, SecondRunReusesProbesAndACorruptCacheIsRebuilt) {
  TemporaryDirectory cache;
  const Inventory first = discover_live(cache.path);
  const fs::path file = cache.path / "runtimes-v1.json";
  ASSERT_TRUE(fs::exists(file));
  const Inventory second = discover_live(cache.path);
  ASSERT_EQ(first.runtimes.size(), second.runtimes.size());
  for (std::size_t i = 0; i < first.runtimes.size(); ++i) {
    EXPECT_EQ(first.runtimes[i].usable, second.runtimes[i].usable) << first.runtimes[i].name;
    EXPECT_EQ(first.runtimes[i].version, second.runtimes[i].version) << first.runtimes[i].name;
    EXPECT_EQ(first.runtimes[i].platforms.size(), second.runtimes[i].platforms.size());
  }
  std::ofstream(file, std::ios::trunc) << "{ not json \x01";
  const Inventory third = discover_live(cache.path);
  EXPECT_EQ(find_runtime(third, "opencl")->usable, find_runtime(first, "opencl")->usable);
  std::ifstream reread(file);
  const std::string content((std::istreambuf_iterator<char>(reread)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content.find("not json"), std::string::npos) << "the corrupt cache must be rewritten";
}

TEST(RuntimeCache, AChangedLibraryFileIsProbedAgain) {
  TemporaryDirectory cache;
  TemporaryDirectory library_dir;
  // A cached entry whose file changed (size/mtime) must not be trusted.
  const fs::path fake = library_dir.path / "libexample.so.1";
  std::ofstream(fake) << "first";
  const std::string before = discovery::RuntimeCache::file_signature(fake.string());
  std::ofstream(fake, std::ios::trunc) << "second, longer";
  EXPECT_NE(before, discovery::RuntimeCache::file_signature(fake.string()));
  EXPECT_EQ(discovery::RuntimeCache::file_signature((library_dir.path / "absent").string()), "");
}

std::string standin(const std::string& name) { return testing::source_path("tests/fixtures/standins/" + name); }

TEST(FastFlowLmProbe, CurrentReleaseReportsItsVersion) {
  Runtime runtime;
  discovery::probe_fastflowlm(runtime, standin("flm-current"), std::chrono::milliseconds(5000));
  EXPECT_TRUE(runtime.usable) << runtime.reason;
  EXPECT_EQ(runtime.version, "0.9.21");
}

TEST(FastFlowLmProbe, ReleaseWithoutJsonFallsBackToPlainVersion) {
  Runtime runtime;
  discovery::probe_fastflowlm(runtime, standin("flm-before-json"), std::chrono::milliseconds(5000));
  EXPECT_TRUE(runtime.usable) << runtime.reason;
  EXPECT_EQ(runtime.version, "0.9.4");
}

TEST(FastFlowLmProbe, HungToolIsKilledAtTheTimeout) {
  Runtime runtime;
  const auto start = std::chrono::steady_clock::now();
  discovery::probe_fastflowlm(runtime, standin("flm-hangs"), std::chrono::milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(runtime.usable);
  EXPECT_NE(runtime.reason.find("did not finish within 300 ms"), std::string::npos) << runtime.reason;
}

TEST(FastFlowLmProbe, GarbageAndCrashesAreReasons) {
  Runtime garbage;
  discovery::probe_fastflowlm(garbage, standin("flm-garbage"), std::chrono::milliseconds(5000));
  EXPECT_FALSE(garbage.usable);
  EXPECT_NE(garbage.reason.find("printed no version"), std::string::npos) << garbage.reason;
  Runtime crash;
  discovery::probe_fastflowlm(crash, standin("flm-crashes"), std::chrono::milliseconds(5000));
  EXPECT_FALSE(crash.usable);
  EXPECT_NE(crash.reason.find("signal 11"), std::string::npos) << crash.reason;
}

TEST(FastFlowLmProbe, FoundOnPathByTheLiveDiscovery) {
  TemporaryDirectory bin;
  fs::copy_file(standin("flm-current"), bin.path / "flm");
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", (bin.path.string() + ":" + old_path).c_str(), 1);
  TemporaryDirectory cache;
  const Inventory inventory = discover_live(cache.path, /*refresh=*/true);
  ::setenv("PATH", old_path.c_str(), 1);
  const Runtime* flm = find_runtime(inventory, "fastflowlm");
  ASSERT_TRUE(flm);
  EXPECT_EQ(flm->version, "0.9.21");
  EXPECT_EQ(flm->path, (bin.path / "flm").string());
  // It runs, but this machine has no XDNA2 NPU, so FastFlowLM cannot serve anything here.
  EXPECT_FALSE(flm->usable);
  EXPECT_NE(flm->reason.find("XDNA2"), std::string::npos) << flm->reason;
}

TEST(ChildProcess, ExitStatusOutputCapAndMissingProgram) {
  const auto ok = run_child_process("sh", {"-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->exit_status, 3);
  EXPECT_EQ(ok->standard_output, "out\n");
  EXPECT_EQ(ok->standard_error, "err\n");
  const auto flood = run_child_process("sh", {"-c", "head -c 5000000 /dev/zero"}, ChildOptions{std::chrono::seconds(10), 1000});
  ASSERT_TRUE(flood.ok());
  EXPECT_EQ(flood->standard_output.size(), 1000u);  // the rest was read and dropped, not buffered
  const auto missing = run_child_process("/nonexistent/flm", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/flm"), std::string::npos);
}

}  // namespace
}  // namespace ual
