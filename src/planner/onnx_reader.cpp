// ONNX ModelProto reader on the protobuf wire format itself (no protobuf library): varints, fixed32/64,
// length-delimited fields and (deprecated) groups, per https://protobuf.dev/programming-guides/encoding/.
// Field numbers from onnx/onnx.proto (checked against the onnx.proto that python3-onnx 1.12 installs):
//   ModelProto:  ir_version=1 graph=7 opset_import=8        OperatorSetIdProto: domain=1 version=2
//   GraphProto:  node=1 name=2 initializer=5 input=11 output=12 sparse_initializer=15
//   NodeProto:   op_type=4 domain=7 (attribute=5, which holds If/Loop subgraphs, is skipped, not descended)
//   TensorProto: dims=1 data_type=2 string_data=6 name=8 raw_data=9 external_data=13 data_location=14
//   StringStringEntryProto: key=1 value=2          ValueInfoProto: name=1 type=2
//   TypeProto:   tensor_type=1 (Tensor: elem_type=1 shape=2) sequence_type=4 map_type=5 sparse_tensor_type=8
//                optional_type=9                   TensorShapeProto: dim=1 (Dimension: dim_value=1 dim_param=2)
// Unknown fields of every wire type are skipped; a length or count beyond the bytes left is a parse error.
#include "planner/onnx_reader.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/text.hpp"
#include "planner/gguf_reader.hpp"
#include "ual/model_file.hpp"

namespace ual {
namespace planner {
namespace {

// TensorProto.DataType (onnx.proto): index = id. Bits per element in raw_data; 0 for STRING and UNDEFINED.
struct OnnxType {
  const char* name;
  unsigned bits;
};
constexpr OnnxType kOnnxTypes[] = {
    {"undefined", 0},     {"float", 32},          {"uint8", 8},          {"int8", 8},          {"uint16", 16},
    {"int16", 16},        {"int32", 32},          {"int64", 64},         {"string", 0},        {"bool", 8},
    {"float16", 16},      {"double", 64},         {"uint32", 32},        {"uint64", 64},       {"complex64", 64},
    {"complex128", 128},  {"bfloat16", 16},       {"float8e4m3fn", 8},   {"float8e4m3fnuz", 8}, {"float8e5m2", 8},
    {"float8e5m2fnuz", 8}, {"uint4", 4},          {"int4", 4},           {"float4e2m1", 4},    {"float8e8m0", 8},
    {"uint2", 2},         {"int2", 2},
};

constexpr int kMaxGroupDepth = 32;  // protobuf's own parsers stop at 100 nested messages
constexpr std::uint64_t kMaxInt64 = static_cast<std::uint64_t>(INT64_MAX);

// Sums of sizes a file claims: saturate rather than wrap (a claim of 2^62 elements needs no bytes to make).
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

// One decoded field. `number` >= 1; varint and fixed values land in `value`, length-delimited ones in `bytes`.
struct Field {
  std::uint32_t number = 0;
  std::uint32_t wire_type = 0;
  std::uint64_t value = 0;
  std::string_view bytes;
  std::size_t offset = 0;  // of the value in the whole input, for messages
};

class WireParser {
 public:
  WireParser(std::string_view input, std::string_view origin) : input_(input), origin_(origin) {}

  bool fail(std::size_t offset, const std::string& message) {
    if (!error_)
      error_ = make_error(ErrorCode::parse_error, fmt::format("{}: byte {}: {}", origin_, offset, message));
    return false;
  }
  bool fail_without_offset(const std::string& message) {
    if (!error_) error_ = make_error(ErrorCode::parse_error, fmt::format("{}: {}", origin_, message));
    return false;
  }
  const std::optional<Error>& error() const { return error_; }

