// The hardware and model catalogs: data/hardware/*.json and data/models/*.json, compiled in and parsed once.
#include <algorithm>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"
#include "core/text.hpp"
#include "sim/catalog_parsing.hpp"
#include "ual/sim.hpp"

namespace ual::sim {
namespace {

using nlohmann::json;

template <class Spec>
struct Catalog {
  std::map<std::string, Spec> entries;
  std::vector<std::string> errors;  // a malformed file is reported when its id is asked for, never a crash
};

template <class Spec, class Parse>
Catalog<Spec> load_catalog(std::string_view prefix, Parse parse) {
  Catalog<Spec> catalog;
  for (const data::EmbeddedFile& file : data::embedded_files()) {
    if (!text::starts_with(file.path, prefix)) continue;
    auto spec = parse(file.content, fmt::format("data/{}", file.path));
    if (!spec) {
      catalog.errors.push_back(spec.error().message);
      continue;
    }
    catalog.entries.emplace(spec->id, std::move(spec.value()));
  }
  return catalog;
}

const Catalog<HardwareSpec>& hardware_catalog() {
  static const auto catalog = load_catalog<HardwareSpec>("hardware/", parse_hardware_json);
  return catalog;
}

const Catalog<ModelSpec>& model_catalog() {
  static const auto catalog = load_catalog<ModelSpec>("models/", parse_model_json);
  return catalog;
}

template <class Spec>
std::vector<std::string> ids_of(const Catalog<Spec>& catalog) {
  std::vector<std::string> ids;
  for (const auto& [id, spec] : catalog.entries) ids.push_back(id);
  return ids;
}

template <class Spec>
Result<Spec> find_in(const Catalog<Spec>& catalog, std::string_view id, const char* what, const char* option) {
  const auto found = catalog.entries.find(std::string(id));
  if (found != catalog.entries.end()) return found->second;
  std::string message = fmt::format("unknown {} '{}' for {}; known: {}", what, id, option,
                                    fmt::join(ids_of(catalog), ", "));
  for (const auto& error : catalog.errors) message += fmt::format(" (catalog file skipped: {})", error);
  return make_error(ErrorCode::not_found, message);
}

}  // namespace

Result<HardwareSpec> find_hardware(std::string_view id) {
  return find_in(hardware_catalog(), id, "hardware", "--hardware");
}

std::vector<std::string> hardware_ids() { return ids_of(hardware_catalog()); }

std::vector<std::string> model_ids() { return ids_of(model_catalog()); }

Result<ModelSpec> find_model(std::string_view id_or_path) {
  const bool is_path = id_or_path.find('/') != std::string_view::npos || id_or_path.ends_with(".json");
  if (is_path) return load_hugging_face_config_file(std::string(id_or_path));
  return find_in(model_catalog(), id_or_path, "model", "--model");
}

}  // namespace ual::sim
