// ual::Result<T>: errors are values across modules. A Result holds either a T or an Error whose message names the
// input that was wrong (a file, an operand, a library), so callers can report it without adding context.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "ual/export.hpp"

namespace ual {

enum class ErrorCode {
  invalid_argument,  // the caller passed something malformed (shape, option, path)
  not_found,         // a file, library or device that is not there
  io_error,          // the OS refused or failed a read
  parse_error,       // content that does not have the expected format
  unavailable,       // a vendor stack or device that cannot be used here
  internal,          // a broken invariant inside ual
};

UAL_API const char* to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Error error) : storage_(std::move(error)) {}       // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return std::holds_alternative<T>(storage_); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<T>(storage_); }
  const T& value() const& { return std::get<T>(storage_); }
  T&& value() && { return std::get<T>(std::move(storage_)); }
  T value_or(T fallback) const& { return ok() ? std::get<T>(storage_) : std::move(fallback); }

  const Error& error() const& { return std::get<Error>(storage_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> storage_;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// The result of an operation that produces nothing but may fail.
using Status = Result<std::monostate>;
inline Status ok_status() { return std::monostate{}; }

}  // namespace ual
