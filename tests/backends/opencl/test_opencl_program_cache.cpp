// The on-disk program binary cache: the first open of a device builds from source and writes the cache, the next
// loads it (observed through host->log), and a corrupt, truncated or foreign file is ignored and rebuilt.
#include <chrono>
#include <fstream>

#include "opencl_harness.hpp"

namespace ual::opencl::test {
namespace {

// A backend of its own (its own cache directory), opened and closed per step.
class CacheProbe {
 public:
  explicit CacheProbe(const char* cache_directory) {
    host_.abi_version = UAL_BACKEND_ABI_VERSION;
    host_.host_version = "0.1.0";
    host_.cache_directory = cache_directory;
    host_.log = capture_log;
    ual_error error = make_error();
    api_ = plugin_library().init(&host_, &error);
    EXPECT_NE(api_, nullptr) << error.message;
  }
  ~CacheProbe() {
    if (api_ != nullptr) api_->shutdown(api_->backend);
  }

  // Opens opencl:0, runs one op (which builds or loads the program), closes; returns the seconds it took.
  double open_and_run() {
    const auto start = std::chrono::steady_clock::now();
    ual_error error = make_error();
    ual_device* device = nullptr;
    EXPECT_EQ(api_->device_open(api_->backend, 0, &device, &error), UAL_STATUS_OK) << error.message;
    if (device == nullptr) return 0.0;
    ual_buffer* buffer = nullptr;
    EXPECT_EQ(api_->buffer_allocate(device, 64, &buffer, &error), UAL_STATUS_OK);
    ual_tensor t{};
    t.abi_version = UAL_BACKEND_ABI_VERSION;
    t.dtype = UAL_DTYPE_F32;
    t.rank = 1;
    t.shape[0] = 16;
    t.strides[0] = 1;
    t.buffer = buffer;
    t.scale_inv = 1.0F;
    ual_op op{};
    op.abi_version = UAL_BACKEND_ABI_VERSION;
    op.kind = UAL_OP_SILU;
    op.input_count = 1;
    op.inputs = &t;
    op.output_count = 1;
    op.outputs = &t;
    EXPECT_EQ(api_->run(device, &op, &error), UAL_STATUS_OK) << error.message;
    EXPECT_EQ(api_->synchronize(device, &error), UAL_STATUS_OK);
    api_->buffer_free(device, buffer);
    api_->device_close(device);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

 private:
  ual_host host_{};
  const ual_backend_api* api_ = nullptr;
};

std::vector<std::filesystem::path> cache_files(const std::string& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(directory) / "opencl", ec)) {
    files.push_back(entry.path());
  }
  return files;
}

TEST(OpenClProgramCache, SecondOpenLoadsFromCacheAndDamagedFilesAreRebuilt) {
  UAL_OPENCL_REQUIRE_DEVICE();
  const std::string directory = make_temporary_directory("cache-test");
  ASSERT_FALSE(directory.empty());
  CacheProbe probe(directory.c_str());

  const int built_before = count_log("built from source");
  const int loaded_before = count_log("loaded from cache");
  const double cold = probe.open_and_run();
  EXPECT_EQ(count_log("built from source"), built_before + 1);
  const std::vector<std::filesystem::path> files = cache_files(directory);
  ASSERT_EQ(files.size(), 1U) << "one cache file, no temporaries left behind";
  EXPECT_EQ(files[0].extension(), ".bin");

  const double cached = probe.open_and_run();
  EXPECT_EQ(count_log("loaded from cache"), loaded_before + 1);
  EXPECT_EQ(count_log("built from source"), built_before + 1);
  std::printf("program build: cold %.3f s, from cache %.3f s (open + one small op)\n", cold, cached);

  // Flip one byte in the payload: the checksum catches it, the program is rebuilt and the cache rewritten.
  {
    std::fstream file(files[0], std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(std::filesystem::file_size(files[0]) / 2));
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(files[0]) / 2));
    byte = static_cast<char>(byte ^ 0x5A);
    file.write(&byte, 1);
  }
  probe.open_and_run();
  EXPECT_GE(count_log("checksum mismatch"), 1);
  EXPECT_EQ(count_log("built from source"), built_before + 2);
  probe.open_and_run();
  EXPECT_EQ(count_log("loaded from cache"), loaded_before + 2) << "the rebuilt program was cached again";

  // Truncated, then garbage: both ignored.
  std::filesystem::resize_file(files[0], 100);
  probe.open_and_run();
  EXPECT_EQ(count_log("built from source"), built_before + 3);
  {
    std::ofstream file(files[0], std::ios::binary | std::ios::trunc);
    file << "not a program";
  }
  probe.open_and_run();
  EXPECT_EQ(count_log("built from source"), built_before + 4);
  EXPECT_GE(count_log("shorter than its header"), 1);
  std::error_code ec;
  std::filesystem::remove_all(directory, ec);
}

TEST(OpenClProgramCache, NoCacheDirectoryBuildsWithoutWriting) {
  UAL_OPENCL_REQUIRE_DEVICE();
  CacheProbe probe(nullptr);
  const int built_before = count_log("built from source");
  probe.open_and_run();
  probe.open_and_run();
  EXPECT_EQ(count_log("built from source"), built_before + 2);
}

}  // namespace
}  // namespace ual::opencl::test
