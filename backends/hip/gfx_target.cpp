#include "gfx_target.hpp"

#include <sstream>

#ifndef UAL_HIP_BUILT_ARCHITECTURES
#define UAL_HIP_BUILT_ARCHITECTURES ""
#endif

namespace ual::hip {

Fp8Family fp8_family(const std::string& gfx_target) {
  // CDNA3 (MI300, gfx940-942) implements FP8 as the FNUZ variants (no negative zero, one NaN, bias 8 / 16); CDNA4
  // (MI350, gfx950) switched to OCP E4M3/E5M2 (AMD CDNA4 ISA guide, "FP8 and BF8 formats").
  if (gfx_target == "gfx940" || gfx_target == "gfx941" || gfx_target == "gfx942") return Fp8Family::fnuz;
  if (gfx_target == "gfx950") return Fp8Family::ocp;
  return Fp8Family::none;
}

const char* fp8_family_names(Fp8Family family) {
  switch (family) {
    case Fp8Family::fnuz: return "e4m3fnuz/e5m2fnuz";
    case Fp8Family::ocp: return "e4m3/e5m2";
    case Fp8Family::none: break;
  }
  return "none";
}

bool is_fp8(int32_t dtype) {
  return dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E5M2 || dtype == UAL_DTYPE_FP8_E4M3FNUZ ||
         dtype == UAL_DTYPE_FP8_E5M2FNUZ;
}

bool fp8_native(Fp8Family family, int32_t dtype) {
  if (family == Fp8Family::fnuz) return dtype == UAL_DTYPE_FP8_E4M3FNUZ || dtype == UAL_DTYPE_FP8_E5M2FNUZ;
  if (family == Fp8Family::ocp) return dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E5M2;
  return false;
}

int default_wavefront_size(const std::string& gfx_target) {
  return gfx_target.rfind("gfx9", 0) == 0 || gfx_target.rfind("gfx8", 0) == 0 ? 64 : 32;
}

const char* built_architectures() { return UAL_HIP_BUILT_ARCHITECTURES; }

bool code_object_covers(const std::string& gfx_target) {
  if (gfx_target.empty()) return false;
  std::istringstream list(UAL_HIP_BUILT_ARCHITECTURES);
  std::string architecture;
  while (std::getline(list, architecture, ',')) {
    if (architecture == gfx_target) return true;
  }
  return false;
}

}  // namespace ual::hip
