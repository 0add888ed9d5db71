#include "relu_bias_grad.h"

#include <cmath>

#include "row_sums.h"

namespace optocnn {

void reluBiasGrad(const float* dy, const float* y, int64_t outer, int64_t channels, float* dx, float* dbias) {
  sumOverRows(outer, channels, dbias, [&](int64_t o, double* acc) {
    const float* g = dy + o * channels;
    const float* out = y + o * channels;
    float* d = dx + o * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const float masked = std::isnan(out[c]) ? out[c] : (out[c] > 0.f ? g[c] : 0.f);
      d[c] = masked;
      acc[c] += masked;
    }
  });
}

}  // namespace optocnn
