// HopperSim: an analytical, data-driven model of LLM inference and training on GPUs, NPUs and CPUs. It predicts
// time, throughput and memory from datasheet figures (data/hardware) and model shapes (data/models), no profiling run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::sim {

// ---------------------------------------------------------------------------------------------------------------
// Catalogs
// ---------------------------------------------------------------------------------------------------------------

// Number formats of weights, activations and the KV cache. int4/int8 are weight-only formats (activations stay
// bf16/fp16 for compute unless the device has integer tensor cores and the weights and activations both are int8).
enum class Precision { fp32, tf32, bf16, fp16, fp8, int8, int4 };

UAL_API const char* to_string(Precision precision) noexcept;
UAL_API Result<Precision> parse_precision(std::string_view text);
UAL_API double bytes_per_element(Precision precision) noexcept;

// One link between devices: NVLink, xGMI, PCIe, InfiniBand.
struct Link {
  std::string name;
  double bytes_per_s_per_direction = 0;
  double latency_s = 0;
  int max_devices = 1;  // devices that share this link domain (8 in an HGX box); beyond it the scale-out link is used
};

// A device model's datasheet figures (DENSE peaks) plus the few measured achievable fractions published for it.
struct HardwareSpec {
  std::string id;    // "h100-sxm"
  std::string name;  // "NVIDIA H100 SXM5 80GB"
  std::string kind;  // gpu, npu, cpu
  std::string vendor;
  std::string arch;                       // sm_90, gfx942, xdna2, zen4
  std::map<Precision, double> peak_flops; // dense FLOP/s (or OP/s for int8/int4) per compute format
  std::uint64_t memory_bytes = 0;
  double memory_bytes_per_s = 0;
  std::uint64_t l2_bytes = 0;
  int compute_units = 0;  // SMs, CUs, AIE columns, cores
  double clock_mhz = 0;   // boost clock the peaks assume
  double power_watts = 0;
  Link scale_up;          // NVLink/xGMI inside a node (absent: PCIe through the host)
  Link scale_out;         // between nodes (InfiniBand per GPU), absent on NPUs/CPUs
  Link host_link;         // PCIe to the host
  // Measured achievable fractions (with sources in the JSON); zero means "use the shared default".
  double gemm_peak_fraction = 0;
  double memory_peak_fraction = 0;
  std::map<std::string, std::string> sources;  // field -> where the number comes from
};

// A transformer's shape (dense or mixture-of-experts decoder).
struct ModelSpec {
  std::string id;  // "llama-3.1-8b", or the config file's path
  std::string name;
  int layers = 0;
  int hidden = 0;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  int ffn = 0;             // intermediate size of one MLP (of one expert for MoE)
  bool gated_mlp = true;   // SwiGLU/GeGLU: three matrices; plain GELU MLP: two
  int vocab = 0;
  bool tied_embeddings = false;
  int experts = 0;         // 0 = dense
  int experts_per_token = 0;
  int max_position = 0;
  std::uint64_t published_parameters = 0;  // the model card's count, to check ours against (0 = unknown)
  std::string hugging_face_repo;           // where the weights are published ("meta-llama/Llama-3.2-3B"), if known
  std::map<std::string, std::string> sources;

  UAL_API std::uint64_t parameters() const noexcept;           // every weight, embeddings included
  UAL_API std::uint64_t active_parameters() const noexcept;    // per token (MoE: only the routed experts)
  UAL_API std::uint64_t embedding_parameters() const noexcept; // input embedding + output head (once when tied)
};

UAL_API Result<HardwareSpec> find_hardware(std::string_view id);
UAL_API std::vector<std::string> hardware_ids();
// A catalog id, or a path to a Hugging Face config.json (anything containing '/' or ending in .json).
UAL_API Result<ModelSpec> find_model(std::string_view id_or_path);
UAL_API std::vector<std::string> model_ids();
// Parses a Hugging Face config.json's text; `origin` names it in errors.
UAL_API Result<ModelSpec> parse_hugging_face_config(std::string_view text, std::string_view origin);

// ---------------------------------------------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------------------------------------------

enum class InferenceMode {
  batch,         // a fixed batch of `batch` requests, all prompts first, then decode together
  offline,       // `num_requests` requests all queued at time zero (throughput benchmarks, MLPerf Offline)
  request_rate,  // Poisson arrivals at `request_rate` requests/s (serving), continuous batching
};

