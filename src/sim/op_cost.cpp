// estimate_op_seconds: the cost of one op written as text on one catalog device, for the task-graph scheduler and
// the planner. The grammar is small and every op maps onto the same cost model as `ual sim infer`.
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/text.hpp"
#include "sim/inference_setup.hpp"
#include "sim/transformer_step.hpp"
#include "ual/sim.hpp"

namespace ual::sim {
namespace {

constexpr const char* grammar =
    "ops are 'gemm MxNxK [f32|tf32|bf16|fp16|fp8|int8]', 'llm prefill|decode N tokens MODEL [PRECISION]', "
    "'copy SIZE' (device memory) or 'transfer SIZE' (host link), SIZE like 512MB or 1GB";

Error bad_op(std::string_view op, std::string why) {
  return make_error(ErrorCode::invalid_argument, fmt::format("op '{}': {}; {}", op, why, grammar));
}

std::optional<double> parse_positive(std::string_view text) {
  const auto value = text::parse_unsigned(text);
  if (!value || *value == 0 || *value > (1ull << 40)) return std::nullopt;
  return static_cast<double>(*value);
}

std::optional<double> parse_size(std::string_view text) {
  static const std::vector<std::pair<std::string, double>> units = {
      {"gib", 1024.0 * 1024 * 1024}, {"mib", 1024.0 * 1024}, {"kib", 1024.0}, {"gb", 1e9},
      {"mb", 1e6},                   {"kb", 1e3},            {"b", 1}};
  const std::string lower = text::to_lower(text);
  for (const auto& [suffix, scale] : units)
    if (lower.size() > suffix.size() && lower.ends_with(suffix)) {
      const auto number = parse_positive(std::string_view(lower).substr(0, lower.size() - suffix.size()));
      if (number) return *number * scale;
      return std::nullopt;
    }
  return parse_positive(lower);
}

// The format a device runs an LLM in when the op does not say: FP8 where it has FP8 math, else 16-bit, else int8.
Precision default_llm_precision(const HardwareSpec& hardware) {
  for (Precision precision : {Precision::fp8, Precision::bf16, Precision::fp16, Precision::int8})
    if (hardware.peak_flops.contains(precision)) return precision;
  return Precision::fp32;
}

Result<double> llm_op_seconds(std::string_view op, const std::vector<std::string_view>& words,
                              const HardwareSpec& hardware, const DeviceCosts& device) {
  // llm prefill|decode N tokens MODEL [PRECISION]
  if (words.size() < 5 || words.size() > 6 || (words[3] != "tokens" && words[3] != "token"))
    return bad_op(op, "expected 'llm prefill|decode N tokens MODEL [PRECISION]'");
  const auto tokens = parse_positive(words[2]);
  if (!tokens || *tokens > 10'000'000) return bad_op(op, fmt::format("'{}' is not a token count", words[2]));
  auto model = find_model(words[4]);
  if (!model) return bad_op(op, model.error().message);
  Precision precision = default_llm_precision(hardware);
  if (words.size() == 6) {
    auto parsed = parse_precision(words[5]);
    if (!parsed) return bad_op(op, parsed.error().message);
    precision = *parsed;
  }
  auto formats = inference_formats(device, precision, std::nullopt);
  if (!formats) return bad_op(op, formats.error().message);
  const int budget = device.constants().default_max_num_tokens;
  double seconds = 0;
  if (words[1] == "prefill") {
    for (double done = 0; done < *tokens; done += budget) {
      const double chunk = std::min<double>(budget, *tokens - done);
      StepLoad load;
      load.prefill_tokens = chunk;
      load.prefill_attention = chunk * (done + (chunk + 1) / 2);
      load.logits_rows = done + chunk >= *tokens ? 1 : 0;
      seconds += engine_step_cost(*model, device, 1, 1, *formats, load).total();
    }
    return seconds;
  }
  if (words[1] == "decode") {
    // One sequence generating N tokens: N steps whose context grows from 1 to N (mean N / 2).
    StepLoad load;
    load.decode_tokens = 1;
    load.decode_context = (*tokens + 1) / 2;
    load.logits_rows = 1;
    return *tokens * engine_step_cost(*model, device, 1, 1, *formats, load).total();
  }
  return bad_op(op, fmt::format("'{}' is neither prefill nor decode", words[1]));
}

}  // namespace

Result<double> estimate_op_seconds(std::string_view op, std::string_view hardware_id) {
  auto hardware = find_hardware(hardware_id);
  if (!hardware) return hardware.error();
  const DeviceCosts device(*hardware, modeling_constants());
  const auto words = text::split_whitespace(op);
  if (words.empty()) return bad_op(op, "empty op");
  if (words[0] == "gemm") {
    if (words.size() < 2 || words.size() > 3) return bad_op(op, "expected 'gemm MxNxK [DTYPE]'");
    const std::string shape = text::to_lower(words[1]);
    const auto dims = text::split(shape, 'x');
    std::optional<double> m, n, k;
    if (dims.size() == 3) m = parse_positive(dims[0]), n = parse_positive(dims[1]), k = parse_positive(dims[2]);
    if (!m || !n || !k) return bad_op(op, fmt::format("'{}' is not MxNxK with positive sizes", words[1]));
    Precision precision = Precision::bf16;
    if (words.size() == 3) {
      auto parsed = parse_precision(words[2]);
      if (!parsed) return bad_op(op, parsed.error().message);
      precision = *parsed;
    }
    if (precision == Precision::int4) return bad_op(op, "int4 GEMMs are weight-only; give the compute format");
    const double bytes = precision == Precision::tf32 ? 4 : bytes_per_element(precision);
    const double out = bytes < 2 ? 2 : bytes;
    return device.gemm_seconds({*m, *n, *k, 1, bytes, bytes, out}, precision) +
           device.constants().kernel_overhead_s;
  }
  if (words[0] == "llm") return llm_op_seconds(op, words, *hardware, device);
  if (words[0] == "copy" || words[0] == "transfer") {
    if (words.size() != 2) return bad_op(op, fmt::format("expected '{} SIZE'", words[0]));
    const auto bytes = parse_size(words[1]);
    if (!bytes) return bad_op(op, fmt::format("'{}' is not a size", words[1]));
    if (words[0] == "copy") return device.memory_seconds(2 * *bytes) + device.constants().kernel_overhead_s;
    const Link& link = hardware->host_link;
    const double bandwidth = link.bytes_per_s_per_direction > 0 ? link.bytes_per_s_per_direction : 16e9;
    return *bytes / (bandwidth * device.constants().link_peak_fraction) + link.latency_s;
  }
  return bad_op(op, fmt::format("unknown op '{}'", words[0]));
}

}  // namespace ual::sim
