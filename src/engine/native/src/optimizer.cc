// Fused Adam(W) update: one pass over weights, moments and gradient instead of the ~12 element-wise
// tfjs kernels (and their temporaries) per variable that dominated small training steps.
#include "optimizer.h"

#include <cmath>

namespace optocnn {

namespace {
// Below this, a thread hand-off costs more than the loop.
constexpr int64_t kParallelLength = 1 << 15;
}  // namespace

void adamUpdate(const AdamHyper& h, int64_t length, const float* w, const float* m, const float* v, const float* g,
                float* wOut, float* mOut, float* vOut) {
  const float oneMinusBeta1 = 1.f - h.beta1;
  const float oneMinusBeta2 = 1.f - h.beta2;
#pragma omp parallel for schedule(static) if (length >= kParallelLength)
  for (int64_t i = 0; i < length; ++i) {
    const float gi = g[i];
    const float mi = h.beta1 * m[i] + oneMinusBeta1 * gi;
    const float vi = h.beta2 * v[i] + oneMinusBeta2 * gi * gi;
    const float wi = w[i];
    wOut[i] = wi - h.stepSize * mi / (std::sqrt(vi) + h.epsilon) - h.decay * wi;
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

}  // namespace optocnn
