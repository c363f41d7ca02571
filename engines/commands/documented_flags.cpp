#include "engines/commands/documented_flags.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/embedded_data.hpp"
#include "core/text.hpp"

namespace ual::engines {

using nlohmann::json;

Result<EngineDocumentation> load_engine_documentation(std::string_view file_stem) {
  const std::string path = fmt::format("engines/{}.json", file_stem);
  const auto content = data::find_embedded_file(path);
  if (!content) return make_error(ErrorCode::not_found, fmt::format("data/{} is not compiled into libual", path));
  const json file = json::parse(*content, nullptr, false);
  if (file.is_discarded() || !file.is_object())
    return make_error(ErrorCode::parse_error, fmt::format("data/{}: not a JSON object", path));
  EngineDocumentation documentation;
  documentation.engine = file.value("engine", std::string{});
  documentation.program = file.value("program", std::string{});
  documentation.version_followed = file.value("version_followed", std::string{});
  documentation.default_port = file.value("default_port", 0);
  documentation.readiness_path = file.value("readiness_path", std::string{});
  documentation.raw_json = std::string(*content);
  if (documentation.engine.empty() || documentation.program.empty())
    return make_error(ErrorCode::parse_error, fmt::format("data/{}: needs \"engine\" and \"program\"", path));
  return documentation;
}

namespace {

std::string check_value(std::string_view flag, const json& rule, const std::string& value) {
  const std::string kind = rule.value("value", std::string{"string"});
  if (kind == "string") return value.empty() ? fmt::format("{} needs a value", flag) : "";
  if (kind == "port") {
    const auto port = text::parse_unsigned(value);
    return port && *port >= 1 && *port <= 65535 ? "" : fmt::format("{} {}: not a TCP port (1-65535)", flag, value);
  }
  if (kind == "positive_integer" || kind == "non_negative_integer") {
    const auto number = text::parse_unsigned(value);
    if (!number || (kind == "positive_integer" && *number == 0))
      return fmt::format("{} {}: not a {} integer", flag, value, kind == "positive_integer" ? "positive" : "non-negative");
    return "";
  }
  if (kind == "fraction" || kind == "non_negative_number") {
    char* end = nullptr;
    const double number = std::strtod(value.c_str(), &end);
    const bool parsed = !value.empty() && end == value.c_str() + value.size();
    if (!parsed || number < 0 || (kind == "fraction" && (number <= 0 || number > 1)))
      return fmt::format("{} {}: not a {}", flag, value, kind == "fraction" ? "fraction in (0, 1]" : "number >= 0");
    return "";
  }
  if (kind == "choice") {
    for (const auto& choice : rule.at("choices"))
      if (choice.get<std::string>() == value) return "";
    return fmt::format("{} {}: not one of the documented values {}", flag, value, rule.at("choices").dump());
  }
  return fmt::format("{}: unknown value kind '{}' in the engine's data file", flag, kind);
}

}  // namespace

Status check_documented_flags(const EngineDocumentation& documentation, std::string_view subcommand,
                              const std::vector<std::string>& arguments) {
  const json file = json::parse(documentation.raw_json, nullptr, false);
  const json* rules = nullptr;
  if (file.contains("subcommands") && file["subcommands"].contains(std::string(subcommand)))
    rules = &file["subcommands"][std::string(subcommand)];
  if (rules == nullptr)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{} has no documented subcommand '{}'", documentation.program, subcommand));
  const json& flags = rules->at("flags");
  const std::size_t positional_expected = rules->value("positional", json::array()).size();
  std::size_t positional = 0;
  std::set<std::string> seen;
  for (std::size_t index = 0; index < arguments.size(); ++index) {
    const std::string& argument = arguments[index];
    if (!argument.starts_with("-")) {
      if (++positional > positional_expected)
        return make_error(ErrorCode::invalid_argument,
                          fmt::format("{} {}: unexpected argument '{}'", documentation.program, subcommand, argument));
      continue;
    }
    if (!flags.contains(argument))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{} {}: {} is not a documented flag ({})", documentation.program, subcommand,
                                    argument, documentation.version_followed));
    if (!seen.insert(argument).second)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{} {}: {} given twice", documentation.program, subcommand, argument));
    const json& rule = flags[argument];
    if (rule.value("value", std::string{"string"}) == "none") continue;
    if (index + 1 >= arguments.size())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{} {}: {} needs a value", documentation.program, subcommand, argument));
    if (std::string problem = check_value(argument, rule, arguments[++index]); !problem.empty())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{} {}: {}", documentation.program, subcommand, problem));
  }
  if (positional != positional_expected)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{} {}: expects {} positional argument(s), got {}", documentation.program,
                                  subcommand, positional_expected, positional));
  for (const auto& group : rules->value("one_of", json::array())) {
    int present = 0;
    for (const auto& flag : group) present += seen.contains(flag.get<std::string>()) ? 1 : 0;
    if (present != 1)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{} {}: exactly one of {} is required", documentation.program, subcommand,
                                    group.dump()));
  }
  return ok_status();
}

}  // namespace ual::engines
