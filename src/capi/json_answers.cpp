// The C ABI's JSON answers: devices (`ual devices --json`), plans (`ual plan --json`) and HopperSim estimates and
// partition searches (`ual sim infer/partition --json`). Requests are JSON objects; unknown keys are errors, so a
// misspelt option is never silently ignored.
#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capi/boundary.hpp"
#include "ual/backends.hpp"
#include "ual/inventory.hpp"
#include "ual/model_file.hpp"
#include "ual/plan.hpp"
#include "ual/sim.hpp"

using namespace ual;
using namespace ual::capi;
using nlohmann::json;

namespace {

Result<json> parse_request(const char* text, const char* function, const std::set<std::string>& known) {
  json request = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded())
    return make_error(ErrorCode::parse_error, fmt::format("{}: the request is not valid JSON", function));
  if (!request.is_object())
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: the request must be a JSON object", function));
  for (const auto& [key, value] : request.items())
    if (!known.contains(key))
      return make_error(ErrorCode::invalid_argument, fmt::format("{}: unknown key \"{}\"", function, key));
  return request;
}

// Reads request[key] into target when present; a wrong type is an error naming the key.
template <class T>
Status read(const json& request, const char* key, T& target, const char* function) {
  auto found = request.find(key);
  if (found == request.end() || found->is_null()) return ok_status();
  bool type_ok = false;
  if constexpr (std::is_same_v<T, std::string>) type_ok = found->is_string();
  else if constexpr (std::is_integral_v<T>) type_ok = found->is_number_integer();
  else type_ok = found->is_number();
  if (!type_ok)
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: \"{}\" has the wrong type", function, key));
  target = found->get<T>();
  return ok_status();
}

Result<Inventory> inventory_for(const char* sysroot_or_null) {
  DiscoveryOptions options;
  if (sysroot_or_null != nullptr) options.sysroot = sysroot_or_null;
  return discover(options);
}

Result<std::string> sim_target(const json& request, const char* function, sim::ModelSpec& model,
                               sim::HardwareSpec& hardware) {
  std::string model_id, hardware_id;
  if (auto s = read(request, "model", model_id, function); !s) return s.error();
  if (auto s = read(request, "hardware", hardware_id, function); !s) return s.error();
  if (model_id.empty() || hardware_id.empty())
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: \"model\" and \"hardware\" are required", function));
  auto found_model = sim::find_model(model_id);
  if (!found_model) return found_model.error();
  auto found_hardware = sim::find_hardware(hardware_id);
  if (!found_hardware) return found_hardware.error();
  model = std::move(*found_model);
  hardware = std::move(*found_hardware);
  return std::string();
}

Status read_precision(const json& request, const char* key, std::optional<sim::Precision>& target,
                      const char* function) {
  std::string text;
  if (auto s = read(request, key, text, function); !s) return s.error();
  if (text.empty()) return ok_status();
  auto parsed = sim::parse_precision(text);
  if (!parsed) return parsed.error();
  target = *parsed;
  return ok_status();
}

#define UAL_READ(key, target)                                                     \
  if (auto read_status = read(request, key, target, function); !read_status)     \
    return fail(read_status.error())

}  // namespace

