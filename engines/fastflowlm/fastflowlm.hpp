// FastFlowLM (`flm`, github.com/FastFlowLM/FastFlowLM, followed at v0.9.x) runs LLMs on AMD XDNA2 NPUs. This module
// holds its model tag table (data/engines/fastflowlm.json) and builds `flm` argument lists checked against the CLI's
// documented flag rules (src/include/utils/vm_args.hpp, docs/instructions/cli.md), so a plan never emits a command
// the real `flm` would reject.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::fastflowlm {

// `flm serve` listens here unless --port or FLM_SERVE_PORT says otherwise.
inline constexpr int default_port = 52625;
inline constexpr std::string_view port_environment_variable = "FLM_SERVE_PORT";

struct FastFlowLmModel {
  std::string tag;                // "llama3.2:1b", as `flm run` takes it
  std::string catalog_id;         // simulator catalog id (data/models/), "" when there is none
  std::string hugging_face_repo;  // the pre-quantized NPU weights `flm pull` downloads
  std::uint64_t context_length = 0;  // the model's default context length (tokens)
  std::uint64_t memory_bytes = 0;    // approximate memory in use while serving (weights + default KV cache)
  std::string source;               // where these facts come from
};

// Every model tag FastFlowLM ships (data/engines/fastflowlm.json, parsed once).
UAL_API const std::vector<FastFlowLmModel>& fastflowlm_models();
// The model with this catalog id or flm tag (case-insensitive); nullptr when FastFlowLM has none.
UAL_API const FastFlowLmModel* find_fastflowlm_model(std::string_view catalog_id_or_tag);

// One `flm` invocation. Field names follow the CLI: ctx_len is --ctx-len, pmode is --pmode (default, powersaver,
// balanced, performance, turbo), q_len is --q-len (NPU request queue), socket is --socket (the most concurrent
// connections: a number in the real CLI, not a path), cors is --cors (on in flm unless "--cors 0"; unset here leaves
// flm's default), asr is --asr, embed is --embed, json is --json. Unset options are not passed.
struct FlmInvocation {
  std::string subcommand;  // run, serve, pull, list, remove, check, bench, validate, version, port
  std::string model_tag;
  std::optional<int> ctx_len;
  std::optional<std::string> pmode;
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<int> q_len;
  std::optional<int> socket;
  std::optional<bool> cors;
  bool asr = false;
  bool embed = false;
  bool json = false;
};

// argv after the program name, checked against the documented flag rules (--port/--host/--q-len/--socket/--cors
// only with serve, a model tag required for run/serve/pull/remove, ...). Errors (invalid_argument) name the rule.
UAL_API Result<std::vector<std::string>> build_flm_arguments(const FlmInvocation& invocation);

}  // namespace ual::fastflowlm
