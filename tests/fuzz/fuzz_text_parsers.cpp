// libFuzzer target for every pure text parser discovery feeds with file contents from a sysroot (or a child's
// output). The first input byte picks the parser (modulo the count); the rest is the text. Besides "no crash, no
// sanitizer report", each case checks the parser's documented contract, trapping when it is broken.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "core/text.hpp"
#include "discovery/cpuinfo_parser.hpp"
#include "discovery/pci.hpp"
#include "discovery/runtimes.hpp"
#include "discovery/vendor_passes.hpp"

namespace {

namespace text = ual::text;
namespace discovery = ual::discovery;

#define FUZZ_CHECK(condition)                                                                    \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "fuzz_text_parsers: check failed: %s (line %d)\n", #condition, __LINE__); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (false)

bool is_within(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// Two operands from one input: the text before the first newline, and the rest.
std::pair<std::string_view, std::string_view> split_once(std::string_view input) {
  const std::size_t cut = input.find('\n');
  if (cut == std::string_view::npos) return {input, {}};
  return {input.substr(0, cut), input.substr(cut + 1)};
}

enum Parser : std::uint8_t {
  cpuinfo,
  meminfo,
  kfd_properties,
  nvidia_information,
  nvidia_driver_version,
  pci_ids,
  cpu_list,
  hex_id,
  size_with_suffix,
  key_value_lines,
  fastflowlm_version,
  file_name_version,
  numbers_and_addresses,
  parser_count,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto parser = static_cast<Parser>(data[0] % parser_count);
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  switch (parser) {
    case cpuinfo: {
      const discovery::CpuinfoSummary summary = discovery::parse_cpuinfo(input);
      FUZZ_CHECK(text::is_printable(summary.model_name));
      FUZZ_CHECK(text::is_printable(summary.vendor_id));
      FUZZ_CHECK(summary.processors <= input.size() / 10 + 1);  // "processor:0" is the shortest entry
      for (const std::string& flag : summary.flags) FUZZ_CHECK(!flag.empty() && text::is_printable(flag));
      break;
    }
    case meminfo: {
      const auto total = discovery::parse_meminfo_total(input);
      FUZZ_CHECK(!total || *total % 1024 == 0);
      break;
    }
    case kfd_properties: {
      for (const auto& [key, value] : discovery::parse_kfd_properties(input)) {
        FUZZ_CHECK(!key.empty() && text::is_printable(key));
        const std::string target = discovery::decode_gfx_target_version(value);
        FUZZ_CHECK(target.empty() || (target.size() >= 6 && target.size() <= 7 && target.rfind("gfx", 0) == 0));
      }
      break;
    }
    case nvidia_information: {
      const discovery::NvidiaGpuInformation information = discovery::parse_nvidia_gpu_information(input);
      FUZZ_CHECK(text::is_printable(information.model) && text::is_printable(information.uuid));
      FUZZ_CHECK(!information.device_minor || (*information.device_minor >= 0 && *information.device_minor < 4096));
      break;
    }
    case nvidia_driver_version: {
      const std::string version = discovery::parse_nvidia_driver_version(input);
      FUZZ_CHECK(version.empty() || input.find(version) != std::string_view::npos);
      break;
    }
    case pci_ids: {
      // Four bytes of ids (little-endian vendor, device), then pci.ids text.
      if (input.size() < 4) break;
      const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(input[i])); };
      const std::uint32_t vendor_id = byte(0) | byte(1) << 8;
      const std::uint32_t device_id = byte(2) | byte(3) << 8;
      const std::string_view ids = input.substr(4);
      const auto name = discovery::lookup_pci_ids_name(ids, vendor_id, device_id);
      FUZZ_CHECK(!name || name->size() <= ids.size() + 1);
      (void)discovery::lookup_pci_ids_name(ids, 0xffffffffu, 0);
      break;
    }
    case cpu_list: {
      constexpr std::size_t cap = 1u << 16;
      const auto cpus = text::parse_cpu_list(input, cap);
      FUZZ_CHECK(!cpus || cpus->size() <= cap);
      const auto small = text::parse_cpu_list(input, 8);
      FUZZ_CHECK(!small || small->size() <= 8);
      break;
    }
    case hex_id: {
      if (const auto id = text::parse_hex_id(input)) {
        char printed[16];
        std::snprintf(printed, sizeof printed, "0x%x", static_cast<unsigned>(*id));
        FUZZ_CHECK(text::parse_hex_id(printed) == id);
      }
      break;
    }
    case size_with_suffix: {
      if (const auto bytes = text::parse_size_with_suffix(input)) {
        const auto plain = text::parse_unsigned(input);
        FUZZ_CHECK(!plain || *plain == *bytes);
      }
      break;
    }
    case key_value_lines: {
      for (const char separator : {':', ' ', '='}) {
        for (const auto& [key, value] : text::parse_key_value_lines(input, separator)) {
          FUZZ_CHECK(is_within(key, input) && is_within(value, input));
          FUZZ_CHECK(text::trim(value) == value);
          // "key value" keys end at the first blank; "key: value" keys are trimmed.
          FUZZ_CHECK(separator == ' ' ? key.find_first_of(" \t") == std::string_view::npos : text::trim(key) == key);
        }
      }
      for (const std::string_view word : text::split_whitespace(input)) FUZZ_CHECK(!word.empty() && is_within(word, input));
      break;
    }
    case fastflowlm_version: {
      const std::string version = discovery::parse_fastflowlm_version(input);
      FUZZ_CHECK(text::is_printable(version));
      break;
    }
    case file_name_version: {
      const auto [soname, file_name] = split_once(input);
      const std::string version = discovery::version_from_file_name(soname, file_name);
      FUZZ_CHECK(version.empty() || file_name.size() > version.size());
      FUZZ_CHECK(version.empty() || file_name.substr(file_name.size() - version.size()) == version);
      break;
    }
    case numbers_and_addresses: {
      const bool address = discovery::is_pci_address(input);
      FUZZ_CHECK(!address || (input.size() >= 12 && input.size() <= 16));
      const std::string linked = discovery::pci_address_of_link(input);
      FUZZ_CHECK(linked.empty() || discovery::is_pci_address(linked));
      (void)text::parse_signed(input);
      (void)text::parse_unsigned(input, 16);
      (void)text::to_lower(input);
      break;
    }
    case parser_count:
      break;
  }
  return 0;
}
