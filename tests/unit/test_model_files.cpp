// Model-file readers (include/ual/model_file.hpp). GGUF: headers written here with the real key names, ggml type
// ids and Llama-3.2-1B's tensor shapes (the file ends after the header: the reader never reads tensor data and says
// so in a note); every field is checked, every truncation and absurd count is a parse error. ONNX: models built at
// test time by python3-onnx (tests/tools/make_test_onnx_models.py), which also prints what onnx itself counts (the
// oracle); corrupt and truncated protobuf. describe_model: catalog ids, config.json, folders, content detection.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/child_process.hpp"
#include "fixture_paths.hpp"
#include "ual/model_file.hpp"

namespace ual {
namespace {

namespace fs = std::filesystem;

// ggml_type ids (ggml.h) and their block size / bytes per block (ggml-common.h static_asserts).
enum GgmlType : std::uint32_t { f32 = 0, f16 = 1, q8_0 = 8, q4_k = 12, q6_k = 14, bf16 = 30 };
std::uint64_t ggml_bytes(std::uint32_t type, std::uint64_t elements) {
  switch (type) {
    case f32: return elements * 4;
    case f16: case bf16: return elements * 2;
    case q8_0: return elements / 32 * 34;
    case q4_k: return elements / 256 * 144;
    case q6_k: return elements / 256 * 210;
    default: return 0;
  }
}

void put_u32(std::string& out, std::uint32_t v) { for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i)); }
void put_u64(std::string& out, std::uint64_t v) { for (int i = 0; i < 8; ++i) out += static_cast<char>(v >> (8 * i)); }
void put_string(std::string& out, const std::string& s) { put_u64(out, s.size()); out += s; }

// A GGUF writer after docs/gguf.md: header, metadata, tensor infos with offsets aligned to 32, optional data.
class GgufWriter {
 public:
  std::uint32_t version = 3;
  void u32(const std::string& key, std::uint32_t v) { entry(key, 4); put_u32(kv_, v); }
  void float32(const std::string& key, float v) { std::uint32_t bits; std::memcpy(&bits, &v, 4); entry(key, 6); put_u32(kv_, bits); }
  void string(const std::string& key, const std::string& v) { entry(key, 8); put_string(kv_, v); }
  void strings(const std::string& key, const std::vector<std::string>& values) {
    entry(key, 9);
    put_u32(kv_, 8);
    put_u64(kv_, values.size());
    for (const auto& v : values) put_string(kv_, v);
  }
  void int32s(const std::string& key, std::uint64_t count) {
    entry(key, 9);
    put_u32(kv_, 5);
    put_u64(kv_, count);
    kv_.append(count * 4, '\1');
  }
  void raw(const std::string& key, std::uint32_t type, const std::string& value) { entry(key, type); kv_ += value; }
  void tensor(const std::string& name, std::vector<std::uint64_t> dims, std::uint32_t type) {
    put_string(tensors_, name);
    put_u32(tensors_, static_cast<std::uint32_t>(dims.size()));
    std::uint64_t elements = 1;
    for (auto d : dims) { put_u64(tensors_, d); elements *= d; }
    put_u32(tensors_, type);
    put_u64(tensors_, data_bytes_);
    data_bytes_ += (ggml_bytes(type, elements) + 31) / 32 * 32;
    ++tensor_count_;
  }
  std::string finish(bool with_data = false) const {
    std::string out = "GGUF";
    put_u32(out, version);
    put_u64(out, tensor_count_);
    put_u64(out, kv_count_);
    out += kv_ + tensors_;
    if (with_data) out.append((32 - out.size() % 32) % 32 + data_bytes_, '\0');
    return out;
  }

 private:
  void entry(const std::string& key, std::uint32_t type) { put_string(kv_, key); put_u32(kv_, type); ++kv_count_; }
  std::string kv_, tensors_;
  std::uint64_t kv_count_ = 0, tensor_count_ = 0, data_bytes_ = 0;
};

