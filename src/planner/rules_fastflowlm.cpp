// FastFlowLM on AMD XDNA2 NPUs: the seed's first choice ("FastFlowLM (NPU Optimized)") for models it ships.
#include <fmt/format.h>

#include "engines/fastflowlm/fastflowlm.hpp"
#include "planner/memory_fit.hpp"
#include "planner/planner_rules.hpp"

namespace ual::planner {

namespace {

std::string shipped_tags_sample() {
  std::string sample;
  int shown = 0;
  for (const auto& model : fastflowlm::fastflowlm_models()) {
    if (shown++ == 6) break;
    sample += (sample.empty() ? "" : ", ") + model.tag;
  }
  return sample;
}

}  // namespace

void add_fastflowlm_strategies(PlanContext& context) {
  const ModelDescription& model = context.model;
  if (context.machine.npus.empty()) {
    context.reject(engine_fastflowlm, "", "FastFlowLM runs on an AMD XDNA2 NPU; this machine has no NPU");
    return;
  }
  for (const DeviceGroup& npu : context.machine.npus) {
    const std::string device = npu.label();
    if (npu.vendor != "amd") {
      context.reject(engine_fastflowlm, device, fmt::format("FastFlowLM needs an AMD XDNA2 NPU; this is {}", npu.name));
      continue;
    }
    if (npu.arch != "xdna2") {
      context.reject(engine_fastflowlm, device,
                     fmt::format("FastFlowLM needs an XDNA2 NPU; this is {} ({})",
                                 npu.arch == "xdna" ? "XDNA" : npu.arch, npu.generation.empty() ? npu.name : npu.generation));
      continue;
    }
    const std::string lookup = !model.catalog_id.empty() ? model.catalog_id : model.id;
    const fastflowlm::FastFlowLmModel* shipped = fastflowlm::find_fastflowlm_model(lookup);
    if (shipped == nullptr) {
      context.reject(engine_fastflowlm, device,
                     fmt::format("FastFlowLM ships no NPU build of {} (it ships {}, ...; `flm list` shows all)",
                                 model.id, shipped_tags_sample()));
      continue;
    }
    Strategy strategy;
    strategy.engine = std::string(engine_fastflowlm);
    strategy.device = device;
    strategy.device_kind = "npu";
    strategy.precision = "int4 weights, bf16 activations (FastFlowLM's NPU build)";
    strategy.partition.total_layers = model.shape ? model.shape->layers : 0;
    const int port = context.port_or(fastflowlm::default_port);
    fastflowlm::FlmInvocation invocation;
    invocation.subcommand = "serve";
    invocation.model_tag = shipped->tag;
    if (context.options.context_length > 0) invocation.ctx_len = context.options.context_length;
    if (context.options.host != "127.0.0.1" && !context.options.host.empty()) invocation.host = context.options.host;
    invocation.port = port;
    auto arguments = fastflowlm::build_flm_arguments(invocation);
    if (!arguments) {
      context.reject(engine_fastflowlm, device, arguments.error().message);
      continue;
    }
    EngineCommand command{"server", {"flm"}, {}, ""};
    command.argv.insert(command.argv.end(), arguments->begin(), arguments->end());
    strategy.commands.push_back(std::move(command));
    strategy.endpoint = endpoint_url(context.options, port);
    strategy.readiness_path = "/v1/models";

    const Runtime* runtime = context.machine.runtime("fastflowlm");
    if (runtime == nullptr || !runtime->usable)
      strategy.requirements.push_back(install_hint("flm") +
                                  (runtime && !runtime->reason.empty() ? fmt::format(" ({})", runtime->reason) : ""));
    for (const std::string& problem : npu.problems) strategy.requirements.push_back(problem);
    strategy.ready = strategy.requirements.empty();

    strategy.reasons.push_back(fmt::format("{} has an XDNA2 NPU and FastFlowLM ships {} as `{}`", npu.name,
                                           model.id, shipped->tag));
    strategy.reasons.push_back("the NPU runs the model at a few watts and leaves the CPU and GPU free for the agent");
    if (shipped->memory_bytes > 0 && shipped->memory_bytes > npu.memory_bytes * usable_memory_fraction)
      strategy.reasons.push_back(fmt::format("warning: FastFlowLM needs about {} and the system has {}",
                                             format_gigabytes(static_cast<double>(shipped->memory_bytes)),
                                             format_gigabytes(static_cast<double>(npu.memory_bytes))));
    if (auto prediction = predict_single_device(model, npu, sim::Precision::int4, context.options,
                                                static_cast<double>(npu.memory_bytes))) {
      if (prediction->predicted.tokens_per_second) strategy.predicted = prediction->predicted;
      if (!prediction->note.empty()) strategy.reasons.push_back(prediction->note);
    }
    if (shipped->memory_bytes > 0) strategy.predicted.memory_bytes_per_device = static_cast<double>(shipped->memory_bytes);
    context.strategies.push_back(std::move(strategy));
  }
}

}  // namespace ual::planner
