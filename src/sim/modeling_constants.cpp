#include "sim/modeling_constants.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"

namespace ual::sim {
namespace {

ModelingConstants parse_constants() {
  const auto content = data::find_embedded_file("sim/constants.json");
  const char* key = "(file)";
  try {
    if (!content) throw std::runtime_error("not compiled in");
    const auto file = nlohmann::json::parse(*content);
    const auto& table = file.at("constants");
    auto value = [&](const char* name) {
      key = name;
      const double number = table.at(name).at("value").get<double>();
      if (!(number >= 0)) throw std::runtime_error("negative");
      return number;
    };
    ModelingConstants constants;
    constants.gemm_peak_fraction = value("gemm_peak_fraction");
    constants.sustained_clock_fraction = value("sustained_clock_fraction");
    constants.fp8_gemm_peak_fraction_ratio = value("fp8_gemm_peak_fraction_ratio");
    constants.gemm_tile_m = static_cast<int>(value("gemm_tile_m"));
    constants.gemm_tile_n = static_cast<int>(value("gemm_tile_n"));
    constants.gemm_k_overhead = value("gemm_k_overhead");
    constants.small_tile_efficiency = value("small_tile_efficiency");
    constants.memory_peak_fraction = value("memory_peak_fraction");
    constants.memory_half_efficiency_bytes = value("memory_half_efficiency_bytes");
    constants.kernel_overhead_s = value("kernel_overhead_s");
    constants.kernels_per_layer = static_cast<int>(value("kernels_per_layer"));
    constants.step_overhead_s = value("step_overhead_s");
    constants.link_peak_fraction = value("link_peak_fraction");
    constants.runtime_reserved_bytes = value("runtime_reserved_bytes");
    constants.shared_memory_bytes = value("shared_memory_bytes");
    constants.kv_cache_memory_fraction = value("kv_cache_memory_fraction");
    constants.kv_block_tokens = static_cast<int>(value("kv_block_tokens"));
    constants.default_max_num_tokens = static_cast<int>(value("default_max_num_tokens"));
    constants.default_max_batch = static_cast<int>(value("default_max_batch"));
    constants.training_optimizer_bytes_per_parameter = value("training_optimizer_bytes_per_parameter");
    constants.data_parallel_overlap_fraction = value("data_parallel_overlap_fraction");
    if (constants.gemm_tile_m <= 0 || constants.gemm_tile_n <= 0 || constants.kv_block_tokens <= 0 ||
        constants.default_max_num_tokens <= 0 || constants.default_max_batch <= 0)
      throw std::runtime_error("must be positive");
    return constants;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ual: data/sim/constants.json: %s: %s\n", key, error.what());
    std::abort();
  }
}

}  // namespace

const ModelingConstants& modeling_constants() {
  static const ModelingConstants constants = parse_constants();
  return constants;
}

}  // namespace ual::sim
