#include "phase_gradient.h"

namespace optocnn {

void phaseGradient(const float* gradRe, const float* gradIm, const float* tRe, const float* tIm, float* out,
                   int64_t count) {
#pragma omp parallel for simd schedule(static) if (count >= (1 << 15))
  for (int64_t i = 0; i < count; ++i) out[i] = gradIm[i] * tRe[i] - gradRe[i] * tIm[i];
}

}  // namespace optocnn
