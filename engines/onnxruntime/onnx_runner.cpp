// One model run: load ONNX Runtime, plan and append execution providers, create the session from the file, check
// the given inputs against the model's declarations (name, element type, shape), run, and copy the outputs out.
#include "engines/onnxruntime/onnx_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "engines/onnxruntime/ort_session.hpp"

namespace ual::onnxruntime {
namespace {

std::string format_declared_shape(const std::vector<std::int64_t>& shape) {
  std::vector<std::string> parts;
  for (const std::int64_t dimension : shape) parts.push_back(dimension < 0 ? "?" : std::to_string(dimension));
  return parts.size() == 1 ? fmt::format("({},)", parts.front()) : fmt::format("({})", fmt::join(parts, ", "));
}

std::filesystem::path default_cache_directory() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "ual";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "ual";
  return {};
}

// Ryzen AI's installer sets RYZEN_AI_INSTALLATION_PATH to a folder named after the release (".../RyzenAI/1.4.0");
// releases up to 1.3 name the NPU overlay in XLNX_VART_FIRMWARE (Ryzen AI "Runtime Setup", 1.2/1.3).
void fill_ryzen_ai_settings(ProviderRequest& request) {
  if (const char* path = std::getenv("RYZEN_AI_INSTALLATION_PATH"); path && *path) {
    std::smatch match;
    const std::string text = path;
    if (std::regex_search(text, match, std::regex(R"((\d+\.\d+)(\.\d+)?[/\\]*$)"))) request.ryzen_ai_release = match[1];
  }
  if (const char* xclbin = std::getenv("XLNX_VART_FIRMWARE"); xclbin && *xclbin) request.xclbin = xclbin;
}

#if UAL_HAVE_ONNXRUNTIME_HEADERS

Status check_inputs(const OnnxRunRequest& request, const std::vector<TensorDeclaration>& declared) {
  const std::string model = request.model_path.filename().string();
  std::vector<std::string> names;
  for (const TensorDeclaration& input : declared) names.push_back(input.name);
  std::set<std::string> given;
  for (const HostTensor& tensor : request.inputs) {
    if (!given.insert(tensor.name).second)
      return make_error(ErrorCode::invalid_argument, fmt::format("input '{}' is given twice", tensor.name));
    const auto found = std::find_if(declared.begin(), declared.end(),
                                    [&](const TensorDeclaration& input) { return input.name == tensor.name; });
    if (found == declared.end())
      return make_error(ErrorCode::invalid_argument, fmt::format("'{}' is not an input of {} (its inputs: {})",
                                                                 tensor.name, model, fmt::join(names, ", ")));
    if (!found->type)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("input '{}' of {} is {}, which ual cannot pass", tensor.name, model, found->type_name));
    if (*found->type != tensor.type)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("input '{}': {} expects {}, got {}", tensor.name, model, found->type_name,
                                    to_string(tensor.type)));
    bool shape_fits = found->shape.size() == tensor.shape.size();
    for (std::size_t axis = 0; shape_fits && axis < tensor.shape.size(); ++axis)
      shape_fits = found->shape[axis] < 0 || found->shape[axis] == tensor.shape[axis];
    if (!shape_fits)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("input '{}': {} expects shape {} (? = any size), got {}", tensor.name, model,
                                    format_declared_shape(found->shape), format_shape(tensor.shape)));
    auto count = tensor.element_count();
    if (!count) return count.error();
    if (*count * element_size(tensor.type) != tensor.data.size())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("input '{}': {} data bytes do not match shape {} of {}", tensor.name,
                                    tensor.data.size(), format_shape(tensor.shape), to_string(tensor.type)));
  }
  for (const TensorDeclaration& input : declared)
    if (!given.count(input.name))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{} needs input '{}' ({}, shape {}), which was not given", model, input.name,
                                    input.type_name, format_declared_shape(input.shape)));
  return ok_status();
}

