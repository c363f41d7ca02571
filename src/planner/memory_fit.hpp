// Memory arithmetic of the planner: weights at a precision or GGUF quantization, the KV cache of a context, and how
// many layers of a model fit a device (llama.cpp's -ngl for partial offload).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ual/model_file.hpp"

namespace ual::planner {

inline constexpr double gib = 1024.0 * 1024.0 * 1024.0;

// Runtime memory no engine can use for weights or KV cache: CUDA/HIP context, allocator slack, activations of one
// step at a modest token budget. 1.5 GiB matches vLLM's and llama.cpp's typical startup footprint for 7-8B models.
inline constexpr double runtime_overhead_bytes = 1.5 * gib;
// Share of device memory engines allow themselves (vLLM --gpu-memory-utilization default 0.9).
inline constexpr double usable_memory_fraction = 0.9;

// Parameters of the model (from its shape, else what the file stored).
std::uint64_t parameter_count(const ModelDescription& model);

// Bytes of all weights at `bits_per_weight` (16 for bf16, 8.5 for q8_0, 4.9 for q4_k_m, 8 for fp8).
double weight_bytes_at(const ModelDescription& model, double bits_per_weight);

// Bytes of the weights as the file stores them when it has weights (GGUF/ONNX), else at `fallback_bits`.
double stored_or_estimated_weight_bytes(const ModelDescription& model, double fallback_bits);

// KV cache bytes for `tokens` tokens of one sequence (keys and values of every layer); 0 when the shape is unknown.
double kv_cache_bytes(const ModelDescription& model, std::uint64_t tokens, double bytes_per_element);

// Layers whose weights fit in `available_bytes` (after the KV cache of the GPU layers and the overhead), for
// llama.cpp's -ngl; the embedding table stays on the CPU, the output head counts as a layer.
int layers_that_fit(const ModelDescription& model, double model_weight_bytes, double available_bytes,
                    std::uint64_t context_tokens, double kv_bytes_per_element);

// The context a strategy starts the engine with: the user's, else min(the model's, 8192).
std::uint64_t planned_context(const ModelDescription& model, int requested);

std::string format_gigabytes(double bytes);  // "141 GB" (decimal, as the seed and datasheets write it)

}  // namespace ual::planner
