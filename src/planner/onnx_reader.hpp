// Private helpers of the ONNX reader: TensorProto.DataType names and sizes (onnx/onnx.proto).
#pragma once

#include <cstdint>

namespace ual::planner {

// Lower-case TensorProto.DataType names ("float", "float16", "int64", "float8e4m3fn"); nullptr for unknown ids.
const char* onnx_element_type_name(std::int64_t data_type) noexcept;

// Bits one element takes in raw_data (float16: 16, int4: 4); 0 for strings, UNDEFINED and unknown ids.
unsigned onnx_element_bits(std::int64_t data_type) noexcept;

}  // namespace ual::planner
