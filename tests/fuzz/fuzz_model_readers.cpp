// libFuzzer target for the model-file readers (include/ual/model_file.hpp): every input goes to the GGUF header
// parser and to the ONNX protobuf parser. Besides "no crash, no sanitizer report, no huge allocation", each checks
// the readers' contract, trapping when it is broken: errors are parse errors naming the origin; a description
// serializes to JSON that parses back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ual/model_file.hpp"

namespace {

#define FUZZ_CHECK(condition)                                                                       \
  do {                                                                                              \
    if (!(condition)) {                                                                             \
      std::fprintf(stderr, "fuzz_model_readers: check failed: %s (line %d)\n", #condition, __LINE__); \
      std::abort();                                                                                 \
    }                                                                                               \
  } while (false)

void check(const ual::Result<ual::ModelDescription>& model, std::string_view origin, ual::ModelFormat format) {
  if (!model) {
    FUZZ_CHECK(model.error().code == ual::ErrorCode::parse_error);
    FUZZ_CHECK(model.error().message.rfind(std::string(origin) + ":", 0) == 0);
    return;
  }
  FUZZ_CHECK(model->format == format);
  std::uint64_t typed_tensors = 0;
  for (const auto& [type, count] : model->tensor_types) typed_tensors += count;
  FUZZ_CHECK(model->tensor_types.empty() || typed_tensors > 0);
  if (model->shape) FUZZ_CHECK(model->shape->layers >= 0 && model->shape->heads > 0);
  const auto json = nlohmann::json::parse(ual::to_json(*model), nullptr, false);
  FUZZ_CHECK(json.is_object() && json["parameter_count"].get<std::uint64_t>() == model->parameter_count);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check(ual::parse_gguf_header(input, "fuzz.gguf"), "fuzz.gguf", ual::ModelFormat::gguf);
  check(ual::parse_onnx_model(input, "fuzz.onnx"), "fuzz.onnx", ual::ModelFormat::onnx);
  return 0;
}