  // Calls `handle(field)` for each field of the message `bytes` (at `base` in the input); false on an error.
  bool for_each_field(std::string_view bytes, std::size_t base, const char* message,
                      const std::function<bool(const Field&)>& handle) {
    std::size_t position = 0;
    while (position < bytes.size()) {
      Field field;
      if (!read_field(bytes, base, position, message, field, 0)) return false;
      if (field.wire_type != 3 && !handle(field)) return false;
    }
    return true;
  }

  // A packed repeated varint field, or one element of an unpacked one.
  bool for_each_varint(const Field& field, const char* what, const std::function<bool(std::uint64_t)>& handle) {
    if (field.wire_type == 0) return handle(field.value);
    if (field.wire_type != 2) return true;
    std::size_t position = 0;
    while (position < field.bytes.size()) {
      std::uint64_t value = 0;
      if (!read_varint(field.bytes, field.offset, position, value, what) || !handle(value)) return false;
    }
    return true;
  }

 private:
  bool read_varint(std::string_view bytes, std::size_t base, std::size_t& position, std::uint64_t& value,
                   const char* what) {
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= bytes.size())
        return fail(base + position, fmt::format("truncated while reading a varint of {}", what));
      const auto byte = static_cast<unsigned char>(bytes[position++]);
      if (shift == 63 && byte > 1) return fail(base + position - 1, fmt::format("malformed varint in {}", what));
      value |= std::uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80u) == 0) return true;
    }
    return fail(base + position, fmt::format("malformed varint (over 10 bytes) in {}", what));
  }

  bool read_field(std::string_view bytes, std::size_t base, std::size_t& position, const char* message, Field& field,
                  int depth) {
    std::uint64_t key = 0;
    const std::size_t start = position;
    if (!read_varint(bytes, base, position, key, message)) return false;
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
      return fail(base + start, fmt::format("invalid field number {} in {}", key >> 3, message));
    field.number = static_cast<std::uint32_t>(key >> 3);
    field.wire_type = static_cast<std::uint32_t>(key & 7);
    switch (field.wire_type) {
      case 0:
        return read_varint(bytes, base, position, field.value, message);
      case 1:
      case 5: {
        const std::size_t size = field.wire_type == 1 ? 8 : 4;
        if (bytes.size() - position < size)
          return fail(base + bytes.size(), fmt::format("truncated in field {} of {}", field.number, message));
        for (std::size_t i = 0; i < size; ++i)
          field.value |= std::uint64_t{static_cast<unsigned char>(bytes[position + i])} << (8 * i);
        position += size;
        return true;
      }
      case 2: {
        std::uint64_t length = 0;
        if (!read_varint(bytes, base, position, length, message)) return false;
        if (length > bytes.size() - position)
          return fail(base + position, fmt::format("field {} of {} is {} bytes long but only {} are left",
                                                   field.number, message, length, bytes.size() - position));
        field.offset = base + position;
        field.bytes = bytes.substr(position, length);
        position += length;
        return true;
      }
      case 3: {  // a group: fields up to the matching end-group key
        if (depth >= kMaxGroupDepth) return fail(base + start, fmt::format("groups nested too deep in {}", message));
        for (;;) {
          if (position >= bytes.size())
            return fail(base + position, fmt::format("truncated in group {} of {}", field.number, message));
          Field inner;
          if (!read_field(bytes, base, position, message, inner, depth + 1)) return false;
          if (inner.wire_type == 4) {
            if (inner.number != field.number) return fail(base + position, "mismatched end of group");
            return true;
          }
        }
      }
      case 4:
        if (depth > 0) return true;
        return fail(base + start, fmt::format("end of a group that was not started in {}", message));
      default:
        return fail(base + start, fmt::format("invalid wire type {} in {}", field.wire_type, message));
    }
  }

  std::string_view input_;
  std::string_view origin_;
  std::optional<Error> error_;
};

struct Initializer {
  std::string name;
  std::int64_t data_type = 0;
  std::vector<std::uint64_t> dims;
  std::optional<std::uint64_t> raw_bytes;
  std::uint64_t string_bytes = 0;
  bool external = false;
  std::string external_location;
  std::optional<std::uint64_t> external_length;
};

