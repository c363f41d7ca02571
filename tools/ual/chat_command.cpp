// `ual chat`: one chat completion against any OpenAI-protocol endpoint (`ual serve` prints one), streamed to stdout as
// it arrives; --json prints the final message and the token usage instead.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engines/fastflowlm/openai_client.hpp"

namespace ual::cli {
namespace {

struct ChatOptions {
  std::string endpoint;
  std::string prompt;
  std::string model;
  std::string system;
  std::optional<int> max_tokens;
  double timeout_seconds = 600;
  bool json = false;
};

int run_chat(const ChatOptions& options) {
  auto endpoint = fastflowlm::parse_endpoint(options.endpoint);
  if (!endpoint) {
    fmt::print(stderr, "ual chat: {}\n", endpoint.error().message);
    return 2;
  }
  fastflowlm::ChatRequest request;
  request.model = options.model;
  if (!options.system.empty()) request.messages.push_back({"system", options.system});
  request.messages.push_back({"user", options.prompt});
  request.max_tokens = options.max_tokens;
  request.stream = true;
  fastflowlm::ClientOptions client_options;
  client_options.read_timeout = std::chrono::milliseconds(static_cast<long long>(options.timeout_seconds * 1000));
  const fastflowlm::OpenAiClient client(*endpoint, client_options);

  bool printed = false;
  fastflowlm::TextSink sink;
  if (!options.json) {
    sink = [&printed](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      printed = true;
    };
  }
  const auto response = client.chat(request, sink);
  if (!response) {
    if (printed) std::fputc('\n', stdout);
    fmt::print(stderr, "ual chat: {}\n", response.error().message);
    return 1;
  }
  if (options.json) {
    nlohmann::json answer = {{"endpoint", endpoint->url()},
                             {"model", response->model},
                             {"message", {{"role", "assistant"}, {"content", response->content}}},
                             {"finish_reason", response->finish_reason}};
    if (!response->reasoning_content.empty()) answer["message"]["reasoning_content"] = response->reasoning_content;
    if (response->usage)
      answer["usage"] = {{"prompt_tokens", response->usage->prompt_tokens},
                         {"completion_tokens", response->usage->completion_tokens},
                         {"total_tokens", response->usage->total_tokens}};
    else
      answer["usage"] = nullptr;
    fmt::print("{}\n", answer.dump(2));
  } else {
    std::fputc('\n', stdout);
  }
  return 0;
}

void add_chat_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<ChatOptions>();
  CLI::App* command =
      app.add_subcommand("chat", "Send one prompt to an OpenAI-protocol endpoint and stream the answer");
  command->add_option("--endpoint", options->endpoint, "Server URL, e.g. http://127.0.0.1:52625/v1 (from ual serve)")
      ->required();
  command->add_option("--prompt", options->prompt, "The user message")->required();
  command->add_option("--model", options->model, "Model name to ask for (default: the server's loaded model)");
  command->add_option("--system", options->system, "A system message sent before the prompt");
  command->add_option("--max-tokens", options->max_tokens, "Most tokens to generate")->check(CLI::PositiveNumber);
  command->add_option("--timeout", options->timeout_seconds, "Seconds to wait for each part of the answer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_flag("--json", options->json, "Print the final message and token usage as JSON");
  command->callback([options, &action] { action = [options] { return run_chat(*options); }; });
}

const CommandRegistration registration{"chat", 61, add_chat_command};

}  // namespace
}  // namespace ual::cli
