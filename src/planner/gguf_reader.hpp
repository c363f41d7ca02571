// Private helpers of the model-file readers (include/ual/model_file.hpp): ggml's tensor-type table, llama.cpp's
// file-type names, and the pieces the GGUF, ONNX and config readers share (file prefixes, catalog matching).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/model_file.hpp"
#include "ual/result.hpp"
#include "ual/sim.hpp"

namespace ual::planner {

// One ggml tensor type: `block_size` elements are stored in `type_size` bytes (ggml.c type_traits; the block
// structs' sizes are asserted in ggml-common.h). Unknown or removed ids (4, 5, 31-33, 36-38) give nullptr.
struct GgmlTypeTraits {
  const char* name;  // lower case: "f32", "q4_k", "iq2_xxs", "bf16"
  std::uint32_t block_size;
  std::uint32_t type_size;
};
const GgmlTypeTraits* ggml_type_traits(std::uint32_t type) noexcept;

// llama.cpp's `enum llama_ftype` (general.file_type) in lower case: 15 -> "q4_k_m", 1 -> "f16"; nullptr if unknown.
const char* llama_file_type_name(std::uint32_t file_type) noexcept;

// The GGUF magic "GGUF" (docs/gguf.md: 0x47 0x47 0x55 0x46 at the byte level).
bool has_gguf_magic(std::string_view bytes) noexcept;

constexpr std::uint32_t kGgufString = 8, kGgufArray = 9;  // docs/gguf.md gguf_metadata_value_type

// One metadata value. Scalars keep their little-endian bits in `raw`; arrays only their element type and length
// (a vocabulary's 128k strings are skipped, not stored).
struct MetadataValue {
  std::uint32_t type = 0;  // docs/gguf.md gguf_metadata_value_type: 4 uint32, 8 string, 9 array, 10 uint64, ...
  std::uint64_t raw = 0;
  std::string text;
  std::uint32_t array_type = 0;
  std::uint64_t array_length = 0;
  std::optional<std::uint64_t> as_unsigned() const;  // integer types holding a value >= 0
};

struct GgufTensor {
  std::string name;
  std::vector<std::uint64_t> dims;  // ggml order: dims[0] is the row length (token_embd: hidden, vocab)
  std::uint32_t type = 0;           // ggml_type id
  std::uint64_t offset = 0;         // from the start of the data section
  std::uint64_t elements = 0;
  std::uint64_t bytes = 0;          // 0 when the type is unknown
};

struct GgufHeader {
  std::uint32_t version = 0;
  std::uint64_t alignment = 32;  // docs/gguf.md: general.alignment, 32 when absent
  std::map<std::string, MetadataValue> metadata;
  std::vector<GgufTensor> tensors;
  std::uint64_t header_bytes = 0;  // where the tensor infos end (the data section starts at the next alignment)
};

// Parses the header at the start of `bytes`. On failure `needed_bytes` > bytes.size() says the input was cut short
// (and how much a retry needs at least); otherwise the file itself is malformed. `short_of` names what was cut.
Result<GgufHeader> parse_gguf(std::string_view bytes, std::string_view origin, std::uint64_t& needed_bytes,
                              std::string& short_of);
// Defined in model_description.cpp.
ModelDescription describe_gguf(const GgufHeader& header, std::string_view origin);
// A note when the file ends before the tensor data its header describes (a header-only copy or a cut download).
void note_missing_tensor_data(ModelDescription& model, const GgufHeader& header, std::uint64_t file_size);

// --- Shared by the readers; defined in model_description.cpp. ---

// Up to `max_bytes` from the start of the file; `file_size` receives the whole file's size. Errors name the path.
Result<std::string> read_file_prefix(const std::filesystem::path& path, std::uint64_t max_bytes,
                                     std::uint64_t& file_size);

// The simulator catalog id whose model has this shape (layers, hidden, heads, kv heads, ffn, vocab, experts), or "".
std::string catalog_id_for_shape(const sim::ModelSpec& shape);

// "Llama-3.2-1B-Q4_K_M" for ".../Llama-3.2-1B-Q4_K_M.gguf"; for ".../Llama-3.2-1B/config.json" the folder's name.
std::string model_id_from_origin(std::string_view origin);

}  // namespace ual::planner
