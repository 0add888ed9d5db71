// Fused Adam(W) update: one pass over weights, moments and gradient instead of the ~12 element-wise
// tfjs kernels (and their temporaries) per variable that dominated small training steps.
#include "optimizer.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace optocnn {

namespace {

// Below this many elements in a call, a thread hand-off costs more than the loop.
constexpr int64_t kParallelLength = 1 << 15;

// This thread's equal share [begin, end) of `total` elements, inside a parallel region.
std::pair<int64_t, int64_t> threadShare(int64_t total) {
  const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
  return {total * thread / threads, total * (thread + 1) / threads};
}

}  // namespace

void adamSpan(const AdamHyper& h, int64_t begin, int64_t end, const float* w, const float* m, const float* v,
              const float* g, float* wOut, float* mOut, float* vOut) {
  // The hyperparameters are copied out of `h` because a reference could alias the outputs: read inside
  // the loop, GCC reloads them every element and leaves the loop scalar.
  const float beta1 = h.beta1, beta2 = h.beta2, oneMinusBeta1 = 1.f - beta1, oneMinusBeta2 = 1.f - beta2;
  const float stepSize = h.stepSize, epsilon = h.epsilon, decay = h.decay;
  // Outputs are the inputs (in place) or do not overlap them, so the loop may be vectorised: without the
  // pragma GCC's runtime alias check fails for in-place calls. It vectorises only with -fno-math-errno
  // (binding.gyp), since std::sqrt must otherwise set errno for negative values: scalar, the update of
  // 33.6 M phases took 25 ms on 2 cores of a Xeon even with every operand in L2.
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const float gi = g[i];
    const float mi = beta1 * m[i] + oneMinusBeta1 * gi;
    const float vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
    const float wi = w[i];
    wOut[i] = wi - stepSize * mi / (std::sqrt(vi) + epsilon) - decay * wi;
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

void adamUpdate(const AdamHyper& h, int64_t length, const float* w, const float* m, const float* v, const float* g,
                float* wOut, float* mOut, float* vOut) {
#pragma omp parallel if (length >= kParallelLength)
  {
    const auto [begin, end] = threadShare(length);
    adamSpan(h, begin, end, w, m, v, g, wOut, mOut, vOut);
  }
}

void adamUpdateInPlace(const AdamHyper& h, const std::vector<AdamSlot>& slots) {
  int64_t total = 0;
  for (const AdamSlot& slot : slots) total += slot.length;
  // One parallel region for all variables: the concatenated elements are split evenly between threads.
#pragma omp parallel if (total >= kParallelLength)
  {
    const auto [begin, end] = threadShare(total);
    int64_t start = 0;
    for (const AdamSlot& slot : slots) {
      const int64_t from = std::max(begin, start) - start, to = std::min(end, start + slot.length) - start;
      if (from < to) adamSpan(h, from, to, slot.w, slot.m, slot.v, slot.g, slot.w, slot.m, slot.v);
      start += slot.length;
    }
  }
}

}  // namespace optocnn
