// What a model is, read from whatever the user points at: a simulator catalog id, a Hugging Face config.json, a
// GGUF file (header metadata only: weights are never loaded) or an ONNX file (graph, operators, initializer bytes).
// The planner reasons about this description; the readers never trust sizes or counts in a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"
#include "ual/sim.hpp"

namespace ual {

enum class ModelFormat { catalog, hugging_face_config, gguf, onnx };
UAL_API const char* to_string(ModelFormat format) noexcept;  // "catalog", "hugging_face_config", "gguf", "onnx"

// One named tensor input or output of an ONNX graph.
struct ModelTensorInfo {
  std::string name;
  std::string element_type;         // "float", "float16", "int64", ... (ONNX TensorProto.DataType names, lower case)
  std::vector<std::int64_t> shape;  // -1 for a symbolic or unknown dimension
};

struct ModelDescription {
  std::string id;          // catalog id, or the file's stem ("Llama-3.2-1B-Instruct-Q4_K_M")
  ModelFormat format = ModelFormat::catalog;
  std::string path;        // the file read (empty for catalog ids)
  std::string name;        // general.name (GGUF), graph name (ONNX), catalog name
  std::string architecture;  // llama, qwen2, gemma3, ... (GGUF general.architecture, HF model_type); "onnx" graphs
  // The transformer's shape where the source says it (catalog, config.json, GGUF's <arch>.* keys); the simulator and
  // the memory-fit rules use it. Absent for ONNX graphs and GGUF files of architectures without those keys.
  std::optional<sim::ModelSpec> shape;
  std::string catalog_id;  // the simulator catalog entry this model is (by id, or by matching shape); empty if none
  std::uint64_t parameter_count = 0;  // weights' elements (GGUF: summed from tensor shapes; ONNX: initializers)
  std::uint64_t weight_bytes = 0;     // bytes of weights as stored (0: not stored, e.g. catalog ids and configs)
  // Storage type of the weights: "bf16", "f16", "q4_k_m", "q8_0", ... (GGUF general.file_type or the dominant tensor
  // type; ONNX the dominant initializer type). Empty when the source has no weights.
  std::string weight_type;
  std::map<std::string, std::uint64_t> tensor_types;  // GGUF/ONNX: tensor type name -> number of tensors
  std::uint64_t context_length = 0;                   // GGUF <arch>.context_length, config max_position_embeddings
  // ONNX only.
  std::int64_t ir_version = 0;
  std::map<std::string, std::int64_t> opsets;          // domain ("" = ai.onnx) -> version
  std::map<std::string, std::uint64_t> operators;      // op type -> count of nodes
  std::vector<ModelTensorInfo> inputs, outputs;        // graph inputs that are not initializers; outputs
  std::uint64_t external_data_bytes = 0;               // initializers stored outside the .onnx file
  std::vector<std::string> notes;                      // what the reader could not use, one sentence each
};

// A catalog id ("llama-3.1-8b"), or a path: *.gguf, *.onnx, config.json (or a directory holding one). The format is
// recognized by content (GGUF magic, ONNX protobuf) before extension. Errors name the file and what is wrong with it.
UAL_API Result<ModelDescription> describe_model(std::string_view id_or_path);

// The readers, for callers that know the format. Sizes beyond the file (a tensor count of 2^60, a string longer than
// the file) are parse errors, never allocations.
UAL_API Result<ModelDescription> read_gguf_model(const std::filesystem::path& path);
UAL_API Result<ModelDescription> parse_gguf_header(std::string_view bytes, std::string_view origin);
UAL_API Result<ModelDescription> read_onnx_model(const std::filesystem::path& path);
UAL_API Result<ModelDescription> parse_onnx_model(std::string_view bytes, std::string_view origin);

UAL_API std::string to_json(const ModelDescription& model, int indent = 2);

}  // namespace ual
