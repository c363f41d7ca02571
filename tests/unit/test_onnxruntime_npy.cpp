// .npy files (numpy.lib.format, versions 1.0-3.0): every supported dtype round-trips, numpy reads what ual writes
// and ual reads what numpy writes, and each malformed file is refused with a message naming the file and the fault.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/child_process.hpp"
#include "../../engines/onnxruntime/npy_file.hpp"
#include "test_onnxruntime_support.hpp"

namespace ual::onnxruntime {
namespace {

std::span<const std::byte> bytes_of(const std::string& image) { return std::as_bytes(std::span<const char>(image)); }

// A hand-made file: magic, version, little-endian header length, header (padded to 64 as numpy does) and data.
std::string npy_image(const std::string& header, const std::string& data, int major = 1) {
  std::string text = header;
  const std::size_t prefix = major == 1 ? 10 : 12;
  text.append((64 - (prefix + text.size() + 1) % 64) % 64, ' ');
  text.push_back('\n');
  std::string image = "\x93NUMPY";
  image.push_back(static_cast<char>(major));
  image.push_back('\0');
  for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) image.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xff));
  return image + text + data;
}

std::string parse_error(const std::string& image) {
  auto parsed = parse_npy(bytes_of(image), "test.npy");
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? std::string() : parsed.error().message;
}

TEST(OnnxRuntimeNpy, EveryElementTypeRoundTrips) {
  for (const char* name : {"float32", "float64", "float16", "int8", "uint8", "int16", "uint16", "int32", "int64",
                           "uint32", "uint64", "bool"}) {
    const ElementType type = *parse_element_type(name);
    HostTensor tensor{"t", type, {2, 3}, std::vector<std::byte>(6 * element_size(type))};
    for (std::size_t i = 0; i < tensor.data.size(); ++i) tensor.data[i] = std::byte(type == ElementType::boolean ? i % 2 : i);
    auto image = encode_npy(tensor);
    ASSERT_TRUE(image.ok()) << name;
    EXPECT_EQ(image->find("\n") + 1, image->size() - tensor.data.size());
    EXPECT_EQ((image->size() - tensor.data.size()) % 64, 0u) << name << ": data must start 64-byte aligned";
    auto back = parse_npy(bytes_of(*image), name);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->type, type) << name;
    EXPECT_EQ(back->shape, tensor.shape);
    EXPECT_TRUE(back->data == tensor.data) << name;
  }
}

TEST(OnnxRuntimeNpy, ScalarsEmptyArraysAndVersion2Headers) {
  auto scalar = parse_npy(bytes_of(npy_image("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                             std::string(8, '\0'))), "s.npy");
  ASSERT_TRUE(scalar.ok()) << scalar.error().message;
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->data.size(), 8u);
  auto empty = parse_npy(bytes_of(npy_image("{'descr': '<i4', 'fortran_order': False, 'shape': (0, 3), }", "")), "e.npy");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->shape, (std::vector<std::int64_t>{0, 3}));
  auto version2 = parse_npy(bytes_of(npy_image("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (3,)}",
                                               "abc", 2)), "v2.npy");
  ASSERT_TRUE(version2.ok()) << version2.error().message;
  EXPECT_EQ(version2->type, ElementType::u8);
  EXPECT_EQ(format_shape(version2->shape), "(3,)");
}

TEST(OnnxRuntimeNpy, MalformedFilesAreRefusedWithTheReason) {
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const auto contains = [](const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << message << "' lacks '" << part << "'";
  };
  contains(parse_error("PK\x03\x04 not numpy at all"), "test.npy: not an .npy file");
  std::string version9 = npy_image(f4, std::string(8, '\0'));
  version9[6] = 9;
  contains(parse_error(version9), "version 9.0 is not supported");
  contains(parse_error(npy_image("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", std::string(8, '\0'))),
           "Fortran order");
  contains(parse_error(npy_image("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", std::string(8, '\0'))),
           "big-endian");
  contains(parse_error(npy_image("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", std::string(16, '\0'))),
           "dtype '<c8' is not supported");
  contains(parse_error(npy_image("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "")),
           "structured dtypes");
  contains(parse_error(npy_image("{'descr': '<f4', 'shape': (2,), }", std::string(8, '\0'))), "lacks one of");
  contains(parse_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "")),
           "unexpected key 'extra'");
  contains(parse_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "")), "'shape'");
  contains(parse_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "")),
           "'shape'");
  contains(parse_error(npy_image(f4, std::string(7, '\0'))), "shape (2,) of float32 needs 8 data bytes, but the file holds 7");
  contains(parse_error(npy_image(f4, std::string(9, '\0'))), "but the file holds 9");
  contains(parse_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967295), }",
                                 "")), "needs more than 2^64");
  contains(parse_error(npy_image("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }",
                                 "")), "too many elements");
  std::string huge = npy_image(f4, "");
  huge[8] = '\xff';
  huge[9] = '\xff';
  contains(parse_error(huge), "exceeds the limit of 10000");
  contains(parse_error(npy_image(f4, "").substr(0, 40)), "the file ends before that");
  auto missing = read_npy_file("/nonexistent/x.npy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  contains(missing.error().message, "/nonexistent/x.npy");
}

// numpy's own files (the oracle's) are read, and numpy reads back what ual writes.
TEST(OnnxRuntimeNpy, InteroperatesWithNumpy) {
  const auto& models = testing::generated_models();
  if (!models.skip_reason.empty()) GTEST_SKIP() << models.skip_reason;
  const HostTensor x = testing::load_array("attention.x");
  EXPECT_EQ(x.type, ElementType::f32);
  EXPECT_EQ(format_shape(x.shape), "(2, 6, 8)");
  EXPECT_EQ(testing::load_array("dtypes.flags").type, ElementType::boolean);
  EXPECT_EQ(testing::load_array("dtypes.f16").type, ElementType::f16);

  const std::filesystem::path path = testing::scratch_directory() / "written_by_ual.npy";
  const HostTensor written = make_host_tensor<std::int64_t>("w", ElementType::i64, {2, 2}, {1, -2, 3, 1LL << 40});
  ASSERT_TRUE(write_npy_file(path, written).ok());
  const auto numpy = run_child_process(
      "/usr/bin/python3",
      {"-c", "import sys, numpy; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, a.tolist())", path.string()},
      ChildOptions{std::chrono::seconds(60), 1u << 16});
  ASSERT_TRUE(numpy.ok()) << numpy.error().message;
  EXPECT_EQ(numpy->standard_output, "int64 (2, 2) [[1, -2], [3, 1099511627776]]\n") << numpy->standard_error;
}

}  // namespace
}  // namespace ual::onnxruntime