class OnnxModelParser {
 public:
  OnnxModelParser(std::string_view bytes, std::string_view origin) : wire_(bytes, origin), bytes_(bytes) {}

  Result<ModelDescription> parse(std::string_view origin) {
    model_.format = ModelFormat::onnx;
    model_.architecture = "onnx";
    model_.id = model_id_from_origin(origin);
    model_.path = std::string(origin);
    if (bytes_.empty()) return make_error(ErrorCode::parse_error, fmt::format("{}: an empty file", origin));
    bool has_graph = false;
    const bool ok = wire_.for_each_field(bytes_, 0, "ModelProto", [&](const Field& field) {
      if (field.number == 1 && field.wire_type == 0) model_.ir_version = static_cast<std::int64_t>(field.value);
      if (field.number == 8 && field.wire_type == 2) return parse_opset(field);
      if (field.number == 7 && field.wire_type == 2) {
        has_graph = true;
        return parse_graph(field);
      }
      return true;
    });
    if (!ok) return *wire_.error();
    if (!has_graph)
      return make_error(ErrorCode::parse_error, fmt::format("{}: not an ONNX model (no graph in the ModelProto)",
                                                            origin));
    if (model_.ir_version <= 0) model_.notes.push_back("the model has no ir_version");
    if (!summarize_initializers()) return *wire_.error();
    return std::move(model_);
  }

 private:
  bool parse_opset(const Field& opset) {
    std::string domain;
    std::int64_t version = 0;
    bool ok = wire_.for_each_field(opset.bytes, opset.offset, "OperatorSetIdProto", [&](const Field& field) {
      if (field.number == 1 && field.wire_type == 2) domain.assign(field.bytes);
      if (field.number == 2 && field.wire_type == 0) version = static_cast<std::int64_t>(field.value);
      return true;
    });
    if (domain == "ai.onnx") domain.clear();  // onnx.proto: "" and "ai.onnx" both name the default domain
    model_.opsets[domain] = version;
    return ok;
  }

  bool parse_graph(const Field& graph) {
    return wire_.for_each_field(graph.bytes, graph.offset, "GraphProto", [&](const Field& field) {
      if (field.wire_type != 2) return true;
      switch (field.number) {
        case 1: return parse_node(field);
        case 2: model_.name.assign(field.bytes); return true;
        case 5: return parse_initializer(field);
        case 11: return parse_value_info(field, inputs_);
        case 12: return parse_value_info(field, model_.outputs);
        case 15: ++sparse_initializers_; return true;
        default: return true;
      }
    });
  }

  bool parse_node(const Field& node) {
    std::string op_type, domain;
    const bool ok = wire_.for_each_field(node.bytes, node.offset, "NodeProto", [&](const Field& field) {
      if (field.number == 4 && field.wire_type == 2) op_type.assign(field.bytes);
      if (field.number == 7 && field.wire_type == 2) domain.assign(field.bytes);
      return true;
    });
    if (!domain.empty() && domain != "ai.onnx") op_type = domain + ":" + op_type;
    ++model_.operators[op_type];
    return ok;
  }

  bool parse_initializer(const Field& tensor) {
    Initializer init;
    const bool ok = wire_.for_each_field(tensor.bytes, tensor.offset, "TensorProto", [&](const Field& field) {
      switch (field.number) {
        case 1:
          return wire_.for_each_varint(field, "TensorProto.dims", [&](std::uint64_t dim) {
            if (dim > kMaxInt64) return wire_.fail(field.offset, "a negative initializer dimension");
            init.dims.push_back(dim);
            return true;
          });
        case 2: if (field.wire_type == 0) init.data_type = static_cast<std::int64_t>(field.value); return true;
        case 6: if (field.wire_type == 2) init.string_bytes += field.bytes.size(); return true;
        case 8: if (field.wire_type == 2) init.name.assign(field.bytes); return true;
        case 9: if (field.wire_type == 2) init.raw_bytes = field.bytes.size(); return true;
        case 13: return field.wire_type != 2 || parse_external_entry(field, init);
        case 14: if (field.wire_type == 0) init.external = field.value == 1; return true;
        default: return true;
      }
    });
    initializers_.push_back(std::move(init));
    return ok;
  }

