// Every OrtApi entry used here is declared in onnxruntime_c_api.h (ORT 1.29); the provider append functions are
// SessionOptionsAppendExecutionProvider (generic, 1.12), ..._CUDA_V2 with Create/Update/ReleaseCUDAProviderOptions
// (1.11), ..._TensorRT_V2 with Create/Update/ReleaseTensorRTProviderOptions, and ..._MIGraphX (1.11) taking the
// legacy OrtMIGraphXProviderOptions struct.
#include "engines/onnxruntime/ort_session.hpp"

#if UAL_HAVE_ONNXRUNTIME_HEADERS

#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace ual::onnxruntime {
namespace {

struct OptionArrays {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  explicit OptionArrays(const ProviderOptions& options) {
    for (const auto& [key, value] : options) {
      keys.push_back(key.c_str());
      values.push_back(value.c_str());
    }
  }
};

std::string short_name(const std::string& full_name) {
  const std::string suffix = "ExecutionProvider";
  return full_name.size() > suffix.size() && full_name.ends_with(suffix)
             ? full_name.substr(0, full_name.size() - suffix.size())
             : full_name;
}

Status append_cuda(const OrtApi* api, OrtSessionOptions* options, const ProviderOptions& provider_options) {
  OrtCUDAProviderOptionsV2* raw = nullptr;
  if (auto created = check(api, api->CreateCUDAProviderOptions(&raw), "CreateCUDAProviderOptions"); !created)
    return created;
  const CudaOptionsOwner cuda = own<CudaOptionsOwner>(api, raw);
  const OptionArrays arrays(provider_options);
  if (auto updated = check(api, api->UpdateCUDAProviderOptions(cuda.get(), arrays.keys.data(), arrays.values.data(),
                                                               arrays.keys.size()),
                           "UpdateCUDAProviderOptions");
      !updated)
    return updated;
  return check(api, api->SessionOptionsAppendExecutionProvider_CUDA_V2(options, cuda.get()),
               "SessionOptionsAppendExecutionProvider_CUDA_V2");
}

Status append_tensorrt(const OrtApi* api, OrtSessionOptions* options, const ProviderOptions& provider_options) {
  OrtTensorRTProviderOptionsV2* raw = nullptr;
  if (auto created = check(api, api->CreateTensorRTProviderOptions(&raw), "CreateTensorRTProviderOptions"); !created)
    return created;
  const TensorRtOptionsOwner tensorrt = own<TensorRtOptionsOwner>(api, raw);
  const OptionArrays arrays(provider_options);
  if (auto updated = check(api, api->UpdateTensorRTProviderOptions(tensorrt.get(), arrays.keys.data(),
                                                                   arrays.values.data(), arrays.keys.size()),
                           "UpdateTensorRTProviderOptions");
      !updated)
    return updated;
  return check(api, api->SessionOptionsAppendExecutionProvider_TensorRT_V2(options, tensorrt.get()),
               "SessionOptionsAppendExecutionProvider_TensorRT_V2");
}

Status append_migraphx(const OrtRuntime& runtime, OrtSessionOptions* options, const ProviderOptions& provider_options) {
  // The struct has grown fields over releases (migraphx_fp8_enable, migraphx_mem_limit, ...), so its layout is this
  // header's: handing it to an older library would shift every field after the first change.
  if (runtime.api_version < ORT_API_VERSION)
    return make_error(ErrorCode::unavailable,
                      fmt::format("OrtMIGraphXProviderOptions is laid out as in ONNX Runtime 1.{}; this library is {}",
                                  ORT_API_VERSION, runtime.version));
  OrtMIGraphXProviderOptions migraphx{};
  migraphx.migraphx_mem_limit = std::numeric_limits<std::size_t>::max();  // the header's default: all memory
  for (const auto& [key, value] : provider_options) {
    char* end = nullptr;
    const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0')
      return make_error(ErrorCode::invalid_argument, fmt::format("MIGraphX option {}={} is not a number", key, value));
    if (key == "device_id") migraphx.device_id = static_cast<int>(number);
    else if (key == "migraphx_fp16_enable") migraphx.migraphx_fp16_enable = number != 0;
    else if (key == "migraphx_fp8_enable") migraphx.migraphx_fp8_enable = number != 0;
    else if (key == "migraphx_int8_enable") migraphx.migraphx_int8_enable = number != 0;
    else if (key == "migraphx_exhaustive_tune") migraphx.migraphx_exhaustive_tune = number != 0;
    else if (key == "migraphx_mem_limit") migraphx.migraphx_mem_limit = static_cast<std::size_t>(number);
  }
  return check(runtime.api, runtime.api->SessionOptionsAppendExecutionProvider_MIGraphX(options, &migraphx),
               "SessionOptionsAppendExecutionProvider_MIGraphX");
}

Result<TensorDeclaration> declaration(const OrtApi* api, const OrtTypeInfo* type_info, std::string name) {
  TensorDeclaration declared;
  declared.name = std::move(name);
  ONNXType onnx_type = ONNX_TYPE_UNKNOWN;
  if (auto got = check(api, api->GetOnnxTypeFromTypeInfo(type_info, &onnx_type), "GetOnnxTypeFromTypeInfo"); !got)
    return got.error();
  if (onnx_type != ONNX_TYPE_TENSOR) {
    declared.type_name = "non-tensor";
    return declared;
  }
  const OrtTensorTypeAndShapeInfo* tensor_info = nullptr;  // borrowed from type_info: not released
  if (auto cast = check(api, api->CastTypeInfoToTensorInfo(type_info, &tensor_info), "CastTypeInfoToTensorInfo"); !cast)
    return cast.error();
  ONNXTensorElementDataType element = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::size_t rank = 0;
  if (auto got = check(api, api->GetTensorElementType(tensor_info, &element), "GetTensorElementType"); !got)
    return got.error();
  if (auto got = check(api, api->GetDimensionsCount(tensor_info, &rank), "GetDimensionsCount"); !got)
    return got.error();
  declared.shape.resize(rank);
  if (auto got = check(api, api->GetDimensions(tensor_info, declared.shape.data(), rank), "GetDimensions"); !got)
    return got.error();
  declared.type = element_type_from_onnx(element);
  declared.type_name = declared.type ? to_string(*declared.type)
                       : element == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING   ? "string"
                       : element == ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 ? "bfloat16"
                                                                           : fmt::format("onnx type {}", int(element));
  return declared;
}

using NameFunction = OrtStatus* (*)(const OrtSession*, size_t, OrtAllocator*, char**);
using TypeFunction = OrtStatus* (*)(const OrtSession*, size_t, OrtTypeInfo**);

Result<std::vector<TensorDeclaration>> declarations(const OrtApi* api, const OrtSession* session,
                                                    OrtStatus* (*count_function)(const OrtSession*, size_t*),
                                                    NameFunction name_function, TypeFunction type_function,
                                                    const char* what) {
  OrtAllocator* allocator = nullptr;  // the default allocator is owned by ORT: never released
  if (auto got = check(api, api->GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions"); !got)
    return got.error();
  std::size_t count = 0;
  if (auto got = check(api, count_function(session, &count), what); !got) return got.error();
  std::vector<TensorDeclaration> result;
  for (std::size_t index = 0; index < count; ++index) {
    char* raw_name = nullptr;
    if (auto got = check(api, name_function(session, index, allocator, &raw_name), what); !got) return got.error();
    auto name = take_allocated_string(api, allocator, raw_name, what);
    if (!name) return name.error();
    OrtTypeInfo* raw_type = nullptr;
    if (auto got = check(api, type_function(session, index, &raw_type), what); !got) return got.error();
    const TypeInfoOwner type_info = own<TypeInfoOwner>(api, raw_type);
    auto declared = declaration(api, type_info.get(), std::move(*name));
    if (!declared) return declared.error();
    result.push_back(std::move(*declared));
  }
  return result;
}

}  // namespace

Result<std::vector<std::string>> available_providers(const OrtRuntime& runtime) {
  const OrtApi* api = runtime.api;
  char** names = nullptr;
  int count = 0;
  if (auto got = check(api, api->GetAvailableProviders(&names, &count), "GetAvailableProviders"); !got)
    return got.error();
  std::vector<std::string> providers(names, names + std::max(count, 0));
  if (auto released = check(api, api->ReleaseAvailableProviders(names, count), "ReleaseAvailableProviders"); !released)
    return released.error();
  return providers;
}

ProviderReport append_providers(const OrtRuntime& runtime, OrtSessionOptions* options, const ProviderPlan& plan) {
  const OrtApi* api = runtime.api;
  ProviderReport report;
  report.skipped = plan.skipped;
  for (const PlannedProvider& provider : plan.providers) {
    Status appended = ok_status();
    switch (provider.method) {
      case AppendMethod::generic: {
        const OptionArrays arrays(provider.options);
        appended = check(api, api->SessionOptionsAppendExecutionProvider(options, short_name(provider.name).c_str(),
                                                                         arrays.keys.data(), arrays.values.data(),
                                                                         arrays.keys.size()),
                         "SessionOptionsAppendExecutionProvider");
        break;
      }
      case AppendMethod::cuda_v2: appended = append_cuda(api, options, provider.options); break;
      case AppendMethod::tensorrt_v2: appended = append_tensorrt(api, options, provider.options); break;
      case AppendMethod::migraphx_struct: appended = append_migraphx(runtime, options, provider.options); break;
      case AppendMethod::implicit_cpu: break;
    }
    if (appended) report.appended.push_back(provider);
    else report.skipped.push_back({provider.name, "ONNX Runtime refused it: " + appended.error().message});
  }
  return report;
}

std::optional<ElementType> element_type_from_onnx(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return ElementType::f32;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: return ElementType::f64;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return ElementType::f16;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8: return ElementType::i8;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: return ElementType::u8;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16: return ElementType::i16;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: return ElementType::u16;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return ElementType::i32;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return ElementType::i64;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: return ElementType::u32;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: return ElementType::u64;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: return ElementType::boolean;
    default: return std::nullopt;
  }
}

ONNXTensorElementDataType onnx_element_type(ElementType type) {
  switch (type) {
    case ElementType::f32: return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
    case ElementType::f64: return ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE;
    case ElementType::f16: return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
    case ElementType::i8: return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8;
    case ElementType::u8: return ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8;
    case ElementType::i16: return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16;
    case ElementType::u16: return ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16;
    case ElementType::i32: return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32;
    case ElementType::i64: return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
    case ElementType::u32: return ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32;
    case ElementType::u64: return ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64;
    case ElementType::boolean: return ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL;
  }
  return ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
}

Result<ModelSignature> read_signature(const OrtRuntime& runtime, const OrtSession* session) {
  const OrtApi* api = runtime.api;
  auto inputs = declarations(api, session, api->SessionGetInputCount, api->SessionGetInputName,
                             api->SessionGetInputTypeInfo, "reading the model's inputs");
  if (!inputs) return inputs.error();
  auto outputs = declarations(api, session, api->SessionGetOutputCount, api->SessionGetOutputName,
                              api->SessionGetOutputTypeInfo, "reading the model's outputs");
  if (!outputs) return outputs.error();
  return ModelSignature{std::move(*inputs), std::move(*outputs)};
}

}  // namespace ual::onnxruntime

#endif  // UAL_HAVE_ONNXRUNTIME_HEADERS
