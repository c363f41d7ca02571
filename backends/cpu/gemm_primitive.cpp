#include "backends/cpu/gemm_primitive.hpp"

#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace ual::cpu {
namespace {

using dnnl::memory;

// Enough for every distinct GEMM of a transformer layer's forward and backward passes with room to spare; a
// primitive holds its JIT code and little else.
constexpr std::size_t kCacheCapacity = 64;

std::atomic<std::uint64_t> creations{0};

memory::data_type to_dnnl(ual_dtype dtype) {
  switch (dtype) {
    case UAL_DTYPE_BF16: return memory::data_type::bf16;
    case UAL_DTYPE_F16: return memory::data_type::f16;
    default: return memory::data_type::f32;
  }
}

memory::desc to_desc(const MatrixLayout& layout) {
  return memory::desc({layout.dims[0], layout.dims[1], layout.dims[2]}, to_dnnl(layout.dtype),
                      {layout.strides[0], layout.strides[1], layout.strides[2]});
}

bool is_reference(std::string_view implementation) { return implementation.substr(0, 3) == "ref"; }

// The post-op index of the bias binary-add: it follows the sum when there is one.
int bias_argument(const GemmPlan& plan) { return DNNL_ARG_ATTR_MULTIPLE_POST_OP(plan.sum ? 1 : 0) | DNNL_ARG_SRC_1; }

// Post-ops act on the output-scaled product in the order appended (oneDNN v2 dev_guide_attributes_post_ops:
// "executed in the order they have been appended"), which gives the ABI's order alpha*AB, + beta*C, + bias,
// epilogue. The matmul's own bias argument is not used: oneDNN 2.6 adds it BEFORE the output scale (measured with
// gemm:jit: A=3, B=5, bias=100, scale 2 gives 230 = 2*(15+100)), which would scale the bias by alpha and the FP8
// scale_invs. The GemmEpilogue tests pin the order down with alpha = 3.
dnnl::matmul::primitive_desc make_primitive_desc(const GemmPlan& plan) {
  const dnnl::matmul::desc desc(to_desc(plan.a), to_desc(plan.b), to_desc(plan.d));
  dnnl::primitive_attr attr;
  // Runtime output scale: alpha and the FP8 scale_invs change every step without a new primitive.
  attr.set_output_scales(0, {DNNL_RUNTIME_F32_VAL});
  dnnl::post_ops ops;
  if (plan.sum) ops.append_sum(plan.beta);
  if (plan.bias) {
    const std::int64_t n = plan.d.dims[2];
    ops.append_binary(dnnl::algorithm::binary_add, memory::desc({1, 1, n}, memory::data_type::f32, {n, n, 1}));
  }
  if (plan.epilogue == UAL_EPILOGUE_GELU) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f);
  if (plan.epilogue == UAL_EPILOGUE_SILU) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_swish, 1.0f, 0.0f);
  attr.set_post_ops(ops);
  return dnnl::matmul::primitive_desc(desc, attr, cpu_engine());
}

bool probe_native(ual_dtype dtype) {
  try {
    GemmPlan plan;
    for (MatrixLayout* layout : {&plan.a, &plan.b, &plan.d}) {
      *layout = MatrixLayout{{1, 16, 16}, {256, 16, 1}, dtype};
    }
    plan.d.dtype = UAL_DTYPE_F32;
    return !is_reference(make_primitive_desc(plan).impl_info_str());
  } catch (const dnnl::error&) {
    return false;  // "could not create a primitive descriptor iterator": no implementation for this type here
  }
}

// Builds the requested plan or, when oneDNN refuses it or only has its reference kernel, the next fallback rung.
std::shared_ptr<GemmPrimitive> create_primitive(const GemmProblem& problem, const GemmPlan& requested) {
  const bool bf16 = native_bf16_matmul();
  const bool f16 = native_f16_matmul();
  const GemmPlan rungs[] = {requested, plan_gemm(problem, bf16, f16, {.force_stage_d = true}),
                            plan_gemm(problem, bf16, f16, {.force_pack = true}),
                            plan_gemm(problem, bf16, f16, {.force_pack = true, .force_f32 = true})};
  std::optional<std::pair<GemmPlan, dnnl::matmul::primitive_desc>> chosen;
  std::optional<dnnl::error> last_error;
  for (const GemmPlan& plan : rungs) {
    try {
      auto desc = make_primitive_desc(plan);
      const bool reference = is_reference(desc.impl_info_str());
      if (!chosen || !reference) chosen.emplace(plan, std::move(desc));
      if (!reference) break;
    } catch (const dnnl::error& error) {
      last_error = error;
    }
  }
  if (!chosen) throw *last_error;
  auto created = std::make_shared<GemmPrimitive>();
  created->plan = chosen->first;
  created->bias_argument = bias_argument(created->plan);
  created->primitive = dnnl::matmul(chosen->second);
  created->implementation = chosen->second.impl_info_str();
  created->a_desc = to_desc(created->plan.a);
  created->b_desc = to_desc(created->plan.b);
  created->d_desc = to_desc(created->plan.d);
  const std::int64_t n = created->plan.d.dims[2];
  created->bias_desc = memory::desc({1, 1, n}, memory::data_type::f32, {n, n, 1});
  creations.fetch_add(1, std::memory_order_relaxed);
  return created;
}

class PrimitiveCache {
 public:
  std::shared_ptr<const GemmPrimitive> find_or_create(const GemmProblem& problem) {
    const GemmPlan plan = plan_gemm(problem, native_bf16_matmul(), native_f16_matmul(), {});
    const std::string key = plan_key(plan);
    // Creation happens under the lock: it takes milliseconds, and two threads asking for one shape should not
    // both JIT it.
    std::lock_guard lock(mutex_);
    if (auto found = index_.find(key); found != index_.end()) {
      order_.splice(order_.begin(), order_, found->second);
      return found->second->second;
    }
    std::shared_ptr<const GemmPrimitive> created = create_primitive(problem, plan);
    order_.emplace_front(key, created);
    index_.emplace(key, order_.begin());
    if (order_.size() > kCacheCapacity) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return created;
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const GemmPrimitive>>;
  std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

bool native_bf16_matmul() {
  static const bool available = probe_native(UAL_DTYPE_BF16);
  return available;
}

bool native_f16_matmul() {
  static const bool available = probe_native(UAL_DTYPE_F16);
  return available;
}

std::shared_ptr<const GemmPrimitive> gemm_primitive_for(const GemmProblem& problem) {
  static PrimitiveCache cache;
  return cache.find_or_create(problem);
}

std::uint64_t gemm_primitive_creations_count() noexcept { return creations.load(std::memory_order_relaxed); }

}  // namespace ual::cpu