// Llama-3.2-1B-Instruct as llama.cpp's convert_hf_to_gguf.py + llama-quantize Q4_K_M write it (attn_v and ffn_down
// at Q6_K, norms F32, tied token_embd at Q6_K, llama3 rope_freqs), with `vocab` tokens in the tokenizer.
GgufWriter llama_3_2_1b(int vocab = 128256, int layers = 16) {
  GgufWriter w;
  w.string("general.architecture", "llama");
  w.string("general.name", "Llama 3.2 1B Instruct");
  w.u32("general.file_type", 15);
  w.u32("general.quantization_version", 2);
  w.u32("llama.block_count", static_cast<std::uint32_t>(layers));
  w.u32("llama.context_length", 131072);
  w.u32("llama.embedding_length", 2048);
  w.u32("llama.feed_forward_length", 8192);
  w.u32("llama.attention.head_count", 32);
  w.u32("llama.attention.head_count_kv", 8);
  w.float32("llama.rope.freq_base", 500000.0f);
  w.float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.u32("llama.attention.key_length", 64);
  w.string("tokenizer.ggml.model", "gpt2");
  std::vector<std::string> tokens;
  for (int i = 0; i < vocab; ++i) tokens.push_back("tok" + std::to_string(i));
  w.strings("tokenizer.ggml.tokens", tokens);
  w.int32s("tokenizer.ggml.token_type", static_cast<std::uint64_t>(vocab));
  w.tensor("rope_freqs.weight", {32}, f32);
  w.tensor("token_embd.weight", {2048, static_cast<std::uint64_t>(vocab)}, q6_k);
  for (int i = 0; i < layers; ++i) {
    const std::string block = "blk." + std::to_string(i) + ".";
    w.tensor(block + "attn_norm.weight", {2048}, f32);
    w.tensor(block + "attn_q.weight", {2048, 2048}, q4_k);
    w.tensor(block + "attn_k.weight", {2048, 512}, q4_k);
    w.tensor(block + "attn_v.weight", {2048, 512}, q6_k);
    w.tensor(block + "attn_output.weight", {2048, 2048}, q4_k);
    w.tensor(block + "ffn_norm.weight", {2048}, f32);
    w.tensor(block + "ffn_gate.weight", {2048, 8192}, q4_k);
    w.tensor(block + "ffn_up.weight", {2048, 8192}, q4_k);
    w.tensor(block + "ffn_down.weight", {8192, 2048}, q6_k);
  }
  w.tensor("output_norm.weight", {2048}, f32);
  return w;
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("ual-model-files-" + std::to_string(getpid()) + "-" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { std::error_code ignored; fs::remove_all(path, ignored); }
  fs::path write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary) << bytes;
    return path / name;
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
bool any_note(const ModelDescription& model, const std::string& part) {
  for (const auto& note : model.notes) if (contains(note, part)) return true;
  return false;
}

TEST(ModelFileGguf, Llama32OneBQ4KMHeaderGivesEveryField) {
  const TempDir dir("llama");
  const fs::path path = dir.write("Llama-3.2-1B-Instruct-Q4_K_M.gguf", llama_3_2_1b().finish());
  ASSERT_GT(fs::file_size(path), 2u << 20) << "the vocabulary must outgrow the first 1 MiB prefix";
  auto model = read_gguf_model(path);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(model->id, "Llama-3.2-1B-Instruct-Q4_K_M");
  EXPECT_EQ(model->format, ModelFormat::gguf);
  EXPECT_EQ(model->path, path.string());
  EXPECT_EQ(model->name, "Llama 3.2 1B Instruct");
  EXPECT_EQ(model->architecture, "llama");
  ASSERT_TRUE(model->shape.has_value());
  const sim::ModelSpec& s = *model->shape;
  EXPECT_EQ(s.layers, 16); EXPECT_EQ(s.hidden, 2048); EXPECT_EQ(s.heads, 32); EXPECT_EQ(s.kv_heads, 8);
  EXPECT_EQ(s.head_dim, 64); EXPECT_EQ(s.ffn, 8192); EXPECT_EQ(s.vocab, 128256); EXPECT_EQ(s.max_position, 131072);
  EXPECT_TRUE(s.gated_mlp); EXPECT_TRUE(s.tied_embeddings); EXPECT_EQ(s.experts, 0);
  EXPECT_EQ(model->catalog_id, "llama-3.2-1b");
  // The model card's 1,235,814,400 weights (data/models/llama-3.2-1b.json) plus the 32 llama3 rope frequencies.
  EXPECT_EQ(model->parameter_count, 1235814400u + 32u);
  EXPECT_EQ(s.parameters(), 1235814400u);
  const std::uint64_t per_layer = ggml_bytes(f32, 2 * 2048) + ggml_bytes(q4_k, 2 * 2048 * 2048 + 2048 * 512) +
                                  ggml_bytes(q6_k, 2048 * 512) + ggml_bytes(q4_k, 2 * 2048 * 8192) +
                                  ggml_bytes(q6_k, 8192 * 2048);
  EXPECT_EQ(model->weight_bytes, 16 * per_layer + ggml_bytes(q6_k, 2048ull * 128256) + ggml_bytes(f32, 32 + 2048));
  EXPECT_EQ(model->weight_type, "q4_k_m");
  EXPECT_EQ(model->tensor_types, (std::map<std::string, std::uint64_t>{{"f32", 34}, {"q4_k", 80}, {"q6_k", 33}}));
  EXPECT_EQ(model->context_length, 131072u);
  EXPECT_EQ(model->ir_version, 0);
  EXPECT_TRUE(model->opsets.empty() && model->operators.empty() && model->inputs.empty());
  EXPECT_TRUE(any_note(*model, "header-only")) << "the file ends after its header";
}

TEST(ModelFileGguf, FileWithTensorDataHasNoNoteAndVersion2Reads) {
  GgufWriter w;
  w.version = 2;
  w.string("general.architecture", "llama");
  w.tensor("token_embd.weight", {64, 100}, f16);
  w.tensor("output.weight", {64, 100}, q8_0);
  const TempDir dir("data");
  auto model = read_gguf_model(dir.write("tiny.gguf", w.finish(true)));
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_FALSE(any_note(*model, "header-only"));
  EXPECT_EQ(model->parameter_count, 2u * 6400u);
  EXPECT_EQ(model->weight_bytes, 6400u * 2 + 6400u / 32 * 34);
  EXPECT_EQ(model->weight_type, "f16");  // no general.file_type: the dominant type (a tie goes to the first name)
  EXPECT_FALSE(model->shape.has_value());
  EXPECT_TRUE(any_note(*model, "shape is unknown"));
}

TEST(ModelFileGguf, MixtralShapeMatchesTheCatalog) {
  GgufWriter w;
  w.string("general.architecture", "llama");
  for (const auto& [key, value] : std::map<std::string, std::uint32_t>{
           {"llama.block_count", 32}, {"llama.embedding_length", 4096}, {"llama.attention.head_count", 32},
           {"llama.attention.head_count_kv", 8}, {"llama.feed_forward_length", 14336}, {"llama.vocab_size", 32000},
           {"llama.expert_count", 8}, {"llama.expert_used_count", 2}, {"llama.context_length", 32768}})
    w.u32(key, value);
  w.tensor("blk.0.ffn_gate_exps.weight", {4096, 14336, 8}, q4_k);
  auto model = parse_gguf_header(w.finish(), "mixtral.gguf");
  ASSERT_TRUE(model.ok()) << model.error().message;
  ASSERT_TRUE(model->shape.has_value());
  EXPECT_EQ(model->shape->experts, 8);
  EXPECT_EQ(model->shape->experts_per_token, 2);
  EXPECT_EQ(model->shape->head_dim, 128);
  EXPECT_EQ(model->catalog_id, "mixtral-8x7b");
  EXPECT_EQ(model->weight_type, "q4_k");
}

TEST(ModelFileGguf, EveryTruncationIsAParseError) {
  const std::string bytes = llama_3_2_1b(40, 2).finish();
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    auto model = parse_gguf_header(std::string_view(bytes).substr(0, size), "cut.gguf");
    ASSERT_FALSE(model.ok()) << "a header cut at byte " << size << " parsed";
    ASSERT_EQ(model.error().code, ErrorCode::parse_error);
    ASSERT_TRUE(contains(model.error().message, "cut.gguf: ")) << model.error().message;
    ASSERT_TRUE(contains(model.error().message, "truncated at byte " + std::to_string(size)) ||
                contains(model.error().message, "cannot fit"))
        << model.error().message;
  }
  EXPECT_TRUE(parse_gguf_header(bytes, "whole.gguf").ok());
}

