// How every compute plugin reports failure across the backend ABI: a ual_status plus a sentence in the caller's
// ual_error. Header-only and shared by the OpenCL, CUDA and HIP plugins (each is its own shared library).
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "ual/backend_abi.h"

namespace ual::plugin {

// Writes the message (printf-style, truncated to the ABI's buffer) and returns `code`, so callers can
// `return fail(error, UAL_STATUS_..., "...")`. A NULL error is allowed: the status still says what happened.
__attribute__((format(printf, 3, 4))) inline ual_status fail(ual_error* error, ual_status code, const char* format,
                                                             ...) {
  if (error != nullptr) {
    error->abi_version = UAL_BACKEND_ABI_VERSION;
    error->code = code;
    va_list arguments;
    va_start(arguments, format);
    std::vsnprintf(error->message, sizeof error->message, format, arguments);
    va_end(arguments);
  }
  return code;
}

// The integer in a C enum field the host filled in. A value outside the enumerators (a newer host, a bug) is legal C
// but undefined to load as a C++ enum, so fields that may carry one are read as their bytes.
template <class Enum>
int32_t raw_enum(const Enum& field) {
  static_assert(sizeof(Enum) == sizeof(int32_t));
  int32_t value = 0;
  std::memcpy(&value, &field, sizeof value);
  return value;
}

inline void clear_error(ual_error* error) {
  if (error != nullptr) {
    error->abi_version = UAL_BACKEND_ABI_VERSION;
    error->code = UAL_STATUS_OK;
    error->message[0] = '\0';
  }
}

// Runs one ABI entry so that no exception crosses the C boundary: std::bad_alloc becomes UAL_STATUS_OUT_OF_MEMORY,
// anything else UAL_STATUS_INTERNAL, each with "<backend> <entry>: ..." in the message.
template <class Function>
ual_status guarded(ual_error* error, const char* backend, const char* entry, Function&& function) noexcept {
  try {
    return function();
  } catch (const std::bad_alloc&) {
    return fail(error, UAL_STATUS_OUT_OF_MEMORY, "%s %s: out of host memory", backend, entry);
  } catch (const std::exception& exception) {
    return fail(error, UAL_STATUS_INTERNAL, "%s %s: %s", backend, entry, exception.what());
  } catch (...) {
    return fail(error, UAL_STATUS_INTERNAL, "%s %s: unknown exception", backend, entry);
  }
}

}  // namespace ual::plugin
