// HopperSim's shared constants (data/sim/constants.json): achievable fractions and overheads, few and named, used
// by every prediction. Parsed once from the compiled-in data.
#pragma once

#include <cstdint>

namespace ual::sim {

struct ModelingConstants {
  double gemm_peak_fraction = 0;
  double sustained_clock_fraction = 0;
  double fp8_gemm_peak_fraction_ratio = 0;
  int gemm_tile_m = 0;
  int gemm_tile_n = 0;
  double gemm_k_overhead = 0;
  double small_tile_efficiency = 0;
  double memory_peak_fraction = 0;
  double memory_half_efficiency_bytes = 0;
  double kernel_overhead_s = 0;
  int kernels_per_layer = 0;
  double step_overhead_s = 0;
  double link_peak_fraction = 0;
  double runtime_reserved_bytes = 0;
  double shared_memory_bytes = 0;
  double kv_cache_memory_fraction = 0;
  int kv_block_tokens = 0;
  int default_max_num_tokens = 0;
  int default_max_batch = 0;
  double training_optimizer_bytes_per_parameter = 0;
  double data_parallel_overlap_fraction = 0;
};

// The compiled-in constants. The data file is part of the build, so a malformed one is a build error that the unit
// tests catch; this aborts with the file and key named rather than running with zeros.
const ModelingConstants& modeling_constants();

}  // namespace ual::sim
