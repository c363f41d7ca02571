// Precision names and sizes, and parameter counts from a model's shape.
#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "ual/sim.hpp"

namespace ual::sim {

const char* to_string(Precision precision) noexcept {
  switch (precision) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
    case Precision::int4: return "int4";
  }
  return "unknown";
}

Result<Precision> parse_precision(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16, Precision::fp16, Precision::fp8,
                              Precision::int8, Precision::int4})
    if (lower == to_string(precision)) return precision;
  if (lower == "f32" || lower == "float32") return Precision::fp32;
  if (lower == "f16" || lower == "float16" || lower == "half") return Precision::fp16;
  if (lower == "bfloat16") return Precision::bf16;
  if (lower == "e4m3" || lower == "fp8_e4m3") return Precision::fp8;
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("unknown precision '{}' (known: fp32, tf32, bf16, fp16, fp8, int8, int4)", text));
}

double bytes_per_element(Precision precision) noexcept {
  switch (precision) {
    case Precision::fp32:
    case Precision::tf32: return 4;
    case Precision::bf16:
    case Precision::fp16: return 2;
    case Precision::fp8:
    case Precision::int8: return 1;
    case Precision::int4: return 0.5;
  }
  return 2;
}

namespace {
std::uint64_t per_layer_parameters(const ModelSpec& model, int experts_counted) {
  const std::uint64_t hidden = static_cast<std::uint64_t>(model.hidden);
  const std::uint64_t attention = hidden * model.heads * model.head_dim * 2 +    // Q and O
                                  hidden * model.kv_heads * model.head_dim * 2;  // K and V
  const std::uint64_t mlp = (model.gated_mlp ? 3u : 2u) * hidden * model.ffn;
  const std::uint64_t router = model.experts > 0 ? hidden * static_cast<std::uint64_t>(model.experts) : 0;
  return attention + mlp * static_cast<std::uint64_t>(std::max(1, experts_counted)) + router + 2 * hidden;
}
}  // namespace

std::uint64_t ModelSpec::embedding_parameters() const noexcept {
  return static_cast<std::uint64_t>(vocab) * hidden * (tied_embeddings ? 1 : 2);
}

std::uint64_t ModelSpec::parameters() const noexcept {
  return embedding_parameters() + static_cast<std::uint64_t>(layers) * per_layer_parameters(*this, experts) + hidden;
}

std::uint64_t ModelSpec::active_parameters() const noexcept {
  const int routed = experts > 0 ? experts_per_token : 1;
  return embedding_parameters() + static_cast<std::uint64_t>(layers) * per_layer_parameters(*this, routed) + hidden;
}

}  // namespace ual::sim
