// Loading and scoring the HIP plugin without an AMD GPU: its exports, the UAL_HIP_LIBRARY override (a missing file,
// a shared library that is not HIP), and the real runtime's "no device" answer where Debian's libamdhip64 is installed.
#include <cstdio>
#include <set>

#include "hip_harness.hpp"

namespace ual::hip::test {
namespace {

::testing::Environment* const kSessionEnvironment = ::testing::AddGlobalTestEnvironment(new SessionEnvironment);

bool contains(const char* text, const std::string& part) { return std::string(text).find(part) != std::string::npos; }

TEST(HipPlugin, ExportsExactlyTheTwoEntryPoints) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  EXPECT_NE(library.score, nullptr);
  EXPECT_NE(library.init, nullptr);
  FILE* pipe = popen("nm -D --defined-only '" UAL_PLUGIN_PATH "' 2>/dev/null", "r");
  ASSERT_NE(pipe, nullptr);
  std::set<std::string> symbols;
  char line[1024];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    char address[64], type[8], name[900];
    if (std::sscanf(line, "%63s %7s %899s", address, type, name) == 3) symbols.insert(name);
  }
  const int status = pclose(pipe);
  if (status != 0 && symbols.empty()) GTEST_SKIP() << "nm (binutils) is not available";
  EXPECT_EQ(symbols, (std::set<std::string>{"ual_backend_init", "ual_backend_score"}));
  // The HIP runtime is not a link-time dependency: dlsym through the plugin's handle searches its dependencies too.
  EXPECT_EQ(dlsym(library.handle, "hipInit"), nullptr);
}

TEST(HipPlugin, MissingRuntimeScoresZeroWithReason) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  ScopedLibraryOverride override_library("/nonexistent/libamdhip64.so.6");
  ual_error why = make_error();
  EXPECT_EQ(library.score(nullptr, &why), 0U);
  EXPECT_TRUE(contains(why.message, "unavailable: no AMD HIP runtime (/nonexistent/libamdhip64.so.6 (UAL_HIP_LIBRARY) "
                                    "not found"))
      << why.message;
  EXPECT_EQ(why.code, UAL_STATUS_UNAVAILABLE);
  ual_error error = make_error();
  EXPECT_EQ(library.init(nullptr, &error), nullptr);
  EXPECT_EQ(error.code, UAL_STATUS_UNAVAILABLE);
  EXPECT_TRUE(contains(error.message, "unavailable: no AMD HIP runtime")) << error.message;
}

TEST(HipPlugin, LibraryWithoutHipSymbolsScoresZeroNamingTheSymbol) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  ScopedLibraryOverride override_library("libm.so.6");
  ual_error why = make_error();
  EXPECT_EQ(library.score(nullptr, &why), 0U);
  EXPECT_TRUE(contains(why.message, "unavailable: libm.so.6 lacks the HIP symbol hipInit")) << why.message;
}

// Whatever this machine has: no runtime, the runtime without a GPU (the CI machine once Debian's libamdhip64-5 is
// installed: hipInit and hipGetDeviceCount really run and say so), or an AMD GPU (score 200).
TEST(HipPlugin, ScoreMatchesThisMachine) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  ual_error why = make_error();
  const uint32_t score = library.score(nullptr, &why);
  bool runtime_present = false;
  for (const char* name : {"libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so"}) {
    if (void* handle = dlopen(name, RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE)) {
      dlclose(handle);
      runtime_present = true;
      break;
    }
  }
  if (!runtime_present) {
    EXPECT_EQ(score, 0U);
    EXPECT_TRUE(contains(why.message, "unavailable: no AMD HIP runtime (libamdhip64.so.5/.6/.7 not found"))
        << why.message;
  } else if (score == 0) {
    EXPECT_TRUE(contains(why.message, "unavailable: HIP runtime loaded but reports no device (")) << why.message;
    EXPECT_TRUE(contains(why.message, "hipGetDeviceCount: ")) << why.message;
    std::printf("HIP runtime present, no device: %s\n", why.message);
  } else {
    EXPECT_EQ(score, 200U);
    EXPECT_EQ(why.code, UAL_STATUS_OK);
  }
}

TEST(HipPlugin, InitFailsLikeScoreWithoutDevice) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  ual_error why = make_error();
  if (library.score(nullptr, &why) != 0) GTEST_SKIP() << "this machine has a HIP device";
  ual_error error = make_error();
  EXPECT_EQ(library.init(nullptr, &error), nullptr);
  EXPECT_EQ(error.code, UAL_STATUS_UNAVAILABLE);
  EXPECT_STREQ(error.message, why.message);
}

TEST(HipPlugin, RefusesAHostWithoutAbiVersion) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  ual_host host{};
  ual_error error = make_error();
  EXPECT_EQ(library.init(&host, &error), nullptr);
  EXPECT_EQ(error.code, UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(error.message, "abi_version is 0")) << error.message;
}

}  // namespace
}  // namespace ual::hip::test
