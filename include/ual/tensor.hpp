// Compute devices, their memory and views of it: a ComputeDevice (one device a backend offers: "cpu:0",
// "opencl:0"), a Buffer (bytes in that device's memory), an Event (an asynchronous copy still in flight) and a Tensor
// (buffer + dtype + shape + element strides, plus the FP8 scale_inv). All are cheap handles sharing ownership: a
// buffer keeps its device's backend plugin loaded (OpenVINO's rule), and a device closed with close() makes every
// later use of its buffers an error that names the device, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/fp8.hpp"
#include "ual/inventory.hpp"
#include "ual/result.hpp"

namespace ual {

// f32, f16, bf16, the FP8 formats of ual::fp8, i8, i32.
enum class DType { f32, f16, bf16, fp8_e4m3, fp8_e5m2, fp8_e4m3fnuz, fp8_e5m2fnuz, i8, i32 };

UAL_API const char* to_string(DType dtype) noexcept;  // "f32", "fp8_e4m3", ...
UAL_API Result<DType> parse_dtype(std::string_view name);
UAL_API std::size_t dtype_size(DType dtype) noexcept;  // bytes per element
UAL_API bool is_fp8(DType dtype) noexcept;
UAL_API fp8::Format fp8_format(DType dtype) noexcept;  // precondition: is_fp8(dtype)
UAL_API DType fp8_dtype(fp8::Format format) noexcept;

namespace detail {
struct DeviceState;
struct BufferState;
struct EventState;
}  // namespace detail

class Buffer;
class Tensor;

struct ComputeDeviceInfo {
  std::string id;       // "<backend>:<index>": "cpu:0", "opencl:0", "cuda:1"
  std::string backend;  // "cpu", "opencl", ...
  std::string name;     // as the backend reports it
  DeviceKind kind = DeviceKind::cpu;
  std::string hardware;  // the HardwareDevice it runs on: PCI address, "cpu" for the host CPU, "" when unknown
  std::string driver_version;
  std::uint32_t pci_vendor_id = 0;
  std::uint32_t pci_device_id = 0;
  std::uint64_t memory_bytes = 0;
  bool host_visible_memory = false;  // buffers are host memory (no transfers needed)
  double peak_f32_gflops = 0;        // reported by the backend; 0 = unknown
  double memory_bandwidth_gbps = 0;
};

class UAL_API ComputeDevice {
 public:
  ComputeDevice() = default;  // no device; every call reports it

  const ComputeDeviceInfo& info() const;
  const std::string& id() const { return info().id; }
  bool is_open() const noexcept;
  explicit operator bool() const noexcept { return state_ != nullptr; }
  bool operator==(const ComputeDevice& other) const noexcept { return state_ == other.state_; }

  Result<Buffer> allocate(std::uint64_t bytes) const;
  // A contiguous tensor with uninitialised contents.
  Result<Tensor> empty(DType dtype, std::vector<std::int64_t> shape) const;
  // A contiguous tensor holding a copy of host data; bytes must be element_count * dtype_size(dtype).
  Result<Tensor> upload(std::span<const std::byte> bytes, DType dtype, std::vector<std::int64_t> shape) const;
  template <class T>
  Result<Tensor> upload(std::span<const T> values, DType dtype, std::vector<std::int64_t> shape) const;

  Status synchronize() const;  // waits for everything queued on this device
  // Frees every buffer of this device and releases it; later use of its buffers and tensors is an error.
  void close();

  // Internal: the handle libual's own code works with.
  const std::shared_ptr<detail::DeviceState>& state() const noexcept { return state_; }
  explicit ComputeDevice(std::shared_ptr<detail::DeviceState> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<detail::DeviceState> state_;
};

// A copy still in flight; wait() before reusing the host memory it reads or reading what it writes.
class UAL_API Event {
 public:
  Event() = default;  // already complete
  Status wait();
  bool pending() const noexcept { return state_ != nullptr; }
  explicit Event(std::shared_ptr<detail::EventState> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<detail::EventState> state_;
};

class UAL_API Buffer {
 public:
  Buffer() = default;

  std::uint64_t size() const noexcept;
  ComputeDevice device() const;
  // Host address of the bytes when the device's memory is host memory (the CPU backend); nullptr otherwise.
  void* host_pointer() const noexcept;

  Status write(std::uint64_t offset, std::span<const std::byte> bytes) const;
  Status read(std::uint64_t offset, std::span<std::byte> bytes) const;
  // Asynchronous where the device supports it: the host memory must stay valid until the event completes.
  Result<Event> write_async(std::uint64_t offset, std::span<const std::byte> bytes) const;
  Result<Event> read_async(std::uint64_t offset, std::span<std::byte> bytes) const;
  // Device-to-device within one device; across devices it goes through host memory.
  Status copy_from(const Buffer& source, std::uint64_t source_offset, std::uint64_t offset,
                   std::uint64_t bytes) const;

  const std::shared_ptr<detail::BufferState>& state() const noexcept { return state_; }
  explicit Buffer(std::shared_ptr<detail::BufferState> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<detail::BufferState> state_;
};

class UAL_API Tensor {
 public:
  static constexpr std::size_t max_rank = 6;

  Tensor() = default;
  // A view of a buffer; strides in elements (empty = contiguous row-major). Checks that every element addressed lies
  // inside the buffer, strides are non-negative and the rank is at most max_rank.
  static Result<Tensor> view(Buffer buffer, DType dtype, std::vector<std::int64_t> shape,
                             std::vector<std::int64_t> strides = {}, std::uint64_t offset_bytes = 0);

  DType dtype() const noexcept { return dtype_; }
  const std::vector<std::int64_t>& shape() const noexcept { return shape_; }
  const std::vector<std::int64_t>& strides() const noexcept { return strides_; }
  std::size_t rank() const noexcept { return shape_.size(); }
  std::int64_t element_count() const noexcept;
  std::uint64_t offset_bytes() const noexcept { return offset_bytes_; }
  const Buffer& buffer() const noexcept { return buffer_; }
  ComputeDevice device() const { return buffer_.device(); }
  bool is_contiguous() const noexcept;
  explicit operator bool() const noexcept { return buffer_.state() != nullptr; }

  // FP8 tensors: real value = stored value * scale_inv (Transformer Engine's convention). 1 for other dtypes.
  float scale_inv() const noexcept { return scale_inv_; }
  Tensor with_scale_inv(float scale_inv) const;

  // The view with the last two dimensions swapped (no copy).
  Tensor transposed() const;

  // A contiguous copy on another (or the same) device.
  Result<Tensor> to(const ComputeDevice& device) const;
  // The elements in row-major order, gathered through the strides.
  Status read(std::span<std::byte> destination) const;
  template <class T>
  Result<std::vector<T>> to_vector() const {
    if (sizeof(T) != dtype_size(dtype_))
      return make_error(ErrorCode::invalid_argument, "to_vector: element type size does not match the dtype");
    std::vector<T> values(static_cast<std::size_t>(element_count()));
    if (auto status = read(std::as_writable_bytes(std::span<T>(values))); !status) return status.error();
    return values;
  }

 private:
  Buffer buffer_;
  DType dtype_ = DType::f32;
  std::vector<std::int64_t> shape_;
  std::vector<std::int64_t> strides_;
  std::uint64_t offset_bytes_ = 0;
  float scale_inv_ = 1.0f;
};

template <class T>
Result<Tensor> ComputeDevice::upload(std::span<const T> values, DType dtype, std::vector<std::int64_t> shape) const {
  return upload(std::as_bytes(values), dtype, std::move(shape));
}

}  // namespace ual
