#pragma once
#include <napi.h>

namespace optocnn {

// Adds the kernels on plain Float32Arrays that the metasurface fit needs (phaseGradient,
// adamUpdateArrays) to the addon's exports.
void registerTypedArrayKernels(Napi::Env env, Napi::Object exports);

}  // namespace optocnn
