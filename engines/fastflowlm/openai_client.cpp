// OpenAI/Ollama chat over cpp-httplib. Error shapes are FastFlowLM's (src/server/server.cpp, rest_handler.cpp):
// handler failures answer HTTP 200 {"error": "..."} or {"error": {"message", "type", "code"}} (code 400 becomes HTTP
// 400), a full NPU queue answers HTTP 503 {"error": "NPU is in use and request queue is full ..."}, and streams are
// sent with Content-Type text/event-stream whether they hold SSE events or Ollama's NDJSON lines.
#include "engines/fastflowlm/openai_client.hpp"

#include <charconv>

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace ual::fastflowlm {
namespace {

using nlohmann::json;

constexpr std::size_t kept_body_bytes = 16u << 20;  // of a body: whole JSON answers, error messages

// The "error" of a FastFlowLM (or OpenAI) error body: a string, or an object with a message.
std::string error_text(const json& body) {
  if (!body.is_object() || !body.contains("error")) return "";
  const json& error = body["error"];
  if (error.is_string()) return error.get<std::string>();
  if (error.is_object() && error.contains("message") && error["message"].is_string())
    return error["message"].get<std::string>();
  return error.dump();
}

std::string body_error_text(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_discarded()) {
    if (std::string text = error_text(parsed); !text.empty()) return text;
  }
  std::string trimmed = body.substr(0, 300);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  return trimmed.empty() ? "no body" : trimmed;
}

void add_usage(const json& usage, ChatResponse& response) {
  if (!usage.is_object()) return;
  ChatUsage result;
  result.prompt_tokens = usage.value("prompt_tokens", std::uint64_t{0});
  result.completion_tokens = usage.value("completion_tokens", std::uint64_t{0});
  result.total_tokens = usage.value("total_tokens", result.prompt_tokens + result.completion_tokens);
  response.usage = result;
}

std::string string_or_empty(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

// One HTTP exchange whose body is fed, as it arrives, to on_line (one line at a time, without the newline).
struct Exchange {
  int status = 0;
  std::string body;  // the body's first kept_body_bytes (JSON answers, error messages)
  Error line_error;        // set when on_line refused a line
  bool line_failed = false;
  std::size_t received = 0;
};

}  // namespace

std::string HttpEndpoint::url() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}{}", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port, base_path);
}

