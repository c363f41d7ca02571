// .npy files (numpy's own array format) for `ual run`'s inputs and outputs: read and write one array, little-endian
// numeric dtypes in C order, as numpy.lib.format describes them (format versions 1.0, 2.0 and 3.0).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "host_tensor.hpp"
#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::onnxruntime {

// numpy.lib.format refuses headers longer than this unless told otherwise (read_array's max_header_size, numpy
// 1.24+: "to guard against" literal_eval on untrusted input); ual applies the same bound.
inline constexpr std::size_t npy_max_header_bytes = 10000;

// Parses an .npy image. `what` names the source in errors (a file path). The tensor's name is left empty.
UAL_API Result<HostTensor> parse_npy(std::span<const std::byte> bytes, const std::string& what);
UAL_API Result<HostTensor> read_npy_file(const std::filesystem::path& path);

// The .npy image of a tensor: version 1.0 (2.0 when the header needs more than 65535 bytes), header padded so the
// data starts at a multiple of 64 bytes, as numpy writes it.
UAL_API Result<std::string> encode_npy(const HostTensor& tensor);
UAL_API Status write_npy_file(const std::filesystem::path& path, const HostTensor& tensor);

}  // namespace ual::onnxruntime
