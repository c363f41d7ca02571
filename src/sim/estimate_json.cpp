// The JSON forms of HopperSim's answers. Field names are a contract (README, C ABI, Python): add, never rename.
#include <nlohmann/json.hpp>

#include "ual/sim.hpp"

namespace ual::sim {
namespace {

using json = nlohmann::ordered_json;

const char* to_string(InferenceMode mode) {
  switch (mode) {
    case InferenceMode::batch: return "batch";
    case InferenceMode::offline: return "offline";
    case InferenceMode::request_rate: return "request_rate";
  }
  return "unknown";
}

const char* to_string(Recompute recompute) {
  switch (recompute) {
    case Recompute::none: return "none";
    case Recompute::selective: return "selective";
    case Recompute::full: return "full";
  }
  return "unknown";
}

}  // namespace

std::string to_json_text(const ModelSpec& model, const HardwareSpec& hardware, const InferenceOptions& options,
                         const InferenceEstimate& estimate) {
  const DeviceMemory& memory = estimate.memory_per_gpu;
  const StepBreakdown& step = estimate.decode_step;
  json out = {
      {"model", model.id},
      {"hardware", hardware.id},
      {"gpus", options.gpus},
      {"tp", options.tp},
      {"pp", options.pp},
      {"instances", estimate.instances},
      {"precision", ual::sim::to_string(options.precision)},
      {"input_len", options.input_len},
      {"output_len", options.output_len},
      {"mode", to_string(options.mode)},
      {"throughput_tokens_per_s", estimate.throughput_tokens_per_s},
      {"requests_per_s", estimate.requests_per_s},
      {"ttft_ms", estimate.ttft_ms},
      {"tpot_ms", estimate.tpot_ms},
      {"e2e_latency_ms", estimate.e2e_latency_ms},
      {"batch", estimate.batch},
      {"max_batch_that_fits", estimate.max_batch_that_fits},
      {"num_requests", estimate.num_requests},
      {"memory_per_gpu",
       {{"weights_bytes", memory.weights_bytes},
        {"kv_cache_bytes", memory.kv_cache_bytes},
        {"activation_bytes", memory.activation_bytes},
        {"reserved_bytes", memory.reserved_bytes},
        {"used_bytes", memory.used_bytes()},
        {"capacity_bytes", memory.capacity_bytes}}},
      {"decode_step_s",
       {{"gemm", step.gemm_s},
        {"attention", step.attention_s},
        {"elementwise", step.elementwise_s},
        {"communication", step.communication_s},
        {"overhead", step.overhead_s}}},
      {"notes", estimate.notes},
  };
  return out.dump(2);
}

std::string to_json_text(const ModelSpec& model, const HardwareSpec& hardware, const TrainingOptions& options,
                         const TrainingEstimate& estimate) {
  const TrainingMemory& memory = estimate.memory_per_gpu;
  json out = {
      {"model", model.id},
      {"hardware", hardware.id},
      {"gpus", options.gpus},
      {"tp", options.tp},
      {"pp", options.pp},
      {"dp", estimate.data_parallel},
      {"virtual_stages", options.virtual_stages},
      {"global_batch", options.global_batch},
      {"micro_batch", options.micro_batch},
      {"seq_len", options.seq_len},
      {"recompute", to_string(options.recompute)},
      {"sequence_parallel", options.sequence_parallel},
      {"precision", ual::sim::to_string(options.precision)},
      {"step_time_s", estimate.step_time_s},
      {"mfu", estimate.mfu},
      {"hfu", estimate.hfu},
      {"tokens_per_s", estimate.tokens_per_s},
      {"model_flops_per_step", estimate.model_flops_per_step},
      {"micro_batches", estimate.micro_batches},
      {"pipeline_bubble_fraction", estimate.pipeline_bubble_fraction},
      {"time_s",
       {{"compute", estimate.compute_s},
        {"tensor_parallel_communication", estimate.tensor_parallel_communication_s},
        {"pipeline_communication", estimate.pipeline_communication_s},
        {"data_parallel_communication", estimate.data_parallel_communication_s},
        {"optimizer", estimate.optimizer_s},
        {"bubble", estimate.bubble_s}}},
      {"memory_per_gpu",
       {{"weights_bytes", memory.weights_bytes},
        {"gradients_bytes", memory.gradients_bytes},
        {"optimizer_bytes", memory.optimizer_bytes},
        {"activation_bytes", memory.activation_bytes},
        {"used_bytes", memory.used_bytes()},
        {"capacity_bytes", memory.capacity_bytes}}},
      {"notes", estimate.notes},
  };
  return out.dump(2);
}

}  // namespace ual::sim
