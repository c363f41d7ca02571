// A model's shape from a Hugging Face config.json (the transformers field names, with the GPT-2/OPT spellings).
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sim/catalog_parsing.hpp"

namespace ual::sim {
namespace {

using nlohmann::json;

// Architectures whose MLP is the plain two-matrix kind; every other current decoder (Llama, Mistral, Mixtral,
// Qwen2/3, Gemma, Phi-3, DeepSeek) uses a gated MLP (SwiGLU/GeGLU, three matrices).
const std::set<std::string> plain_mlp_model_types = {"gpt2",  "gpt_neox", "gptj",   "opt",        "bloom",
                                                     "falcon", "phi",     "gpt_bigcode", "starcoder2", "mpt"};
// transformers' PretrainedConfig ties embeddings unless told otherwise; Llama-family configs default to untied.
const std::set<std::string> untied_by_default_model_types = {"llama", "mistral", "mixtral", "qwen2", "qwen3",
                                                             "qwen2_moe", "qwen3_moe", "phi3", "deepseek_v3"};

const json* first_field(const json& config, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto found = config.find(name);
    if (found != config.end() && !found->is_null()) return &*found;
  }
  return nullptr;
}

int required_int(const json& config, std::initializer_list<const char*> names, std::string_view origin) {
  const json* field = first_field(config, names);
  if (!field) {
    std::string spelled;
    for (const char* name : names) spelled += (spelled.empty() ? "" : " or ") + std::string(name);
    throw std::runtime_error(fmt::format("{} has no {}", origin, spelled));
  }
  if (!field->is_number_integer() || field->get<std::int64_t>() < 0 || field->get<std::int64_t>() > 100'000'000)
    throw std::runtime_error(
        fmt::format("{}: {} is not an integer from 0 to 100,000,000", origin, *names.begin()));
  return field->get<int>();
}

int optional_int(const json& config, std::initializer_list<const char*> names, int fallback) {
  const json* field = first_field(config, names);
  if (!field || !field->is_number_integer()) return fallback;
  const auto value = field->get<std::int64_t>();
  if (value < 0 || value > 100'000'000) throw std::runtime_error(fmt::format("{} is out of range", *names.begin()));
  return static_cast<int>(value);
}

}  // namespace

Result<ModelSpec> parse_hugging_face_config(std::string_view text, std::string_view origin) {
  json root = json::parse(text, nullptr, false);
  if (root.is_discarded() || !root.is_object())
    return make_error(ErrorCode::parse_error, fmt::format("{} is not a JSON object", origin));
  // Multimodal configs keep the language model's shape in text_config.
  const json& config = root.contains("text_config") && root["text_config"].is_object() ? root["text_config"] : root;
  try {
    ModelSpec model;
    model.id = std::string(origin);
    const std::string model_type = config.value("model_type", root.value("model_type", std::string()));
    model.name = model_type.empty() ? std::string(origin) : fmt::format("{} ({})", model_type, origin);
    model.hidden = required_int(config, {"hidden_size", "n_embd", "d_model"}, origin);
    model.layers = required_int(config, {"num_hidden_layers", "n_layer", "num_layers"}, origin);
    model.heads = required_int(config, {"num_attention_heads", "n_head"}, origin);
    model.vocab = required_int(config, {"vocab_size"}, origin);
    const bool multi_query = config.value("multi_query", false);
    model.kv_heads = optional_int(config, {"num_key_value_heads", "num_kv_heads"}, multi_query ? 1 : model.heads);
    model.head_dim = optional_int(config, {"head_dim"}, model.heads > 0 ? model.hidden / model.heads : 0);
    model.experts = optional_int(config, {"num_local_experts", "num_experts", "n_routed_experts"}, 0);
    model.experts_per_token = optional_int(config, {"num_experts_per_tok", "moe_topk"}, model.experts > 0 ? 2 : 0);
    const int dense_ffn = optional_int(config, {"intermediate_size", "n_inner", "ffn_dim"}, 4 * model.hidden);
    model.ffn = model.experts > 0 ? optional_int(config, {"moe_intermediate_size"}, dense_ffn) : dense_ffn;
    model.gated_mlp = !plain_mlp_model_types.contains(model_type);
    const bool tied_default = !untied_by_default_model_types.contains(model_type);
    // transformers reads the text model's own value first (a multimodal config may differ at the root).
    const json* tied = first_field(config, {"tie_word_embeddings"});
    if (!tied) tied = first_field(root, {"tie_word_embeddings"});
    model.tied_embeddings = tied && tied->is_boolean() ? tied->get<bool>() : tied_default;
    model.max_position = optional_int(config, {"max_position_embeddings", "n_positions", "seq_length"}, 0);
    model.sources["shape"] = fmt::format("{} (Hugging Face config.json)", origin);
    if (auto valid = validate_model_shape(model, origin); !valid) return valid.error();
    return model;
  } catch (const std::exception& error) {
    return make_error(ErrorCode::invalid_argument, error.what());
  }
}

Result<ModelSpec> load_hugging_face_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return make_error(ErrorCode::not_found,
                      fmt::format("cannot read model config {} (a --model is a catalog id or a config.json path)",
                                  path));
  std::ostringstream content;
  content << file.rdbuf();
  if (content.str().size() > (64u << 20))
    return make_error(ErrorCode::invalid_argument, fmt::format("{} is larger than 64 MiB: not a config.json", path));
  return parse_hugging_face_config(content.str(), path);
}

}  // namespace ual::sim