struct InferenceOptions {
  int gpus = 1;
  int tp = 1;  // tensor parallel ranks per instance
  int pp = 1;  // pipeline stages per instance; gpus / (tp * pp) instances serve in data parallel
  Precision precision = Precision::fp8;  // weights (int8/int4: weight-only unless the device has int8 math)
  std::optional<Precision> kv_cache;     // default: fp8 with fp8 weights, else bf16
  int input_len = 0;
  int output_len = 0;
  InferenceMode mode = InferenceMode::offline;
  int batch = 0;              // batch mode: requests per instance
  double request_rate = 0;    // request_rate mode: requests/s for the whole system
  int num_requests = 0;       // offline / request_rate: 0 picks enough to reach steady state
  int max_batch = 0;          // engine limit on sequences per instance (0: TensorRT-LLM's default)
  int max_num_tokens = 0;     // engine token budget per step, chunked prefill (0: TensorRT-LLM's default)
  double kv_cache_memory_fraction = 0;  // share of the memory left after weights for the KV cache (0: 0.9)
  double device_memory_bytes = 0;  // override the catalog's capacity (devices sharing system memory: 32 GiB)
  std::uint64_t seed = 1;     // arrival times of request_rate mode
};

// Memory of the fullest GPU of an instance.
struct DeviceMemory {
  double weights_bytes = 0;
  double kv_cache_bytes = 0;      // what the KV cache may hold (used + free blocks)
  double activation_bytes = 0;    // workspace of one step at the token budget
  double reserved_bytes = 0;      // runtime (context, library workspaces)
  double capacity_bytes = 0;
  double used_bytes() const noexcept { return weights_bytes + kv_cache_bytes + activation_bytes + reserved_bytes; }
};

// Where a step's time goes (seconds per engine step at the reported batch, decode-dominated).
struct StepBreakdown {
  double gemm_s = 0, attention_s = 0, elementwise_s = 0, communication_s = 0, overhead_s = 0;
};

struct InferenceEstimate {
  double throughput_tokens_per_s = 0;  // output tokens/s of the whole system
  double requests_per_s = 0;
  double ttft_ms = 0;                  // mean time to first token
  double tpot_ms = 0;                  // mean time per output token after the first
  double e2e_latency_ms = 0;           // mean request latency
  int batch = 0;                       // sequences one instance runs at once (mean in flight for request_rate)
  int max_batch_that_fits = 0;         // by KV-cache memory, before the engine's max_batch limit
  int instances = 1;
  int num_requests = 0;                // simulated (offline / request_rate)
  DeviceMemory memory_per_gpu;
  StepBreakdown decode_step;           // one decode step at `batch`
  std::vector<std::string> notes;      // assumptions that shaped the answer
};

UAL_API Result<InferenceEstimate> estimate_inference(const ModelSpec& model, const HardwareSpec& hardware,
                                                     const InferenceOptions& options);

// ---------------------------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------------------------

enum class Recompute { none, selective, full };  // Korthikanti et al. 2022's activation recomputation
enum class AttentionKernel {
  flash,    // fused attention (FlashAttention): no score matrix in memory
  unfused,  // scores, softmax and dropout materialized (Megatron-LM before FlashAttention, e.g. the 2022 paper)
};

UAL_API Result<Recompute> parse_recompute(std::string_view text);
UAL_API Result<AttentionKernel> parse_attention_kernel(std::string_view text);

struct TrainingOptions {
  int gpus = 1;
  int tp = 1;
  int pp = 1;                 // data-parallel ranks: gpus / (tp * pp)
  int global_batch = 0;       // sequences per optimizer step
  int micro_batch = 1;
  int seq_len = 2048;
  Recompute recompute = Recompute::selective;
  bool sequence_parallel = false;
  int virtual_stages = 1;     // > 1: interleaved 1F1B
  Precision precision = Precision::bf16;  // mixed precision math (bf16, fp16; fp8 with Transformer Engine)
  AttentionKernel attention = AttentionKernel::flash;
  bool distributed_optimizer = false;     // optimizer states sharded over data-parallel ranks (ZeRO-1)
};

