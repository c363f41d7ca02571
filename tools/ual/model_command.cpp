// `ual model PATH_OR_ID [--json]`: what a model is, read from a catalog id, a config.json (or its folder), a GGUF
// file's header or an ONNX graph, without loading weights.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "ual/model_file.hpp"

namespace ual::cli {
namespace {

struct ModelCommand {
  std::string model;
  bool json = false;
};

std::string format_count(std::uint64_t count) {
  if (count >= 1'000'000'000) return fmt::format("{:.2f}B", static_cast<double>(count) / 1e9);
  if (count >= 1'000'000) return fmt::format("{:.1f}M", static_cast<double>(count) / 1e6);
  return fmt::format("{}", count);
}

void print_tensors(const char* title, const std::vector<ModelTensorInfo>& tensors) {
  for (const ModelTensorInfo& tensor : tensors) {
    std::string shape;
    for (const std::int64_t dim : tensor.shape) shape += (shape.empty() ? "" : ", ") + (dim < 0 ? "?" : std::to_string(dim));
    fmt::print("  {:<12} {} {} [{}]\n", title, tensor.name, tensor.element_type, shape);
    title = "";
  }
}

void print_description(const ModelDescription& model) {
  fmt::print("{} ({})\n", model.id, to_string(model.format));
  if (!model.path.empty()) fmt::print("  path         {}\n", model.path);
  if (!model.name.empty()) fmt::print("  name         {}\n", model.name);
  if (!model.architecture.empty()) fmt::print("  architecture {}\n", model.architecture);
  if (!model.catalog_id.empty()) fmt::print("  catalog id   {}\n", model.catalog_id);
  if (const auto& s = model.shape) {
    fmt::print("  shape        {} layers, hidden {}, {} heads ({} kv, head dim {}), ffn {}{}, vocab {}\n", s->layers,
               s->hidden, s->heads, s->kv_heads, s->head_dim, s->ffn, s->gated_mlp ? " gated" : "", s->vocab);
    if (s->experts > 0) fmt::print("  experts      {} ({} per token)\n", s->experts, s->experts_per_token);
  }
  if (model.context_length > 0) fmt::print("  context      {} tokens\n", model.context_length);
  if (model.parameter_count > 0) fmt::print("  parameters   {}\n", format_count(model.parameter_count));
  if (model.weight_bytes > 0)
    fmt::print("  weights      {} as {}\n", format_bytes(model.weight_bytes),
               model.weight_type.empty() ? "?" : model.weight_type);
  if (!model.tensor_types.empty()) {
    std::string types;
    for (const auto& [type, count] : model.tensor_types) types += fmt::format("{}{} {}", types.empty() ? "" : ", ", count, type);
    fmt::print("  tensors      {}\n", types);
  }
  if (model.format == ModelFormat::onnx) {
    std::string opsets, operators;
    for (const auto& [domain, version] : model.opsets)
      opsets += fmt::format("{}{} {}", opsets.empty() ? "" : ", ", domain.empty() ? "ai.onnx" : domain, version);
    for (const auto& [op, count] : model.operators)
      operators += fmt::format("{}{} x{}", operators.empty() ? "" : ", ", op, count);
    fmt::print("  ir version   {}\n  opsets       {}\n  operators    {}\n", model.ir_version, opsets, operators);
    print_tensors("inputs", model.inputs);
    print_tensors("outputs", model.outputs);
    if (model.external_data_bytes > 0) fmt::print("  external     {}\n", format_bytes(model.external_data_bytes));
  }
  for (const std::string& note : model.notes) fmt::print("  note: {}\n", note);
}

int run_model(const ModelCommand& command) {
  auto model = describe_model(command.model);
  if (!model) {
    fmt::print(stderr, "ual model: {}\n", model.error().message);
    return 1;
  }
  if (command.json)
    fmt::print("{}\n", to_json(*model));
  else
    print_description(*model);
  return 0;
}

void add_model_command(CLI::App& app, Action& action) {
  auto command = std::make_shared<ModelCommand>();
  CLI::App* model = app.add_subcommand(
      "model", "Describe a model: a catalog id, a config.json (or its folder), a .gguf header or an .onnx graph");
  model->add_option("model", command->model, "Catalog id (see `ual sim catalog`) or path")->required();
  model->add_flag("--json", command->json, "Machine-readable output");
  model->callback([command, &action] { action = [command] { return run_model(*command); }; });
}

const CommandRegistration registration{"model", 45, add_model_command};

}  // namespace
}  // namespace ual::cli
