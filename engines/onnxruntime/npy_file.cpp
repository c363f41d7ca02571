// The format, from numpy.lib.format's documentation (NEP 1, "A Simple File Format for NumPy Arrays"):
//   magic "\x93NUMPY", one byte major and one byte minor version;
//   1.0: a little-endian uint16 HEADER_LEN; 2.0 and 3.0: a little-endian uint32 (3.0 only allows UTF-8 headers);
//   the header: a Python literal dict with keys 'descr' (a dtype string such as '<f4'), 'fortran_order' (bool) and
//   'shape' (a tuple of ints), ended by '\n' and padded with spaces so the data starts at a multiple of 64;
//   then the raw data, shape product times itemsize bytes.
#include "engines/onnxruntime/npy_file.hpp"

#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace ual::onnxruntime {
namespace {

constexpr std::string_view npy_magic = "\x93NUMPY";

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

// A parser for the one dict literal numpy writes; it accepts either quote style and a trailing comma.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  Result<NpyHeader> parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    if (!consume('{')) return fail("the header is not a dict");
    while (!consume('}')) {
      auto key = parse_string();
      if (!key) return fail("expected a quoted key");
      if (!consume(':')) return fail(fmt::format("expected ':' after '{}'", *key));
      if (*key == "descr") {
        auto descr = parse_string();
        if (!descr) return fail("'descr' is not a dtype string (structured dtypes are not supported)");
        header.descr = *descr;
        seen_descr = true;
      } else if (*key == "fortran_order") {
        if (consume_word("True")) header.fortran_order = true;
        else if (consume_word("False")) header.fortran_order = false;
        else return fail("'fortran_order' is not True or False");
        seen_order = true;
      } else if (*key == "shape") {
        auto shape = parse_shape();
        if (!shape) return fail("'shape' is not a tuple of non-negative integers");
        header.shape = std::move(*shape);
        seen_shape = true;
      } else {
        return fail(fmt::format("unexpected key '{}'", *key));
      }
      if (!consume(',') && !peek('}')) return fail("expected ',' or '}'");
    }
    skip_space();
    if (position_ != text_.size()) return fail("text after the dict");
    if (!seen_descr || !seen_order || !seen_shape)
      return fail("the header lacks one of 'descr', 'fortran_order' and 'shape'");
    return header;
  }

 private:
  Error fail(const std::string& why) const {
    return make_error(ErrorCode::parse_error, fmt::format("{}: malformed .npy header: {}", what_, why));
  }
  void skip_space() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) ++position_;
  }
  bool peek(char c) {
    skip_space();
    return position_ < text_.size() && text_[position_] == c;
  }
  bool consume(char c) {
    if (!peek(c)) return false;
    ++position_;
    return true;
  }
  bool consume_word(std::string_view word) {
    skip_space();
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }
  std::optional<std::string> parse_string() {
    skip_space();
    if (position_ >= text_.size() || (text_[position_] != '\'' && text_[position_] != '"')) return std::nullopt;
    const char quote = text_[position_++];
    const std::size_t end = text_.find(quote, position_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string value(text_.substr(position_, end - position_));
    position_ = end + 1;
    return value;
  }
  std::optional<std::vector<std::int64_t>> parse_shape() {
    if (!consume('(')) return std::nullopt;
    std::vector<std::int64_t> shape;
    while (!consume(')')) {
      skip_space();
      std::int64_t value = 0;
      std::size_t digits = 0;
      while (position_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[position_]))) {
        if (value > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
        value = value * 10 + (text_[position_++] - '0');
        ++digits;
      }
      if (digits == 0) return std::nullopt;
      consume_word("L");  // Python 2 longs, in files written by numpy under Python 2
      shape.push_back(value);
      if (!consume(',') && !peek(')')) return std::nullopt;
    }
    return shape;
  }

  std::string_view text_;
  const std::string& what_;
  std::size_t position_ = 0;
};

// numpy's dtype strings: byte order ('<' little, '>' big, '|' not applicable, '=' native) then kind and itemsize.
Result<ElementType> element_type_from_descr(const std::string& descr, const std::string& what) {
  struct Entry {
    std::string_view code;
    ElementType type;
  };
  static constexpr Entry entries[] = {
      {"f4", ElementType::f32}, {"f8", ElementType::f64}, {"f2", ElementType::f16}, {"i1", ElementType::i8},
      {"u1", ElementType::u8},  {"i2", ElementType::i16}, {"u2", ElementType::u16}, {"i4", ElementType::i32},
      {"i8", ElementType::i64}, {"u4", ElementType::u32}, {"u8", ElementType::u64}, {"b1", ElementType::boolean}};
  if (descr.size() == 3 && descr[0] == '>' && descr[2] != '1')
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{}: dtype '{}' is big-endian; only little-endian arrays are supported "
                                  "(numpy: array.astype(array.dtype.newbyteorder('<')))", what, descr));
  // '=' is the writer's native order: little-endian on every machine ual runs on (x86-64, aarch64).
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '|' || descr[0] == '=' || descr[0] == '>'))
    for (const Entry& entry : entries)
      if (std::string_view(descr).substr(1) == entry.code) return entry.type;
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("{}: dtype '{}' is not supported (float16/32/64, int8-64, uint8-64 and bool are)",
                                what, descr));
}

std::uint32_t read_little_endian(const std::byte* bytes, std::size_t count) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value |= std::to_integer<std::uint32_t>(bytes[i]) << (8 * i);
  return value;
}

}  // namespace

