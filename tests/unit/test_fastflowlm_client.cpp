// The OpenAI/Ollama client against the flm stand-in: streamed and whole answers, and FastFlowLM's error shapes
// (200 with "error", 400 with an error object, 503 when the NPU queue is full), refused connections, silent servers
// and streams cut in the middle.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../../engines/fastflowlm/openai_client.hpp"
#include "test_fastflowlm_standin.hpp"

namespace ual::fastflowlm {
namespace {

class FastFlowLmClient : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { standin = new testing::RunningStandin(); }
  static void TearDownTestSuite() {
    delete standin;
    standin = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(standin != nullptr && standin->server) << "the flm stand-in did not start"; }
  OpenAiClient client(std::string suffix = "/v1") const {
    auto endpoint = parse_endpoint(standin->url() + suffix);
    EXPECT_TRUE(endpoint.ok());
    return OpenAiClient(*endpoint);
  }
  static ChatRequest ask(std::string prompt, bool stream = true) {
    ChatRequest request;
    request.messages = {{"system", "be brief"}, {"user", std::move(prompt)}};
    request.stream = stream;
    return request;
  }
  static std::string chat_error(const OpenAiClient& client, const ChatRequest& request) {
    const auto response = client.chat(request);
    EXPECT_FALSE(response.ok());
    return response.ok() ? "" : response.error().message;
  }
  static testing::RunningStandin* standin;
};
testing::RunningStandin* FastFlowLmClient::standin = nullptr;

TEST(FastFlowLmEndpoint, ParsesWhatServePrintsAndWhatUsersType) {
  auto endpoint = parse_endpoint("http://127.0.0.1:52625/v1");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 52625);
  EXPECT_EQ(endpoint->base_path, "");
  endpoint = parse_endpoint("localhost:8000/proxy/v1/");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->url(), "http://localhost:8000/proxy");
  endpoint = parse_endpoint("http://[::1]:9000");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->url(), "http://[::1]:9000");
  for (const char* bad : {"http://:80", "http://host:0", "http://host:99999", "https://host:1", "ftp://x:1"})
    EXPECT_FALSE(parse_endpoint(bad).ok()) << bad;
}

TEST_F(FastFlowLmClient, ListsModelsOnBothProtocols) {
  const auto models = client().list_models();
  ASSERT_TRUE(models.ok()) << models.error().message;
  EXPECT_NE(std::find(models->begin(), models->end(), "llama3.2:1b"), models->end());
  const auto tags = client("").ollama_tags();
  ASSERT_TRUE(tags.ok()) << tags.error().message;
  EXPECT_EQ(*tags, *models);
}

TEST_F(FastFlowLmClient, StreamsTheAnswerPieceByPiece) {
  std::vector<std::string> pieces;
  const auto response = client().chat(ask("the quick brown fox"), [&](std::string_view text) {
    pieces.emplace_back(text);
  });
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->content, "xof nworb kciuq eht");
  EXPECT_GT(pieces.size(), 3u);
  std::string joined;
  for (const std::string& piece : pieces) joined += piece;
  EXPECT_EQ(joined, response->content);
  EXPECT_EQ(response->finish_reason, "stop");
  EXPECT_EQ(response->model, "llama3.2:1b");
  ASSERT_TRUE(response->usage.has_value());
  EXPECT_EQ(response->usage->prompt_tokens, 4u);
  EXPECT_EQ(response->usage->completion_tokens, pieces.size());
}

TEST_F(FastFlowLmClient, WholeAnswersAndTokenLimits) {
  const auto whole = client().chat(ask("abc", false));
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_EQ(whole->content, "cba");
  EXPECT_EQ(whole->finish_reason, "stop");
  ChatRequest limited = ask("0123456789abcdef");
  limited.max_tokens = 2;
  const auto cut = client().chat(limited);
  ASSERT_TRUE(cut.ok()) << cut.error().message;
  EXPECT_EQ(cut->content, "fedcba98");
  EXPECT_EQ(cut->finish_reason, "length");
}

TEST_F(FastFlowLmClient, OllamaChatStreamsAndAnswersWhole) {
  std::string streamed;
  const auto response = client("").ollama_chat(ask("hello ollama"), [&](std::string_view text) { streamed += text; });
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->content, "amallo olleh");
  EXPECT_EQ(streamed, response->content);
  ASSERT_TRUE(response->usage.has_value());
  EXPECT_EQ(response->usage->prompt_tokens, 2u);
  const auto whole = client("").ollama_chat(ask("xyz", false));
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_EQ(whole->content, "zyx");
}

