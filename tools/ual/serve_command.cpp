// `ual serve`: plan how to run a model here, start the best ready server engine (FastFlowLM on an XDNA2 NPU, vLLM,
// llama.cpp, ...) under supervision, wait until it answers, print its OpenAI endpoint, and stop it on Ctrl+C.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engines/process/supervised_server.hpp"
#include "ual/inventory.hpp"
#include "ual/model_file.hpp"
#include "ual/plan.hpp"

namespace ual::cli {
namespace {

struct ServeOptions {
  std::string model;
  std::string engine;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string sysroot = "/";
  bool dry_run = false;
  double ready_timeout_seconds = 300;
  bool json = false;
};

volatile sig_atomic_t stop_signal_received = 0;
extern "C" void on_stop_signal(int signal_number) { stop_signal_received = signal_number; }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
}

// The strategy to serve: --engine's best, else the best ready one with an endpoint; nullptr with the reason printed.
const Strategy* choose_strategy(const Plan& plan, const std::string& engine) {
  const Strategy* first_server = nullptr;
  for (const Strategy& strategy : plan.strategies) {
    if (strategy.endpoint.empty() || strategy.commands.empty()) continue;
    if (!engine.empty() && strategy.engine != engine) continue;
    if (first_server == nullptr) first_server = &strategy;
    if (strategy.ready) return &strategy;
  }
  if (first_server != nullptr) {
    fmt::print(stderr, "ual serve: no server for {} is ready here; the best, {} on {}, needs first:\n", plan.model.id,
               first_server->engine, first_server->device);
    for (const std::string& need : first_server->requirements) fmt::print(stderr, "  - {}\n", need);
    return nullptr;
  }
  fmt::print(stderr, "ual serve: no server engine{} can run {} here\n",
             engine.empty() ? "" : fmt::format(" '{}'", engine), plan.model.id);
  for (const RejectedStrategy& rejected : plan.rejected)
    if (engine.empty() || rejected.engine == engine)
      fmt::print(stderr, "  - {}{}: {}\n", rejected.engine, rejected.device.empty() ? "" : " on " + rejected.device,
                 rejected.reason);
  return nullptr;
}

const EngineCommand& server_command(const Strategy& strategy) {
  for (const EngineCommand& command : strategy.commands)
    if (command.role == "server") return command;
  return strategy.commands.front();
}

nlohmann::json describe(const Strategy& strategy, const EngineCommand& command, const std::string& endpoint) {
  return {{"engine", strategy.engine},          {"device", strategy.device},
          {"command", command.text()},          {"argv", command.argv},
          {"endpoint", endpoint},               {"readiness_path", strategy.readiness_path},
          {"ready", strategy.ready}};
}

int run_serve(const ServeOptions& options) {
  DiscoveryOptions discovery;
  discovery.sysroot = options.sysroot;
  const auto inventory = discover(discovery);
  if (!inventory) {
    fmt::print(stderr, "ual serve: {}\n", inventory.error().message);
    return 1;
  }
  const auto model = describe_model(options.model);
  if (!model) {
    fmt::print(stderr, "ual serve: {}\n", model.error().message);
    return 1;
  }
  PlanOptions plan_options;
  plan_options.host = options.host;
  if (options.port != 0) {
    if (!options.dry_run) {
      if (Status free = engines::check_port_free(options.host, options.port); !free) {
        fmt::print(stderr, "ual serve: {}\n", free.error().message);
        return 1;
      }
    }
    plan_options.port = options.port;
  } else {
    const auto port = engines::pick_free_port(options.host);
    if (!port) {
      fmt::print(stderr, "ual serve: {}\n", port.error().message);
      return 1;
    }
    plan_options.port = *port;
  }
  const auto planned = plan(*model, *inventory, plan_options);
  if (!planned) {
    fmt::print(stderr, "ual serve: {}\n", planned.error().message);
    return 1;
  }
  const Strategy* strategy = choose_strategy(*planned, options.engine);
  if (strategy == nullptr) return 1;
  const EngineCommand& command = server_command(*strategy);
  const std::string openai_endpoint = strategy->endpoint + "/v1";
  if (options.dry_run) {
    if (options.json) fmt::print("{}\n", describe(*strategy, command, openai_endpoint).dump(2));
    else fmt::print("{}\n", command.text());
    return 0;
  }

  install_stop_handlers();
  engines::SupervisedServerOptions supervised;
  supervised.argv = command.argv;
  supervised.environment = command.environment;
  supervised.host = options.host;
  supervised.port = plan_options.port;
  supervised.readiness_path = strategy->readiness_path.empty() ? "/v1/models" : strategy->readiness_path;
  supervised.ready_timeout = std::chrono::milliseconds(static_cast<long long>(options.ready_timeout_seconds * 1000));
  // flm handles SIGINT (its Ctrl-C path releases the NPU context, src/src/main.cpp); the others stop on SIGTERM.
  if (strategy->engine == engine_fastflowlm) supervised.stop_signal = SIGINT;
  fmt::print(stderr, "ual serve: starting {} on {} ({})\n", strategy->engine, strategy->device, command.text());
  auto server = engines::SupervisedServer::start(std::move(supervised));
  if (!server) {
    fmt::print(stderr, "ual serve: {}\n", server.error().message);
    return 1;
  }
  const auto should_stop = [] { return stop_signal_received != 0; };
  if (Status ready = (*server)->wait_until_ready(should_stop); !ready) {
    fmt::print(stderr, "ual serve: {}\n", ready.error().message);
    return stop_signal_received != 0 ? 0 : 1;
  }
  if (options.json) fmt::print("{}\n", describe(*strategy, command, openai_endpoint).dump());
  else fmt::print("{}\n", openai_endpoint);
  std::fflush(stdout);
  fmt::print(stderr, "ual serve: {} is ready at {} (Ctrl+C stops it)\n", strategy->engine, openai_endpoint);
  const engines::ServerExit exit = (*server)->wait(should_stop);
  if (stop_signal_received != 0) {
    fmt::print(stderr, "ual serve: stopped {} ({})\n", strategy->engine, exit.describe());
    return 0;
  }
  fmt::print(stderr, "ual serve: {} {} while serving\n", strategy->engine, exit.describe());
  return 1;
}

void add_serve_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand(
      "serve", "Start the best ready inference server for a model here and print its OpenAI endpoint");
  command->add_option("--model", options->model,
                      "Catalog id (llama-3.2-1b), Hugging Face config.json, GGUF or ONNX file")
      ->required();
  command->add_option("--engine", options->engine,
                      "Use this engine's best strategy (fastflowlm, vllm, tensorrt-llm, llama.cpp, ...)");
  command->add_option("--host", options->host, "Address the server listens on")->capture_default_str();
  command->add_option("--port", options->port, "Port the server listens on (default: a free one)")
      ->check(CLI::Range(1, 65535));
  command->add_option("--sysroot", options->sysroot, "Plan for a recorded machine tree instead of this machine")
      ->capture_default_str();
  command->add_flag("--dry-run", options->dry_run, "Print the command that would be started, and exit");
  command->add_option("--ready-timeout", options->ready_timeout_seconds,
                      "Seconds to wait for the server to answer before giving up")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_flag("--json", options->json, "Print the chosen strategy and endpoint as JSON");
  command->callback([options, &action] { action = [options] { return run_serve(*options); }; });
}

const CommandRegistration registration{"serve", 60, add_serve_command};

}  // namespace
}  // namespace ual::cli
