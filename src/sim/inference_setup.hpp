// Checks an inference deployment (partition, formats, lengths) and sizes it: weights, activations and KV cache per
// GPU, and how many sequences fit.
#pragma once

#include "sim/transformer_step.hpp"
#include "ual/sim.hpp"

namespace ual::sim {

struct InferenceSetup {
  InferenceFormats formats;
  DeviceMemory memory;              // of the fullest GPU
  double kv_bytes_per_sequence = 0; // on the fullest stage's GPU, whole blocks
  int max_batch_that_fits = 0;      // by KV cache
  int max_batch = 0;                // min(fits, engine limit)
  int max_num_tokens = 0;
  int instances = 1;
};

Result<InferenceFormats> inference_formats(const DeviceCosts& device, Precision weights,
                                           std::optional<Precision> kv_cache);

// Fails with the reason when the partition is invalid or the model does not fit (saying by how much).
Result<InferenceSetup> prepare_inference(const ModelSpec& model, const DeviceCosts& device,
                                         const InferenceOptions& options);

}  // namespace ual::sim
