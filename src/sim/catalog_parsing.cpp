#include "sim/catalog_parsing.hpp"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace ual::sim {
namespace {

using nlohmann::json;

Link parse_link(const json& object) {
  Link link;
  if (object.is_null()) return link;
  link.name = object.value("name", std::string());
  link.bytes_per_s_per_direction = object.value("bytes_per_s_per_direction", 0.0);
  link.latency_s = object.value("latency_s", 0.0);
  link.max_devices = object.value("max_devices", 0);
  return link;
}

double positive_number(const json& object, const char* key) {
  const double value = object.at(key).get<double>();
  if (!std::isfinite(value) || value < 0) throw std::runtime_error(fmt::format("{} must be a number >= 0", key));
  return value;
}

}  // namespace

Result<HardwareSpec> parse_hardware_json(std::string_view text, std::string_view origin) {
  try {
    const json file = json::parse(text);
    HardwareSpec spec;
    spec.id = file.at("id").get<std::string>();
    spec.name = file.at("name").get<std::string>();
    spec.kind = file.at("kind").get<std::string>();
    spec.vendor = file.at("vendor").get<std::string>();
    spec.arch = file.value("arch", std::string());
    for (const auto& [name, tflops] : file.at("peak_tflops").items()) {
      if (tflops.is_null()) continue;
      auto precision = parse_precision(name);
      if (!precision) throw std::runtime_error(precision.error().message);
      const double value = tflops.get<double>();
      if (!std::isfinite(value) || value < 0) throw std::runtime_error("peak_tflops." + name + " must be >= 0");
      if (value > 0) spec.peak_flops[*precision] = value * 1e12;
    }
    spec.memory_bytes = static_cast<std::uint64_t>(positive_number(file, "memory_bytes"));
    spec.memory_bytes_per_s = positive_number(file, "memory_bytes_per_s");
    spec.l2_bytes = static_cast<std::uint64_t>(file.value("l2_bytes", 0.0));
    spec.compute_units = file.value("compute_units", 0);
    spec.clock_mhz = file.value("clock_mhz", 0.0);
    spec.power_watts = file.value("power_watts", 0.0);
    if (file.contains("scale_up")) spec.scale_up = parse_link(file.at("scale_up"));
    if (file.contains("scale_out")) spec.scale_out = parse_link(file.at("scale_out"));
    if (file.contains("host_link")) spec.host_link = parse_link(file.at("host_link"));
    spec.gemm_peak_fraction = file.value("gemm_peak_fraction", 0.0);
    spec.memory_peak_fraction = file.value("memory_peak_fraction", 0.0);
    if (file.contains("sources"))
      for (const auto& [field, source] : file.at("sources").items())
        if (source.is_string()) spec.sources[field] = source.get<std::string>();
    if (spec.peak_flops.empty()) throw std::runtime_error("no peak_tflops above zero");
    if (spec.memory_bytes_per_s <= 0) throw std::runtime_error("memory_bytes_per_s must be > 0");
    if (spec.gemm_peak_fraction > 1 || spec.memory_peak_fraction > 1)
      throw std::runtime_error("achievable fractions must be <= 1");
    return spec;
  } catch (const std::exception& error) {
    return make_error(ErrorCode::parse_error, fmt::format("{}: {}", origin, error.what()));
  }
}

Status validate_model_shape(const ModelSpec& model, std::string_view origin) {
  auto fail = [&](std::string message) {
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: {}", origin, message));
  };
  if (model.layers <= 0 || model.hidden <= 0 || model.heads <= 0 || model.kv_heads <= 0 || model.head_dim <= 0 ||
      model.ffn <= 0 || model.vocab <= 0)
    return fail(fmt::format("layers ({}), hidden ({}), heads ({}), kv heads ({}), head dim ({}), ffn ({}) and "
                            "vocab ({}) must all be positive",
                            model.layers, model.hidden, model.heads, model.kv_heads, model.head_dim, model.ffn,
                            model.vocab));
  if (model.heads % model.kv_heads != 0)
    return fail(fmt::format("{} attention heads are not a multiple of {} KV heads", model.heads, model.kv_heads));
  if (model.experts < 0 || (model.experts > 0 && (model.experts_per_token <= 0 ||
                                                  model.experts_per_token > model.experts)))
    return fail(fmt::format("{} experts with {} per token is not a valid mixture of experts", model.experts,
                            model.experts_per_token));
  if (model.layers > 100000 || model.hidden > 1000000 || model.vocab > 100000000 || model.ffn > 10000000)
    return fail("sizes are implausibly large");
  return ok_status();
}

Result<ModelSpec> parse_model_json(std::string_view text, std::string_view origin) {
  try {
    const json file = json::parse(text);
    ModelSpec model;
    model.id = file.at("id").get<std::string>();
    model.name = file.value("name", model.id);
    for (const char* key : {"layers", "hidden", "heads", "kv_heads", "head_dim", "ffn", "vocab", "experts",
                            "experts_per_token", "max_position"})
      if (file.contains(key) && (!file.at(key).is_number_integer() || file.at(key).get<std::int64_t>() < 0 ||
                                 file.at(key).get<std::int64_t>() > 100'000'000))
        throw std::runtime_error(fmt::format("{} must be an integer from 0 to 100,000,000", key));
    model.layers = file.at("layers").get<int>();
    model.hidden = file.at("hidden").get<int>();
    model.heads = file.at("heads").get<int>();
    model.kv_heads = file.value("kv_heads", model.heads);
    model.head_dim = file.value("head_dim", model.heads > 0 ? model.hidden / model.heads : 0);
    model.ffn = file.at("ffn").get<int>();
    model.gated_mlp = file.value("gated_mlp", true);
    model.vocab = file.at("vocab").get<int>();
    model.tied_embeddings = file.value("tied_embeddings", false);
    model.experts = file.value("experts", 0);
    model.experts_per_token = file.value("experts_per_token", 0);
    model.max_position = file.value("max_position", 0);
    model.published_parameters = file.value("published_parameters", std::uint64_t{0});
    if (file.contains("hugging_face_repo") && file.at("hugging_face_repo").is_string())  // null: not published
      model.hugging_face_repo = file.at("hugging_face_repo").get<std::string>();
    if (file.contains("sources"))
      for (const auto& [field, source] : file.at("sources").items())
        if (source.is_string()) model.sources[field] = source.get<std::string>();
    if (auto valid = validate_model_shape(model, origin); !valid) return valid.error();
    return model;
  } catch (const std::exception& error) {
    return make_error(ErrorCode::parse_error, fmt::format("{}: {}", origin, error.what()));
  }
}

}  // namespace ual::sim
