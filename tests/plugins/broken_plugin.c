/* Deliberately broken compute plugins, one per way a plugin can be wrong, compiled from this file with one
 * BROKEN_* define each (tests/CMakeLists.txt). The loader must skip each with a clear reason and keep every other
 * device working. None of them has devices that run anything. */
#include <stdio.h>
#include <string.h>

#include "ual/backend_abi.h"

#define EXPORT __attribute__((visibility("default")))

static uint32_t device_count(void* backend) {
  (void)backend;
  return 0;
}
static ual_status device_info(void* backend, uint32_t index, ual_device_info* info, ual_error* error) {
  (void)backend, (void)index, (void)info, (void)error;
  return UAL_STATUS_INVALID_ARGUMENT;
}
static void shutdown(void* backend) { (void)backend; }

static ual_backend_api api = {
    .abi_version = UAL_BACKEND_ABI_VERSION,
    .name = "broken",
    .device_count = device_count,
    .device_info = device_info,
    .shutdown = shutdown,
};

#ifndef BROKEN_NOT_A_PLUGIN
EXPORT uint32_t ual_backend_score(const ual_host* host, ual_error* why) {
  (void)host;
#ifdef BROKEN_SCORE_ZERO
  snprintf(why->message, sizeof why->message, "unavailable: libbrokenvendor.so.1 not found");
  return 0;
#else
  (void)why;
  return 10;
#endif
}

EXPORT const ual_backend_api* ual_backend_init(const ual_host* host, ual_error* error) {
  (void)host;
#if defined(BROKEN_INIT_FAILS)
  snprintf(error->message, sizeof error->message, "no devices answered (vendor driver 1.2.3 is too old)");
  return NULL;
#elif defined(BROKEN_WRONG_ABI)
  (void)error;
  api.abi_version = UAL_BACKEND_ABI_VERSION + 41;
  return &api;
#else /* BROKEN_MISSING_ENTRY: the table lacks run() and the buffer entries */
  (void)error;
  return &api;
#endif
}
#else
EXPORT int some_unrelated_function(void) { return 42; }
#endif
