// Parsers of the catalog files (data/hardware, data/models) and of Hugging Face config.json files.
#pragma once

#include <string>
#include <string_view>

#include "ual/sim.hpp"

namespace ual::sim {

Result<HardwareSpec> parse_hardware_json(std::string_view text, std::string_view origin);
Result<ModelSpec> parse_model_json(std::string_view text, std::string_view origin);
Result<ModelSpec> load_hugging_face_config_file(const std::string& path);
// The checks every model passes before a prediction uses it (positive sizes, heads divisible, ...).
Status validate_model_shape(const ModelSpec& model, std::string_view origin);

}  // namespace ual::sim