Result<HostTensor> copy_output(const OrtApi* api, OrtValue* value, const std::string& name) {
  const std::string what = fmt::format("output '{}'", name);
  ONNXType onnx_type = ONNX_TYPE_UNKNOWN;
  if (auto got = check(api, api->GetValueType(value, &onnx_type), what); !got) return got.error();
  if (onnx_type != ONNX_TYPE_TENSOR)
    return make_error(ErrorCode::unavailable, fmt::format("{} is not a tensor (sequences and maps are not supported)", what));
  OrtTensorTypeAndShapeInfo* raw_info = nullptr;
  if (auto got = check(api, api->GetTensorTypeAndShape(value, &raw_info), what); !got) return got.error();
  const TensorInfoOwner info = own<TensorInfoOwner>(api, raw_info);
  ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::size_t rank = 0;
  if (auto got = check(api, api->GetTensorElementType(info.get(), &element), what); !got) return got.error();
  if (auto got = check(api, api->GetDimensionsCount(info.get(), &rank), what); !got) return got.error();
  HostTensor tensor;
  tensor.name = name;
  tensor.shape.resize(rank);
  if (auto got = check(api, api->GetDimensions(info.get(), tensor.shape.data(), rank), what); !got) return got.error();
  const auto type = element_type_from_onnx(element);
  if (!type)
    return make_error(ErrorCode::unavailable,
                      fmt::format("{} has ONNX element type {}, which ual cannot return", what, static_cast<int>(element)));
  tensor.type = *type;
  auto count = tensor.element_count();
  if (!count) return count.error();
  tensor.data.resize(*count * element_size(tensor.type));
  if (tensor.data.empty()) return tensor;
  void* data = nullptr;
  if (auto got = check(api, api->GetTensorMutableData(value, &data), what); !got) return got.error();
  std::memcpy(tensor.data.data(), data, tensor.data.size());
  return tensor;
}

