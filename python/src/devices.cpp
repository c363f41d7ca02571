// Discovery and planning: ual.devices() and ual.plan() as the JSON of `ual devices --json` / `ual plan --json`, the
// FastFlowLM tag table and `flm` argument builder behind get_fastflow_command, and the planner's memory constants
// that ModelOptimizer.select_optimization_strategy applies to sizes alone.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "binding.hpp"
#include "engines/fastflowlm/fastflowlm.hpp"
#include "planner/memory_fit.hpp"
#include "ual/backends.hpp"
#include "ual/inventory.hpp"
#include "ual/model_file.hpp"
#include "ual/plan.hpp"

namespace ual::python {

namespace py = pybind11;

namespace {

Inventory discover_at(const std::optional<std::string>& sysroot, bool refresh) {
  DiscoveryOptions options;
  if (sysroot) options.sysroot = *sysroot;
  options.refresh_runtime_cache = refresh;
  return take(discover(options));
}

std::string devices_json(const std::optional<std::string>& sysroot, bool compute, bool refresh) {
  const Inventory inventory = discover_at(sysroot, refresh);
  // As `ual devices`: compute devices are this machine's, so a recorded sysroot tree lists none.
  if (!sysroot && compute) {
    const ComputeListing listing = list_compute_devices(refresh);
    return to_json(inventory, &listing);
  }
  return to_json(inventory, nullptr);
}

std::string plan_json(const std::string& model, const std::string& objective, const std::optional<std::string>& sysroot,
                      int input_len, int output_len, int context_length, int port, const std::string& host,
                      int nodes, const std::string& head_address) {
  PlanOptions options;
  options.objective = take(parse_plan_objective(objective));
  options.input_len = input_len;
  options.output_len = output_len;
  options.context_length = context_length;
  options.port = port;
  options.host = host;
  options.nodes = nodes;
  options.head_node_address = head_address;
  const ModelDescription description = take(describe_model(model));
  const Inventory inventory = discover_at(sysroot, false);
  return to_json(take(plan(description, inventory, options)));
}

std::vector<std::string> flm_arguments(const std::string& subcommand, const std::string& model_tag,
                                       std::optional<int> ctx_len, std::optional<std::string> host,
                                       std::optional<int> port, std::optional<std::string> pmode) {
  fastflowlm::FlmInvocation invocation;
  invocation.subcommand = subcommand;
  invocation.model_tag = model_tag;
  invocation.ctx_len = ctx_len;
  invocation.host = std::move(host);
  invocation.port = port;
  invocation.pmode = std::move(pmode);
  std::vector<std::string> argv{"flm"};
  for (std::string& argument : take(fastflowlm::build_flm_arguments(invocation))) argv.push_back(std::move(argument));
  return argv;
}

py::list fastflowlm_models() {
  py::list models;
  for (const fastflowlm::FastFlowLmModel& model : fastflowlm::fastflowlm_models()) {
    py::dict entry;
    entry["tag"] = model.tag;
    entry["catalog_id"] = model.catalog_id;
    entry["hugging_face_repo"] = model.hugging_face_repo;
    entry["context_length"] = model.context_length;
    entry["memory_bytes"] = model.memory_bytes;
    models.append(entry);
  }
  return models;
}

}  // namespace

void register_devices(py::module_& module) {
  module.def("devices_json", &devices_json, py::arg("sysroot"), py::arg("compute"), py::arg("refresh"),
             py::call_guard<py::gil_scoped_release>(),
             "The JSON text of `ual devices --json` (ual.devices parses it).");
  module.def("plan_json", &plan_json, py::arg("model"), py::arg("objective"), py::arg("sysroot"), py::arg("input_len"),
             py::arg("output_len"), py::arg("context_length"), py::arg("port"), py::arg("host"), py::arg("nodes"),
             py::arg("head_address"), py::call_guard<py::gil_scoped_release>(),
             "The JSON text of `ual plan --json` (ual.plan parses it).");
  module.def("flm_arguments", &flm_arguments, py::arg("subcommand"), py::arg("model_tag"), py::arg("ctx_len"),
             py::arg("host"), py::arg("port"), py::arg("pmode"),
             "argv of one `flm` invocation (program first), checked against flm's documented flag rules.");
  module.def("fastflowlm_models", &fastflowlm_models, "FastFlowLM's model tags (data/engines/fastflowlm.json).");
  module.def(
      "find_fastflowlm_tag",
      [](const std::string& catalog_id_or_tag) -> std::optional<std::string> {
        const fastflowlm::FastFlowLmModel* model = fastflowlm::find_fastflowlm_model(catalog_id_or_tag);
        return model ? std::optional<std::string>(model->tag) : std::nullopt;
      },
      py::arg("catalog_id_or_tag"), "The flm tag of a catalog id or tag (case-insensitive), or None.");
  module.attr("usable_memory_fraction") = planner::usable_memory_fraction;
  module.attr("runtime_overhead_bytes") = planner::runtime_overhead_bytes;
}

}  // namespace ual::python
