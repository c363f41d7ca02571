// The C ABI's compute calls: devices by id or policy, tensors with host data, GEMM and FP8 quantize/dequantize.
#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "capi/handles.hpp"
#include "ual/backends.hpp"
#include "ual/ops.hpp"
#include "ual/selector.hpp"

using namespace ual;
using namespace ual::capi;

namespace {

bool to_dtype(ual_dtype dtype, DType& out) {
  static constexpr DType table[] = {DType::f32,          DType::f16,          DType::bf16,
                                    DType::fp8_e4m3,     DType::fp8_e5m2,     DType::fp8_e4m3fnuz,
                                    DType::fp8_e5m2fnuz, DType::i8,           DType::i32};
  const auto index = static_cast<int>(dtype);
  if (index < 0 || index >= static_cast<int>(std::size(table))) return false;
  out = table[index];
  return true;
}

ual_dtype from_dtype(DType dtype) {
  switch (dtype) {
    case DType::f32: return UAL_DTYPE_F32;
    case DType::f16: return UAL_DTYPE_F16;
    case DType::bf16: return UAL_DTYPE_BF16;
    case DType::fp8_e4m3: return UAL_DTYPE_FP8_E4M3;
    case DType::fp8_e5m2: return UAL_DTYPE_FP8_E5M2;
    case DType::fp8_e4m3fnuz: return UAL_DTYPE_FP8_E4M3FNUZ;
    case DType::fp8_e5m2fnuz: return UAL_DTYPE_FP8_E5M2FNUZ;
    case DType::i8: return UAL_DTYPE_I8;
    case DType::i32: return UAL_DTYPE_I32;
  }
  return UAL_DTYPE_F32;
}

// "auto": the first GPU or NPU in max-performance order; an OpenCL device on the host CPU is never faster than the
// built-in CPU backend, so it is skipped.
Result<ComputeDevice> pick_device(std::string_view text) {
  const BackendRegistry& backends = default_backends();
  const bool is_auto = text == "auto";
  if (!is_auto && !text.starts_with("prefer_")) return backends.device(text);
  Policy policy = Policy::max_performance;
  if (!is_auto) {
    auto parsed = parse_policy(text);
    if (!parsed) return parsed.error();
    policy = *parsed;
  }
  std::vector<ComputeDevice> ordered = order_devices(backends.devices(), policy);
  if (ordered.empty()) return make_error(ErrorCode::unavailable, "no compute device is available");
  if (is_auto) {
    for (const ComputeDevice& device : ordered)
      if (device.info().kind != DeviceKind::cpu) return device;
    return backends.device("cpu:0");
  }
  return ordered.front();
}

std::uint64_t tensor_bytes(const Tensor& tensor) {
  return static_cast<std::uint64_t>(tensor.element_count()) * dtype_size(tensor.dtype());
}

}  // namespace

