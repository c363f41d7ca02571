// describe_model: a catalog id or a path, recognized by content (GGUF magic, an ONNX ModelProto with a graph, a
// Hugging Face config.json), and the description's JSON form. Also what the readers share, and a parsed GGUF header
// turned into a description (the transformer's shape from its `<arch>.*` keys).
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <map>
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

// --- GGUF headers as descriptions ---

namespace {

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

const MetadataValue* find_metadata(const GgufHeader& header, const std::string& key) {
  const auto found = header.metadata.find(key);
  return found == header.metadata.end() ? nullptr : &found->second;
}

std::optional<std::uint64_t> metadata_unsigned(const GgufHeader& header, const std::string& key) {
  const MetadataValue* value = find_metadata(header, key);
  return value ? value->as_unsigned() : std::nullopt;
}

const GgufTensor* find_tensor(const GgufHeader& header, std::string_view name) {
  for (const GgufTensor& tensor : header.tensors)
    if (tensor.name == name) return &tensor;
  return nullptr;
}

bool any_tensor_contains(const GgufHeader& header, std::string_view part) {
  return std::any_of(header.tensors.begin(), header.tensors.end(),
                     [&](const GgufTensor& tensor) { return tensor.name.find(part) != std::string::npos; });
}

// The transformer's shape from the `<arch>.*` keys (docs/gguf.md "LLM" section; llama.cpp's LLM_KV names).
std::optional<sim::ModelSpec> gguf_shape(const GgufHeader& header, ModelDescription& model) {
  const std::string& arch = model.architecture;
  if (arch.empty()) {
    model.notes.push_back("no general.architecture: the transformer shape is unknown");
    return std::nullopt;
  }
  bool unusable = false;
  auto count = [&](const char* suffix) -> std::optional<int> {
    const std::string key = arch + "." + suffix;
    const MetadataValue* value = find_metadata(header, key);
    if (value == nullptr) return std::nullopt;
    const auto number = value->as_unsigned();
    if (number && *number <= INT_MAX) return static_cast<int>(*number);
    model.notes.push_back(fmt::format("{} is {}: the transformer shape is left out", key,
                                      value->type == kGgufArray ? "an array (one value per layer)"
                                                                : "not a count below 2^31"));
    unusable = true;
    return std::nullopt;
  };
  const auto layers = count("block_count"), hidden = count("embedding_length"),
             heads = count("attention.head_count"), kv_heads = count("attention.head_count_kv"),
             key_length = count("attention.key_length"), ffn = count("feed_forward_length"),
             expert_ffn = count("expert_feed_forward_length"), experts = count("expert_count"),
             experts_used = count("expert_used_count"), vocab_key = count("vocab_size");
  if (unusable) return std::nullopt;
  if (!layers || !hidden || !heads || *heads == 0) {
    model.notes.push_back(fmt::format("no {0}.block_count, {0}.embedding_length and {0}.attention.head_count: the "
                                      "transformer shape is unknown", arch));
    return std::nullopt;
  }
  sim::ModelSpec spec;
  spec.id = model.path.empty() ? model.id : model.path;
  spec.name = model.name.empty() ? model.id : model.name;
  spec.layers = *layers;
  spec.hidden = *hidden;
  spec.heads = *heads;
  spec.kv_heads = kv_heads.value_or(*heads);
  spec.head_dim = key_length.value_or(*hidden / *heads);
  spec.experts = experts.value_or(0);
  spec.experts_per_token = experts_used.value_or(0);
  spec.ffn = spec.experts > 0 && expert_ffn ? *expert_ffn : ffn.value_or(0);
  spec.max_position = static_cast<int>(std::min<std::uint64_t>(model.context_length, INT_MAX));
  if (const MetadataValue* tokens = find_metadata(header, "tokenizer.ggml.tokens");
      tokens != nullptr && tokens->type == kGgufArray && tokens->array_length <= INT_MAX) {
    spec.vocab = static_cast<int>(tokens->array_length);
  } else if (vocab_key) {
    spec.vocab = *vocab_key;
  } else if (const GgufTensor* embedding = find_tensor(header, "token_embd.weight");
             embedding != nullptr && embedding->dims.size() >= 2 && embedding->dims[1] <= INT_MAX) {
    spec.vocab = static_cast<int>(embedding->dims[1]);
  }
  // Tensor names (llama.cpp LLM_TENSOR_*): a gate projection means a gated MLP; no output.weight beside
  // token_embd.weight means the output head reuses the embedding.
  if (any_tensor_contains(header, ".ffn_gate")) spec.gated_mlp = true;
  else if (any_tensor_contains(header, ".ffn_up")) spec.gated_mlp = false;
  spec.tied_embeddings = find_tensor(header, "token_embd.weight") && !find_tensor(header, "output.weight");
  spec.sources["shape"] = fmt::format("{} (GGUF metadata)", model.path.empty() ? model.id : model.path);
  return spec;
}

}  // namespace