TEST(ModelFileGguf, AFileCutInsideAHugeHeaderSaysWhere) {
  const std::string bytes = llama_3_2_1b().finish();
  const TempDir dir("cut");
  auto model = read_gguf_model(dir.write("cut.gguf", bytes.substr(0, 1536 * 1024)));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.error().code, ErrorCode::parse_error);
  EXPECT_TRUE(contains(model.error().message, "tokenizer.ggml.tokens")) << model.error().message;
}

std::string header_with(std::uint64_t tensors, std::uint64_t entries, const std::string& rest, std::uint32_t version = 3) {
  std::string out = "GGUF";
  put_u32(out, version);
  put_u64(out, tensors);
  put_u64(out, entries);
  return out + rest;
}

TEST(ModelFileGguf, AbsurdCountsAndMalformedValuesAreErrorsNotAllocations) {
  auto error_of = [](const std::string& bytes) {
    auto model = parse_gguf_header(bytes, "bad.gguf");
    EXPECT_FALSE(model.ok());
    return model.ok() ? std::string() : model.error().message;
  };
  auto entry = [](const std::string& key, std::uint32_t type, const std::string& value) {
    std::string out;
    put_string(out, key);
    put_u32(out, type);
    return out + value;
  };
  std::string u64_value, huge_array, nested, bad_dims, bad_bool;
  put_u64(u64_value, 1ull << 60);
  put_u32(huge_array, 4);
  put_u64(huge_array, 1ull << 60);
  EXPECT_TRUE(contains(error_of(header_with(1ull << 60, 0, "")), "cannot fit"));
  EXPECT_TRUE(contains(error_of(header_with(0, 1ull << 60, "")), "cannot fit"));
  EXPECT_TRUE(contains(error_of(header_with(0, 1, entry("general.name", 8, u64_value))), "truncated"));
  EXPECT_TRUE(contains(error_of(header_with(0, 1, entry("general.tags", 9, huge_array))), "cannot fit"));
  for (int depth = 0; depth < 4; ++depth) { put_u32(nested, 9); put_u64(nested, 1); }
  put_u32(nested, 0); put_u64(nested, 0);
  EXPECT_TRUE(contains(error_of(header_with(0, 1, entry("nested", 9, nested))), "deeper"));
  EXPECT_TRUE(contains(error_of(header_with(0, 1, entry("k", 13, "x"))), "unknown value type 13"));
  bad_bool = "\2";
  EXPECT_TRUE(contains(error_of(header_with(0, 1, entry("k", 7, bad_bool))), "bool"));
  std::string two = entry("k", 4, std::string(4, '\0'));
  EXPECT_TRUE(contains(error_of(header_with(0, 2, two + two)), "appears twice"));
  EXPECT_TRUE(contains(error_of(header_with(0, 1, entry("general.alignment", 4, std::string("\x30\0\0\0", 4)))),
                       "power of two"));
  put_string(bad_dims, "t");
  put_u32(bad_dims, 5);
  bad_dims.append(5 * 8 + 12, '\1');
  EXPECT_TRUE(contains(error_of(header_with(1, 0, bad_dims)), "5 dimensions"));
  std::string bad_row;
  put_string(bad_row, "t");
  put_u32(bad_row, 1);
  put_u64(bad_row, 100);
  put_u32(bad_row, q4_k);
  put_u64(bad_row, 0);
  EXPECT_TRUE(contains(error_of(header_with(1, 0, bad_row)), "not whole q4_k blocks"));
  EXPECT_TRUE(contains(error_of(header_with(0, 0, "", 1)), "version 1"));
  EXPECT_TRUE(contains(error_of(header_with(0, 0, "", 4)), "version 4"));
  EXPECT_TRUE(contains(error_of(header_with(0, 0, "", 0x03000000)), "big-endian"));
  EXPECT_TRUE(contains(error_of("GGML\3\0\0\0"), "not a GGUF file"));
}

