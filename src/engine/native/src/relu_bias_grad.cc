#include "relu_bias_grad.h"

#include <omp.h>

#include <cmath>
#include <vector>

namespace optocnn {

void reluBiasGrad(const float* dy, const float* y, int64_t outer, int64_t channels, float* dx, float* dbias) {
  const int threads = omp_get_max_threads();
  std::vector<double> partial(size_t(threads) * channels, 0.0);
#pragma omp parallel
  {
    double* mine = partial.data() + size_t(omp_get_thread_num()) * channels;
#pragma omp for schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      const float* g = dy + o * channels;
      const float* out = y + o * channels;
      float* d = dx + o * channels;
      for (int64_t c = 0; c < channels; ++c) {
        const float masked = std::isnan(out[c]) ? out[c] : (out[c] > 0.f ? g[c] : 0.f);
        d[c] = masked;
        mine[c] += masked;
      }
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    double total = 0.0;
    for (int t = 0; t < threads; ++t) total += partial[size_t(t) * channels + c];
    dbias[c] = static_cast<float>(total);
  }
}

}  // namespace optocnn
