// The C ABI's boundary (include/ual/ual.h): the thread-local error message, the mapping from ual::Error to
// ual_status, the guard every entry point runs its body in (no exception crosses into C), and helpers for the
// pointer checks and the malloc'ed strings handed to the caller.
#pragma once

#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "ual/result.hpp"
#include "ual/ual.h"

namespace ual::capi {

// Records a failure for ual_last_error() and returns its status.
ual_status fail(ual_status status, std::string_view message) noexcept;
ual_status fail(const Error& error) noexcept;
// "<function>: <detail>" without allocating (the exception handlers: even std::bad_alloc gets its message).
ual_status fail_in(ual_status status, const char* function, const char* detail) noexcept;
ual_status succeed() noexcept;  // clears the message
const char* last_error_text() noexcept;
void set_last_error(std::string_view message) noexcept;  // without a status (the NPU contract's int codes)
ual_status to_status(ErrorCode code) noexcept;

// NULL check naming the argument and the function: "ual_gemm: argument 'a' is NULL".
inline bool is_null(const void* pointer, const char* function, const char* argument, ual_status& status) noexcept {
  if (pointer != nullptr) return false;
  status = fail(UAL_ERROR_NULL_POINTER, std::string(function) + ": argument '" + argument + "' is NULL");
  return true;
}

// A copy of text in malloc'ed memory for the caller to ual_free; nullptr when malloc fails.
char* copy_out(std::string_view text) noexcept;
// Hands a JSON answer to the caller.
ual_status answer(std::string_view text, char** out) noexcept;

// Runs body (returning ual_status) and turns any exception into a status with a message naming the function.
template <class Body>
ual_status guarded(const char* function, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail_in(UAL_ERROR_OUT_OF_MEMORY, function, "out of memory");
  } catch (const std::exception& exception) {
    return fail_in(UAL_ERROR_INTERNAL, function, exception.what());
  } catch (...) {
    return fail_in(UAL_ERROR_INTERNAL, function, "unknown exception");
  }
}

}  // namespace ual::capi
