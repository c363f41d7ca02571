#include "core/dynamic_library.hpp"

#include <dlfcn.h>
#include <link.h>

#include <fmt/format.h>

namespace ual {

DynamicLibrary::~DynamicLibrary() {
  if (handle_) dlclose(handle_);
}

DynamicLibrary::DynamicLibrary(DynamicLibrary&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), name_(std::move(other.name_)) {}

DynamicLibrary& DynamicLibrary::operator=(DynamicLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_) dlclose(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

Result<DynamicLibrary> DynamicLibrary::open(const std::string& name, bool keep_mapped) {
  // RTLD_LOCAL keeps vendor symbols out of the global namespace. RTLD_LAZY: binding all of cuBLASLt's symbols
  // up front (RTLD_NOW) costs ~80 ms here; missing libraries still fail at open, missing symbols at dlsym.
  void* handle = dlopen(name.c_str(), RTLD_LAZY | RTLD_LOCAL | (keep_mapped ? RTLD_NODELETE : 0));
  if (!handle) {
    const char* reason = dlerror();
    return make_error(ErrorCode::not_found, reason ? reason : fmt::format("{}: cannot be loaded", name));
  }
  DynamicLibrary library;
  library.handle_ = handle;
  library.name_ = name;
  return library;
}

Result<DynamicLibrary> DynamicLibrary::open_first(std::span<const std::string> names, bool keep_mapped) {
  std::string reasons;
  for (const std::string& name : names) {
    auto library = open(name, keep_mapped);
    if (library) return library;
    if (!reasons.empty()) reasons += "; ";
    reasons += library.error().message;
  }
  return make_error(ErrorCode::not_found, reasons.empty() ? std::string("no library names given") : reasons);
}

std::string DynamicLibrary::path() const {
  link_map* map = nullptr;
  if (!handle_ || dlinfo(handle_, RTLD_DI_LINKMAP, &map) != 0 || !map || !map->l_name) return name_;
  return map->l_name;
}

void* DynamicLibrary::raw_symbol(const char* symbol_name) const noexcept {
  return handle_ ? dlsym(handle_, symbol_name) : nullptr;
}

}  // namespace ual