  bool parse_external_entry(const Field& entry, Initializer& init) {
    std::string key, value;
    const bool ok = wire_.for_each_field(entry.bytes, entry.offset, "StringStringEntryProto", [&](const Field& f) {
      if (f.number == 1 && f.wire_type == 2) key.assign(f.bytes);
      if (f.number == 2 && f.wire_type == 2) value.assign(f.bytes);
      return true;
    });
    if (key == "location") init.external_location = value;
    if (key == "length") init.external_length = text::parse_unsigned(value);
    return ok;
  }

  bool parse_value_info(const Field& info, std::vector<ModelTensorInfo>& list) {
    ModelTensorInfo tensor;
    const bool ok = wire_.for_each_field(info.bytes, info.offset, "ValueInfoProto", [&](const Field& field) {
      if (field.number == 1 && field.wire_type == 2) tensor.name.assign(field.bytes);
      if (field.number == 2 && field.wire_type == 2) return parse_type(field, tensor);
      return true;
    });
    list.push_back(std::move(tensor));
    return ok;
  }

  bool parse_type(const Field& type, ModelTensorInfo& tensor) {
    return wire_.for_each_field(type.bytes, type.offset, "TypeProto", [&](const Field& field) {
      if (field.wire_type != 2) return true;
      if (field.number == 4) tensor.element_type = "sequence";
      if (field.number == 5) tensor.element_type = "map";
      if (field.number == 8) tensor.element_type = "sparse_tensor";
      if (field.number == 9) tensor.element_type = "optional";
      if (field.number != 1) return true;
      return wire_.for_each_field(field.bytes, field.offset, "TypeProto.Tensor", [&](const Field& inner) {
        if (inner.number == 1 && inner.wire_type == 0) {
          const char* name = onnx_element_type_name(static_cast<std::int64_t>(inner.value));
          tensor.element_type = name ? name : fmt::format("type_{}", inner.value);
        }
        if (inner.number == 2 && inner.wire_type == 2) return parse_shape(inner, tensor);
        return true;
      });
    });
  }

  bool parse_shape(const Field& shape, ModelTensorInfo& tensor) {
    return wire_.for_each_field(shape.bytes, shape.offset, "TensorShapeProto", [&](const Field& field) {
      if (field.number != 1 || field.wire_type != 2) return true;
      std::int64_t size = -1;  // dim_param (a symbol) or nothing: unknown
      const bool ok = wire_.for_each_field(field.bytes, field.offset, "Dimension", [&](const Field& dim) {
        if (dim.number == 1 && dim.wire_type == 0 && dim.value <= kMaxInt64) size = static_cast<std::int64_t>(dim.value);
        return true;
      });
      tensor.shape.push_back(size);
      return ok;
    });
  }