TEST(ModelFileGguf, UnknownTensorTypesAreNotedNotFatal) {
  GgufWriter w;
  w.tensor("a", {256, 2}, 99);
  w.tensor("b", {256, 2}, f32);
  auto model = parse_gguf_header(w.finish(), "new.gguf");
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_EQ(model->parameter_count, 1024u);
  EXPECT_EQ(model->weight_bytes, 2048u);
  EXPECT_TRUE(any_note(*model, "ggml type 99"));
}

// --- ONNX ---

struct OnnxModels {
  TempDir dir{"onnx"};
  nlohmann::json expected;
  std::string skip_reason;
  OnnxModels() {
    auto run = run_child_process("/usr/bin/python3", {testing::source_path("tests/tools/make_test_onnx_models.py"),
                                                      dir.path.string()},
                                 ChildOptions{std::chrono::seconds(120), 4u << 20});
    if (!run.ok()) { skip_reason = run.error().message; return; }
    if (run->exit_status == 3) { skip_reason = run->standard_error; return; }
    EXPECT_EQ(run->exit_status, 0) << run->standard_error;
    expected = nlohmann::json::parse(run->standard_output, nullptr, false);
  }
};

const OnnxModels& onnx_models() {
  static const OnnxModels models;
  return models;
}

// "x:float[-1,64] y:..." for comparing the reader's tensor infos with the oracle's.
std::string render(const std::vector<ModelTensorInfo>& infos) {
  std::string out;
  for (const auto& info : infos) {
    out += info.name + ":" + info.element_type + "[";
    for (auto dim : info.shape) out += std::to_string(dim) + ",";
    out += "] ";
  }
  return out;
}