extern "C" {

UAL_C_API ual_status ual_device_create(const char* id_or_policy, ual_device* out) {
  return guarded("ual_device_create", [&] {
    ual_status status = UAL_OK;
    if (is_null(out, "ual_device_create", "out", status)) return status;
    *out = nullptr;
    if (is_null(id_or_policy, "ual_device_create", "id_or_policy", status)) return status;
    auto device = pick_device(id_or_policy);
    if (!device) return fail(device.error());
    auto handle = std::make_shared<DeviceHandle>(DeviceHandle{*device, device->id()});
    *out = register_device(std::move(handle));
    return succeed();
  });
}

UAL_C_API ual_status ual_device_destroy(ual_device device) {
  return guarded("ual_device_destroy", [&] {
    ual_status status = UAL_OK;
    return remove_device(device, "ual_device_destroy", status) ? succeed() : status;
  });
}

UAL_C_API ual_status ual_device_id(ual_device device, const char** out) {
  return guarded("ual_device_id", [&] {
    ual_status status = UAL_OK;
    if (is_null(out, "ual_device_id", "out", status)) return status;
    auto handle = find_device(device, "ual_device_id", "device", status);
    if (!handle) return status;
    *out = handle->id.c_str();
    return succeed();
  });
}

UAL_C_API ual_status ual_tensor_create(ual_device device, ual_dtype dtype, const int64_t* shape, size_t rank,
                                       const void* host_data, size_t host_bytes, ual_tensor* out) {
  constexpr const char* function = "ual_tensor_create";
  return guarded(function, [&] {
    ual_status status = UAL_OK;
    if (is_null(out, function, "out", status)) return status;
    *out = nullptr;
    auto handle = find_device(device, function, "device", status);
    if (!handle) return status;
    DType type{};
    if (!to_dtype(dtype, type))
      return fail(UAL_ERROR_INVALID_ARGUMENT, fmt::format("{}: unknown dtype {}", function, static_cast<int>(dtype)));
    if (rank > Tensor::max_rank)
      return fail(UAL_ERROR_INVALID_ARGUMENT,
                  fmt::format("{}: rank {} exceeds the maximum {}", function, rank, Tensor::max_rank));
    if (rank > 0 && is_null(shape, function, "shape", status)) return status;
    std::vector<std::int64_t> dims(shape, shape + rank);
    std::uint64_t elements = 1;
    for (std::int64_t dim : dims) {
      if (dim < 0 || (dim > 0 && elements > (UINT64_MAX >> 8) / static_cast<std::uint64_t>(dim)))
        return fail(UAL_ERROR_INVALID_ARGUMENT, fmt::format("{}: dimension {} is negative or too large", function, dim));
      elements *= static_cast<std::uint64_t>(dim);
    }
    const std::uint64_t expected = elements * dtype_size(type);
    Result<Tensor> tensor = make_error(ErrorCode::internal, "");
    if (host_data == nullptr) {
      if (host_bytes != 0)
        return fail(UAL_ERROR_NULL_POINTER,
                    fmt::format("{}: argument 'host_data' is NULL but host_bytes is {}", function, host_bytes));
      tensor = handle->device.empty(type, std::move(dims));
    } else {
      if (host_bytes != expected)
        return fail(UAL_ERROR_INVALID_ARGUMENT,
                    fmt::format("{}: host_bytes is {} but the shape holds {} {} elements = {} bytes", function,
                                host_bytes, elements, to_string(type), expected));
      tensor = handle->device.upload(std::span(static_cast<const std::byte*>(host_data), host_bytes), type,
                                     std::move(dims));
    }
    if (!tensor) return fail(tensor.error());
    *out = register_tensor(std::make_shared<TensorHandle>(TensorHandle{std::move(*tensor)}));
    return succeed();
  });
}

UAL_C_API ual_status ual_tensor_destroy(ual_tensor tensor) {
  return guarded("ual_tensor_destroy", [&] {
    ual_status status = UAL_OK;
    return remove_tensor(tensor, "ual_tensor_destroy", status) ? succeed() : status;
  });
}

UAL_C_API ual_status ual_tensor_read(ual_tensor tensor, void* host_data, size_t host_bytes) {
  constexpr const char* function = "ual_tensor_read";
  return guarded(function, [&] {
    ual_status status = UAL_OK;
    auto handle = find_tensor(tensor, function, "tensor", status);
    if (!handle) return status;
    if (is_null(host_data, function, "host_data", status)) return status;
    const std::uint64_t expected = tensor_bytes(handle->tensor);
    if (host_bytes != expected)
      return fail(UAL_ERROR_INVALID_ARGUMENT,
                  fmt::format("{}: host_bytes is {} but the tensor holds {} {} elements = {} bytes", function,
                              host_bytes, handle->tensor.element_count(), to_string(handle->tensor.dtype()), expected));
    auto read = handle->tensor.read(std::span(static_cast<std::byte*>(host_data), host_bytes));
    return read ? succeed() : fail(read.error());
  });
}

UAL_C_API ual_status ual_tensor_dtype(ual_tensor tensor, ual_dtype* out) {
  return guarded("ual_tensor_dtype", [&] {
    ual_status status = UAL_OK;
    if (is_null(out, "ual_tensor_dtype", "out", status)) return status;
    auto handle = find_tensor(tensor, "ual_tensor_dtype", "tensor", status);
    if (!handle) return status;
    *out = from_dtype(handle->tensor.dtype());
    return succeed();
  });
}

UAL_C_API ual_status ual_tensor_shape(ual_tensor tensor, int64_t* shape, size_t capacity, size_t* rank) {
  return guarded("ual_tensor_shape", [&] {
    ual_status status = UAL_OK;
    if (is_null(rank, "ual_tensor_shape", "rank", status)) return status;
    if (capacity > 0 && is_null(shape, "ual_tensor_shape", "shape", status)) return status;
    auto handle = find_tensor(tensor, "ual_tensor_shape", "tensor", status);
    if (!handle) return status;
    const auto& dims = handle->tensor.shape();
    *rank = dims.size();
    std::copy_n(dims.begin(), std::min(capacity, dims.size()), shape);
    return succeed();
  });
}

UAL_C_API ual_status ual_tensor_scale_inv(ual_tensor tensor, float* out) {
  return guarded("ual_tensor_scale_inv", [&] {
    ual_status status = UAL_OK;
    if (is_null(out, "ual_tensor_scale_inv", "out", status)) return status;
    auto handle = find_tensor(tensor, "ual_tensor_scale_inv", "tensor", status);
    if (!handle) return status;
    *out = handle->tensor.scale_inv();
    return succeed();
  });
}

UAL_C_API ual_status ual_tensor_set_scale_inv(ual_tensor tensor, float scale_inv) {
  return guarded("ual_tensor_set_scale_inv", [&] {
    ual_status status = UAL_OK;
    auto handle = find_tensor(tensor, "ual_tensor_set_scale_inv", "tensor", status);
    if (!handle) return status;
    handle->tensor = handle->tensor.with_scale_inv(scale_inv);
    return succeed();
  });
}

UAL_C_API ual_status ual_gemm(ual_tensor a, ual_tensor b, ual_tensor d, int transpose_a, int transpose_b,
                              float alpha) {
  return guarded("ual_gemm", [&] {
    ual_status status = UAL_OK;
    auto ha = find_tensor(a, "ual_gemm", "a", status);
    if (!ha) return status;
    auto hb = find_tensor(b, "ual_gemm", "b", status);
    if (!hb) return status;
    auto hd = find_tensor(d, "ual_gemm", "d", status);
    if (!hd) return status;
    GemmOptions options;
    options.transpose_a = transpose_a != 0;
    options.transpose_b = transpose_b != 0;
    options.alpha = alpha;
    auto result = gemm(ha->tensor, hb->tensor, hd->tensor, options);
    return result ? succeed() : fail(result.error());
  });
}

UAL_C_API ual_status ual_quantize(ual_tensor input, ual_tensor output, float scale, float* amax_or_null) {
  return guarded("ual_quantize", [&] {
    ual_status status = UAL_OK;
    auto hi = find_tensor(input, "ual_quantize", "input", status);
    if (!hi) return status;
    auto ho = find_tensor(output, "ual_quantize", "output", status);
    if (!ho) return status;
    QuantizeOptions options;
    Tensor amax;
    if (amax_or_null != nullptr) {
      auto created = hi->tensor.device().empty(DType::f32, {1});
      if (!created) return fail(created.error());
      amax = std::move(*created);
      options.amax = &amax;
    }
    Tensor result = ho->tensor;
    auto quantized = quantize(hi->tensor, result, scale, options);
    if (!quantized) return fail(quantized.error());
    ho->tensor = result;
    if (amax_or_null != nullptr) {
      auto read = amax.read(std::as_writable_bytes(std::span(amax_or_null, 1)));
      if (!read) return fail(read.error());
    }
    return succeed();
  });
}

UAL_C_API ual_status ual_dequantize(ual_tensor input, ual_tensor output) {
  return guarded("ual_dequantize", [&] {
    ual_status status = UAL_OK;
    auto hi = find_tensor(input, "ual_dequantize", "input", status);
    if (!hi) return status;
    auto ho = find_tensor(output, "ual_dequantize", "output", status);
    if (!ho) return status;
    auto result = dequantize(hi->tensor, ho->tensor);
    return result ? succeed() : fail(result.error());
  });
}

}  // extern "C"
