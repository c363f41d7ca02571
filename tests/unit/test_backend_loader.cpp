// The plugin loader against deliberately broken plugins (tests/plugins/broken_plugin.c): each is skipped with a
// reason that says what is wrong, and the CPU device keeps working. Also the search path rules.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "ual/backends.hpp"
#include "ual/ops.hpp"

namespace {

const ual::BackendReport* find_report(const ual::BackendRegistry& registry, const std::string& file_name) {
  for (const auto& report : registry.reports())
    if (std::filesystem::path(report.path).filename() == file_name) return &report;
  return nullptr;
}

TEST(BackendLoader, BrokenPluginsAreSkippedWithTheirReasons) {
  ual::BackendOptions options;
  options.search_path = {UAL_BROKEN_PLUGIN_DIR};
  auto registry = ual::BackendRegistry::load(options);
  ASSERT_TRUE(registry) << registry.error().message;

  const std::vector<std::pair<std::string, std::string>> expected = {
      {"libual-backend-not-a-plugin.so", "not a ual backend plugin: it does not export ual_backend_score"},
      {"libual-backend-score-zero.so", "unavailable: libbrokenvendor.so.1 not found"},
      {"libual-backend-init-fails.so", "init failed: no devices answered (vendor driver 1.2.3 is too old)"},
      {"libual-backend-wrong-abi.so", "built for backend ABI version 42, this libual speaks version 1"},
      {"libual-backend-missing-entry.so", "lacks the required entry device_open"},
      {"libual-backend-garbage.so", "cannot be loaded"},
  };
  for (const auto& [file, reason] : expected) {
    const ual::BackendReport* report = find_report(**registry, file);
    ASSERT_NE(report, nullptr) << file << " was not even reported";
    EXPECT_FALSE(report->loaded) << file;
    EXPECT_NE(report->reason.find(reason), std::string::npos) << file << ": " << report->reason;
  }
  // The CPU backend is unaffected and still computes.
  ASSERT_EQ((*registry)->devices().size(), 1u);
  auto cpu = (*registry)->device("cpu:0");
  ASSERT_TRUE(cpu);
  std::vector<float> values{1, 2, 3};
  auto x = cpu->upload(std::span<const float>(values), ual::DType::f32, {3});
  ASSERT_TRUE(x);
  ASSERT_TRUE(ual::add(*x, *x, *x));
  EXPECT_EQ(x->to_vector<float>().value(), (std::vector<float>{2, 4, 6}));
}

TEST(BackendLoader, AnExplicitFileIsLoadedWhateverItsName) {
  ual::BackendOptions options;
  options.search_path = {std::string(UAL_BROKEN_PLUGIN_DIR) + "/libual-backend-init-fails.so"};
  auto registry = ual::BackendRegistry::load(options);
  ASSERT_TRUE(registry);
  ASSERT_EQ((*registry)->reports().size(), 2u);  // cpu + that file
  EXPECT_NE((*registry)->reports()[1].reason.find("init failed"), std::string::npos);
}

TEST(BackendLoader, SearchPathHonoursTheEnvironmentThenLibualThenInstallDir) {
  ::setenv("UAL_BACKEND_PATH", "/first:/second", 1);
  auto path = ual::backend_search_path();
  ::unsetenv("UAL_BACKEND_PATH");
  ASSERT_GE(path.size(), 3u);
  EXPECT_EQ(path[0], "/first");
  EXPECT_EQ(path[1], "/second");
  EXPECT_EQ(path.back(), UAL_INSTALL_LIBDIR_FOR_TESTS);
  ual::BackendOptions options;
  options.use_environment = false;
  ::setenv("UAL_BACKEND_PATH", "/ignored", 1);
  auto without = ual::backend_search_path(options);
  ::unsetenv("UAL_BACKEND_PATH");
  EXPECT_NE(without.front(), "/ignored");
}

TEST(BackendLoader, DisabledPluginsGiveOnlyTheCpu) {
  ual::BackendOptions options;
  options.load_plugins = false;
  options.search_path = {UAL_BROKEN_PLUGIN_DIR};
  auto registry = ual::BackendRegistry::load(options);
  ASSERT_TRUE(registry);
  EXPECT_EQ((*registry)->reports().size(), 1u);
  EXPECT_EQ((*registry)->reports()[0].name, "cpu");
}

}  // namespace
