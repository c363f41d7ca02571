# Precompiled headers: most of a translation unit's front-end time here is parsing nlohmann/json, fmt, GoogleTest and
# the standard library, again in every .cpp. ual_precompile_headers(<target> [TESTS]) gives <target> one precompiled
# header of those (TESTS adds <gtest/gtest.h>); each target gets its own, compiled with its own flags, so the header
# always matches the sources that use it (GCC and clang reject a mismatched one, and -Winvalid-pch plus -Werror turn
# that into an error rather than a silent slow path).
#
# Only third-party and standard headers go in: none of them reads a macro a source defines before its first include,
# and the project's own headers keep being compiled as written. -DUAL_PRECOMPILED_HEADERS=OFF builds without them
# (e.g. to check that every file includes what it uses). ccache caches such builds only with
# sloppiness = pch_defines,time_macros in its configuration; without that it compiles every file (still correct).
include_guard(GLOBAL)
option(UAL_PRECOMPILED_HEADERS "Precompile the common third-party headers (faster builds)" ON)

set(UAL_PRECOMPILED_HEADER_LIST
  <algorithm> <array> <chrono> <cmath> <cstddef> <cstdint> <cstdio> <cstdlib> <cstring> <filesystem> <fstream>
  <functional> <limits> <map> <memory> <optional> <set> <sstream> <string> <string_view> <unordered_map> <utility>
  <vector>
  <fmt/format.h> <nlohmann/json.hpp>)

function(ual_precompile_headers target)
  if(NOT UAL_PRECOMPILED_HEADERS)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "TESTS" "" "")
  set(headers ${UAL_PRECOMPILED_HEADER_LIST})
  if(arg_TESTS)
    list(APPEND headers <gtest/gtest.h>)
  endif()
  list(TRANSFORM headers REPLACE "^(.+)$" "$<$<COMPILE_LANGUAGE:CXX>:\\1>")
  target_precompile_headers(${target} PRIVATE ${headers})
  # Sources compiled with their own ISA flags (*_avx2.cpp, *_avx512.cpp) cannot use a header precompiled without them.
  get_target_property(sources ${target} SOURCES)
  foreach(source IN LISTS sources)
    if(source MATCHES "_avx(2|512)\\.cpp$")
      set_source_files_properties(${source} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()
