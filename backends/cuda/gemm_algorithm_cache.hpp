// cuBLASLt's heuristic algorithm choice, cached per problem: the heuristic query costs tens of microseconds, as much
// as a small GEMM, and its answer depends only on the descriptors (types, shapes, layouts, epilogue, workspace), so
// the key is exactly those numbers. One cache per device (algorithms are device-specific).
#pragma once

#include <cublasLt.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

namespace ual::cuda {

using GemmKey = std::array<std::int64_t, 26>;

class GemmAlgorithmCache {
 public:
  std::optional<cublasLtMatmulAlgo_t> find(const GemmKey& key) const {
    std::lock_guard lock(mutex_);
    auto found = algorithms_.find(key);
    if (found == algorithms_.end()) return std::nullopt;
    return found->second;
  }
  void store(const GemmKey& key, const cublasLtMatmulAlgo_t& algorithm) {
    std::lock_guard lock(mutex_);
    algorithms_[key] = algorithm;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return algorithms_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<GemmKey, cublasLtMatmulAlgo_t> algorithms_;
};

}  // namespace ual::cuda
