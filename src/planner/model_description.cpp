// describe_model: a catalog id or a path, recognized by content (GGUF magic, an ONNX ModelProto with a graph, a
// Hugging Face config.json), and the description's JSON form. Also the helpers the readers share.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "planner/gguf_reader.hpp"
#include "planner/onnx_reader.hpp"
#include "ual/model_file.hpp"

namespace ual {
namespace planner {

Result<std::string> read_file_prefix(const std::filesystem::path& path, std::uint64_t max_bytes,
                                     std::uint64_t& file_size) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status))
    return make_error(ErrorCode::not_found, fmt::format("{}: no such file", path.string()));
  if (!std::filesystem::is_regular_file(status))
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: not a regular file", path.string()));
  file_size = std::filesystem::file_size(path, error);
  if (error) return make_error(ErrorCode::io_error, fmt::format("{}: {}", path.string(), error.message()));
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return make_error(ErrorCode::io_error, fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  std::string bytes(static_cast<std::size_t>(std::min(file_size, max_bytes)), '\0');
  file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::size_t>(file.gcount()) != bytes.size())
    return make_error(ErrorCode::io_error, fmt::format("{}: read {} of {} bytes", path.string(), file.gcount(),
                                                       bytes.size()));
  return bytes;
}

std::string catalog_id_for_shape(const sim::ModelSpec& shape) {
  for (const std::string& id : sim::model_ids()) {
    auto entry = sim::find_model(id);
    if (!entry) continue;
    if (entry->layers == shape.layers && entry->hidden == shape.hidden && entry->heads == shape.heads &&
        entry->kv_heads == shape.kv_heads && entry->ffn == shape.ffn && entry->vocab == shape.vocab &&
        entry->experts == shape.experts)
      return id;
  }
  return {};
}

std::string model_id_from_origin(std::string_view origin) {
  const std::filesystem::path path{std::string(origin)};
  if (path.filename() == "config.json" && path.has_parent_path() && !path.parent_path().filename().empty())
    return path.parent_path().filename().string();
  return path.stem().string();
}

}  // namespace planner

const char* to_string(ModelFormat format) noexcept {
  switch (format) {
    case ModelFormat::catalog: return "catalog";
    case ModelFormat::hugging_face_config: return "hugging_face_config";
    case ModelFormat::gguf: return "gguf";
    case ModelFormat::onnx: return "onnx";
  }
  return "unknown";
}

namespace {

namespace fs = std::filesystem;

bool ends_with_any(std::string_view text, std::initializer_list<std::string_view> suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(), [&](std::string_view suffix) { return text.ends_with(suffix); });
}

ModelDescription describe_shape(const sim::ModelSpec& spec, ModelFormat format) {
  ModelDescription model;
  model.format = format;
  model.name = spec.name;
  model.parameter_count = spec.parameters();
  model.context_length = spec.max_position > 0 ? static_cast<std::uint64_t>(spec.max_position) : 0;
  model.shape = spec;
  return model;
}

Result<ModelDescription> describe_config(const std::string& text, const std::string& origin) {
  auto spec = sim::parse_hugging_face_config(text, origin);
  if (!spec) return make_error(ErrorCode::parse_error, spec.error().message);
  ModelDescription model = describe_shape(*spec, ModelFormat::hugging_face_config);
  model.id = planner::model_id_from_origin(origin);
  model.path = origin;
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_object()) {
    // Multimodal configs (Gemma 3, Llama 4) keep the language model's type under text_config.
    for (const auto* object : {&json, json.contains("text_config") ? &json["text_config"] : nullptr})
      if (object && object->is_object() && object->contains("model_type") && (*object)["model_type"].is_string() &&
          model.architecture.empty())
        model.architecture = (*object)["model_type"].get<std::string>();
  }
  model.catalog_id = planner::catalog_id_for_shape(*spec);
  return model;
}

