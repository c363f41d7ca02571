// A program outside the project that uses an installed ual: prints the version and the number of devices.
#include <cstdio>

#include <ual/ual.hpp>

int main() {
  ual::DiscoveryOptions options;
  options.probe_runtimes = false;
  const auto inventory = ual::discover(options);
  if (!inventory) {
    std::fprintf(stderr, "discover failed: %s\n", inventory.error().message.c_str());
    return 1;
  }
  std::printf("ual %s: %zu devices, first is %s\n", ual::version(), inventory->devices.size(),
              ual::to_string(inventory->devices.front().kind));
  return inventory->devices.front().kind == ual::DeviceKind::cpu ? 0 : 1;
}
