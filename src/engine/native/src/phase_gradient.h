#pragma once
#include <cstdint>

namespace optocnn {

// The vjp of the unit phasor t = exp(i phase): given G = 2 dL/d(conj t), dL/dphase = Im(G conj(t)).
void phaseGradient(const float* gradRe, const float* gradIm, const float* tRe, const float* tIm, float* out,
                   int64_t count);

}  // namespace optocnn
