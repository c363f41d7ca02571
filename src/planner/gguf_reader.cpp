// GGUF header reader: metadata and tensor infos, never tensor data.
// Format: ggml's docs/gguf.md (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md), versions 2 and 3 (64-bit
// counts and lengths; version 1 used 32-bit ones). The checks ggml's own reader (ggml/src/gguf.cpp) applies are
// applied here too: at most GGML_MAX_DIMS = 4 dimensions, unique keys and tensor names, rows a whole number of
// blocks, a power-of-two general.alignment. Every count and length is checked against the bytes left before it is
// used, so a count of 2^60 is an error, not an allocation.
#include "planner/gguf_reader.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "ual/model_file.hpp"

namespace ual {
namespace planner {
namespace {

// Index = ggml_type id (ggml.h `enum ggml_type`; docs/gguf.md repeats it). Block sizes and bytes per block from
// ggml.c's type_traits and the static_asserts on the block structs in ggml-common.h (e.g. block_q4_K: 2 halves,
// 12 scale bytes, 128 nibble bytes = 144 for 256 weights). Removed ids (Q4_2, Q4_3, Q4_0_4_4/4_8/8_8,
// IQ4_NL_4_4/4_8/8_8) are nameless.
constexpr GgmlTypeTraits kGgmlTypes[] = {
    {"f32", 1, 4},        {"f16", 1, 2},          {"q4_0", 32, 18},     {"q4_1", 32, 20},    {nullptr, 0, 0},
    {nullptr, 0, 0},      {"q5_0", 32, 22},       {"q5_1", 32, 24},     {"q8_0", 32, 34},    {"q8_1", 32, 36},
    {"q2_k", 256, 84},    {"q3_k", 256, 110},     {"q4_k", 256, 144},   {"q5_k", 256, 176},  {"q6_k", 256, 210},
    {"q8_k", 256, 292},   {"iq2_xxs", 256, 66},   {"iq2_xs", 256, 74},  {"iq3_xxs", 256, 98}, {"iq1_s", 256, 50},
    {"iq4_nl", 32, 18},   {"iq3_s", 256, 110},    {"iq2_s", 256, 82},   {"iq4_xs", 256, 136}, {"i8", 1, 1},
    {"i16", 1, 2},        {"i32", 1, 4},          {"i64", 1, 8},        {"f64", 1, 8},       {"iq1_m", 256, 56},
    {"bf16", 1, 2},       {nullptr, 0, 0},        {nullptr, 0, 0},      {nullptr, 0, 0},     {"tq1_0", 256, 54},
    {"tq2_0", 256, 66},   {nullptr, 0, 0},        {nullptr, 0, 0},      {nullptr, 0, 0},     {"mxfp4", 32, 17},
};

// llama.cpp include/llama.h `enum llama_ftype` (docs/gguf.md lists 0-18 for general.file_type); 5, 6 and 33-35
// were removed.
const std::map<std::uint32_t, const char*>& llama_file_types() {
  static const std::map<std::uint32_t, const char*> names{
      {0, "f32"},      {1, "f16"},      {2, "q4_0"},    {3, "q4_1"},    {4, "q4_1_some_f16"}, {7, "q8_0"},
      {8, "q5_0"},     {9, "q5_1"},     {10, "q2_k"},   {11, "q3_k_s"}, {12, "q3_k_m"},       {13, "q3_k_l"},
      {14, "q4_k_s"},  {15, "q4_k_m"},  {16, "q5_k_s"}, {17, "q5_k_m"}, {18, "q6_k"},         {19, "iq2_xxs"},
      {20, "iq2_xs"},  {21, "q2_k_s"},  {22, "iq3_xs"}, {23, "iq3_xxs"}, {24, "iq1_s"},       {25, "iq4_nl"},
      {26, "iq3_s"},   {27, "iq3_m"},   {28, "iq2_s"},  {29, "iq2_m"},  {30, "iq4_xs"},       {31, "iq1_m"},
      {32, "bf16"},    {36, "tq1_0"},   {37, "tq2_0"},  {38, "mxfp4_moe"}};
  return names;
}

constexpr std::uint32_t kMaxDims = 4;           // GGML_MAX_DIMS
constexpr std::uint64_t kMaxKeyBytes = 65535;   // docs/gguf.md: keys are at most 2^16-1 bytes
constexpr std::uint64_t kMaxTensorNameBytes = 64;  // docs/gguf.md: tensor names are at most 64 bytes
constexpr int kMaxArrayDepth = 3;               // arrays of arrays of arrays; deeper is refused
constexpr std::uint64_t kMaxInt64 = static_cast<std::uint64_t>(INT64_MAX);

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

// Metadata value types (docs/gguf.md `enum gguf_metadata_value_type`) and their fixed sizes (0: variable).
constexpr std::uint32_t kTypeString = kGgufString, kTypeArray = kGgufArray, kTypeCount = 13;
constexpr std::uint64_t kFixedSizes[kTypeCount] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

class GgufParser {
 public:
  GgufParser(std::string_view bytes, std::string_view origin) : bytes_(bytes), origin_(origin) {}