extern "C" {

UAL_C_API ual_status ual_devices_json(const char* sysroot_or_null, char** out) {
  return guarded("ual_devices_json", [&] {
    ual_status status = UAL_OK;
    if (is_null(out, "ual_devices_json", "out", status)) return status;
    *out = nullptr;
    auto inventory = inventory_for(sysroot_or_null);
    if (!inventory) return fail(inventory.error());
    if (sysroot_or_null != nullptr) return answer(to_json(*inventory, nullptr), out);
    ComputeListing compute = list_compute_devices();
    return answer(to_json(*inventory, &compute), out);
  });
}

UAL_C_API ual_status ual_plan_json(const char* model, const char* options_json_or_null, const char* sysroot_or_null,
                                   char** out) {
  constexpr const char* function = "ual_plan_json";
  return guarded(function, [&] {
    ual_status status = UAL_OK;
    if (is_null(out, function, "out", status)) return status;
    *out = nullptr;
    if (is_null(model, function, "model", status)) return status;
    PlanOptions options;
    if (options_json_or_null != nullptr) {
      auto parsed = parse_request(options_json_or_null, function,
                                  {"objective", "input_len", "output_len", "port", "host", "nodes"});
      if (!parsed) return fail(parsed.error());
      const json& request = *parsed;
      std::string objective;
      UAL_READ("objective", objective);
      if (!objective.empty()) {
        auto parsed_objective = parse_plan_objective(objective);
        if (!parsed_objective) return fail(parsed_objective.error());
        options.objective = *parsed_objective;
      }
      UAL_READ("input_len", options.input_len);
      UAL_READ("output_len", options.output_len);
      UAL_READ("port", options.port);
      UAL_READ("host", options.host);
      UAL_READ("nodes", options.nodes);
    }
    auto description = describe_model(model);
    if (!description) return fail(description.error());
    auto inventory = inventory_for(sysroot_or_null);
    if (!inventory) return fail(inventory.error());
    auto planned = plan(*description, *inventory, options);
    if (!planned) return fail(planned.error());
    return answer(to_json(*planned), out);
  });
}

UAL_C_API ual_status ual_sim_infer_json(const char* request_json, char** out) {
  constexpr const char* function = "ual_sim_infer_json";
  return guarded(function, [&] {
    ual_status status = UAL_OK;
    if (is_null(out, function, "out", status)) return status;
    *out = nullptr;
    if (is_null(request_json, function, "request_json", status)) return status;
    auto parsed = parse_request(request_json, function,
                                {"model", "hardware", "gpus", "tp", "pp", "precision", "kv_cache", "input_len",
                                 "output_len", "mode", "batch", "request_rate", "num_requests", "max_batch",
                                 "max_num_tokens", "kv_cache_memory_fraction", "device_memory_bytes", "seed"});
    if (!parsed) return fail(parsed.error());
    const json& request = *parsed;
    sim::ModelSpec model;
    sim::HardwareSpec hardware;
    if (auto target = sim_target(request, function, model, hardware); !target) return fail(target.error());
    sim::InferenceOptions options;
    UAL_READ("gpus", options.gpus);
    UAL_READ("tp", options.tp);
    UAL_READ("pp", options.pp);
    UAL_READ("input_len", options.input_len);
    UAL_READ("output_len", options.output_len);
    UAL_READ("batch", options.batch);
    UAL_READ("request_rate", options.request_rate);
    UAL_READ("num_requests", options.num_requests);
    UAL_READ("max_batch", options.max_batch);
    UAL_READ("max_num_tokens", options.max_num_tokens);
    UAL_READ("kv_cache_memory_fraction", options.kv_cache_memory_fraction);
    UAL_READ("device_memory_bytes", options.device_memory_bytes);
    UAL_READ("seed", options.seed);
    std::optional<sim::Precision> precision;
    if (auto s = read_precision(request, "precision", precision, function); !s) return fail(s.error());
    if (precision) options.precision = *precision;
    if (auto s = read_precision(request, "kv_cache", options.kv_cache, function); !s) return fail(s.error());
    std::string mode;
    UAL_READ("mode", mode);
    if (mode == "batch" || (mode.empty() && options.batch > 0)) options.mode = sim::InferenceMode::batch;
    else if (mode == "request_rate") options.mode = sim::InferenceMode::request_rate;
    else if (mode == "offline" || mode.empty()) options.mode = sim::InferenceMode::offline;
    else
      return fail(UAL_ERROR_INVALID_ARGUMENT,
                  fmt::format("{}: unknown mode \"{}\" (expected batch, offline or request_rate)", function, mode));
    if (options.input_len <= 0 || options.output_len <= 0)
      return fail(UAL_ERROR_INVALID_ARGUMENT,
                  fmt::format("{}: \"input_len\" and \"output_len\" are required and must be positive", function));
    auto estimate = sim::estimate_inference(model, hardware, options);
    if (!estimate) return fail(estimate.error());
    return answer(sim::to_json_text(model, hardware, options, *estimate), out);
  });
}

UAL_C_API ual_status ual_sim_partition_json(const char* request_json, char** out) {
  constexpr const char* function = "ual_sim_partition_json";
  return guarded(function, [&] {
    ual_status status = UAL_OK;
    if (is_null(out, function, "out", status)) return status;
    *out = nullptr;
    if (is_null(request_json, function, "request_json", status)) return status;
    auto parsed = parse_request(request_json, function,
                                {"model", "hardware", "gpus", "precision", "kv_cache", "input_len", "output_len",
                                 "objective", "max_tpot_ms", "max_ttft_ms", "max_batch", "max_results"});
    if (!parsed) return fail(parsed.error());
    const json& request = *parsed;
    sim::ModelSpec model;
    sim::HardwareSpec hardware;
    if (auto target = sim_target(request, function, model, hardware); !target) return fail(target.error());
    sim::InferencePartitionOptions options;
    UAL_READ("gpus", options.gpus);
    UAL_READ("input_len", options.input_len);
    UAL_READ("output_len", options.output_len);
    UAL_READ("max_tpot_ms", options.max_tpot_ms);
    UAL_READ("max_ttft_ms", options.max_ttft_ms);
    UAL_READ("max_batch", options.max_batch);
    UAL_READ("max_results", options.max_results);
    std::optional<sim::Precision> precision;
    if (auto s = read_precision(request, "precision", precision, function); !s) return fail(s.error());
    if (precision) options.precision = *precision;
    if (auto s = read_precision(request, "kv_cache", options.kv_cache, function); !s) return fail(s.error());
    std::string objective = "throughput";
    UAL_READ("objective", objective);
    auto parsed_objective = sim::parse_partition_objective(objective);
    if (!parsed_objective) return fail(parsed_objective.error());
    options.objective = *parsed_objective;
    if (options.input_len <= 0 || options.output_len <= 0)
      return fail(UAL_ERROR_INVALID_ARGUMENT,
                  fmt::format("{}: \"input_len\" and \"output_len\" are required and must be positive", function));
    auto search = sim::search_inference_partitions(model, hardware, options);
    if (!search) return fail(search.error());
    json partitions = json::array();
    for (const sim::InferencePartition& entry : search->ranked) {
      const sim::InferenceEstimate& e = entry.estimate;
      partitions.push_back({{"tp", entry.tp}, {"pp", entry.pp}, {"instances", entry.instances},
                            {"batch", entry.batch}, {"throughput_tokens_per_s", e.throughput_tokens_per_s},
                            {"ttft_ms", e.ttft_ms}, {"tpot_ms", e.tpot_ms}, {"e2e_latency_ms", e.e2e_latency_ms},
                            {"memory_per_gpu_bytes", e.memory_per_gpu.used_bytes()},
                            {"weights_per_gpu_bytes", e.memory_per_gpu.weights_bytes}});
    }
    json result = {{"model", model.id},     {"hardware", hardware.id},          {"gpus", options.gpus},
                   {"precision", sim::to_string(options.precision)},          {"objective", objective},
                   {"evaluated", search->evaluated}, {"partitions", partitions}, {"rejected", search->rejected}};
    return answer(result.dump(2), out);
  });
}

}  // extern "C"