std::string render(const nlohmann::json& list) {
  std::vector<ModelTensorInfo> infos;
  for (const auto& item : list)
    infos.push_back({item["name"].get<std::string>(), item["element_type"].get<std::string>(),
                     item["shape"].get<std::vector<std::int64_t>>()});
  return render(infos);
}

TEST(ModelFileOnnx, ModelsMatchWhatOnnxItselfCounts) {
  const OnnxModels& models = onnx_models();
  if (!models.skip_reason.empty()) GTEST_SKIP() << models.skip_reason;
  ASSERT_TRUE(models.expected.is_object());
  for (const auto& [file, want] : models.expected.items()) {
    SCOPED_TRACE(file);
    auto model = read_onnx_model(models.dir.path / file);
    ASSERT_TRUE(model.ok()) << model.error().message;
    EXPECT_EQ(model->format, ModelFormat::onnx);
    EXPECT_EQ(model->architecture, "onnx");
    EXPECT_EQ(model->id, fs::path(file).stem().string());
    EXPECT_EQ(model->name, want["name"].get<std::string>());
    EXPECT_EQ(model->ir_version, want["ir_version"].get<std::int64_t>());
    EXPECT_EQ(model->opsets, (want["opsets"].get<std::map<std::string, std::int64_t>>()));
    EXPECT_EQ(model->operators, (want["operators"].get<std::map<std::string, std::uint64_t>>()));
    EXPECT_EQ(render(model->inputs), render(want["inputs"]));
    EXPECT_EQ(render(model->outputs), render(want["outputs"]));
    EXPECT_EQ(model->parameter_count, want["parameter_count"].get<std::uint64_t>());
    EXPECT_EQ(model->weight_bytes, want["weight_bytes"].get<std::uint64_t>());
    EXPECT_EQ(model->tensor_types, (want["tensor_types"].get<std::map<std::string, std::uint64_t>>()));
    EXPECT_EQ(model->external_data_bytes, want["external_data_bytes"].get<std::uint64_t>());
    EXPECT_EQ(any_note(*model, "outside the file"), model->external_data_bytes > 0);
    EXPECT_FALSE(model->shape.has_value());
  }
  auto mlp = read_onnx_model(models.dir.path / "mlp.onnx");
  ASSERT_TRUE(mlp.ok());
  EXPECT_EQ(mlp->weight_type, "float");
}

