// HopperSim: ual.sim.infer answers with the simulator's own JSON (sim::to_json_text, what `ual sim infer --json`
// prints); ual.sim.partition with the document `ual sim partition --json` prints, built here from the search.
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "binding.hpp"
#include "ual/sim.hpp"

namespace ual::python {

namespace py = pybind11;

namespace {

using json = nlohmann::ordered_json;
constexpr double gib = 1024.0 * 1024 * 1024;

sim::Precision precision_argument(const std::string& text, const char* name) {
  auto precision = sim::parse_precision(text);
  if (!precision) raise(make_error(ErrorCode::invalid_argument, std::string(name) + ": " + precision.error().message));
  return *precision;
}

struct InferArguments {
  std::string model, hardware;
  int gpus = 1, tp = 1, pp = 1;
  std::string precision = "fp8";
  std::optional<std::string> kv_cache;
  int input_len = 0, output_len = 0;
  std::optional<int> batch;
  std::optional<double> request_rate;
  int num_requests = 0, max_batch = 0, max_num_tokens = 0;
  double kv_cache_fraction = 0, device_memory_gb = 0;
  std::uint64_t seed = 1;
};

std::string infer_json(const InferArguments& arguments) {
  if (arguments.batch && arguments.request_rate)
    raise(make_error(ErrorCode::invalid_argument, "give batch or request_rate, not both"));
  if (arguments.input_len <= 0 || arguments.output_len <= 0)
    raise(make_error(ErrorCode::invalid_argument, "input_len and output_len must be positive"));
  sim::InferenceOptions options;
  options.gpus = arguments.gpus;
  options.tp = arguments.tp;
  options.pp = arguments.pp;
  options.precision = precision_argument(arguments.precision, "precision");
  if (arguments.kv_cache) options.kv_cache = precision_argument(*arguments.kv_cache, "kv_cache");
  options.input_len = arguments.input_len;
  options.output_len = arguments.output_len;
  options.mode = arguments.batch ? sim::InferenceMode::batch
                 : arguments.request_rate ? sim::InferenceMode::request_rate
                                          : sim::InferenceMode::offline;
  options.batch = arguments.batch.value_or(0);
  options.request_rate = arguments.request_rate.value_or(0);
  options.num_requests = arguments.num_requests;
  options.max_batch = arguments.max_batch;
  options.max_num_tokens = arguments.max_num_tokens;
  options.kv_cache_memory_fraction = arguments.kv_cache_fraction;
  options.device_memory_bytes = arguments.device_memory_gb * gib;  // GiB, as the CLI's --device-memory-gb
  options.seed = arguments.seed;
  const sim::ModelSpec model = take(sim::find_model(arguments.model));
  const sim::HardwareSpec hardware = take(sim::find_hardware(arguments.hardware));
  const sim::InferenceEstimate estimate = take(sim::estimate_inference(model, hardware, options));
  return sim::to_json_text(model, hardware, options, estimate);
}

std::string partition_json(const std::string& model_id, const std::string& hardware_id, int gpus,
                           const std::string& precision, std::optional<std::string> kv_cache, int input_len,
                           int output_len, const std::string& objective, double max_tpot_ms, double max_ttft_ms,
                           int max_batch, int max_results) {
  if (input_len <= 0 || output_len <= 0)
    raise(make_error(ErrorCode::invalid_argument, "input_len and output_len must be positive"));
  sim::InferencePartitionOptions options;
  options.gpus = gpus;
  options.precision = precision_argument(precision, "precision");
  if (kv_cache) options.kv_cache = precision_argument(*kv_cache, "kv_cache");
  options.input_len = input_len;
  options.output_len = output_len;
  options.objective = take(sim::parse_partition_objective(objective));
  options.max_tpot_ms = max_tpot_ms;
  options.max_ttft_ms = max_ttft_ms;
  options.max_batch = max_batch;
  options.max_results = max_results;
  const sim::ModelSpec model = take(sim::find_model(model_id));
  const sim::HardwareSpec hardware = take(sim::find_hardware(hardware_id));
  const sim::PartitionSearch search = take(sim::search_inference_partitions(model, hardware, options));
  // The keys of `ual sim partition --json` (tools/ual/sim_partition_command.cpp), plus the limits applied.
  json ranked = json::array();
  for (const sim::InferencePartition& entry : search.ranked) {
    const sim::InferenceEstimate& e = entry.estimate;
    ranked.push_back({{"tp", entry.tp}, {"pp", entry.pp}, {"instances", entry.instances}, {"batch", entry.batch},
                      {"throughput_tokens_per_s", e.throughput_tokens_per_s}, {"ttft_ms", e.ttft_ms},
                      {"tpot_ms", e.tpot_ms}, {"e2e_latency_ms", e.e2e_latency_ms},
                      {"memory_per_gpu_bytes", e.memory_per_gpu.used_bytes()},
                      {"weights_per_gpu_bytes", e.memory_per_gpu.weights_bytes}});
  }
  return json{{"model", model.id},           {"hardware", hardware.id},     {"gpus", gpus},
              {"objective", objective},       {"precision", sim::to_string(options.precision)},
              {"max_tpot_ms", max_tpot_ms},   {"max_ttft_ms", max_ttft_ms}, {"evaluated", search.evaluated},
              {"partitions", ranked},         {"rejected", search.rejected}}
      .dump(2);
}

}  // namespace

void register_sim(py::module_& module) {
  py::class_<InferArguments>(module, "InferArguments", "The arguments of ual.sim.infer (internal).")
      .def(py::init<>())
      .def_readwrite("model", &InferArguments::model)
      .def_readwrite("hardware", &InferArguments::hardware)
      .def_readwrite("gpus", &InferArguments::gpus)
      .def_readwrite("tp", &InferArguments::tp)
      .def_readwrite("pp", &InferArguments::pp)
      .def_readwrite("precision", &InferArguments::precision)
      .def_readwrite("kv_cache", &InferArguments::kv_cache)
      .def_readwrite("input_len", &InferArguments::input_len)
      .def_readwrite("output_len", &InferArguments::output_len)
      .def_readwrite("batch", &InferArguments::batch)
      .def_readwrite("request_rate", &InferArguments::request_rate)
      .def_readwrite("num_requests", &InferArguments::num_requests)
      .def_readwrite("max_batch", &InferArguments::max_batch)
      .def_readwrite("max_num_tokens", &InferArguments::max_num_tokens)
      .def_readwrite("kv_cache_fraction", &InferArguments::kv_cache_fraction)
      .def_readwrite("device_memory_gb", &InferArguments::device_memory_gb)
      .def_readwrite("seed", &InferArguments::seed);
  module.def("sim_infer_json", &infer_json, py::arg("arguments"), py::call_guard<py::gil_scoped_release>(),
             "The JSON text of `ual sim infer --json` (ual.sim.infer parses it).");
  module.def("sim_partition_json", &partition_json, py::arg("model"), py::arg("hardware"), py::arg("gpus"),
             py::arg("precision"), py::arg("kv_cache"), py::arg("input_len"), py::arg("output_len"),
             py::arg("objective"), py::arg("max_tpot_ms"), py::arg("max_ttft_ms"), py::arg("max_batch"),
             py::arg("max_results"), py::call_guard<py::gil_scoped_release>(),
             "The JSON text of `ual sim partition --json` plus the limits (ual.sim.partition parses it).");
  module.def("hardware_ids", &sim::hardware_ids, "HopperSim's hardware catalog ids.");
  module.def("model_ids", &sim::model_ids, "HopperSim's model catalog ids.");
}

}  // namespace ual::python
