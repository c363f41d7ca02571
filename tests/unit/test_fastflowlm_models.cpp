// The FastFlowLM model table (data/engines/fastflowlm.json): the tags flm ships, mapped to simulator catalog ids,
// with context lengths and footprints from FastFlowLM's model_list.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "../../engines/fastflowlm/fastflowlm.hpp"
#include "core/embedded_data.hpp"
#include "fixture_paths.hpp"

namespace ual::fastflowlm {
namespace {

TEST(FastFlowLmModels, TheShippedTagsAreThere) {
  std::set<std::string> tags;
  for (const FastFlowLmModel& model : fastflowlm_models()) {
    EXPECT_TRUE(tags.insert(model.tag).second) << "duplicate " << model.tag;
    EXPECT_NE(model.tag.find(':'), std::string::npos) << model.tag;
    EXPECT_TRUE(model.hugging_face_repo.starts_with("FastFlowLM/")) << model.tag;
    EXPECT_TRUE(model.hugging_face_repo.ends_with("-NPU2")) << model.tag;
    EXPECT_GE(model.context_length, 8192u) << model.tag;
    EXPECT_GT(model.memory_bytes, 100'000'000u) << model.tag;
    EXPECT_NE(model.source.find("model_list.json"), std::string::npos) << model.tag;
  }
  for (const char* tag : {"llama3.2:1b", "llama3.2:3b", "llama3.1:8b", "qwen3:8b", "gemma3:4b", "qwen3:4b"})
    EXPECT_TRUE(tags.count(tag)) << tag;
}

TEST(FastFlowLmModels, CatalogIdsMapToTheirTags) {
  const struct {
    const char* catalog_id;
    const char* tag;
    std::uint64_t context;
  } expected[] = {{"llama-3.2-1b", "llama3.2:1b", 131072},
                  {"llama-3.2-3b", "llama3.2:3b", 65536},
                  {"llama-3.1-8b", "llama3.1:8b", 16384},
                  {"qwen3-8b", "qwen3:8b", 16384}};
  for (const auto& entry : expected) {
    const FastFlowLmModel* model = find_fastflowlm_model(entry.catalog_id);
    ASSERT_NE(model, nullptr) << entry.catalog_id;
    EXPECT_EQ(model->tag, entry.tag);
    EXPECT_EQ(model->context_length, entry.context);
    EXPECT_EQ(find_fastflowlm_model(entry.tag), model);
  }
  EXPECT_EQ(find_fastflowlm_model("LLAMA3.2:1B"), find_fastflowlm_model("llama-3.2-1b"));
  EXPECT_EQ(find_fastflowlm_model("llama-2-70b"), nullptr);
  EXPECT_EQ(find_fastflowlm_model(""), nullptr);
}

TEST(FastFlowLmModels, EveryCatalogIdIsInTheSimulatorCatalog) {
  for (const FastFlowLmModel& model : fastflowlm_models()) {
    if (model.catalog_id.empty()) continue;
    EXPECT_TRUE(std::filesystem::exists(testing::source_path("data/models/" + model.catalog_id + ".json")))
        << model.tag << " -> " << model.catalog_id;
  }
}

TEST(FastFlowLmModels, CliFactsMatchTheHeader) {
  const auto content = data::find_embedded_file("engines/fastflowlm.json");
  ASSERT_TRUE(content.has_value());
  const auto json = nlohmann::json::parse(*content, nullptr, false);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json.value("default_port", 0), default_port);
  EXPECT_EQ(json.value("port_environment_variable", ""), port_environment_variable);
  EXPECT_EQ(json.value("readiness_path", ""), "/v1/models");
  for (const char* flag : {"--port", "--socket", "--q-len", "--cors"})
    EXPECT_TRUE(json["flags"][flag].value("serve_only", false)) << flag;
  EXPECT_EQ(json["models"].size(), fastflowlm_models().size());
}

}  // namespace
}  // namespace ual::fastflowlm
