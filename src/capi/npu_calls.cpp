// The seed's NPU contract at the C boundary: ual_npu_init, ual_npu_run_model and ual_npu_status_json (int codes, as
// PyAgent's amd_npu_init / amd_npu_run_model return them; the message goes to ual_last_error()).
#include <cstdlib>
#include <exception>
#include <new>

#include "capi/boundary.hpp"
#include "capi/npu_route.hpp"
#include "capi/npu_run.hpp"

using namespace ual;
using namespace ual::capi;

namespace {

Result<Inventory> inventory_for(const char* sysroot_or_null) {
  DiscoveryOptions options;
  if (sysroot_or_null != nullptr) options.sysroot = sysroot_or_null;
  return discover(options);
}

int npu_init(const char* sysroot_or_null) noexcept {
  try {
    auto inventory = inventory_for(sysroot_or_null);
    if (!inventory) {
      set_last_error(inventory.error().message);
      return UAL_NPU_UNAVAILABLE;
    }
    NpuRouteReport report = find_npu_routes(*inventory);
    std::string reasons;
    for (const std::string& reason : report.reasons) reasons += (reasons.empty() ? "" : "; ") + reason;
    set_last_error(reasons);
    return report.available ? UAL_NPU_OK : UAL_NPU_UNAVAILABLE;
  } catch (const std::bad_alloc&) {
    fail_in(UAL_ERROR_OUT_OF_MEMORY, "ual_npu_init", "out of memory");
  } catch (const std::exception& exception) {
    fail_in(UAL_ERROR_INTERNAL, "ual_npu_init", exception.what());
  } catch (...) {
    fail_in(UAL_ERROR_INTERNAL, "ual_npu_init", "unknown exception");
  }
  return UAL_NPU_UNAVAILABLE;  // the seed's contract: anything short of a route means "fall back"
}

ual_status status_json(const char* sysroot_or_null, char** out) {
  return guarded("ual_npu_status_json", [&] {
    ual_status status = UAL_OK;
    if (is_null(out, "ual_npu_status_json", "out", status)) return status;
    *out = nullptr;
    auto inventory = inventory_for(sysroot_or_null);
    if (!inventory) return fail(inventory.error());
    return answer(to_json(find_npu_routes(*inventory), *inventory), out);
  });
}

std::chrono::milliseconds run_timeout() {
  const char* text = std::getenv("UAL_NPU_RUN_TIMEOUT_S");
  if (text != nullptr) {
    char* end = nullptr;
    const long seconds = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && seconds > 0) return std::chrono::seconds(seconds);
  }
  return std::chrono::minutes(10);
}

}  // namespace

extern "C" {

UAL_C_API int ual_npu_init(void) { return npu_init(nullptr); }

UAL_C_API int ual_npu_init_for(const char* sysroot) {
  if (sysroot == nullptr) {
    set_last_error("ual_npu_init_for: argument 'sysroot' is NULL");
    return UAL_NPU_INVALID_ARGUMENT;
  }
  return npu_init(sysroot);
}

UAL_C_API int ual_npu_run_model(const char* model) {
  try {
    if (model == nullptr) {
      set_last_error("ual_npu_run_model: argument 'model' is NULL");
      return UAL_NPU_INVALID_ARGUMENT;
    }
    auto inventory = inventory_for(nullptr);
    if (!inventory) {
      set_last_error(inventory.error().message);
      return UAL_NPU_UNAVAILABLE;
    }
    NpuRunOptions options;
    options.timeout = run_timeout();
    std::string message;
    const int code = run_npu_model(model, *inventory, options, message);
    set_last_error(code == UAL_NPU_OK ? std::string() : message);
    return code;
  } catch (const std::bad_alloc&) {
    fail_in(UAL_ERROR_OUT_OF_MEMORY, "ual_npu_run_model", "out of memory");
  } catch (const std::exception& exception) {
    fail_in(UAL_ERROR_INTERNAL, "ual_npu_run_model", exception.what());
  } catch (...) {
    fail_in(UAL_ERROR_INTERNAL, "ual_npu_run_model", "unknown exception");
  }
  return UAL_NPU_INTERNAL;
}

UAL_C_API ual_status ual_npu_status_json(char** out) { return status_json(nullptr, out); }
UAL_C_API ual_status ual_npu_status_json_for(const char* sysroot, char** out) {
  if (sysroot == nullptr) return fail(UAL_ERROR_NULL_POINTER, "ual_npu_status_json_for: argument 'sysroot' is NULL");
  return status_json(sysroot, out);
}

}  // extern "C"
