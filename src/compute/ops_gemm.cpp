// ual::gemm: shape, dtype and device checks naming the operand, then the ABI's rank-3 logical views (transposes
// become swapped strides, a rank-2 operand of a batched GEMM a zero batch stride).
#include <fmt/format.h>

#include <cmath>

#include "compute/op_dispatch.hpp"

namespace ual {
namespace {

using detail::shape_text;

struct LogicalView {
  std::vector<std::int64_t> shape;    // [batch, rows, cols]
  std::vector<std::int64_t> strides;
};

Result<LogicalView> logical_view(const char* name, const Tensor& tensor, bool transpose) {
  if (tensor.rank() != 2 && tensor.rank() != 3)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("gemm: {} must be a matrix or a batch of matrices (rank 2 or 3), not shape {}", name,
                                  shape_text(tensor.shape())));
  LogicalView view;
  if (tensor.rank() == 2) {
    view.shape = {1, tensor.shape()[0], tensor.shape()[1]};
    view.strides = {0, tensor.strides()[0], tensor.strides()[1]};
  } else {
    view.shape = tensor.shape();
    view.strides = tensor.strides();
  }
  if (transpose) {
    std::swap(view.shape[1], view.shape[2]);
    std::swap(view.strides[1], view.strides[2]);
  }
  return view;
}

Status gemm_checks(const Tensor& a, const Tensor& b, const Tensor& d, const GemmOptions& options, LogicalView& av,
                   LogicalView& bv, LogicalView& dv) {
  auto a_view = logical_view("A", a, options.transpose_a);
  if (!a_view) return a_view.error();
  auto b_view = logical_view("B", b, options.transpose_b);
  if (!b_view) return b_view.error();
  auto d_view = logical_view("D", d, false);
  if (!d_view) return d_view.error();
  av = std::move(a_view.value());
  bv = std::move(b_view.value());
  dv = std::move(d_view.value());
  const std::int64_t m = av.shape[1], k = av.shape[2], n = bv.shape[2];
  if (bv.shape[1] != k)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("gemm: A{} is {}x{} (M x K) but B{} is {}x{} (K x N): K differs ({} vs {})",
                                  options.transpose_a ? "ᵀ" : "", m, k, options.transpose_b ? "ᵀ" : "", bv.shape[1], n,
                                  k, bv.shape[1]));
  if (dv.shape[1] != m || dv.shape[2] != n)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("gemm: D is {}x{} but op(A) x op(B) is {}x{} (M x N)", dv.shape[1], dv.shape[2], m, n));
  const std::int64_t batch = dv.shape[0];
  for (auto [name, view] : {std::pair{"A", &av}, std::pair{"B", &bv}}) {
    if (view->shape[0] != batch && view->shape[0] != 1)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("gemm: {} has batch {} but D has batch {}", name, view->shape[0], batch));
    if (view->shape[0] == 1) view->strides[0] = 0;  // broadcast over D's batch
    view->shape[0] = batch;
  }
  const bool fp8_inputs = is_fp8(a.dtype()) && is_fp8(b.dtype());
  if (!fp8_inputs) {
    if (auto status = detail::check_float("gemm", "A", a); !status) return status;
    if (auto status = detail::check_float("gemm", "B", b); !status) return status;
    if (a.dtype() != b.dtype())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("gemm: A is {} but B is {}; inputs must share a dtype (or both be FP8)",
                                    to_string(a.dtype()), to_string(b.dtype())));
  }
  const bool fp8_output = is_fp8(d.dtype());
  if (!detail::is_float_dtype(d.dtype()) && !fp8_output)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("gemm: D is {}; D must be f32, f16, bf16 or an FP8 dtype", to_string(d.dtype())));
  if (fp8_output) {
    // FP8 output as Transformer Engine's FP8 GEMMs: D = fp8(v / D.scale_inv), amax of v. C would need its own
    // FP8 scale and cuBLASLt takes none for an FP8 D; the bias is f32.
    if (options.c != nullptr)
      return make_error(ErrorCode::invalid_argument,
                        "gemm: C with an FP8 D is not supported; use a bf16/f16/f32 D, or add C afterwards");
    if (!(d.scale_inv() > 0.0f) || !std::isfinite(d.scale_inv()))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("gemm: D is FP8 with scale_inv {}; it must be finite and positive", d.scale_inv()));
    if (options.bias != nullptr && options.bias->dtype() != DType::f32)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("gemm: bias is {}; with an FP8 D it must be f32", to_string(options.bias->dtype())));
  }
  if (options.beta != 0.0f && options.c == nullptr)
    return make_error(ErrorCode::invalid_argument, "gemm: beta is nonzero but no C was given");
  if (options.c != nullptr) {
    if (auto status = detail::check_same_shape("gemm", "C", *options.c, "D", d); !status) return status;
    if (options.c->dtype() != d.dtype())
      return make_error(ErrorCode::invalid_argument, fmt::format("gemm: C is {} but D is {}; they must match",
                                                                 to_string(options.c->dtype()), to_string(d.dtype())));
    if (detail::overlaps(*options.c, d, true))
      return make_error(ErrorCode::invalid_argument, "gemm: C partially overlaps D (it may be D itself, or apart)");
  }
  if (options.bias != nullptr) {
    const Tensor& bias = *options.bias;
    if (bias.rank() != 1 || bias.shape()[0] != n)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("gemm: bias has shape {}; it must be [{}] (N)", shape_text(bias.shape()), n));
    if (bias.dtype() != DType::f32 && bias.dtype() != d.dtype())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("gemm: bias is {}; it must be f32 or D's dtype ({})", to_string(bias.dtype()),
                                    to_string(d.dtype())));
  }
  if (options.amax != nullptr && (options.amax->dtype() != DType::f32 || options.amax->element_count() != 1))
    return make_error(ErrorCode::invalid_argument, "gemm: amax must be a one-element f32 tensor");
  if (auto status = detail::check_writable("gemm", "D", d); !status) return status;
  if (dv.shape[0] > 1 && dv.strides[0] == 0)
    return make_error(ErrorCode::invalid_argument, "gemm: D has batch stride 0: every batch would write one matrix");
  for (auto [name, tensor] : {std::pair{"A", &a}, std::pair{"B", &b}, std::pair{"bias", options.bias},
                              std::pair{"amax", options.amax}})
    if (tensor != nullptr && detail::overlaps(*tensor, d, false))
      return make_error(ErrorCode::invalid_argument, fmt::format("gemm: D overlaps {} in memory", name));
  return ok_status();
}

}  // namespace

