#include "onednn_direct.hpp"

#include <chrono>
#include <cstring>
#include <optional>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

namespace ual::cli {
namespace {

std::optional<dnnl::memory::data_type> parse_dtype(const std::string& name) {
  if (name == "f32") return dnnl::memory::data_type::f32;
  if (name == "bf16") return dnnl::memory::data_type::bf16;
  return std::nullopt;
}

// Deterministic small values (exact in bf16), so every run multiplies the same numbers.
void fill(dnnl::memory& memory, std::int64_t count, dnnl::memory::data_type type) {
  void* data = memory.get_data_handle();
  for (std::int64_t i = 0; i < count; ++i) {
    const float value = static_cast<float>((i * 7 + 3) % 17 - 8) * 0.125f;
    if (type == dnnl::memory::data_type::f32) {
      static_cast<float*>(data)[i] = value;
    } else {
      std::uint32_t bits = 0;
      std::memcpy(&bits, &value, sizeof(bits));
      static_cast<std::uint16_t*>(data)[i] = static_cast<std::uint16_t>(bits >> 16);  // exact: 3 significant bits
    }
  }
}

std::string onednn_version() {
  const dnnl_version_t* version = dnnl::version();
  return std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
         std::to_string(version->patch);
}

}  // namespace

Result<DirectGemmTiming> time_onednn_direct_gemm(const DirectGemmOptions& options) {
  const auto input = parse_dtype(options.dtype);
  const auto output = parse_dtype(options.output_dtype.empty() ? options.dtype : options.output_dtype);
  if (!input || !output) {
    return make_error(ErrorCode::invalid_argument,
                      "direct oneDNN GEMM: dtype must be f32 or bf16, got " + options.dtype + " -> " +
                          options.output_dtype);
  }
  if (options.m <= 0 || options.n <= 0 || options.k <= 0 || options.repeats <= 0 || options.warmup < 0) {
    return make_error(ErrorCode::invalid_argument, "direct oneDNN GEMM: sizes and repeats must be positive");
  }
  using tag = dnnl::memory::format_tag;
  try {
    dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    const dnnl::memory::desc a_desc({options.m, options.k}, *input, tag::ab);
    const dnnl::memory::desc b_desc({options.k, options.n}, *input, tag::ab);
    const dnnl::memory::desc d_desc({options.m, options.n}, *output, tag::ab);
    std::optional<dnnl::matmul::primitive_desc> primitive_desc;
    try {
      primitive_desc.emplace(dnnl::matmul::desc(a_desc, b_desc, d_desc), engine);
    } catch (const dnnl::error& error) {
      return make_error(ErrorCode::unavailable, "oneDNN " + onednn_version() + " has no " + options.dtype +
                                                    " matmul on this CPU (" + error.what() + ")");
    }
    dnnl::matmul matmul(*primitive_desc);
    dnnl::memory a(a_desc, engine);
    dnnl::memory b(b_desc, engine);
    dnnl::memory d(d_desc, engine);
    fill(a, options.m * options.k, *input);
    fill(b, options.k * options.n, *input);
    const std::unordered_map<int, dnnl::memory> arguments{
        {DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, d}};

    DirectGemmTiming timing;
    timing.implementation = primitive_desc->impl_info_str();
    for (int i = 0; i < options.warmup + options.repeats; ++i) {
      const auto start = std::chrono::steady_clock::now();
      matmul.execute(stream, arguments);
      stream.wait();
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      if (i >= options.warmup) timing.seconds.push_back(elapsed.count());
    }
    return timing;
  } catch (const dnnl::error& error) {
    return make_error(ErrorCode::internal, std::string("direct oneDNN GEMM failed: ") + error.what());
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::internal, "direct oneDNN GEMM: out of memory for the operands");
  }
}

}  // namespace ual::cli
