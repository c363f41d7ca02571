// An HTTP client for the OpenAI chat protocol (and the Ollama routes FastFlowLM also serves), with FastFlowLM's error
// shapes turned into clear errors: HTTP 200 with an "error" field, HTTP 503 when the NPU queue is full ("busy, retry
// later"), refused connections and timeouts. Generic: `ual chat` uses it against any engine's endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::fastflowlm {

// http://host:port with an optional path prefix before the routes ("http://127.0.0.1:52625/v1" and
// "http://127.0.0.1:52625" are the same server: a trailing /v1 is dropped, since routes carry it).
struct UAL_API HttpEndpoint {
  std::string host;
  int port = 80;
  std::string base_path;  // "" or "/prefix", no trailing slash
  std::string url() const;
};
UAL_API Result<HttpEndpoint> parse_endpoint(std::string_view url);

struct ChatMessage {
  std::string role;  // system, user, assistant
  std::string content;
};

struct ChatRequest {
  std::string model;  // empty: the server's loaded model (FastFlowLM's current tag)
  std::vector<ChatMessage> messages;
  std::optional<int> max_tokens;
  std::optional<double> temperature;
  bool stream = true;
};

struct ChatUsage {
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  std::uint64_t total_tokens = 0;
};

struct ChatResponse {
  std::string model;
  std::string content;            // the assistant's answer, concatenated from the stream
  std::string reasoning_content;  // thinking models (FastFlowLM's qwen3, deepseek-r1): streamed separately
  std::string finish_reason;      // stop, length, tool_calls, ...
  std::optional<ChatUsage> usage;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds read_timeout{std::chrono::minutes(10)};  // flm's own request timeout is 600 s
};

// Receives each piece of the answer as it arrives (content only; reasoning is kept in the response).
using TextSink = std::function<void(std::string_view)>;

class UAL_API OpenAiClient {
 public:
  explicit OpenAiClient(HttpEndpoint endpoint, ClientOptions options = {});

  // GET /v1/models: the model ids.
  Result<std::vector<std::string>> list_models() const;
  // POST /v1/chat/completions; with request.stream, server-sent events ("data: {...}", "data: [DONE]") fed to sink.
  Result<ChatResponse> chat(const ChatRequest& request, const TextSink& sink = {}) const;
  // GET /api/tags (Ollama): the model names.
  Result<std::vector<std::string>> ollama_tags() const;
  // POST /api/chat (Ollama): newline-delimited JSON when streaming.
  Result<ChatResponse> ollama_chat(const ChatRequest& request, const TextSink& sink = {}) const;

  const HttpEndpoint& endpoint() const noexcept { return endpoint_; }

 private:
  HttpEndpoint endpoint_;
  ClientOptions options_;
};

// Parses one OpenAI streaming event's JSON (a chat.completion.chunk) into response; for tests and other clients.
// Errors: the chunk is not JSON, or carries an "error".
UAL_API Status apply_chat_chunk(std::string_view json_text, ChatResponse& response, const TextSink& sink);

}  // namespace ual::fastflowlm
