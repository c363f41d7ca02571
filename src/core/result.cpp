#include "ual/result.hpp"

#include "ual/version.hpp"

namespace ual {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid argument";
    case ErrorCode::not_found: return "not found";
    case ErrorCode::io_error: return "I/O error";
    case ErrorCode::parse_error: return "parse error";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal error";
  }
  return "unknown error";
}

const char* version() noexcept { return UAL_VERSION_STRING; }

}  // namespace ual
