// The CPU backend's backend_abi.h table: host-memory buffers, memcpy copies (always complete on return, so no
// events are ever handed out), and op dispatch.
#include "backends/cpu/cpu_backend.hpp"


#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "backends/cpu/cpu_buffer.hpp"
#include "backends/cpu/gemm_onednn.hpp"
#include "backends/cpu/cpu_identity.hpp"

namespace ual::cpu {

ual_status fail(ual_error* error, ual_status status, const char* format, ...) {
  if (error != nullptr) {
    error->code = status;
    va_list arguments;
    va_start(arguments, format);
    std::vsnprintf(error->message, sizeof error->message, format, arguments);
    va_end(arguments);
  }
  return status;
}

namespace {

struct CpuDevice {
  int unused = 0;
};

CpuDevice the_device;

uint32_t device_count(void*) { return 1; }

ual_status device_info(void*, uint32_t index, ual_device_info* info, ual_error* error) {
  if (index != 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "the CPU backend has one device, not %u", index + 1);
  std::snprintf(info->name, sizeof info->name, "%s", cpu_model_name().c_str());
  info->kind = UAL_DEVICE_CPU;
  info->host_visible_memory = 1;
  info->memory_bytes = cpu_memory_bytes();
  std::snprintf(info->driver_version, sizeof info->driver_version, "%s", gemm_library_version().c_str());
  return UAL_STATUS_OK;
}

ual_status device_open(void*, uint32_t index, ual_device** device, ual_error* error) {
  if (index != 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "the CPU backend has one device, not %u", index + 1);
  *device = reinterpret_cast<ual_device*>(&the_device);
  return UAL_STATUS_OK;
}

void device_close(ual_device*) {}

ual_status buffer_allocate(ual_device*, uint64_t bytes, ual_buffer** buffer, ual_error* error) {
  auto* state = new (std::nothrow) CpuBuffer;
  if (state == nullptr) return fail(error, UAL_STATUS_OUT_OF_MEMORY, "out of host memory");
  // 64-byte alignment: a cache line and an AVX-512 vector; aligned_alloc needs a multiple of the alignment.
  const uint64_t rounded = (bytes + 63) / 64 * 64;
  state->data = rounded == 0 ? nullptr : std::aligned_alloc(64, rounded);
  if (rounded != 0 && state->data == nullptr) {
    delete state;
    return fail(error, UAL_STATUS_OUT_OF_MEMORY, "cannot allocate %llu bytes of host memory",
                static_cast<unsigned long long>(bytes));
  }
  state->bytes = bytes;
  *buffer = to_abi_buffer(state);
  return UAL_STATUS_OK;
}

void buffer_free(ual_device*, ual_buffer* buffer) {
  CpuBuffer* state = to_cpu_buffer(buffer);
  if (state == nullptr) return;
  std::free(state->data);
  delete state;
}

void* buffer_host_pointer(ual_device*, ual_buffer* buffer) { return to_cpu_buffer(buffer)->data; }

ual_status copy_host_to_device(ual_device*, ual_buffer* destination, uint64_t offset, const void* source,
                               uint64_t bytes, ual_event** completion, ual_error*) {
  if (bytes != 0) std::memmove(static_cast<char*>(to_cpu_buffer(destination)->data) + offset, source, bytes);
  if (completion != nullptr) *completion = nullptr;  // already complete
  return UAL_STATUS_OK;
}

ual_status copy_device_to_host(ual_device*, void* destination, const ual_buffer* source, uint64_t offset,
                               uint64_t bytes, ual_event** completion, ual_error*) {
  if (bytes != 0) std::memmove(destination, static_cast<const char*>(to_cpu_buffer(source)->data) + offset, bytes);
  if (completion != nullptr) *completion = nullptr;
  return UAL_STATUS_OK;
}

ual_status copy_device_to_device(ual_device*, ual_buffer* destination, uint64_t destination_offset,
                                 const ual_buffer* source, uint64_t source_offset, uint64_t bytes, ual_error*) {
  if (bytes != 0)
    std::memmove(static_cast<char*>(to_cpu_buffer(destination)->data) + destination_offset,
                 static_cast<const char*>(to_cpu_buffer(source)->data) + source_offset, bytes);
  return UAL_STATUS_OK;
}

ual_status event_wait(ual_device*, ual_event*, ual_error*) { return UAL_STATUS_OK; }
void event_free(ual_device*, ual_event*) {}
ual_status synchronize(ual_device*, ual_error*) { return UAL_STATUS_OK; }

int32_t supports(ual_device*, const ual_op* op, ual_error* why) {
  if (op == nullptr) return 0;
  if (op->kind == UAL_OP_GEMM) return supports_gemm(*op, why);
  return supports_op(*op, why);
}

ual_status run_op(const ual_op* op, ual_error* error) {
  switch (op->kind) {
    case UAL_OP_GEMM: return run_gemm(*op, error);
    case UAL_OP_QUANTIZE: return run_quantize(*op, error);
    case UAL_OP_DEQUANTIZE: return run_dequantize(*op, error);
    case UAL_OP_SOFTMAX:
    case UAL_OP_RMS_NORM:
    case UAL_OP_LAYER_NORM: return run_rowwise(*op, error);
    case UAL_OP_GELU:
    case UAL_OP_SILU:
    case UAL_OP_ADD:
    case UAL_OP_MUL: return run_elementwise(*op, error);
  }
  return fail(error, UAL_STATUS_UNSUPPORTED, "unknown op kind %d", static_cast<int>(op->kind));
}

// Nothing may cross the C ABI as an exception: scratch allocations for strided operands can throw bad_alloc.
ual_status run(ual_device*, const ual_op* op, ual_error* error) noexcept {
  if (op == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "no op given");
  try {
    return run_op(op, error);
  } catch (const std::bad_alloc&) {
    return fail(error, UAL_STATUS_OUT_OF_MEMORY, "out of host memory for scratch space");
  } catch (const std::exception& exception) {
    return fail(error, UAL_STATUS_INTERNAL, "%s", exception.what());
  }
}

void shutdown(void*) {}

const ual_backend_api cpu_api{
    .abi_version = UAL_BACKEND_ABI_VERSION,
    .name = "cpu",
    .backend = nullptr,
    .device_count = device_count,
    .device_info = device_info,
    .device_open = device_open,
    .device_close = device_close,
    .buffer_allocate = buffer_allocate,
    .buffer_free = buffer_free,
    .buffer_host_pointer = buffer_host_pointer,
    .copy_host_to_device = copy_host_to_device,
    .copy_device_to_host = copy_device_to_host,
    .copy_device_to_device = copy_device_to_device,
    .event_wait = event_wait,
    .event_free = event_free,
    .synchronize = synchronize,
    .supports = supports,
    .run = run,
    .shutdown = shutdown,
};

}  // namespace

const ual_backend_api* builtin_backend_init(const ual_host*, ual_error*) { return &cpu_api; }

}  // namespace ual::cpu
