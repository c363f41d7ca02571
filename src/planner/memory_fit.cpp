#include "planner/memory_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ual::planner {

std::uint64_t parameter_count(const ModelDescription& model) {
  if (model.shape) return model.shape->parameters();
  return model.parameter_count;
}

double weight_bytes_at(const ModelDescription& model, double bits_per_weight) {
  return static_cast<double>(parameter_count(model)) * bits_per_weight / 8.0;
}

double stored_or_estimated_weight_bytes(const ModelDescription& model, double fallback_bits) {
  if (model.weight_bytes > 0) return static_cast<double>(model.weight_bytes);
  return weight_bytes_at(model, fallback_bits);
}

double kv_cache_bytes(const ModelDescription& model, std::uint64_t tokens, double bytes_per_element) {
  if (!model.shape) return 0;
  const sim::ModelSpec& shape = *model.shape;
  return 2.0 * shape.layers * shape.kv_heads * shape.head_dim * static_cast<double>(tokens) * bytes_per_element;
}

int layers_that_fit(const ModelDescription& model, double model_weight_bytes, double available_bytes,
                    std::uint64_t context_tokens, double kv_bytes_per_element) {
  if (!model.shape || model.shape->layers <= 0) return 0;
  const sim::ModelSpec& shape = *model.shape;
  const double parameters = static_cast<double>(std::max<std::uint64_t>(parameter_count(model), 1));
  const double bytes_per_parameter = model_weight_bytes / parameters;
  const double embedding_parameters = static_cast<double>(shape.embedding_parameters());
  const double layer_bytes =
      (parameters - embedding_parameters) / shape.layers * bytes_per_parameter +
      kv_cache_bytes(model, context_tokens, kv_bytes_per_element) / shape.layers;
  const double budget = available_bytes - runtime_overhead_bytes;
  if (budget <= 0 || layer_bytes <= 0) return 0;
  return std::clamp(static_cast<int>(std::floor(budget / layer_bytes)), 0, shape.layers);
}

std::uint64_t planned_context(const ModelDescription& model, int requested) {
  if (requested > 0) return static_cast<std::uint64_t>(requested);
  std::uint64_t model_context = model.context_length;
  if (model_context == 0 && model.shape) model_context = static_cast<std::uint64_t>(model.shape->max_position);
  return model_context == 0 ? 8192 : std::min<std::uint64_t>(model_context, 8192);
}

std::string format_gigabytes(double bytes) {
  const double gigabytes = bytes / 1e9;
  return gigabytes >= 10 ? fmt::format("{:.0f} GB", gigabytes) : fmt::format("{:.1f} GB", gigabytes);
}

}  // namespace ual::planner