bool looks_like_json(std::string_view bytes) {
  const auto first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

Result<ModelDescription> describe_file(const fs::path& path) {
  const std::string origin = path.string();
  constexpr std::uint64_t kMaxOnnxBytes = 4ull << 30;
  std::uint64_t file_size = 0;
  auto head = planner::read_file_prefix(path, 4, file_size);
  if (!head) return head.error();
  if (planner::has_gguf_magic(*head)) return read_gguf_model(path);
  if (ends_with_any(origin, {".gguf"}))
    return make_error(ErrorCode::parse_error, fmt::format("{}: not a GGUF file (no \"GGUF\" magic)", origin));
  if (file_size > kMaxOnnxBytes)
    return make_error(ErrorCode::parse_error,
                      fmt::format("{}: {} bytes and not a GGUF file; ONNX files over 4 GiB are not read (ONNX "
                                  "keeps weights that large in external data files)", origin, file_size));
  auto bytes = planner::read_file_prefix(path, kMaxOnnxBytes, file_size);
  if (!bytes) return bytes.error();
  if (looks_like_json(*bytes)) return describe_config(*bytes, origin);
  auto onnx = parse_onnx_model(*bytes, origin);
  if (onnx || ends_with_any(origin, {".onnx", ".ort"})) return onnx;
  return make_error(ErrorCode::parse_error,
                    fmt::format("{}: not a GGUF file, an ONNX model or a Hugging Face config.json (as ONNX: {})",
                                origin, onnx.error().message));
}

}  // namespace

Result<ModelDescription> describe_model(std::string_view id_or_path) {
  if (id_or_path.empty()) return make_error(ErrorCode::invalid_argument, "no model given (a catalog id or a path)");
  const fs::path path{std::string(id_or_path)};
  std::error_code error;
  if (fs::is_directory(path, error)) {
    const fs::path config = path / "config.json";
    if (!fs::exists(config, error))
      return make_error(ErrorCode::not_found, fmt::format("{}: a folder without a config.json", path.string()));
    return describe_file(config);
  }
  if (fs::exists(path, error)) return describe_file(path);
  const bool looks_like_path = id_or_path.find('/') != std::string_view::npos ||
                               ends_with_any(id_or_path, {".gguf", ".onnx", ".json", ".ort"});
  if (looks_like_path) return make_error(ErrorCode::not_found, fmt::format("{}: no such file", id_or_path));
  auto spec = sim::find_model(id_or_path);
  if (!spec) {
    const auto ids = sim::model_ids();
    const std::vector<std::string> some(ids.begin(), ids.begin() + std::min<std::size_t>(ids.size(), 6));
    return make_error(ErrorCode::not_found,
                      fmt::format("unknown model '{}': not a file, and not a catalog id (known: {}{}; `ual sim "
                                  "catalog` lists them all)", id_or_path, fmt::join(some, ", "),
                                  ids.size() > some.size() ? ", ..." : ""));
  }
  ModelDescription model = describe_shape(*spec, ModelFormat::catalog);
  model.id = spec->id;
  model.catalog_id = spec->id;
  return model;
}

std::string to_json(const ModelDescription& model, int indent) {
  using json = nlohmann::ordered_json;
  json out{{"id", model.id}, {"format", to_string(model.format)}, {"path", model.path}, {"name", model.name},
           {"architecture", model.architecture}};
  if (model.shape) {
    const sim::ModelSpec& s = *model.shape;
    out["shape"] = json{{"id", s.id}, {"name", s.name}, {"layers", s.layers}, {"hidden", s.hidden},
                        {"heads", s.heads}, {"kv_heads", s.kv_heads}, {"head_dim", s.head_dim}, {"ffn", s.ffn},
                        {"gated_mlp", s.gated_mlp}, {"vocab", s.vocab}, {"tied_embeddings", s.tied_embeddings},
                        {"experts", s.experts}, {"experts_per_token", s.experts_per_token},
                        {"max_position", s.max_position}, {"published_parameters", s.published_parameters},
                        {"parameters", s.parameters()}, {"sources", s.sources}};
  } else {
    out["shape"] = nullptr;
  }
  out["catalog_id"] = model.catalog_id;
  out["parameter_count"] = model.parameter_count;
  out["weight_bytes"] = model.weight_bytes;
  out["weight_type"] = model.weight_type;
  out["tensor_types"] = model.tensor_types;
  out["context_length"] = model.context_length;
  if (model.format == ModelFormat::onnx) {
    auto tensors = [](const std::vector<ModelTensorInfo>& infos) {
      json list = json::array();
      for (const ModelTensorInfo& info : infos)
        list.push_back({{"name", info.name}, {"element_type", info.element_type}, {"shape", info.shape}});
      return list;
    };
    out["ir_version"] = model.ir_version;
    out["opsets"] = model.opsets;
    out["operators"] = model.operators;
    out["inputs"] = tensors(model.inputs);
    out["outputs"] = tensors(model.outputs);
    out["external_data_bytes"] = model.external_data_bytes;
  }
  out["notes"] = model.notes;
  // Names come from the file: replace invalid UTF-8 rather than throw.
  return out.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace ual