  std::optional<GgufHeader> parse() {
    GgufHeader header;
    std::string_view magic;
    if (!read_bytes(4, magic, "the magic")) return std::nullopt;
    if (!has_gguf_magic(magic)) return fail("not a GGUF file (it does not start with the magic \"GGUF\")");
    if (!read_u32(header.version, "the version")) return std::nullopt;
    if (header.version == 1) return fail("GGUF version 1 files (32-bit counts, before August 2023) are not supported");
    if (header.version != 2 && header.version != 3) {
      if (__builtin_bswap32(header.version) == 2 || __builtin_bswap32(header.version) == 3)
        return fail("a big-endian GGUF file; only little-endian files are supported");
      return fail(fmt::format("GGUF version {} is not supported (versions 2 and 3 are)", header.version));
    }
    std::uint64_t tensor_count = 0, metadata_count = 0;
    if (!read_u64(tensor_count, "the tensor count") || !read_u64(metadata_count, "the metadata entry count"))
      return std::nullopt;
    // The smallest entry is an empty key (8-byte length), its type (4) and a one-byte value.
    if (!check_count(metadata_count, 13, "metadata entries")) return std::nullopt;
    for (std::uint64_t entry = 0; entry < metadata_count; ++entry)
      if (!read_metadata_entry(header, entry)) return std::nullopt;
    if (auto alignment = header.metadata.find("general.alignment"); alignment != header.metadata.end()) {
      const auto value = alignment->second.as_unsigned();
      if (!value || *value == 0 || (*value & (*value - 1)) != 0 || *value > (1u << 30))
        return fail("general.alignment must be a power of two");
      header.alignment = *value;
    }
    // The smallest tensor info: an empty name (8), n_dims (4), type (4), offset (8).
    if (!check_count(tensor_count, 24, "tensor infos")) return std::nullopt;
    std::set<std::string, std::less<>> names;
    for (std::uint64_t index = 0; index < tensor_count; ++index)
      if (!read_tensor_info(header, names, index)) return std::nullopt;
    header.header_bytes = position_;
    return header;
  }

  const std::optional<Error>& error() const { return error_; }
  // Bytes the parse needed when it ran out (at least): more than the input means it was cut short.
  std::uint64_t needed_bytes() const { return needed_; }
  const std::string& short_of() const { return short_of_; }

 private:
  std::nullopt_t fail(std::string message) {
    error_ = make_error(ErrorCode::parse_error, fmt::format("{}: {}", origin_, message));
    return std::nullopt;
  }
  bool fail_bool(std::string message) {
    fail(std::move(message));
    return false;
  }
  bool truncated(std::uint64_t needed_end, std::string_view what) {
    needed_ = std::max<std::uint64_t>(needed_end, bytes_.size() + 1);
    short_of_.assign(what);
    return fail_bool(fmt::format("truncated at byte {} while reading {}", bytes_.size(), what));
  }
  std::uint64_t remaining() const { return bytes_.size() - position_; }

  bool read_bytes(std::uint64_t count, std::string_view& out, std::string_view what) {
    if (count > remaining()) return truncated(saturating_add(position_, count), what);
    out = bytes_.substr(position_, count);
    position_ += count;
    return true;
  }
  bool skip(std::uint64_t count, std::string_view what) {
    std::string_view ignored;
    return read_bytes(count, ignored, what);
  }
  template <class T>
  bool read_little_endian(T& value, std::string_view what) {
    std::string_view raw;
    if (!read_bytes(sizeof(T), raw, what)) return false;
    value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<T>(static_cast<unsigned char>(raw[i])) << (8 * i);
    return true;
  }
  bool read_u32(std::uint32_t& value, std::string_view what) { return read_little_endian(value, what); }
  bool read_u64(std::uint64_t& value, std::string_view what) { return read_little_endian(value, what); }

