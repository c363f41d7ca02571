// Error state and strings of the C ABI, and the library-level calls (version, ABI version, free).
#include "capi/boundary.hpp"

#include <cstdio>
#include <cstdlib>

#include "ual/version.hpp"

namespace ual::capi {
namespace {

// A fixed-size message buffer per thread: setting it never allocates, so even an out-of-memory failure is reported.
constexpr std::size_t message_capacity = 2048;
thread_local char last_message[message_capacity] = "";

void store(std::string_view message) noexcept {
  const std::size_t length = message.size() < message_capacity - 1 ? message.size() : message_capacity - 1;
  std::memcpy(last_message, message.data(), length);
  last_message[length] = '\0';
}

}  // namespace

void set_last_error(std::string_view message) noexcept { store(message); }

const char* last_error_text() noexcept { return last_message; }

ual_status fail(ual_status status, std::string_view message) noexcept {
  store(message);
  return status;
}

ual_status fail_in(ual_status status, const char* function, const char* detail) noexcept {
  std::snprintf(last_message, message_capacity, "%s: %s", function, detail);
  return status;
}

ual_status fail(const Error& error) noexcept { return fail(to_status(error.code), error.message); }

ual_status succeed() noexcept {
  last_message[0] = '\0';
  return UAL_OK;
}

ual_status to_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return UAL_ERROR_INVALID_ARGUMENT;
    case ErrorCode::not_found: return UAL_ERROR_NOT_FOUND;
    case ErrorCode::io_error: return UAL_ERROR_IO;
    case ErrorCode::parse_error: return UAL_ERROR_PARSE;
    case ErrorCode::unavailable: return UAL_ERROR_UNAVAILABLE;
    case ErrorCode::internal: return UAL_ERROR_INTERNAL;
  }
  return UAL_ERROR_INTERNAL;
}

char* copy_out(std::string_view text) noexcept {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) return nullptr;
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  return copy;
}

ual_status answer(std::string_view text, char** out) noexcept {
  *out = copy_out(text);
  if (*out == nullptr) return fail(UAL_ERROR_OUT_OF_MEMORY, "out of memory copying the answer");
  return succeed();
}

}  // namespace ual::capi

using namespace ual::capi;

extern "C" {

UAL_C_API const char* ual_version(void) { return ual::version(); }
UAL_C_API uint32_t ual_abi_version(void) { return UAL_ABI_VERSION; }
UAL_C_API const char* ual_last_error(void) { return last_error_text(); }
UAL_C_API void ual_free(void* pointer) { std::free(pointer); }

UAL_C_API const char* ual_status_name(ual_status status) {
  switch (status) {
    case UAL_OK: return "UAL_OK";
    case UAL_ERROR_INVALID_ARGUMENT: return "UAL_ERROR_INVALID_ARGUMENT";
    case UAL_ERROR_NOT_FOUND: return "UAL_ERROR_NOT_FOUND";
    case UAL_ERROR_IO: return "UAL_ERROR_IO";
    case UAL_ERROR_PARSE: return "UAL_ERROR_PARSE";
    case UAL_ERROR_UNAVAILABLE: return "UAL_ERROR_UNAVAILABLE";
    case UAL_ERROR_INTERNAL: return "UAL_ERROR_INTERNAL";
    case UAL_ERROR_INVALID_HANDLE: return "UAL_ERROR_INVALID_HANDLE";
    case UAL_ERROR_NULL_POINTER: return "UAL_ERROR_NULL_POINTER";
    case UAL_ERROR_OUT_OF_MEMORY: return "UAL_ERROR_OUT_OF_MEMORY";
    case UAL_STATUS_MAX_ENUM: break;
  }
  return "UAL_ERROR_UNKNOWN";
}

}  // extern "C"
