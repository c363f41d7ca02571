// How the plugin reports failure across the ABI: a ual_status plus a sentence in the caller's ual_error.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "ual/backend_abi.h"

namespace ual::opencl {

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

}  // namespace ual::opencl