std::string read_bytes(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

TEST(ModelFileOnnx, TruncationsNeverCrashAndCutsBeforeTheEndFail) {
  const OnnxModels& models = onnx_models();
  if (!models.skip_reason.empty()) GTEST_SKIP() << models.skip_reason;
  for (const char* file : {"contrib.onnx", "mlp.onnx"}) {
    const std::string bytes = read_bytes(models.dir.path / file);
    ASSERT_GT(bytes.size(), 200u);
    const std::size_t step = bytes.size() > 4096 ? 37 : 1;
    // ModelProto is written in field order: ir_version, producer, graph (7), opset_import (8). A cut before the
    // opsets' last bytes leaves the graph or an opset incomplete... except on a field boundary, which protobuf
    // cannot tell from a shorter message: those may parse, and must not crash.
    for (std::size_t size = 0; size + 64 < bytes.size(); size += step) {
      auto model = parse_onnx_model(std::string_view(bytes).substr(0, size), "cut.onnx");
      ASSERT_FALSE(model.ok()) << file << " cut at " << size << " parsed";
      ASSERT_TRUE(contains(model.error().message, "cut.onnx")) << model.error().message;
    }
  }
}

TEST(ModelFileOnnx, UnknownFieldsOfEveryWireTypeAreSkipped) {
  const OnnxModels& models = onnx_models();
  if (!models.skip_reason.empty()) GTEST_SKIP() << models.skip_reason;
  const std::string bytes = read_bytes(models.dir.path / "mlp.onnx");
  // Fields 100 (fixed32), 101 (fixed64), 102 (a group holding a varint), 103 (varint), 104 (bytes): concatenated
  // protobuf messages merge, so these prepend to the ModelProto.
  const std::string unknown = std::string("\xA5\x06" "abcd" "\xA9\x06" "abcdefgh" "\xB3\x06\x08\x01\xB4\x06"
                                          "\xB8\x06\x96\x01" "\xC2\x06\x03xyz");
  auto plain = parse_onnx_model(bytes, "mlp.onnx");
  auto padded = parse_onnx_model(unknown + bytes, "mlp.onnx");
  ASSERT_TRUE(plain.ok() && padded.ok()) << (padded.ok() ? "" : padded.error().message);
  EXPECT_EQ(to_json(*plain), to_json(*padded));
}

TEST(ModelFileOnnx, CorruptProtobufIsAParseError) {
  const std::map<std::string, std::string> cases{
      {"", "empty"},
      {std::string("\x08\x08", 2), "no graph"},
      {"\x0F", "invalid wire type 7"},
      {"\x08\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01", "varint"},
      {"\x3A\x10\x0A", "bytes long"},
      {"\x0C", "not started"},
      {std::string("\x00\x01", 2), "field number 0"},
      {std::string(40, '\x0B'), "too deep"},
      {"hello world, not protobuf", "byte"},
      {std::string("\x3A\x03\x0A\x05\x01", 5), "bytes long"},  // a node whose length runs past its graph
  };
  for (const auto& [bytes, expected] : cases) {
    auto model = parse_onnx_model(bytes, "bad.onnx");
    ASSERT_FALSE(model.ok()) << expected;
    EXPECT_EQ(model.error().code, ErrorCode::parse_error);
    EXPECT_TRUE(contains(model.error().message, expected)) << model.error().message;
  }
}

// --- describe_model ---

constexpr const char* kLlama32Config = R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
  "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256, "max_position_embeddings": 131072,
  "tie_word_embeddings": true, "torch_dtype": "bfloat16"})";

TEST(ModelFileDescribe, CatalogIdsConfigsFoldersAndFilesByContent) {
  auto catalog = describe_model("llama-3.1-8b");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  EXPECT_EQ(catalog->format, ModelFormat::catalog);
  EXPECT_EQ(catalog->catalog_id, "llama-3.1-8b");
  ASSERT_TRUE(catalog->shape.has_value());
  EXPECT_EQ(catalog->parameter_count, catalog->shape->parameters());
  EXPECT_EQ(catalog->weight_bytes, 0u);

  const TempDir dir("describe");
  fs::create_directories(dir.path / "Llama-3.2-1B");
  dir.write("Llama-3.2-1B/config.json", kLlama32Config);
  for (const fs::path& path : {dir.path / "Llama-3.2-1B", dir.path / "Llama-3.2-1B" / "config.json"}) {
    auto config = describe_model(path.string());
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->format, ModelFormat::hugging_face_config);
    EXPECT_EQ(config->id, "Llama-3.2-1B");
    EXPECT_EQ(config->architecture, "llama");
    EXPECT_EQ(config->catalog_id, "llama-3.2-1b");
    EXPECT_EQ(config->context_length, 131072u);
  }
  // Content, not extension, decides: a GGUF named .bin.
  auto gguf = describe_model(dir.write("weights.bin", llama_3_2_1b(100, 1).finish()).string());
  ASSERT_TRUE(gguf.ok()) << gguf.error().message;
  EXPECT_EQ(gguf->format, ModelFormat::gguf);
  auto garbage = describe_model(dir.write("garbage.bin", "\x0F not a model").string());
  ASSERT_FALSE(garbage.ok());
  EXPECT_TRUE(contains(garbage.error().message, "not a GGUF file, an ONNX model or a Hugging Face config.json"));
  auto bad_gguf = describe_model(dir.write("bad.gguf", "GGUF\2").string());
  ASSERT_FALSE(bad_gguf.ok());
  EXPECT_TRUE(contains(bad_gguf.error().message, "bad.gguf: truncated at byte 5")) << bad_gguf.error().message;
  fs::create_directories(dir.path / "empty");
  EXPECT_EQ(describe_model((dir.path / "empty").string()).error().code, ErrorCode::not_found);
}