  bool check_count(std::uint64_t count, std::uint64_t min_bytes_each, std::string_view what) {
    if (count <= remaining() / min_bytes_each) return true;
    needed_ = std::max<std::uint64_t>(saturating_add(position_, saturating_mul(count, min_bytes_each)),
                                      bytes_.size() + 1);
    short_of_ = fmt::format("{} {}", count, what);
    return fail_bool(fmt::format("{} {} cannot fit in the {} bytes after byte {}", count, what, remaining(),
                                 position_));
  }

  bool read_string(std::string_view& out, std::uint64_t max_bytes, std::string_view what) {
    std::uint64_t length = 0;
    if (!read_u64(length, what)) return false;
    if (length > max_bytes) return fail_bool(fmt::format("{} is {} bytes long (at most {})", what, length, max_bytes));
    return read_bytes(length, out, what);
  }

  bool read_value(std::uint32_t type, int depth, MetadataValue& value, const std::string& what) {
    if (type >= kTypeCount) return fail_bool(fmt::format("{} has the unknown value type {}", what, type));
    value.type = type;
    if (type == kTypeString) {
      std::string_view text;
      if (!read_string(text, UINT64_MAX, what)) return false;
      value.text.assign(text);
      return true;
    }
    if (type == kTypeArray) return read_array(depth, value, what);
    std::uint64_t raw = 0;
    std::string_view bytes;
    if (!read_bytes(kFixedSizes[type], bytes, what)) return false;
    for (std::size_t i = 0; i < bytes.size(); ++i) raw |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
    if (type == 7 && raw > 1) return fail_bool(fmt::format("{} is a bool of value {} (0 or 1)", what, raw));
    value.raw = raw;
    return true;
  }

  bool read_array(int depth, MetadataValue& value, const std::string& what) {
    if (depth >= kMaxArrayDepth)
      return fail_bool(fmt::format("{} nests arrays deeper than {} levels", what, kMaxArrayDepth));
    std::uint32_t element_type = 0;
    std::uint64_t length = 0;
    if (!read_u32(element_type, what) || !read_u64(length, what)) return false;
    if (element_type >= kTypeCount)
      return fail_bool(fmt::format("{} is an array of the unknown value type {}", what, element_type));
    value.array_type = element_type;
    value.array_length = length;
    if (kFixedSizes[element_type] != 0) {
      if (!check_count(length, kFixedSizes[element_type], fmt::format("array elements of {}", what))) return false;
      return skip(length * kFixedSizes[element_type], what);
    }
    // Strings are a length and bytes; nested arrays a type and a length, at least.
    if (!check_count(length, element_type == kTypeString ? 8 : 12, fmt::format("array elements of {}", what)))
      return false;
    for (std::uint64_t i = 0; i < length; ++i) {
      if (element_type == kTypeString) {
        std::string_view ignored;
        if (!read_string(ignored, UINT64_MAX, what)) return false;
      } else {
        MetadataValue nested;
        if (!read_array(depth + 1, nested, what)) return false;
      }
    }
    return true;
  }

  bool read_metadata_entry(GgufHeader& header, std::uint64_t entry) {
    std::string_view key;
    if (!read_string(key, kMaxKeyBytes, fmt::format("the key of metadata entry {}", entry))) return false;
    std::uint32_t type = 0;
    const std::string what = fmt::format("the value of metadata entry {} ({})", entry, key);
    if (!read_u32(type, what)) return false;
    MetadataValue value;
    if (!read_value(type, 0, value, what)) return false;
    if (!header.metadata.emplace(std::string(key), std::move(value)).second)
      return fail_bool(fmt::format("metadata key {} appears twice", key));
    return true;
  }

  bool read_tensor_info(GgufHeader& header, std::set<std::string, std::less<>>& names, std::uint64_t index) {
    std::string_view name;
    if (!read_string(name, kMaxTensorNameBytes, fmt::format("the name of tensor info {}", index))) return false;
    const std::string what = fmt::format("tensor info {} ({})", index, name);
    if (!names.emplace(name).second) return fail_bool(fmt::format("tensor {} appears twice", name));
    GgufTensor tensor;
    tensor.name.assign(name);
    std::uint32_t dims = 0;
    if (!read_u32(dims, what)) return false;
    if (dims > kMaxDims) return fail_bool(fmt::format("{} has {} dimensions (at most {})", what, dims, kMaxDims));
    std::uint64_t elements = 1;
    for (std::uint32_t d = 0; d < dims; ++d) {
      std::uint64_t size = 0;
      if (!read_u64(size, what)) return false;
      if (size > kMaxInt64 || saturating_mul(elements, size) > kMaxInt64)
        return fail_bool(fmt::format("{} has more than 2^63 elements", what));
      elements *= size;
      tensor.dims.push_back(size);
    }
    if (!read_u32(tensor.type, what) || !read_u64(tensor.offset, what)) return false;
    tensor.elements = elements;
    if (const GgmlTypeTraits* traits = ggml_type_traits(tensor.type)) {
      if (!tensor.dims.empty() && tensor.dims[0] % traits->block_size != 0)
        return fail_bool(fmt::format("{}: rows of {} elements are not whole {} blocks of {}", what, tensor.dims[0],
                                     traits->name, traits->block_size));
      tensor.bytes = saturating_mul(elements / traits->block_size, traits->type_size);
    }
    header.tensors.push_back(std::move(tensor));
    return true;
  }

