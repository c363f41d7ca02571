// The JSON of one runtime entry, as `ual devices --json` prints it; the probe cache stores the same form.
#pragma once

#include <nlohmann/json.hpp>

#include "ual/inventory.hpp"

namespace ual {

nlohmann::ordered_json runtime_json(const Runtime& runtime);

}  // namespace ual