  bool summarize_initializers() {
    std::set<std::string> names;
    std::map<std::string, std::uint64_t> elements_by_type;
    std::uint64_t external_count = 0;
    std::set<std::string> locations;
    for (const Initializer& init : initializers_) {
      names.insert(init.name);
      std::uint64_t elements = 1;
      for (const std::uint64_t dim : init.dims)
        if (__builtin_mul_overflow(elements, dim, &elements) || elements > kMaxInt64)
          return wire_.fail_without_offset(fmt::format("initializer {} has more than 2^63 elements", init.name));
      const char* type_name = onnx_element_type_name(init.data_type);
      const std::string type = type_name ? type_name : fmt::format("type_{}", init.data_type);
      ++model_.tensor_types[type];
      elements_by_type[type] = saturating_add(elements_by_type[type], elements);
      model_.parameter_count = saturating_add(model_.parameter_count, elements);
      const unsigned bits = onnx_element_bits(init.data_type);
      std::uint64_t bytes = init.data_type == 8 ? init.string_bytes
                                                : saturating_add(saturating_mul(elements / 8, bits),
                                                                 ((elements % 8) * bits + 7) / 8);
      if (bits == 0 && init.data_type != 8) {
        bytes = init.raw_bytes.value_or(0);
        model_.notes.push_back(fmt::format("initializer {} has the unknown data type {}", init.name, init.data_type));
      }
      if (init.external) {
        ++external_count;
        if (!init.external_location.empty()) locations.insert(init.external_location);
        if (init.external_length) bytes = *init.external_length;
        model_.external_data_bytes = saturating_add(model_.external_data_bytes, bytes);
      } else if (init.raw_bytes && *init.raw_bytes != bytes && bits != 0) {
        model_.notes.push_back(fmt::format("initializer {} has {} bytes of raw_data; its type and shape say {}",
                                           init.name, *init.raw_bytes, bytes));
      }
      model_.weight_bytes = saturating_add(model_.weight_bytes, bytes);
    }
    if (external_count > 0)
      model_.notes.push_back(fmt::format("{} initializers ({} bytes) are stored outside the file (in {}): "
                                         "weight_bytes counts them; they were not opened", external_count,
                                         model_.external_data_bytes, fmt::join(locations, ", ")));
    if (sparse_initializers_ > 0)
      model_.notes.push_back(fmt::format("{} sparse initializers are not counted", sparse_initializers_));
    for (ModelTensorInfo& input : inputs_)
      if (!names.count(input.name)) model_.inputs.push_back(std::move(input));
    if (!elements_by_type.empty())
      model_.weight_type = std::max_element(elements_by_type.begin(), elements_by_type.end(),
                                            [](const auto& a, const auto& b) { return a.second < b.second; })->first;
    return true;
  }

  WireParser wire_;
  std::string_view bytes_;
  ModelDescription model_;
  std::vector<Initializer> initializers_;
  std::vector<ModelTensorInfo> inputs_;
  std::uint64_t sparse_initializers_ = 0;
};

}  // namespace

const char* onnx_element_type_name(std::int64_t data_type) noexcept {
  if (data_type <= 0 || data_type >= static_cast<std::int64_t>(std::size(kOnnxTypes))) return nullptr;
  return kOnnxTypes[data_type].name;
}

unsigned onnx_element_bits(std::int64_t data_type) noexcept {
  if (data_type <= 0 || data_type >= static_cast<std::int64_t>(std::size(kOnnxTypes))) return 0;
  return kOnnxTypes[data_type].bits;
}

}  // namespace planner

Result<ModelDescription> parse_onnx_model(std::string_view bytes, std::string_view origin) {
  return planner::OnnxModelParser(bytes, origin).parse(origin);
}

Result<ModelDescription> read_onnx_model(const std::filesystem::path& path) {
  // Protobuf messages are limited to 2 GiB; ONNX keeps larger weights in external files. 4 GiB leaves room.
  constexpr std::uint64_t kMaxBytes = 4ull << 30;
  std::uint64_t file_size = 0;
  if (auto size_only = planner::read_file_prefix(path, 0, file_size); !size_only) return size_only.error();
  if (file_size > kMaxBytes)
    return make_error(ErrorCode::parse_error, fmt::format("{}: {} bytes; ONNX files over 4 GiB are not read (ONNX "
                                                          "keeps weights that large in external data files)",
                                                          path.string(), file_size));
  auto bytes = planner::read_file_prefix(path, kMaxBytes, file_size);
  if (!bytes) return bytes.error();
  return parse_onnx_model(*bytes, path.string());
}

}  // namespace ual