Result<HostTensor> parse_npy(std::span<const std::byte> bytes, const std::string& what) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), npy_magic.data(), npy_magic.size()) != 0)
    return make_error(ErrorCode::parse_error, fmt::format("{}: not an .npy file (no \\x93NUMPY magic)", what));
  const auto major = std::to_integer<int>(bytes[6]), minor = std::to_integer<int>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return make_error(ErrorCode::parse_error,
                      fmt::format("{}: .npy format version {}.{} is not supported (1.0, 2.0 and 3.0 are)", what,
                                  major, minor));
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = npy_magic.size() + 2 + length_bytes;
  if (bytes.size() < prefix) return make_error(ErrorCode::parse_error, fmt::format("{}: truncated .npy header", what));
  const std::size_t header_length = read_little_endian(bytes.data() + 8, length_bytes);
  if (header_length > npy_max_header_bytes)
    return make_error(ErrorCode::parse_error, fmt::format("{}: .npy header of {} bytes exceeds the limit of {}", what,
                                                          header_length, npy_max_header_bytes));
  if (bytes.size() < prefix + header_length)
    return make_error(ErrorCode::parse_error,
                      fmt::format("{}: the .npy header says {} bytes, but the file ends before that", what,
                                  header_length));
  const std::string_view header_text(reinterpret_cast<const char*>(bytes.data() + prefix), header_length);
  auto header = HeaderParser(header_text, what).parse();
  if (!header) return header.error();
  if (header->fortran_order)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{}: the array is in Fortran order; only C order is supported "
                                  "(numpy: np.save(path, np.ascontiguousarray(array)))", what));
  auto type = element_type_from_descr(header->descr, what);
  if (!type) return type.error();

  HostTensor tensor{std::string(), *type, std::move(header->shape), {}};
  auto count = tensor.element_count();
  if (!count) return make_error(ErrorCode::parse_error, fmt::format("{}: {}", what, count.error().message));
  const std::size_t available = bytes.size() - prefix - header_length;
  const std::uint64_t item = element_size(*type);
  if (*count > available / item || *count * item != available)
    return make_error(ErrorCode::parse_error,
                      fmt::format("{}: shape {} of {} needs {} data bytes, but the file holds {}", what,
                                  format_shape(tensor.shape), to_string(*type),
                                  *count > std::numeric_limits<std::uint64_t>::max() / item
                                      ? std::string("more than 2^64")
                                      : std::to_string(*count * item),
                                  available));
  const auto* data = bytes.data() + prefix + header_length;
  tensor.data.assign(data, data + available);
  return tensor;
}

Result<HostTensor> read_npy_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::error_code error;
    const bool exists = std::filesystem::exists(path, error);
    return make_error(exists ? ErrorCode::io_error : ErrorCode::not_found,
                      fmt::format("{}: {}", path.string(), exists ? "cannot be read" : "no such file"));
  }
  std::vector<char> content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) return make_error(ErrorCode::io_error, fmt::format("{}: read failed", path.string()));
  return parse_npy(std::as_bytes(std::span<const char>(content)), path.string());
}

Result<std::string> encode_npy(const HostTensor& tensor) {
  auto count = tensor.element_count();
  if (!count) return count.error();
  if (*count * element_size(tensor.type) != tensor.data.size())
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("tensor '{}': {} data bytes do not match shape {} of {}", tensor.name,
                                  tensor.data.size(), format_shape(tensor.shape), to_string(tensor.type)));
  // numpy's descr for each type: byte order '<', or '|' where it does not apply (one-byte types).
  std::string descr = element_size(tensor.type) == 1 ? "|" : "<";
  switch (tensor.type) {
    case ElementType::f32: descr += "f4"; break;
    case ElementType::f64: descr += "f8"; break;
    case ElementType::f16: descr += "f2"; break;
    case ElementType::i8: descr += "i1"; break;
    case ElementType::u8: descr += "u1"; break;
    case ElementType::i16: descr += "i2"; break;
    case ElementType::u16: descr += "u2"; break;
    case ElementType::i32: descr += "i4"; break;
    case ElementType::i64: descr += "i8"; break;
    case ElementType::u32: descr += "u4"; break;
    case ElementType::u64: descr += "u8"; break;
    case ElementType::boolean: descr += "b1"; break;
  }
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr,
                                   format_shape(tensor.shape));
  const bool version2 = header.size() + 1 + 64 > 65535;
  const std::size_t prefix = npy_magic.size() + 2 + (version2 ? 4 : 2);
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string image(npy_magic);
  image.push_back(static_cast<char>(version2 ? 2 : 1));
  image.push_back('\0');
  for (std::size_t i = 0; i < (version2 ? 4u : 2u); ++i) image.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  image += header;
  image.append(reinterpret_cast<const char*>(tensor.data.data()), tensor.data.size());
  return image;
}

Status write_npy_file(const std::filesystem::path& path, const HostTensor& tensor) {
  auto image = encode_npy(tensor);
  if (!image) return image.error();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return make_error(ErrorCode::io_error, fmt::format("{}: cannot be created", path.string()));
  file.write(image->data(), static_cast<std::streamsize>(image->size()));
  file.close();
  if (!file) return make_error(ErrorCode::io_error, fmt::format("{}: write failed", path.string()));
  return ok_status();
}

}  // namespace ual::onnxruntime
