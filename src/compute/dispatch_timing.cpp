// time_dispatch: what `ual bench dispatch` reports, the overhead ual's op API adds to a backend call.
#include <algorithm>
#include <chrono>
#include <vector>

#include "compute/op_dispatch.hpp"
#include "ual/backends.hpp"

namespace ual {

Result<DispatchTiming> time_dispatch(const ComputeDevice& device, std::int64_t elements, int calls) {
  if (calls <= 0 || elements <= 0 || elements > (1 << 28))
    return make_error(ErrorCode::invalid_argument, "time_dispatch: calls and elements must be positive (elements <= 2^28)");
  std::vector<float> values(static_cast<std::size_t>(elements), 1.0f);
  auto x = device.upload(std::span<const float>(values), DType::f32, {elements});
  if (!x) return x.error();
  auto y = device.empty(DType::f32, {elements});
  if (!y) return y.error();
  using Clock = std::chrono::steady_clock;
  DispatchTiming timing;
  // Best of five rounds of `calls` calls each, to keep scheduler noise out of a sub-microsecond figure.
  double best_api = 1e30, best_direct = 1e30;
  auto& state = *device.state();
  const std::vector<ual_tensor> inputs{detail::to_abi_tensor(*x), detail::to_abi_tensor(*x)};
  const std::vector<ual_tensor> outputs{detail::to_abi_tensor(*y)};
  ual_op op{};
  op.abi_version = UAL_BACKEND_ABI_VERSION;
  op.kind = UAL_OP_ADD;
  op.input_count = 2;
  op.inputs = inputs.data();
  op.output_count = 1;
  op.outputs = outputs.data();
  for (int round = 0; round < 5; ++round) {
    auto start = Clock::now();
    for (int i = 0; i < calls; ++i)
      if (auto status = add(*x, *x, *y); !status) return status.error();
    if (auto status = device.synchronize(); !status) return status.error();
    best_api = std::min(best_api, std::chrono::duration<double>(Clock::now() - start).count() / calls);
    start = Clock::now();
    {
      std::lock_guard lock(state.mutex);  // the ABI's rule: one caller per device at a time
      if (state.closed) return state.closed_error();
      for (int i = 0; i < calls; ++i) {
        ual_error error = detail::new_plugin_error();
        if (ual_status status = state.api().run(state.handle, &op, &error); status != UAL_STATUS_OK)
          return detail::plugin_error(error, status, "direct add");
      }
    }
    if (auto status = device.synchronize(); !status) return status.error();
    best_direct = std::min(best_direct, std::chrono::duration<double>(Clock::now() - start).count() / calls);
  }
  timing.api_seconds_per_call = best_api;
  timing.direct_seconds_per_call = best_direct;
  return timing;
}

}  // namespace ual
