// Runs a model on the NPU (see npu_run.hpp).
#include "capi/npu_run.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "capi/npu_route.hpp"
#include "core/child_process.hpp"
#include "engines/fastflowlm/fastflowlm.hpp"
#include "engines/onnxruntime/onnx_runner.hpp"
#include "ual/model_file.hpp"
#include "ual/ual.h"

namespace ual::capi {
namespace {

std::string join_reasons(const NpuRouteReport& report) {
  std::string text;
  for (const std::string& reason : report.reasons) text += (text.empty() ? "" : "; ") + reason;
  return text;
}

// ONNX's lower-case TensorProto type names (ual::ModelTensorInfo) to the types ual feeds ONNX Runtime.
std::optional<onnxruntime::ElementType> feedable_type(const std::string& onnx_name) {
  using onnxruntime::ElementType;
  static const std::pair<const char*, ElementType> table[] = {
      {"float", ElementType::f32},  {"double", ElementType::f64}, {"float16", ElementType::f16},
      {"int8", ElementType::i8},    {"uint8", ElementType::u8},   {"int16", ElementType::i16},
      {"uint16", ElementType::u16}, {"int32", ElementType::i32},  {"int64", ElementType::i64},
      {"uint32", ElementType::u32}, {"uint64", ElementType::u64}, {"bool", ElementType::boolean}};
  for (const auto& [name, type] : table)
    if (onnx_name == name) return type;
  return std::nullopt;
}

int run_onnx(const std::string& model, const Inventory& inventory, std::string& message) {
  auto description = read_onnx_model(model);
  if (!description) {
    message = description.error().message;
    return UAL_NPU_RUN_FAILED;
  }
  onnxruntime::OnnxRunRequest request;
  request.model_path = model;
  request.policy = Policy::prefer_npu;
  request.inventory = inventory;
  // Zeros of the declared shapes; a free (symbolic) dimension is 1.
  constexpr std::uint64_t max_input_bytes = 1ull << 30;
  for (const ModelTensorInfo& input : description->inputs) {
    auto type = feedable_type(input.element_type);
    if (!type) {
      message = fmt::format("{}: input '{}' has type {}, which ual cannot feed", model, input.name, input.element_type);
      return UAL_NPU_RUN_FAILED;
    }
    onnxruntime::HostTensor tensor{input.name, *type, input.shape, {}};
    std::uint64_t elements = 1;
    for (std::int64_t& dim : tensor.shape) {
      if (dim < 0) dim = 1;
      elements *= static_cast<std::uint64_t>(std::max<std::int64_t>(dim, 0));
      if (elements * onnxruntime::element_size(*type) > max_input_bytes) {
        message = fmt::format("{}: input '{}' would need more than 1 GiB of zeros", model, input.name);
        return UAL_NPU_RUN_FAILED;
      }
    }
    tensor.data.resize(elements * onnxruntime::element_size(*type));
    request.inputs.push_back(std::move(tensor));
  }
  auto result = onnxruntime::run_onnx_model(request);
  if (!result) {
    message = result.error().message;
    return UAL_NPU_RUN_FAILED;
  }
  const auto& appended = result->providers.appended;
  const bool on_npu = std::any_of(appended.begin(), appended.end(),
                                  [](const auto& provider) { return provider.name == vitisai_provider; });
  if (!on_npu) {
    message = fmt::format("{} ran, but ONNX Runtime did not take {}", model, vitisai_provider);
    for (const auto& skipped : result->providers.skipped)
      if (skipped.name == vitisai_provider) message += ": " + skipped.reason;
    return UAL_NPU_UNAVAILABLE;
  }
  message = fmt::format("{} ran on the NPU through ONNX Runtime {} ({}) in {:.3f} s", model,
                        result->onnxruntime_version, vitisai_provider, result->run_seconds);
  return UAL_NPU_OK;
}

int run_flm(const std::string& tag, const std::string& program, const NpuRunOptions& options, std::string& message) {
  fastflowlm::FlmInvocation invocation;
  invocation.subcommand = "run";
  invocation.model_tag = tag;
  auto arguments = fastflowlm::build_flm_arguments(invocation);
  if (!arguments) {
    message = arguments.error().message;
    return UAL_NPU_INVALID_ARGUMENT;
  }
  // `flm run` is a chat loop; with stdin at end of file it loads the model on the NPU and returns.
  ChildOptions child;
  child.timeout = options.timeout;
  child.output_limit = 64 * 1024;
  auto output = run_child_process(program, *arguments, child);
  if (!output) {
    message = output.error().message;
    return message.find("did not finish") != std::string::npos ? UAL_NPU_TIMEOUT : UAL_NPU_RUN_FAILED;
  }
  if (!output->exited_normally || output->exit_status != 0) {
    std::string tail = output->standard_error.empty() ? output->standard_output : output->standard_error;
    if (tail.size() > 1000) tail = tail.substr(tail.size() - 1000);
    message = fmt::format("flm run {} failed ({}{}): {}", tag, output->exited_normally ? "exit code " : "signal ",
                          output->exited_normally ? output->exit_status : output->signal, tail);
    return UAL_NPU_RUN_FAILED;
  }
  message = fmt::format("flm run {} finished on the NPU", tag);
  return UAL_NPU_OK;
}

}  // namespace

int run_npu_model(const std::string& model, const Inventory& inventory, const NpuRunOptions& options,
                  std::string& message) {
  if (model.empty()) {
    message = "ual_npu_run_model: the model is empty";
    return UAL_NPU_INVALID_ARGUMENT;
  }
  const NpuRouteReport report = find_npu_routes(inventory);
  if (model.size() > 5 && model.ends_with(".onnx")) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(model, error)) {
      message = fmt::format("ual_npu_run_model: {}: no such ONNX file", model);
      return UAL_NPU_MODEL_NOT_FOUND;
    }
    if (!has_route(report, npu_route_onnxruntime)) {
      message = "no NPU route for ONNX models: " + join_reasons(report);
      return UAL_NPU_UNAVAILABLE;
    }
    return run_onnx(model, inventory, message);
  }
  if (!has_route(report, npu_route_fastflowlm)) {
    message = "no NPU route for FastFlowLM model tags: " + join_reasons(report);
    return UAL_NPU_UNAVAILABLE;
  }
  const fastflowlm::FastFlowLmModel* entry = fastflowlm::find_fastflowlm_model(model);
  if (entry == nullptr) {
    message = fmt::format("ual_npu_run_model: FastFlowLM has no model tagged '{}' (see `flm list`)", model);
    return UAL_NPU_MODEL_NOT_FOUND;
  }
  const std::string program = options.flm_program.empty() ? report.flm_path : options.flm_program;
  return run_flm(entry->tag, program.empty() ? "flm" : program, options, message);
}

}  // namespace ual::capi
