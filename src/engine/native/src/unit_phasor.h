#pragma once
#include <cstdint>

namespace optocnn {

// re + i im = exp(i phase), elementwise, by the same quadrant reduction and series as unitPhasor in
// src/engine/complex/unit-phasor.ts, the series in float32 here (both within 7e-8 of cos and sin), vectorised and threaded.
void unitPhasor(const float* phase, float* re, float* im, int64_t count);

// The same on one span, in the calling thread (for fused loops that thread over their own items).
void phasorSpan(const float* phase, float* re, float* im, int64_t count);

}  // namespace optocnn
