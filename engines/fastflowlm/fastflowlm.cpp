// The FastFlowLM model table (data/engines/fastflowlm.json, compiled in) and the `flm` argument builder. The flag
// rules are those of FastFlowLM 0.9.x src/include/utils/vm_args.hpp (parse_options) and src/src/main.cpp.
#include "engines/fastflowlm/fastflowlm.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"

namespace ual::fastflowlm {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::vector<FastFlowLmModel> load_models() {
  std::vector<FastFlowLmModel> models;
  const auto content = data::find_embedded_file("engines/fastflowlm.json");
  if (!content) return models;
  const auto json = nlohmann::json::parse(*content, nullptr, false);
  if (json.is_discarded() || !json.contains("models") || !json["models"].is_array()) return models;
  for (const auto& entry : json["models"]) {
    if (!entry.is_object() || !entry.contains("tag") || !entry["tag"].is_string()) continue;
    FastFlowLmModel model;
    model.tag = entry["tag"].get<std::string>();
    model.catalog_id = entry.value("catalog_id", "");
    model.hugging_face_repo = entry.value("hugging_face_repo", "");
    model.context_length = entry.value("context_length", std::uint64_t{0});
    model.memory_bytes = entry.value("memory_bytes", std::uint64_t{0});
    model.source = entry.value("source", "");
    models.push_back(std::move(model));
  }
  return models;
}

// What each subcommand takes, from vm_args.hpp: run/pull/remove/check need a tag ("Error: Model tag is required for
// command '...'"), bench resolves one in main.cpp, list/version/port/validate/help return before reading it.
enum class TagRule { required, none };
struct SubcommandRule {
  std::string_view name;
  TagRule tag;
};
// `serve` without a tag starts flm with no model ("model-faker"); a ual plan always names the model it serves, so an
// empty tag here is a caller's mistake, and is reported as one.
constexpr std::array<SubcommandRule, 10> subcommands = {{{"run", TagRule::required},
                                                         {"serve", TagRule::required},
                                                         {"pull", TagRule::required},
                                                         {"remove", TagRule::required},
                                                         {"check", TagRule::required},
                                                         {"bench", TagRule::required},
                                                         {"list", TagRule::none},
                                                         {"validate", TagRule::none},
                                                         {"version", TagRule::none},
                                                         {"port", TagRule::none}}};

constexpr std::array<std::string_view, 5> power_modes = {"default", "powersaver", "balanced", "performance", "turbo"};

Error rule_broken(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

bool is_one_of(std::string_view value, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

}  // namespace

const std::vector<FastFlowLmModel>& fastflowlm_models() {
  static const std::vector<FastFlowLmModel> models = load_models();
  return models;
}

const FastFlowLmModel* find_fastflowlm_model(std::string_view catalog_id_or_tag) {
  const std::string wanted = lower(catalog_id_or_tag);
  if (wanted.empty()) return nullptr;
  for (const FastFlowLmModel& model : fastflowlm_models())
    if (lower(model.tag) == wanted) return &model;
  for (const FastFlowLmModel& model : fastflowlm_models())
    if (!model.catalog_id.empty() && lower(model.catalog_id) == wanted) return &model;
  return nullptr;
}

// Flag spellings are the real CLI's long names: --ctx-len, --pmode, --host, --port, --q-len, --socket; the boolean
// options --cors, --asr and --embed are Boost po::value<bool> and take a value ("--asr 1"), not bare switches;
// --json is a switch (po::bool_switch).
Result<std::vector<std::string>> build_flm_arguments(const FlmInvocation& invocation) {
  const std::string& command = invocation.subcommand;
  const auto rule = std::find_if(subcommands.begin(), subcommands.end(),
                                 [&](const SubcommandRule& entry) { return entry.name == command; });
  if (rule == subcommands.end())
    return rule_broken(fmt::format("flm has no subcommand '{}' (run, serve, pull, remove, check, bench, list, "
                                   "validate, version, port)",
                                   command));
  if (rule->tag == TagRule::required && invocation.model_tag.empty())
    return rule_broken(fmt::format("flm {} needs a model tag (e.g. llama3.2:1b)", command));
  if (rule->tag == TagRule::none && !invocation.model_tag.empty())
    return rule_broken(fmt::format("flm {} takes no model tag (got '{}')", command, invocation.model_tag));
  if (invocation.model_tag.find_first_of(" \t\n") != std::string::npos || invocation.model_tag.starts_with('-'))
    return rule_broken(fmt::format("'{}' is not a model tag", invocation.model_tag));

  const bool serve = command == "serve";
  // vm_args.hpp rejects these four outside serve; --host is documented "for serve command" and ignored elsewhere,
  // so ual rejects it too rather than emit a flag that does nothing.
  if (!serve) {
    if (invocation.port) return rule_broken("--port is only supported with flm serve");
    if (invocation.socket) return rule_broken("--socket is only supported with flm serve");
    if (invocation.q_len) return rule_broken("--q-len is only supported with flm serve");
    if (invocation.cors) return rule_broken("--cors is only supported with flm serve");
    if (invocation.host) return rule_broken("--host is only supported with flm serve");
  }
  const bool loads_model = is_one_of(command, {"run", "serve", "bench"});
  if (invocation.pmode && !loads_model) return rule_broken("--pmode applies only to flm run, serve and bench");
  if (invocation.pmode &&
      std::find(power_modes.begin(), power_modes.end(), *invocation.pmode) == power_modes.end())
    return rule_broken(fmt::format("--pmode '{}' is not one of default, powersaver, balanced, performance, turbo",
                                   *invocation.pmode));
  if (invocation.ctx_len && !loads_model) return rule_broken("--ctx-len applies only to flm run, serve and bench");
  if (invocation.ctx_len && *invocation.ctx_len <= 0)
    return rule_broken(fmt::format("--ctx-len must be positive (got {})", *invocation.ctx_len));
  if ((invocation.asr || invocation.embed) && !is_one_of(command, {"run", "serve"}))
    return rule_broken("--asr and --embed apply only to flm run and serve");
  if (invocation.json && !is_one_of(command, {"list", "validate", "version", "port"}))
    return rule_broken("--json applies only to flm list, validate, version and port");
  if (invocation.port && (*invocation.port < 1 || *invocation.port > 65535))
    return rule_broken(fmt::format("--port {} is outside 1..65535", *invocation.port));
  if (invocation.q_len && *invocation.q_len < 1)
    return rule_broken(fmt::format("--q-len must be at least 1 (got {})", *invocation.q_len));
  if (invocation.socket && *invocation.socket < 1)
    return rule_broken(fmt::format("--socket must be at least 1 (got {})", *invocation.socket));
  if (invocation.host && invocation.host->empty()) return rule_broken("--host must not be empty");

  std::vector<std::string> arguments{command};
  if (!invocation.model_tag.empty()) arguments.push_back(invocation.model_tag);
  if (invocation.host) arguments.insert(arguments.end(), {"--host", *invocation.host});
  if (invocation.port) arguments.insert(arguments.end(), {"--port", std::to_string(*invocation.port)});
  if (invocation.ctx_len) arguments.insert(arguments.end(), {"--ctx-len", std::to_string(*invocation.ctx_len)});
  if (invocation.pmode) arguments.insert(arguments.end(), {"--pmode", *invocation.pmode});
  if (invocation.q_len) arguments.insert(arguments.end(), {"--q-len", std::to_string(*invocation.q_len)});
  if (invocation.socket) arguments.insert(arguments.end(), {"--socket", std::to_string(*invocation.socket)});
  if (invocation.cors) arguments.insert(arguments.end(), {"--cors", *invocation.cors ? "1" : "0"});
  if (invocation.asr) arguments.insert(arguments.end(), {"--asr", "1"});
  if (invocation.embed) arguments.insert(arguments.end(), {"--embed", "1"});
  if (invocation.json) arguments.push_back("--json");
  return arguments;
}

}  // namespace ual::fastflowlm
