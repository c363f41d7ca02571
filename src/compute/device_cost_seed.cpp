#include "compute/device_cost_seed.hpp"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "compute/cost_fields.hpp"
#include "core/embedded_data.hpp"
#include "core/text.hpp"
#include "discovery/device_tables.hpp"
#include "sim/device_costs.hpp"
#include "sim/modeling_constants.hpp"
#include "ual/inventory.hpp"
#include "ual/sim.hpp"

namespace ual::detail {
namespace {

using nlohmann::json;

struct SeedConstants {
  double accelerator_op_overhead_s = 0;
  double host_op_overhead_s = 0;
  double copy_latency_s = 0;
  double host_link_fraction = 0;
  double default_host_link_bytes_per_s = 0;
  double backend_peak_fraction = 0;
  double default_gemm_flops_per_s = 0;
  double default_stream_bytes_per_s = 0;
};

// Compiled-in data, so a malformed file is a build defect the unit tests catch; like HopperSim's constants, this
// aborts naming the file and key rather than running with zeros.
const SeedConstants& seed_constants() {
  static const SeedConstants constants = [] {
    const char* key = "(file)";
    try {
      const auto content = data::find_embedded_file("compute/selector-costs.json");
      if (!content) throw std::runtime_error("not compiled in");
      const json table = json::parse(*content).at("constants");
      auto value = [&](const char* name) {
        key = name;
        const double number = table.at(name).at("value").get<double>();
        if (!(number > 0)) throw std::runtime_error("must be > 0");
        return number;
      };
      SeedConstants result;
      result.accelerator_op_overhead_s = value("accelerator_op_overhead_s");
      result.host_op_overhead_s = value("host_op_overhead_s");
      result.copy_latency_s = value("copy_latency_s");
      result.host_link_fraction = value("host_link_fraction");
      result.default_host_link_bytes_per_s = value("default_host_link_bytes_per_s");
      result.backend_peak_fraction = value("backend_peak_fraction");
      result.default_gemm_flops_per_s = value("default_gemm_flops_per_s");
      result.default_stream_bytes_per_s = value("default_stream_bytes_per_s");
      return result;
    } catch (const std::exception& error) {
      std::fprintf(stderr, "ual: data/compute/selector-costs.json: %s: %s\n", key, error.what());
      std::abort();
    }
  }();
  return constants;
}

const json& device_match_rules() {
  static const json rules = [] {
    const auto content = data::find_embedded_file("planner/device-matches.json");
    if (!content) return json::array();
    json file = json::parse(*content, nullptr, false);
    return file.is_object() && file.contains("rules") ? file["rules"] : json::array();
  }();
  return rules;
}

const discovery::DeviceTables* device_tables() {
  static const auto tables = discovery::DeviceTables::parse_embedded();
  return tables ? &tables.value() : nullptr;
}

// What a rule may compare. known_ids: vendor, arch and generation come from the PCI tables and are compared exactly
// (the planner's semantics); otherwise they are unknown, not compared, and the rule must name the device.
struct Identity {
  std::string kind, vendor, arch, generation;
  bool known_ids = false;
};

bool rule_matches(const json& rule, const Identity& identity, const std::string& name) {
  if (rule.contains("kind") && rule["kind"].get<std::string>() != identity.kind) return false;
  auto differs = [&](const char* field, const std::string& value) {
    return identity.known_ids && rule.contains(field) && rule[field].get<std::string>() != value;
  };
  if (differs("vendor", identity.vendor) || differs("arch", identity.arch) ||
      differs("generation", identity.generation))
    return false;
  const json names = rule.value("name_contains", json::array());
  if (!identity.known_ids && names.empty()) return false;
  for (const json& part : names)
    if (text::to_lower(name).find(text::to_lower(part.get<std::string>())) == std::string::npos) return false;
  return true;
}

double rate_or_zero(const sim::HardwareSpec& spec, const sim::DeviceCosts& costs, sim::Precision precision) {
  return spec.peak_flops.contains(precision) ? costs.achievable_flops(precision) : 0.0;
}

}  // namespace

std::optional<std::string> catalog_id_for(const ComputeDeviceInfo& info) {
  Identity identity;
  identity.kind = to_string(info.kind);
  std::vector<std::string> names{info.name};
  if (info.pci_vendor_id != 0 && info.pci_device_id != 0 && device_tables() != nullptr) {
    const discovery::PciVendorEntry* vendor = device_tables()->find_vendor(info.pci_vendor_id);
    const discovery::PciDeviceEntry* entry =
        device_tables()->find_device(info.pci_vendor_id, info.pci_device_id, std::nullopt);
    if (vendor != nullptr && entry != nullptr) {
      identity.known_ids = true;
      identity.vendor = vendor->key;
      identity.arch = entry->arch;
      identity.generation = entry->generation;
      names.push_back(entry->name);
    }
  }
  for (const std::string& name : names)
    for (const json& rule : device_match_rules())
      if (rule_matches(rule, identity, name)) return rule["catalog_id"].get<std::string>();
  return std::nullopt;
}

DeviceCost seeded_cost(const ComputeDeviceInfo& info) {
  const SeedConstants& constants = seed_constants();
  const bool own_memory = !info.host_visible_memory;
  DeviceCost cost;
  auto set = [&cost](double DeviceCost::*member, double value, const std::string& source) {
    cost.*member = value;
    cost.sources[std::string(cost_field_name(member))] = source;
  };
  set(&DeviceCost::gemm_flops_per_second, constants.default_gemm_flops_per_s, "default");
  for (auto member : {&DeviceCost::gemm_bf16_flops_per_second, &DeviceCost::gemm_f16_flops_per_second,
                      &DeviceCost::gemm_fp8_flops_per_second})
    set(member, 0, "default");
  set(&DeviceCost::stream_bytes_per_second, constants.default_stream_bytes_per_s, "default");
  set(&DeviceCost::op_overhead_seconds, own_memory ? constants.accelerator_op_overhead_s : constants.host_op_overhead_s,
      "default");
  set(&DeviceCost::transfer_bytes_per_second,
      own_memory ? constants.default_host_link_bytes_per_s * constants.host_link_fraction : 0.0,
      own_memory ? "default" : "host memory");
  set(&DeviceCost::transfer_latency_seconds, own_memory ? constants.copy_latency_s : 0.0,
      own_memory ? "default" : "host memory");

  if (info.peak_f32_gflops > 0)
    set(&DeviceCost::gemm_flops_per_second, info.peak_f32_gflops * 1e9 * constants.backend_peak_fraction,
        "backend-reported");
  if (info.memory_bandwidth_gbps > 0)
    set(&DeviceCost::stream_bytes_per_second, info.memory_bandwidth_gbps * 1e9 * constants.backend_peak_fraction,
        "backend-reported");

  const auto id = catalog_id_for(info);
  if (!id) return cost;
  const auto spec = sim::find_hardware(*id);
  if (!spec) return cost;
  // HopperSim's achievable rates: the datasheet peak times the entry's measured large-GEMM fraction (or the shared
  // default) and the sustained-clock fraction; memory likewise. A format the entry has no peak for keeps 0 (the f32
  // rate): the backend widens it, or cannot run it at all (FP8 before Hopper).
  const sim::DeviceCosts device(*spec, sim::modeling_constants());
  const std::string source = "catalog: " + spec->id;
  set(&DeviceCost::gemm_flops_per_second, rate_or_zero(*spec, device, sim::Precision::fp32), source);
  set(&DeviceCost::gemm_bf16_flops_per_second, rate_or_zero(*spec, device, sim::Precision::bf16), source);
  set(&DeviceCost::gemm_f16_flops_per_second, rate_or_zero(*spec, device, sim::Precision::fp16), source);
  set(&DeviceCost::gemm_fp8_flops_per_second, rate_or_zero(*spec, device, sim::Precision::fp8), source);
  if (cost.gemm_flops_per_second == 0)  // every catalog entry has an fp32 peak today; keep the seed usable if not
    set(&DeviceCost::gemm_flops_per_second, constants.default_gemm_flops_per_s, "default");
  set(&DeviceCost::stream_bytes_per_second, device.achievable_bytes_per_s(), source);
  if (own_memory && spec->host_link.bytes_per_s_per_direction > 0)
    set(&DeviceCost::transfer_bytes_per_second,
        spec->host_link.bytes_per_s_per_direction * constants.host_link_fraction, source);
  return cost;
}

DeviceCost with_measurements(DeviceCost seed, const DeviceCost& measured) {
  for (const CostField& field : cost_fields()) {
    if (measured.source(field.name) != "measured") continue;
    seed.*field.member = measured.*field.member;
    seed.sources[field.name] = "measured";
    seed.measured = true;
  }
  return seed;
}

}  // namespace ual::detail
