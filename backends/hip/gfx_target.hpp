// What a gfx target means for the plugin: whether the embedded code object has code for it, its wavefront, and
// which FP8 encoding its matrix cores use (MI300's gfx942 the FNUZ variants, MI350's gfx950 the OCP formats).
#pragma once

#include <string>

#include "ual/backend_abi.h"

namespace ual::hip {

enum class Fp8Family { none, fnuz, ocp };

// gfx940/941/942: FNUZ (e4m3fnuz, e5m2fnuz); gfx950: OCP (e4m3, e5m2); anything else: none.
Fp8Family fp8_family(const std::string& gfx_target);
// The FP8 dtypes of a family, for messages: "e4m3fnuz/e5m2fnuz".
const char* fp8_family_names(Fp8Family family);
bool is_fp8(int32_t dtype);
// True when `dtype` (an FP8 ual_dtype) is the device's own encoding.
bool fp8_native(Fp8Family family, int32_t dtype);

// 64 for GCN/CDNA (gfx9xx), 32 for RDNA (gfx10xx and later): LDS tiles and reduction trees are sized from it.
int default_wavefront_size(const std::string& gfx_target);

// The architectures the embedded code object was compiled for ("gfx90a,gfx1030"), and whether `gfx_target` is one.
const char* built_architectures();
bool code_object_covers(const std::string& gfx_target);

}  // namespace ual::hip
