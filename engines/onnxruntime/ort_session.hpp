// Private to engines/onnxruntime/: a provider plan turned into SessionOptions calls, and the model's declared inputs
// and outputs read from a session.
#pragma once

#include <vector>

#include "onnx_runner.hpp"
#include "ort_api.hpp"

namespace ual::onnxruntime {

#if UAL_HAVE_ONNXRUNTIME_HEADERS

// GetAvailableProviders, with its list released.
Result<std::vector<std::string>> available_providers(const OrtRuntime& runtime);

// Appends each planned provider; one that ORT refuses (its runtime library missing, say) moves to `skipped` with
// ORT's message, and the session falls back to the next.
ProviderReport append_providers(const OrtRuntime& runtime, OrtSessionOptions* options, const ProviderPlan& plan);

std::optional<ElementType> element_type_from_onnx(ONNXTensorElementDataType type);
ONNXTensorElementDataType onnx_element_type(ElementType type);

struct ModelSignature {
  std::vector<TensorDeclaration> inputs;
  std::vector<TensorDeclaration> outputs;
};
Result<ModelSignature> read_signature(const OrtRuntime& runtime, const OrtSession* session);

#endif

}  // namespace ual::onnxruntime
