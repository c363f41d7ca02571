// Hardware discovery: what accelerators this machine has and which vendor runtimes can drive them, found from
// sysfs/procfs (through a sysroot, so recorded trees are real machines to the code) and dlopen, never a vendor SDK.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual {

enum class DeviceKind { cpu, gpu, igpu, npu };
UAL_API const char* to_string(DeviceKind kind) noexcept;

// Sizes as the OS reports them: per core for private caches, per shared instance for shared ones.
struct CacheSizes {
  std::uint64_t l1d = 0;
  std::uint64_t l1i = 0;
  std::uint64_t l2 = 0;
  std::uint64_t l3 = 0;
};

struct CpuDetails {
  std::string isa;                    // "x86_64" or "aarch64"
  int family = -1;                    // x86 only
  int model = -1;                     // x86: model; arm: CPU part
  int stepping = -1;                  // x86: stepping; arm: revision
  std::uint32_t sockets = 0;
  std::uint32_t cores = 0;            // physical cores, all sockets
  std::uint32_t threads = 0;          // logical CPUs online
  std::uint32_t numa_nodes = 0;
  std::vector<std::string> features;  // kernel-relevant ISA flags, spelled as in /proc/cpuinfo
  CacheSizes cache_bytes;
};

struct HardwareDevice {
  DeviceKind kind = DeviceKind::cpu;
  std::string vendor;  // lower case: amd, nvidia, intel, qualcomm, apple, ...
  std::string name;
  std::string arch;    // zen4, sm_90, gfx942, xdna2, npu4000, ...
  std::string generation;  // product generation where the arch alone does not say it (Strix Halo, Hopper)
  std::string pci_address;
  std::optional<std::uint32_t> vendor_id;
  std::optional<std::uint32_t> device_id;
  std::optional<std::uint32_t> revision;
  std::optional<std::uint32_t> subsystem_vendor_id;
  std::optional<std::uint32_t> subsystem_device_id;
  std::string driver;          // kernel driver bound to the function (empty: none)
  std::string driver_version;
  std::string firmware_version;
  std::string device_node;     // /dev/accel/accel0, /dev/dri/renderD128, /dev/nvidia0
  std::string uuid;
  std::optional<int> numa_node;
  std::uint64_t memory_bytes = 0;
  std::uint32_t compute_units = 0;  // SMs or CUs where known
  std::optional<bool> fastflowlm_supported;  // NPUs only
  std::vector<std::string> problems;         // what a user can act on, one sentence each
  std::optional<CpuDetails> cpu;             // the CPU entry only
};

struct OpenClDevice {
  std::string name;
  std::string type;  // cpu, gpu, accelerator, custom
  std::uint64_t memory_bytes = 0;
};

struct OpenClPlatform {
  std::string name;
  std::string vendor;
  std::string version;
  std::vector<OpenClDevice> devices;
};

struct Runtime {
  std::string name;     // cuda, nvml, cublaslt, hip, rocblas, hipblaslt, xrt, opencl, onnxruntime, fastflowlm
  bool usable = false;
  bool loaded = false;  // true when ual opened or ran it on this machine; false when found by file presence only
  std::string version;
  std::string path;
  std::string reason;   // why it is not usable (or how it was found, when not loaded)
  std::vector<std::string> providers;     // ONNX Runtime execution providers
  std::vector<OpenClPlatform> platforms;  // OpenCL platforms and their devices
};

struct Inventory {
  std::string sysroot;
  std::vector<HardwareDevice> devices;  // the CPU first, then PCI functions in address order, then others
  std::vector<Runtime> runtimes;
  std::vector<std::string> problems;    // what could not be read or understood, naming the file
};

// Who is asking, for device-node permission advice. Defaults to the calling process.
struct UserIdentity {
  std::uint32_t uid = 0;
  std::vector<std::uint32_t> groups;
};

struct DiscoveryOptions {
  std::filesystem::path sysroot = "/";
  bool probe_runtimes = true;  // look for vendor runtimes (dlopen on the live machine, file presence in a sysroot)
  bool query_nvml = true;      // live machine only: memory, UUID and compute capability from NVML when it loads
  // Whose access to device nodes to judge. Unset: on the live machine the calling process is asked the kernel
  // (faccessat, so ACLs granted by logind count); in a recorded tree no permission advice is given, since the
  // tree's file owners are whoever checked it out. Set: the node's mode bits, owner and group decide.
  std::optional<UserIdentity> identity;
  std::chrono::milliseconds child_timeout{3000};  // for `flm version --json`
  // Live machine: earlier probes of unchanged runtime files are reused (src/discovery/runtime_cache.hpp);
  // refresh probes everything again and rewrites the cache.
  bool refresh_runtime_cache = false;
  std::filesystem::path runtime_cache_directory;  // empty: $XDG_CACHE_HOME/ual or ~/.cache/ual
};

// Fails only when the sysroot itself cannot be used; everything else degrades into Inventory::problems.
UAL_API Result<Inventory> discover(const DiscoveryOptions& options = {});

// The JSON contract of `ual devices --json` (DESIGN.md): stable keys, integers as numbers.
UAL_API std::string to_json(const Inventory& inventory, int indent = 2);

}  // namespace ual