Result<OnnxRunResult> run_session(const OrtRuntime& runtime, const OnnxRunRequest& request) {
  const OrtApi* api = runtime.api;
  OnnxRunResult result;
  result.onnxruntime_version = runtime.version;
  result.library_path = runtime.path;

  OrtEnv* raw_env = nullptr;
  if (auto got = check(api, api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "ual", &raw_env), "CreateEnv"); !got)
    return got.error();
  const EnvOwner env = own<EnvOwner>(api, raw_env);
  OrtSessionOptions* raw_options = nullptr;
  if (auto got = check(api, api->CreateSessionOptions(&raw_options), "CreateSessionOptions"); !got) return got.error();
  const SessionOptionsOwner options = own<SessionOptionsOwner>(api, raw_options);
  if (request.intra_op_threads > 0)
    if (auto got = check(api, api->SetIntraOpNumThreads(options.get(), request.intra_op_threads), "SetIntraOpNumThreads");
        !got)
      return got.error();

  ProviderRequest providers;
  auto available = available_providers(runtime);
  if (!available) return available.error();
  providers.available = std::move(*available);
  if (request.inventory) {
    providers.inventory = *request.inventory;
  } else {
    DiscoveryOptions discovery;
    discovery.probe_runtimes = false;  // only the devices matter here; ORT itself is already loaded
    auto inventory = discover(discovery);
    if (!inventory) return inventory.error();
    providers.inventory = std::move(*inventory);
  }
  providers.policy = request.policy;
  providers.user_options = request.provider_options;
  providers.model_path = request.model_path.string();
  const std::filesystem::path cache = request.cache_directory.empty() ? default_cache_directory() : request.cache_directory;
  providers.cache_directory = cache.string();
  fill_ryzen_ai_settings(providers);
  auto plan = plan_execution_providers(providers);
  if (!plan) return plan.error();
  result.providers = append_providers(runtime, options.get(), *plan);

  OrtSession* raw_session = nullptr;
  if (auto got = check(api, api->CreateSession(env.get(), request.model_path.c_str(), options.get(), &raw_session),
                       fmt::format("{}: ONNX Runtime cannot load the model", request.model_path.string()));
      !got)
    return got.error();
  const SessionOwner session = own<SessionOwner>(api, raw_session);
  auto signature = read_signature(runtime, session.get());
  if (!signature) return signature.error();
  if (auto checked = check_inputs(request, signature->inputs); !checked) return checked.error();

  OrtMemoryInfo* raw_memory = nullptr;
  if (auto got = check(api, api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &raw_memory),
                       "CreateCpuMemoryInfo");
      !got)
    return got.error();
  const MemoryInfoOwner memory = own<MemoryInfoOwner>(api, raw_memory);
  std::vector<ValueOwner> input_values;
  std::vector<const char*> input_names;
  std::vector<const OrtValue*> input_pointers;
  static std::byte empty_tensor_storage[8];  // ORT wants a non-null pointer even for a zero-element tensor
  for (const HostTensor& tensor : request.inputs) {
    OrtValue* raw_value = nullptr;
    // ORT only reads an input tensor's buffer; the C API takes it as void* for both directions.
    void* data = tensor.data.empty() ? empty_tensor_storage : const_cast<std::byte*>(tensor.data.data());
    if (auto got = check(api, api->CreateTensorWithDataAsOrtValue(memory.get(), data, tensor.data.size(),
                                                                  tensor.shape.data(), tensor.shape.size(),
                                                                  onnx_element_type(tensor.type), &raw_value),
                         fmt::format("input '{}'", tensor.name));
        !got)
      return got.error();
    input_values.push_back(own<ValueOwner>(api, raw_value));
    input_names.push_back(tensor.name.c_str());
    input_pointers.push_back(raw_value);
  }

  std::vector<std::string> output_names = request.output_names;
  if (output_names.empty())
    for (const TensorDeclaration& output : signature->outputs) output_names.push_back(output.name);
  std::vector<const char*> output_name_pointers;
  for (const std::string& name : output_names) {
    if (std::none_of(signature->outputs.begin(), signature->outputs.end(),
                     [&](const TensorDeclaration& output) { return output.name == name; }))
      return make_error(ErrorCode::invalid_argument, fmt::format("'{}' is not an output of {}", name,
                                                                 request.model_path.filename().string()));
    output_name_pointers.push_back(name.c_str());
  }
  std::vector<OrtValue*> raw_outputs(output_names.size(), nullptr);
  const auto start = std::chrono::steady_clock::now();
  OrtStatus* run_status = api->Run(session.get(), nullptr, input_names.data(), input_pointers.data(),
                                   input_pointers.size(), output_name_pointers.data(), output_name_pointers.size(),
                                   raw_outputs.data());
  result.run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<ValueOwner> outputs;  // owned before the status is checked: Run may fill some on failure
  for (OrtValue* value : raw_outputs) outputs.push_back(own<ValueOwner>(api, value));
  if (auto ran = check(api, run_status, fmt::format("running {}", request.model_path.filename().string())); !ran)
    return ran.error();
  for (std::size_t index = 0; index < outputs.size(); ++index) {
    auto tensor = copy_output(api, outputs[index].get(), output_names[index]);
    if (!tensor) return tensor.error();
    result.outputs.push_back(std::move(*tensor));
  }
  return result;
}

#endif  // UAL_HAVE_ONNXRUNTIME_HEADERS

}  // namespace

Result<OnnxRunResult> run_onnx_model(const OnnxRunRequest& request) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(request.model_path, error))
    return make_error(ErrorCode::not_found, fmt::format("{}: no such model file", request.model_path.string()));
#if UAL_HAVE_ONNXRUNTIME_HEADERS
  auto runtime = load_onnxruntime();
  if (!runtime) return runtime.error();
  return run_session(**runtime, request);
#else
  (void)fill_ryzen_ai_settings;
  (void)default_cache_directory;
  return make_error(ErrorCode::unavailable, headers_missing_message);
#endif
}

Result<OnnxRuntimeInfo> onnxruntime_info() {
#if UAL_HAVE_ONNXRUNTIME_HEADERS
  auto runtime = load_onnxruntime();
  if (!runtime) return runtime.error();
  auto providers = available_providers(**runtime);
  if (!providers) return providers.error();
  return OnnxRuntimeInfo{(*runtime)->version, (*runtime)->path, (*runtime)->api_version, std::move(*providers)};
#else
  return make_error(ErrorCode::unavailable, headers_missing_message);
#endif
}

}  // namespace ual::onnxruntime