const char* to_string(Epilogue epilogue) noexcept {
  switch (epilogue) {
    case Epilogue::gelu: return "gelu";
    case Epilogue::silu: return "silu";
    default: return "none";
  }
}

Status gemm(const Tensor& a, const Tensor& b, const Tensor& d, const GemmOptions& options) {
  auto device = detail::common_device("gemm", {{"A", &a}, {"B", &b}, {"D", &d}, {"C", options.c},
                                               {"bias", options.bias}, {"amax", options.amax}});
  if (!device) return device.error();
  LogicalView av, bv, dv;
  if (auto status = gemm_checks(a, b, d, options, av, bv, dv); !status) return status;
  std::vector<ual_tensor> inputs{detail::to_abi_tensor(a, av.shape, av.strides),
                                 detail::to_abi_tensor(b, bv.shape, bv.strides), detail::absent_tensor(),
                                 detail::absent_tensor()};
  if (options.c != nullptr) {
    auto cv = logical_view("C", *options.c, false);
    inputs[2] = detail::to_abi_tensor(*options.c, cv->shape, cv->strides);
  }
  if (options.bias != nullptr) inputs[3] = detail::to_abi_tensor(*options.bias);
  std::vector<ual_tensor> outputs{detail::to_abi_tensor(d, dv.shape, dv.strides), detail::absent_tensor()};
  if (options.amax != nullptr) outputs[1] = detail::to_abi_tensor(*options.amax, {1}, {1});
  ual_gemm_params params{};
  params.abi_version = UAL_BACKEND_ABI_VERSION;
  params.alpha = options.alpha;
  params.beta = options.c != nullptr ? options.beta : 0.0f;
  params.epilogue = options.epilogue == Epilogue::gelu   ? UAL_EPILOGUE_GELU
                    : options.epilogue == Epilogue::silu ? UAL_EPILOGUE_SILU
                                                         : UAL_EPILOGUE_NONE;
  params.use_split_accumulator = options.use_split_accumulator ? 1 : 0;
  return detail::dispatch(*device.value(), "gemm", UAL_OP_GEMM, inputs, outputs, &params);
}

Status gemm_batched(std::span<const Tensor> a, std::span<const Tensor> b, std::span<const Tensor> d,
                    const GemmOptions& options) {
  if (a.size() != b.size() || a.size() != d.size())
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("gemm_batched: {} A, {} B and {} D tensors; the counts must match", a.size(),
                                  b.size(), d.size()));
  if (options.c != nullptr || options.amax != nullptr)
    return make_error(ErrorCode::invalid_argument, "gemm_batched: C and amax are per-GEMM; use gemm for them");
  std::shared_ptr<detail::DeviceState> first;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto device = detail::common_device("gemm_batched", {{"A", &a[i]}, {"B", &b[i]}, {"D", &d[i]},
                                                         {"bias", options.bias}});
    if (!device) return make_error(device.error().code, fmt::format("entry {}: {}", i, device.error().message));
    if (first != nullptr && device.value() != first)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("gemm_batched: entry {} is on {} but entry 0 is on {}", i,
                                    device.value()->info.id, first->info.id));
    first = device.value();
    LogicalView av, bv, dv;
    if (auto status = gemm_checks(a[i], b[i], d[i], options, av, bv, dv); !status)
      return make_error(status.error().code, fmt::format("entry {}: {}", i, status.error().message));
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    if (auto status = gemm(a[i], b[i], d[i], options); !status) return status;
  return ok_status();
}

}  // namespace ual
