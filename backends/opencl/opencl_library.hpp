// The OpenCL ICD loader, opened at run time: every entry point the plugin calls is listed once in
// UAL_OPENCL_SYMBOLS and resolved by name, so the plugin never links libOpenCL and a missing library or symbol is a
// status with a sentence (IREE's dynamic-symbol tables).
#pragma once

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <string>

#include "ual/backend_abi.h"

namespace ual::opencl {

#define UAL_OPENCL_SYMBOLS(X) \
  X(clGetPlatformIDs)         \
  X(clGetPlatformInfo)        \
  X(clGetDeviceIDs)           \
  X(clGetDeviceInfo)          \
  X(clCreateContext)          \
  X(clReleaseContext)         \
  X(clCreateCommandQueue)     \
  X(clReleaseCommandQueue)    \
  X(clCreateProgramWithSource) \
  X(clCreateProgramWithBinary) \
  X(clBuildProgram)           \
  X(clGetProgramInfo)         \
  X(clGetProgramBuildInfo)    \
  X(clReleaseProgram)         \
  X(clCreateKernel)           \
  X(clReleaseKernel)          \
  X(clSetKernelArg)           \
  X(clGetKernelWorkGroupInfo) \
  X(clEnqueueNDRangeKernel)   \
  X(clCreateBuffer)           \
  X(clReleaseMemObject)       \
  X(clEnqueueWriteBuffer)     \
  X(clEnqueueReadBuffer)      \
  X(clEnqueueCopyBuffer)      \
  X(clEnqueueFillBuffer)      \
  X(clWaitForEvents)          \
  X(clReleaseEvent)           \
  X(clFlush)                  \
  X(clFinish)

struct OpenClLibrary {
  void* handle = nullptr;
  std::string name;  // what was opened: UAL_OPENCL_LIBRARY's value or the soname that loaded
#define UAL_OPENCL_DECLARE_SYMBOL(symbol) decltype(&::symbol) symbol = nullptr;
  UAL_OPENCL_SYMBOLS(UAL_OPENCL_DECLARE_SYMBOL)
#undef UAL_OPENCL_DECLARE_SYMBOL
};

// Opens UAL_OPENCL_LIBRARY (a file name or path) when set, else libOpenCL.so.1 then libOpenCL.so, and resolves
// every symbol. The variable is read on every call, so a test can point one score() at a missing library.
// Failure: UAL_STATUS_UNAVAILABLE naming the library or the first missing symbol; `library` is left closed.
ual_status open_opencl_library(OpenClLibrary& library, ual_error* error);
void close_opencl_library(OpenClLibrary& library);

// "CL_OUT_OF_RESOURCES (-5)" for messages.
std::string cl_error_text(cl_int code);

}  // namespace ual::opencl