ModelDescription describe_gguf(const GgufHeader& header, std::string_view origin) {
  ModelDescription model;
  model.format = ModelFormat::gguf;
  model.id = model_id_from_origin(origin);
  model.path = std::string(origin);
  if (const MetadataValue* name = find_metadata(header, "general.name"); name && name->type == kGgufString)
    model.name = name->text;
  if (const MetadataValue* arch = find_metadata(header, "general.architecture"); arch && arch->type == kGgufString)
    model.architecture = arch->text;
  if (!model.architecture.empty())
    model.context_length = metadata_unsigned(header, model.architecture + ".context_length").value_or(0);

  std::map<std::string, std::uint64_t> elements_by_type;
  std::map<std::uint32_t, std::uint64_t> unknown_types;
  for (const GgufTensor& tensor : header.tensors) {
    model.parameter_count = saturating_add(model.parameter_count, tensor.elements);
    const GgmlTypeTraits* traits = ggml_type_traits(tensor.type);
    if (traits == nullptr) {
      ++unknown_types[tensor.type];
      continue;
    }
    model.weight_bytes = saturating_add(model.weight_bytes, tensor.bytes);
    ++model.tensor_types[traits->name];
    elements_by_type[traits->name] = saturating_add(elements_by_type[traits->name], tensor.elements);
  }
  for (const auto& [type, count] : unknown_types)
    model.notes.push_back(fmt::format("{} tensors of ggml type {}, which this reader does not know: weight_bytes "
                                      "leaves them out", count, type));

  if (const auto file_type = metadata_unsigned(header, "general.file_type")) {
    if (const char* name = file_type <= UINT32_MAX ? llama_file_type_name(static_cast<std::uint32_t>(*file_type))
                                                   : nullptr)
      model.weight_type = name;
    else
      model.notes.push_back(fmt::format("general.file_type {} is not a llama.cpp file type this reader knows",
                                        *file_type));
  }
  if (model.weight_type.empty() && !elements_by_type.empty())
    model.weight_type = std::max_element(elements_by_type.begin(), elements_by_type.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; })->first;
  if (const auto splits = metadata_unsigned(header, "split.count"); splits && *splits > 1)
    model.notes.push_back(fmt::format("part {} of a model split in {} files: the tensor counts are this part's",
                                      metadata_unsigned(header, "split.no").value_or(0) + 1, *splits));

  model.shape = gguf_shape(header, model);
  if (model.shape) model.catalog_id = catalog_id_for_shape(*model.shape);
  return model;
}

void note_missing_tensor_data(ModelDescription& model, const GgufHeader& header, std::uint64_t file_size) {
  // docs/gguf.md: the data section starts at the header's end rounded up to the alignment; offsets are relative
  // to it.
  const std::uint64_t alignment = header.alignment;
  std::uint64_t end = saturating_add(header.header_bytes, (alignment - header.header_bytes % alignment) % alignment);
  const std::uint64_t data_start = end;
  for (const GgufTensor& tensor : header.tensors)
    end = std::max(end, saturating_add(data_start, saturating_add(tensor.offset, tensor.bytes)));
  if (file_size < end)
    model.notes.push_back(fmt::format("the file has {} bytes but its tensor data ends at byte {}: a header-only "
                                      "copy or an incomplete download", file_size, end));
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