Result<HttpEndpoint> parse_endpoint(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::invalid_argument, fmt::format("endpoint '{}' {}", url, why));
  };
  std::string_view rest = url;
  if (rest.starts_with("https://")) return bad("uses https, which ual's client does not speak (use http://)");
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  else if (rest.find("://") != std::string_view::npos) return bad("is not an http:// URL");
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string path(slash == std::string_view::npos ? std::string_view() : rest.substr(slash));
  HttpEndpoint endpoint;
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed [IPv6] host");
    endpoint.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
  } else {
    const std::size_t colon = authority.rfind(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return bad("has no host");
  if (!port_text.empty()) {
    int port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return bad("has no valid port (1..65535)");
    endpoint.port = port;
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.ends_with("/v1")) path.resize(path.size() - 3);
  endpoint.base_path = path;
  return endpoint;
}

OpenAiClient::OpenAiClient(HttpEndpoint endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

namespace {

Result<Exchange> perform(const HttpEndpoint& endpoint, const ClientOptions& options, const std::string& method,
                         const std::string& path, const std::string& body,
                         const std::function<Status(std::string_view)>& on_line) {
  httplib::Client client(endpoint.host, endpoint.port);
  const auto seconds = [](std::chrono::milliseconds duration) {
    return std::pair<time_t, time_t>(duration.count() / 1000, (duration.count() % 1000) * 1000);
  };
  client.set_connection_timeout(seconds(options.connect_timeout).first, seconds(options.connect_timeout).second);
  client.set_read_timeout(seconds(options.read_timeout).first, seconds(options.read_timeout).second);
  client.set_keep_alive(false);

  Exchange exchange;
  std::string pending;
  httplib::Request request;
  request.method = method;
  request.path = endpoint.base_path + path;
  request.set_header("Accept", "application/json, text/event-stream");
  if (!body.empty()) {
    request.body = body;
    request.set_header("Content-Type", "application/json");
  }
  request.response_handler = [&](const httplib::Response& response) {
    exchange.status = response.status;
    return true;
  };
  const auto take_line = [&](std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (exchange.status != 200 || exchange.line_failed) return;
    if (Status status = on_line(line); !status.ok()) {
      exchange.line_failed = true;
      exchange.line_error = status.error();
    }
  };
  request.content_receiver = [&](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
    exchange.received += size;
    if (exchange.body.size() < kept_body_bytes)
      exchange.body.append(data, std::min(size, kept_body_bytes - exchange.body.size()));
    pending.append(data, size);
    for (std::size_t newline; (newline = pending.find('\n')) != std::string::npos;) {
      take_line(pending.substr(0, newline));
      pending.erase(0, newline + 1);
    }
    return !exchange.line_failed;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  const auto started = std::chrono::steady_clock::now();
  const bool sent = client.send(request, response, error);
  if (sent && !pending.empty()) take_line(std::move(pending));
  if (exchange.line_failed) return exchange.line_error;
  if (sent) return exchange;

  const std::string where = endpoint.url();
  const auto waited = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  switch (error) {
    case httplib::Error::Connection:
      return make_error(ErrorCode::unavailable,
                        fmt::format("cannot connect to {}: connection refused (is the server running?)", where));
    case httplib::Error::ConnectionTimeout:
      return make_error(ErrorCode::unavailable, fmt::format("connecting to {} timed out after {} s", where,
                                                            options.connect_timeout.count() / 1000.0));
    case httplib::Error::Read:
      if (exchange.status == 0 && waited + std::chrono::seconds(1) >= options.read_timeout)
        return make_error(ErrorCode::unavailable,
                          fmt::format("{} did not answer {} {} within {} s", where, method, path, waited.count()));
      return make_error(ErrorCode::unavailable,
                        exchange.status == 0
                            ? fmt::format("{} closed the connection without answering {} {}", where, method, path)
                            : fmt::format("{} closed the connection in the middle of the answer to {} {} (after {} "
                                          "bytes): the server may have crashed",
                                          where, method, path, exchange.received));
    default:
      return make_error(ErrorCode::unavailable,
                        fmt::format("{} {} {} failed: {}", method, where, path, httplib::to_string(error)));
  }
}

// The status and error-shape checks shared by every route. `body` is what the server sent.
Status check_answer(const HttpEndpoint& endpoint, const std::string& path, const Exchange& exchange) {
  const std::string where = endpoint.url();
  if (exchange.status == 503)
    return make_error(ErrorCode::unavailable,
                      fmt::format("{} is busy, retry later: {}", where, body_error_text(exchange.body)));
  if (exchange.status == 404)
    return make_error(ErrorCode::not_found, fmt::format("{} has no route {} (HTTP 404: {})", where, path,
                                                        body_error_text(exchange.body)));
  if (exchange.status != 200)
    return make_error(ErrorCode::unavailable, fmt::format("{}{} answered HTTP {}: {}", where, path, exchange.status,
                                                          body_error_text(exchange.body)));
  return ok_status();
}

Result<json> get_json(const HttpEndpoint& endpoint, const ClientOptions& options, const std::string& path) {
  auto exchange = perform(endpoint, options, "GET", path, "", [](std::string_view) { return ok_status(); });
  if (!exchange) return exchange.error();
  if (Status status = check_answer(endpoint, path, *exchange); !status) return status.error();
  json body = json::parse(exchange->body, nullptr, false);
  if (body.is_discarded())
    return make_error(ErrorCode::parse_error, fmt::format("{}{} did not answer JSON", endpoint.url(), path));
  if (std::string text = error_text(body); !text.empty())
    return make_error(ErrorCode::unavailable, fmt::format("{}{}: {}", endpoint.url(), path, text));
  return body;
}

json request_body(const ChatRequest& request) {
  json messages = json::array();
  for (const ChatMessage& message : request.messages)
    messages.push_back({{"role", message.role}, {"content", message.content}});
  json body = {{"messages", messages}, {"stream", request.stream}};
  if (!request.model.empty()) body["model"] = request.model;
  if (request.temperature) body["temperature"] = *request.temperature;
  return body;
}

}  // namespace

Status apply_chat_chunk(std::string_view json_text, ChatResponse& response, const TextSink& sink) {
  const json chunk = json::parse(json_text, nullptr, false);
  if (chunk.is_discarded())
    return make_error(ErrorCode::parse_error, fmt::format("a streamed event is not JSON: {}", json_text.substr(0, 200)));
  if (std::string text = error_text(chunk); !text.empty())
    return make_error(ErrorCode::unavailable, fmt::format("the server reported an error mid-stream: {}", text));
  if (response.model.empty()) response.model = string_or_empty(chunk, "model");
  if (chunk.contains("usage")) add_usage(chunk["usage"], response);
  if (!chunk.contains("choices") || !chunk["choices"].is_array()) return ok_status();
  for (const json& choice : chunk["choices"]) {
    if (std::string reason = string_or_empty(choice, "finish_reason"); !reason.empty()) response.finish_reason = reason;
    const json* delta = choice.contains("delta") ? &choice["delta"] : choice.contains("message") ? &choice["message"]
                                                                                                 : nullptr;
    if (delta == nullptr) continue;
    response.reasoning_content += string_or_empty(*delta, "reasoning_content");
    // The final FastFlowLM chunk carries "content": null.
    const std::string content = string_or_empty(*delta, "content");
    if (content.empty()) continue;
    response.content += content;
    if (sink) sink(content);
  }
  return ok_status();
}

Result<std::vector<std::string>> OpenAiClient::list_models() const {
  auto body = get_json(endpoint_, options_, "/v1/models");
  if (!body) return body.error();
  std::vector<std::string> ids;
  if (body->contains("data") && (*body)["data"].is_array())
    for (const json& entry : (*body)["data"])
      if (std::string id = string_or_empty(entry, "id"); !id.empty()) ids.push_back(id);
  return ids;
}

Result<std::vector<std::string>> OpenAiClient::ollama_tags() const {
  auto body = get_json(endpoint_, options_, "/api/tags");
  if (!body) return body.error();
  std::vector<std::string> names;
  if (body->contains("models") && (*body)["models"].is_array())
    for (const json& entry : (*body)["models"])
      if (std::string name = string_or_empty(entry, "name"); !name.empty()) names.push_back(name);
  return names;
}

Result<ChatResponse> OpenAiClient::chat(const ChatRequest& request, const TextSink& sink) const {
  json body = request_body(request);
  if (request.max_tokens) body["max_tokens"] = *request.max_tokens;
  if (request.stream) body["stream_options"] = {{"include_usage", true}};
  ChatResponse response;
  bool events = false, done = false;
  const std::string path = "/v1/chat/completions";
  auto exchange = perform(endpoint_, options_, "POST", path, body.dump(), [&](std::string_view line) -> Status {
    if (!request.stream || !line.starts_with("data:")) return ok_status();
    std::string_view payload = line.substr(5);
    while (!payload.empty() && payload.front() == ' ') payload.remove_prefix(1);
    events = true;
    if (payload == "[DONE]") {
      done = true;
      return ok_status();
    }
    return apply_chat_chunk(payload, response, sink);
  });
  if (!exchange) return exchange.error();
  if (Status status = check_answer(endpoint_, path, *exchange); !status) return status.error();
  if (request.stream && events) {
    if (!done)
      return make_error(ErrorCode::unavailable,
                        fmt::format("{} ended the stream without [DONE] after {} characters of answer", endpoint_.url(),
                                    response.content.size()));
    return response;
  }
  // Not streamed, or a stream that never started: one JSON answer, possibly FastFlowLM's 200-with-"error".
  const json answer = json::parse(exchange->body, nullptr, false);
  if (answer.is_discarded())
    return make_error(ErrorCode::parse_error, fmt::format("{}{} answered neither JSON nor server-sent events: {}",
                                                          endpoint_.url(), path, body_error_text(exchange->body)));
  if (std::string text = error_text(answer); !text.empty())
    return make_error(ErrorCode::unavailable, fmt::format("{}{}: {}", endpoint_.url(), path, text));
  if (Status status = apply_chat_chunk(exchange->body, response, sink); !status) return status.error();
  return response;
}

Result<ChatResponse> OpenAiClient::ollama_chat(const ChatRequest& request, const TextSink& sink) const {
  json body = request_body(request);
  if (request.max_tokens) body["options"] = {{"num_predict", *request.max_tokens}};
  ChatResponse response;
  bool done = false;
  const std::string path = "/api/chat";
  auto exchange = perform(endpoint_, options_, "POST", path, body.dump(), [&](std::string_view line) -> Status {
    if (line.empty()) return ok_status();
    const json part = json::parse(line, nullptr, false);
    if (part.is_discarded()) return ok_status();  // checked below, on the whole body
    if (std::string text = error_text(part); !text.empty())
      return make_error(ErrorCode::unavailable, fmt::format("{}{}: {}", endpoint_.url(), path, text));
    if (response.model.empty()) response.model = string_or_empty(part, "model");
    const std::string content = part.contains("message") ? string_or_empty(part["message"], "content") : "";
    if (!content.empty()) {
      response.content += content;
      if (sink) sink(content);
    }
    if (part.value("done", false)) {
      done = true;
      response.finish_reason = string_or_empty(part, "done_reason");
      ChatUsage usage;
      usage.prompt_tokens = part.value("prompt_eval_count", std::uint64_t{0});
      usage.completion_tokens = part.value("eval_count", std::uint64_t{0});
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      response.usage = usage;
    }
    return ok_status();
  });
  if (!exchange) return exchange.error();
  if (Status status = check_answer(endpoint_, path, *exchange); !status) return status.error();
  if (!done)
    return make_error(ErrorCode::unavailable,
                      fmt::format("{}{} ended without a \"done\": true line: {}", endpoint_.url(), path,
                                  body_error_text(exchange->body)));
  return response;
}

}  // namespace ual::fastflowlm