struct TrainingMemory {
  double weights_bytes = 0, gradients_bytes = 0, optimizer_bytes = 0, activation_bytes = 0, capacity_bytes = 0;
  double used_bytes() const noexcept { return weights_bytes + gradients_bytes + optimizer_bytes + activation_bytes; }
};

struct TrainingEstimate {
  double step_time_s = 0;
  double mfu = 0;                  // model FLOPs (no recomputation) / (step time x GPUs x dense peak)
  double hfu = 0;                  // with the recomputed FLOPs
  double tokens_per_s = 0;
  double model_flops_per_step = 0;
  int data_parallel = 1;
  int micro_batches = 0;           // per pipeline per step
  double pipeline_bubble_fraction = 0;
  // Where one step's time goes on the slowest stage.
  double compute_s = 0, tensor_parallel_communication_s = 0, pipeline_communication_s = 0,
         data_parallel_communication_s = 0, optimizer_s = 0, bubble_s = 0;
  TrainingMemory memory_per_gpu;   // the first pipeline stage (it holds the most activations)
  std::vector<std::string> notes;
};

UAL_API Result<TrainingEstimate> estimate_training(const ModelSpec& model, const HardwareSpec& hardware,
                                                   const TrainingOptions& options);

// ---------------------------------------------------------------------------------------------------------------
// Partitioning
// ---------------------------------------------------------------------------------------------------------------

enum class PartitionObjective { throughput, latency };
UAL_API Result<PartitionObjective> parse_partition_objective(std::string_view text);

struct InferencePartitionOptions {
  int gpus = 1;
  Precision precision = Precision::fp8;
  std::optional<Precision> kv_cache;
  int input_len = 0, output_len = 0;
  PartitionObjective objective = PartitionObjective::throughput;
  double max_tpot_ms = 0;  // 0: no limit
  double max_ttft_ms = 0;
  int max_batch = 0;       // engine limit per instance (0: default)
  int max_results = 10;
};

struct InferencePartition {
  int tp = 1, pp = 1, instances = 1, batch = 1;
  InferenceEstimate estimate;  // at that batch (fixed-batch mode)
};

struct PartitionSearch {
  std::vector<InferencePartition> ranked;  // best first, every entry meets the limits
  std::vector<std::string> rejected;       // "TP 1 x PP 1: does not fit ... 60.2 GiB short"
  int evaluated = 0;                       // estimates computed
};

// Every TP x PP x instances split of `gpus` (TP and PP dividing the model) and, per split, the batch that best serves
// the objective within the limits.
UAL_API Result<PartitionSearch> search_inference_partitions(const ModelSpec& model, const HardwareSpec& hardware,
                                                            const InferencePartitionOptions& options);

struct TrainingPartition {
  TrainingOptions options;
  TrainingEstimate estimate;
};

struct TrainingPartitionSearch {
  std::vector<TrainingPartition> ranked;  // fastest step first
  std::vector<std::string> rejected;
  int evaluated = 0;
};

// TP x PP x DP with micro-batch, recomputation, sequence parallelism and interleaving for `base.global_batch`
// sequences of `base.seq_len` on `base.gpus` GPUs (other fields of base are kept).
UAL_API Result<TrainingPartitionSearch> search_training_partitions(const ModelSpec& model, const HardwareSpec& hardware,
                                                                  const TrainingOptions& base, int max_results = 10);

// ---------------------------------------------------------------------------------------------------------------
// Op costs (also used by the task-graph scheduler)
// ---------------------------------------------------------------------------------------------------------------

// Seconds one device takes for an op written as text: "gemm 4096x4096x4096 bf16", "llm decode 256 tokens
// llama-3.2-1b", "llm prefill 2048 tokens llama-3.1-8b", "copy 1GB".
UAL_API Result<double> estimate_op_seconds(std::string_view op, std::string_view hardware_id);

// ---------------------------------------------------------------------------------------------------------------
// JSON (the CLI's --json output, and the C ABI's and Python module's answers)
// ---------------------------------------------------------------------------------------------------------------

UAL_API std::string to_json_text(const ModelSpec& model, const HardwareSpec& hardware, const InferenceOptions& options,
                                 const InferenceEstimate& estimate);
UAL_API std::string to_json_text(const ModelSpec& model, const HardwareSpec& hardware, const TrainingOptions& options,
                                 const TrainingEstimate& estimate);

}  // namespace ual::sim