  std::string_view bytes_;
  std::string_view origin_;
  std::uint64_t position_ = 0;
  std::uint64_t needed_ = 0;
  std::string short_of_;
  std::optional<Error> error_;
};

}  // namespace

const GgmlTypeTraits* ggml_type_traits(std::uint32_t type) noexcept {
  if (type >= std::size(kGgmlTypes) || kGgmlTypes[type].name == nullptr) return nullptr;
  return &kGgmlTypes[type];
}

const char* llama_file_type_name(std::uint32_t file_type) noexcept {
  const auto& names = llama_file_types();
  const auto found = names.find(file_type);
  return found == names.end() ? nullptr : found->second;
}

bool has_gguf_magic(std::string_view bytes) noexcept { return bytes.size() >= 4 && bytes.substr(0, 4) == "GGUF"; }

std::optional<std::uint64_t> MetadataValue::as_unsigned() const {
  if (type >= kTypeCount || kFixedSizes[type] == 0 || type == 6 || type == 7 || type == 12) return std::nullopt;
  const bool is_signed = type == 1 || type == 3 || type == 5 || type == 11;
  if (is_signed) {
    const int bits = static_cast<int>(kFixedSizes[type] * 8);
    const bool negative = bits < 64 ? ((raw >> (bits - 1)) & 1) != 0 : (raw >> 63) != 0;
    if (negative) return std::nullopt;
  }
  return raw;
}

Result<GgufHeader> parse_gguf(std::string_view bytes, std::string_view origin, std::uint64_t& needed_bytes,
                              std::string& short_of) {
  GgufParser parser(bytes, origin);
  auto header = parser.parse();
  needed_bytes = parser.needed_bytes();
  short_of = parser.short_of();
  if (!header) return *parser.error();
  return std::move(*header);
}

}  // namespace planner

Result<ModelDescription> parse_gguf_header(std::string_view bytes, std::string_view origin) {
  std::uint64_t needed = 0;
  std::string short_of;
  auto header = planner::parse_gguf(bytes, origin, needed, short_of);
  if (!header) return header.error();
  return planner::describe_gguf(*header, origin);
}

Result<ModelDescription> read_gguf_model(const std::filesystem::path& path) {
  // Real headers are several MiB (a 128k-token vocabulary with scores and merges): read a prefix and double it
  // until the header parses, never the weights. 1 GiB of header is not a model file anyone made.
  constexpr std::uint64_t kFirstPrefix = 1u << 20, kMaxHeader = 1u << 30;
  const std::string origin = path.string();
  std::uint64_t prefix = kFirstPrefix;
  for (;;) {
    std::uint64_t file_size = 0;
    auto bytes = planner::read_file_prefix(path, prefix, file_size);
    if (!bytes) return bytes.error();
    std::uint64_t needed = 0;
    std::string short_of;
    auto header = planner::parse_gguf(*bytes, origin, needed, short_of);
    if (header) {
      ModelDescription model = planner::describe_gguf(*header, origin);
      planner::note_missing_tensor_data(model, *header, file_size);
      return model;
    }
    const bool cut_short = needed > bytes->size() && bytes->size() < file_size;
    if (!cut_short) return header.error();
    if (needed > file_size) {
      return make_error(ErrorCode::parse_error,
                        fmt::format("{}: the file ends at byte {}, before {} (which needs at least {} bytes)", origin,
                                    file_size, short_of, needed));
    }
    if (bytes->size() >= kMaxHeader)
      return make_error(ErrorCode::parse_error, fmt::format("{}: the GGUF header is larger than 1 GiB", origin));
    prefix = std::min(std::max(prefix * 2, needed), kMaxHeader);
  }
}

}  // namespace ual