TEST(ModelFileDescribe, MissingPathsAndUnknownIdsAreNotFound) {
  for (const char* missing : {"/no/such/model.gguf", "model.onnx", "./config.json"}) {
    auto model = describe_model(missing);
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.error().code, ErrorCode::not_found);
    EXPECT_TRUE(contains(model.error().message, missing)) << model.error().message;
  }
  auto unknown = describe_model("llama-9-9000b");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_TRUE(contains(unknown.error().message, "llama-9-9000b"));
  EXPECT_TRUE(contains(unknown.error().message, "known: ")) << unknown.error().message;
  EXPECT_EQ(describe_model("").error().code, ErrorCode::invalid_argument);
}

TEST(ModelFileDescribe, JsonHasTheShapeAsAnObjectAndCountsAsIntegers) {
  auto model = parse_gguf_header(llama_3_2_1b(128256, 16).finish(), "dir/Llama-3.2-1B-Q4_K_M.gguf");
  ASSERT_TRUE(model.ok()) << model.error().message;
  model->name = "bad \xFF utf-8";  // names come from files: never a throw
  const auto json = nlohmann::json::parse(to_json(*model), nullptr, false);
  ASSERT_TRUE(json.is_object());
  EXPECT_EQ(json["format"], "gguf");
  EXPECT_EQ(json["id"], "Llama-3.2-1B-Q4_K_M");
  EXPECT_TRUE(json["parameter_count"].is_number_unsigned());
  EXPECT_EQ(json["parameter_count"].get<std::uint64_t>(), model->parameter_count);
  EXPECT_EQ(json["shape"]["layers"], 16);
  EXPECT_EQ(json["shape"]["vocab"], 128256);
  EXPECT_EQ(json["catalog_id"], "llama-3.2-1b");
  EXPECT_EQ(json["tensor_types"]["q4_k"], 80);
  EXPECT_FALSE(json.contains("opsets"));
  auto catalog = describe_model("llama-3.2-1b");
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(nlohmann::json::parse(to_json(*catalog, -1))["shape"].is_object());
  EXPECT_STREQ(to_string(ModelFormat::hugging_face_config), "hugging_face_config");
}

TEST(ModelFileCli, ModelCommandPrintsJsonAndExplainsFailures) {
  auto run = [](const std::vector<std::string>& arguments) {
    auto result = run_child_process(UAL_CLI_PATH, arguments, ChildOptions{std::chrono::seconds(60), 4u << 20});
    EXPECT_TRUE(result.ok());
    return result.ok() ? *result : ChildOutput{};
  };
  const ChildOutput json = run({"model", "llama-3.2-1b", "--json"});
  EXPECT_EQ(json.exit_status, 0) << json.standard_error;
  EXPECT_EQ(nlohmann::json::parse(json.standard_output, nullptr, false)["catalog_id"], "llama-3.2-1b");
  const ChildOutput text = run({"model", "llama-3.2-1b"});
  EXPECT_EQ(text.exit_status, 0);
  EXPECT_TRUE(contains(text.standard_output, "16 layers")) << text.standard_output;
  const ChildOutput missing = run({"model", "/no/such/file.gguf"});
  EXPECT_EQ(missing.exit_status, 1);
  EXPECT_TRUE(contains(missing.standard_error, "/no/such/file.gguf")) << missing.standard_error;
  EXPECT_EQ(run({"model"}).exit_status, 2);
  EXPECT_EQ(run({"model", "--help"}).exit_status, 0);
}

}  // namespace
}  // namespace ual
