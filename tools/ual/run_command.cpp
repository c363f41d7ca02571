// `ual run MODEL.onnx --input NAME=FILE.npy ...`: run an ONNX model with ONNX Runtime on the execution providers
// this machine and the policy call for, write each output as DIR/<output>.npy, and say which providers ran it.
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engines/onnxruntime/npy_file.hpp"
#include "engines/onnxruntime/onnx_runner.hpp"
#include "ual/selector.hpp"

namespace ual::cli {
namespace {

namespace ort = ual::onnxruntime;

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs;            // NAME=FILE.npy
  std::string output_dir = ".";
  std::string policy = "max_performance";
  std::vector<std::string> provider_options;  // EP:key=value
  int threads = 0;
  bool json = false;
};

int usage_error(const std::string& message) {
  fmt::print(stderr, "ual run: {}\n", message);
  return 2;
}

int failure(const std::string& message) {
  fmt::print(stderr, "ual run: {}\n", message);
  return 1;
}

// Output names are the model author's strings: keep letters, digits, '.', '_' and '-', and never a hidden file,
// "..", or two outputs in one file.
std::string safe_file_name(const std::string& name, std::set<std::string>& used) {
  std::string safe;
  for (const char c : name) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (safe.empty() || safe.front() == '.') safe.insert(safe.begin(), '_');
  std::string candidate = safe;
  for (int suffix = 2; !used.insert(candidate).second; ++suffix) candidate = fmt::format("{}_{}", safe, suffix);
  return candidate + ".npy";
}

nlohmann::json providers_json(const ort::ProviderReport& report) {
  nlohmann::json appended = nlohmann::json::array(), skipped = nlohmann::json::array();
  for (const ort::PlannedProvider& provider : report.appended) {
    nlohmann::json options = nlohmann::json::object();
    for (const auto& [key, value] : provider.options) options[key] = value;
    appended.push_back({{"name", provider.name}, {"options", options}, {"reason", provider.reason}});
  }
  for (const ort::SkippedProvider& provider : report.skipped)
    skipped.push_back({{"name", provider.name}, {"reason", provider.reason}});
  return {{"appended", appended}, {"skipped", skipped}};
}

void print_providers(const ort::ProviderReport& report) {
  fmt::print("Execution providers\n");
  for (const ort::PlannedProvider& provider : report.appended) {
    std::vector<std::string> options;
    for (const auto& [key, value] : provider.options) options.push_back(key + "=" + value);
    fmt::print("  appended  {:<28} {}{}\n", provider.name, provider.reason,
               options.empty() ? "" : fmt::format(" [{}]", fmt::join(options, ", ")));
  }
  for (const ort::SkippedProvider& provider : report.skipped)
    fmt::print("  skipped   {:<28} {}\n", provider.name, provider.reason);
}

int run(const RunOptions& options) {
  ort::OnnxRunRequest request;
  request.model_path = options.model;
  request.intra_op_threads = options.threads;
  auto policy = parse_policy(options.policy);
  if (!policy) return usage_error(policy.error().message);
  request.policy = *policy;
  for (const std::string& option : options.provider_options) {
    const auto colon = option.find(':');
    const auto equals = option.find('=', colon == std::string::npos ? 0 : colon);
    if (colon == std::string::npos || equals == std::string::npos || colon == 0 || equals == colon + 1)
      return usage_error(fmt::format("--provider-option '{}' is not EP:key=value", option));
    const std::string provider = option.substr(0, colon);
    if (ort::execution_provider_full_name(provider).empty())
      return usage_error(fmt::format("--provider-option '{}': unknown execution provider '{}' (known: {})", option,
                                     provider, fmt::join(ort::known_execution_providers(), ", ")));
    request.provider_options[provider].emplace_back(option.substr(colon + 1, equals - colon - 1),
                                                    option.substr(equals + 1));
  }
  for (const std::string& input : options.inputs) {
    const auto equals = input.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == input.size())
      return usage_error(fmt::format("--input '{}' is not NAME=FILE.npy", input));
    auto tensor = ort::read_npy_file(input.substr(equals + 1));
    if (!tensor) return failure(fmt::format("input '{}': {}", input.substr(0, equals), tensor.error().message));
    tensor->name = input.substr(0, equals);
    request.inputs.push_back(std::move(*tensor));
  }

  auto result = ort::run_onnx_model(request);
  if (!result) return failure(result.error().message);

  std::error_code error;
  std::filesystem::create_directories(options.output_dir, error);
  if (error) return failure(fmt::format("{}: cannot create the output directory: {}", options.output_dir, error.message()));
  std::set<std::string> used;
  nlohmann::json outputs = nlohmann::json::array();
  std::vector<std::string> files;
  for (const ort::HostTensor& tensor : result->outputs) {
    const std::string file = (std::filesystem::path(options.output_dir) / safe_file_name(tensor.name, used)).string();
    if (auto written = ort::write_npy_file(file, tensor); !written) return failure(written.error().message);
    outputs.push_back({{"name", tensor.name}, {"dtype", ort::to_string(tensor.type)}, {"shape", tensor.shape},
                       {"file", file}});
    files.push_back(file);
  }
  if (options.json) {
    const nlohmann::json json = {{"model", options.model},
                                 {"policy", to_string(request.policy)},
                                 {"onnxruntime", {{"version", result->onnxruntime_version},
                                                  {"library", result->library_path}}},
                                 {"providers", providers_json(result->providers)},
                                 {"outputs", outputs},
                                 {"run_seconds", result->run_seconds}};
    fmt::print("{}\n", json.dump(2));
    return 0;
  }
  fmt::print("ONNX Runtime {} ({}), policy {}\n", result->onnxruntime_version, result->library_path,
             to_string(request.policy));
  print_providers(result->providers);
  fmt::print("Outputs ({:.3f} ms)\n", result->run_seconds * 1e3);
  for (std::size_t index = 0; index < result->outputs.size(); ++index) {
    const ort::HostTensor& tensor = result->outputs[index];
    fmt::print("  {:<24} {:<8} {:<16} {}\n", tensor.name, ort::to_string(tensor.type), ort::format_shape(tensor.shape),
               files[index]);
  }
  return 0;
}

void add_run_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand("run", "Run an ONNX model with ONNX Runtime on the best execution provider");
  command->add_option("model", options->model, "The .onnx model file")->required();
  command->add_option("--input,-i", options->inputs, "An input as NAME=FILE.npy (every model input is required)");
  command->add_option("--output-dir,-o", options->output_dir, "Where each output goes, as <output name>.npy")
      ->capture_default_str();
  command->add_option("--policy", options->policy,
                      "prefer_npu, prefer_gpu, prefer_cpu, max_performance or min_power: which providers go first")
      ->capture_default_str();
  command->add_option("--provider-option", options->provider_options,
                      "An execution provider option as EP:key=value (VitisAI:cache_dir=/tmp/vai), passed through");
  command->add_option("--threads", options->threads, "ONNX Runtime's intra-op threads (0: its default)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--json", options->json, "Print the providers and outputs as JSON");
  command->footer(
      "ONNX Runtime is loaded from $UAL_ONNXRUNTIME_LIBRARY, else libonnxruntime.so.1 by the loader's search, else "
      "the copy scripts/setup fetched. Exit codes: 0 ok, 1 failure (explained on stderr), 2 bad usage.");
  command->callback([options, &action] { action = [options] { return run(*options); }; });
}

const CommandRegistration registration{"run", 50, add_run_command};

}  // namespace
}  // namespace ual::cli
