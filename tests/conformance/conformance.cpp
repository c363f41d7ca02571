#include "conformance.hpp"

#include <unistd.h>

#include <filesystem>

namespace conformance {

const ual::BackendRegistry& registry() {
  static std::shared_ptr<ual::BackendRegistry> loaded = [] {
    ual::BackendOptions options;
    options.search_path = {UAL_LIBRARY_DIR};
    const auto cache = std::filesystem::temp_directory_path() / ("ual-conformance-" + std::to_string(::getuid()));
    options.cache_directory = cache.string();
    auto result = ual::BackendRegistry::load(options);
    if (!result) throw std::runtime_error(result.error().message);
    return result.value();
  }();
  return *loaded;
}

std::vector<std::string> device_ids() {
  std::vector<std::string> ids;
  for (const auto& item : registry().devices()) ids.push_back(item.id());
  return ids;
}

ual::ComputeDevice device(const std::string& id) { return registry().device(id).value(); }

std::string device_test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

double decode_element(ual::DType dtype, const std::uint8_t* bits, float scale_inv) {
  switch (dtype) {
    case ual::DType::f32: {
      float value;
      std::memcpy(&value, bits, 4);
      return value;
    }
    case ual::DType::bf16: {
      ual::fp8::bfloat16 value;
      std::memcpy(&value.bits, bits, 2);
      return ual::fp8::to_float(value);
    }
    case ual::DType::f16: {
      ual::fp8::float16 value;
      std::memcpy(&value.bits, bits, 2);
      return ual::fp8::to_float(value);
    }
    default:
      return static_cast<double>(ual::fp8::decode(bits[0], ual::fp8_format(dtype))) * scale_inv;
  }
}

HostTensor random_tensor(ual::DType dtype, std::vector<std::int64_t> shape, std::uint32_t seed, float range,
                         float scale_inv) {
  HostTensor host;
  host.dtype = dtype;
  host.shape = shape;
  host.scale_inv = ual::is_fp8(dtype) ? scale_inv : 1.0f;
  std::int64_t count = 1;
  for (auto extent : shape) count *= extent;
  const std::size_t size = ual::dtype_size(dtype);
  host.bytes.resize(static_cast<std::size_t>(count) * size);
  host.values.resize(static_cast<std::size_t>(count));
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-range, range);
  for (std::int64_t i = 0; i < count; ++i) {
    const float value = distribution(generator);
    std::uint8_t* out = host.bytes.data() + i * size;
    switch (dtype) {
      case ual::DType::f32: std::memcpy(out, &value, 4); break;
      case ual::DType::bf16: {
        auto bits = ual::fp8::to_bfloat16(value).bits;
        std::memcpy(out, &bits, 2);
        break;
      }
      case ual::DType::f16: {
        auto bits = ual::fp8::to_float16(value).bits;
        std::memcpy(out, &bits, 2);
        break;
      }
      default: out[0] = ual::fp8::encode(value / host.scale_inv, ual::fp8_format(dtype)); break;
    }
    host.values[static_cast<std::size_t>(i)] = decode_element(dtype, out, host.scale_inv);
  }
  return host;
}

ual::Tensor upload(const ual::ComputeDevice& device, const HostTensor& host, std::vector<std::int64_t> strides,
                   std::int64_t offset_elements) {
  const std::size_t size = ual::dtype_size(host.dtype);
  const std::size_t rank = host.shape.size();
  if (strides.empty()) {
    strides.assign(rank, 1);
    for (std::size_t i = rank; i-- > 1;) strides[i - 1] = strides[i] * std::max<std::int64_t>(host.shape[i], 1);
  }
  std::int64_t span = 0, count = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    count *= host.shape[i];
    span += (host.shape[i] - 1) * strides[i];
  }
  const std::int64_t elements = count == 0 ? offset_elements : offset_elements + span + 1;
  std::vector<std::uint8_t> storage(static_cast<std::size_t>(elements) * size, 0xA5);  // padding is garbage
  std::vector<std::int64_t> index(rank, 0);
  for (std::int64_t linear = 0; linear < count; ++linear) {
    std::int64_t offset = offset_elements;
    for (std::size_t d = 0; d < rank; ++d) offset += index[d] * strides[d];
    std::memcpy(storage.data() + offset * size, host.bytes.data() + linear * size, size);
    for (std::size_t d = rank; d-- > 0;) {
      if (++index[d] < host.shape[d]) break;
      index[d] = 0;
    }
  }
  auto buffer = device.allocate(storage.size());
  EXPECT_TRUE(buffer) << buffer.error().message;
  EXPECT_TRUE(buffer->write(0, std::as_bytes(std::span<const std::uint8_t>(storage))));
  auto tensor = ual::Tensor::view(buffer.value(), host.dtype, host.shape, strides,
                                  static_cast<std::uint64_t>(offset_elements) * size);
  EXPECT_TRUE(tensor) << tensor.error().message;
  return tensor->with_scale_inv(host.scale_inv);
}

ual::Tensor zeros(const ual::ComputeDevice& device, ual::DType dtype, std::vector<std::int64_t> shape) {
  HostTensor host;
  host.dtype = dtype;
  host.shape = shape;
  std::int64_t count = 1;
  for (auto extent : shape) count *= extent;
  host.bytes.assign(static_cast<std::size_t>(count) * ual::dtype_size(dtype), 0);
  return upload(device, host);
}

std::vector<double> read_values(const ual::Tensor& tensor) {
  const std::size_t size = ual::dtype_size(tensor.dtype());
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(tensor.element_count()) * size);
  auto status = tensor.read(std::as_writable_bytes(std::span<std::uint8_t>(bytes)));
  EXPECT_TRUE(status) << status.error().message;
  std::vector<double> values(static_cast<std::size_t>(tensor.element_count()));
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = decode_element(tensor.dtype(), bytes.data() + i * size, tensor.scale_inv());
  return values;
}

double unit_roundoff(ual::DType dtype) {
  switch (dtype) {
    case ual::DType::bf16: return std::ldexp(1.0, -9);
    case ual::DType::f16: return std::ldexp(1.0, -12);
    case ual::DType::fp8_e4m3:
    case ual::DType::fp8_e4m3fnuz: return std::ldexp(1.0, -4);
    case ual::DType::fp8_e5m2:
    case ual::DType::fp8_e5m2fnuz: return std::ldexp(1.0, -3);
    default: return std::ldexp(1.0, -24);
  }
}

}  // namespace conformance
