// A dlopen'ed shared library that closes itself; symbol lookup returns typed function pointers.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ual/result.hpp"

namespace ual {

class DynamicLibrary {
 public:
  DynamicLibrary() = default;
  ~DynamicLibrary();
  DynamicLibrary(DynamicLibrary&& other) noexcept;
  DynamicLibrary& operator=(DynamicLibrary&& other) noexcept;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;

  // Tries each name in order (sonames such as "libcuda.so.1"); the error names every one that failed and why.
  // keep_mapped: RTLD_NODELETE, for vendor runtimes whose static destructors misbehave when unloaded early.
  static Result<DynamicLibrary> open_first(std::span<const std::string> names, bool keep_mapped = false);
  static Result<DynamicLibrary> open(const std::string& name, bool keep_mapped = false);

  bool is_open() const noexcept { return handle_ != nullptr; }
  const std::string& name() const noexcept { return name_; }
  std::string path() const;  // the file the loader actually mapped

  void* raw_symbol(const char* symbol) const noexcept;
  template <class Function>
  Function symbol(const char* symbol_name) const noexcept {
    return reinterpret_cast<Function>(raw_symbol(symbol_name));
  }

 private:
  void* handle_ = nullptr;
  std::string name_;
};

}  // namespace ual
