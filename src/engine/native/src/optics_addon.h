#pragma once
#include <napi.h>

namespace optocnn {

// Adds the optics functions (fft2d, complexGemm, ...) to the addon's exports.
void registerOptics(Napi::Env env, Napi::Object exports);

}  // namespace optocnn