TEST_F(FastFlowLmClient, ErrorsInAnOkAnswerAreErrors) {
  for (const bool stream : {true, false}) {
    const std::string message = chat_error(client(), ask("!error please", stream));
    EXPECT_NE(message.find("Max length reached"), std::string::npos) << message;
  }
  ChatRequest unknown = ask("hi");
  unknown.model = "llama9:1b";
  EXPECT_NE(chat_error(client(), unknown).find("Failed to load llama9:1b model!"), std::string::npos);
  const std::string bad_request = chat_error(client(), ask("!error400"));
  EXPECT_NE(bad_request.find("HTTP 400"), std::string::npos) << bad_request;
  EXPECT_NE(bad_request.find("Max length reached!"), std::string::npos) << bad_request;
}

TEST_F(FastFlowLmClient, AFullNpuQueueSaysBusyRetry) {
  const auto response = client().chat(ask("!busy"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::unavailable);
  EXPECT_NE(response.error().message.find("is busy, retry later"), std::string::npos) << response.error().message;
  EXPECT_NE(response.error().message.find("request queue is full"), std::string::npos);
}

TEST_F(FastFlowLmClient, AStreamCutShortIsAnError) {
  std::string received;
  const auto response = client().chat(ask("!hangup now"), [&](std::string_view text) { received += text; });
  ASSERT_FALSE(response.ok());
  EXPECT_FALSE(received.empty());
  EXPECT_TRUE(response.error().message.find("without [DONE]") != std::string::npos ||
              response.error().message.find("closed the connection") != std::string::npos)
      << response.error().message;
}

TEST_F(FastFlowLmClient, UnknownRoutesAreNotFound) {
  const auto models = client("/nothing/here").list_models();
  ASSERT_FALSE(models.ok());
  EXPECT_EQ(models.error().code, ErrorCode::not_found);
  EXPECT_NE(models.error().message.find("HTTP 404"), std::string::npos);
}

TEST(FastFlowLmClientFailures, RefusedConnectionsSayTheServerIsNotRunning) {
  const auto port = engines::pick_free_port();
  ASSERT_TRUE(port.ok());
  const OpenAiClient client(*parse_endpoint("http://127.0.0.1:" + std::to_string(*port)));
  const auto models = client.list_models();
  ASSERT_FALSE(models.ok());
  EXPECT_NE(models.error().message.find("connection refused"), std::string::npos) << models.error().message;
}

TEST(FastFlowLmClientFailures, ASilentServerTimesOut) {
  const auto port = engines::pick_free_port();
  ASSERT_TRUE(port.ok());
  auto options = testing::standin_serve_options(*port);
  options.environment = {{"FLM_STANDIN_MODE", "never-ready"}};
  auto server = engines::SupervisedServer::start(std::move(options));
  ASSERT_TRUE(server.ok()) << server.error().message;
  ClientOptions quick;
  quick.read_timeout = std::chrono::milliseconds(700);
  const OpenAiClient client(*parse_endpoint("http://127.0.0.1:" + std::to_string(*port)), quick);
  std::string message;
  // The stand-in binds a moment after it starts; until then the connection is refused.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto models = client.list_models();
    ASSERT_FALSE(models.ok());
    message = models.error().message;
    if (message.find("refused") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(message.find("did not answer GET /v1/models within"), std::string::npos) << message;
}

TEST(FastFlowLmClientFailures, AServerThatDiesMidStreamIsReported) {
  testing::RunningStandin crashing(std::vector<std::pair<std::string, std::string>>{{"FLM_STANDIN_MODE", "crash-mid-stream"}});
  ASSERT_TRUE(crashing.server);
  const OpenAiClient client(*parse_endpoint(crashing.url()));
  ChatRequest request;
  request.messages = {{"user", "a long enough prompt"}};
  const auto response = client.chat(request);
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().message.find("closed the connection in the middle of the answer"), std::string::npos)
      << response.error().message;
  const engines::ServerExit exit = crashing.server->wait({});
  EXPECT_EQ(exit.exit_code, 134);
}

}  // namespace
}  // namespace ual::fastflowlm
