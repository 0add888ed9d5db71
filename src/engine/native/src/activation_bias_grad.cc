#include "activation_bias_grad.h"

#include <cmath>

#include "row_sums.h"

namespace optocnn {

void activationBiasGrad(Activation activation, const float* dy, const float* y, int64_t outer, int64_t channels, float* dx,
                        float* dbias) {
  sumOverRows(outer, channels, dbias, [&](int64_t o, double* __restrict acc) {
    const float* __restrict g = dy + o * channels;
    const float* __restrict out = y + o * channels;
    float* __restrict d = dx + o * channels;
    // Separate loops, so that each vectorises (one fused loop measured ~3x slower).
    if (activation == Activation::Relu) {
      for (int64_t c = 0; c < channels; ++c) d[c] = std::isnan(out[c]) ? out[c] : (out[c] > 0.f ? g[c] : 0.f);
    } else {
      for (int64_t c = 0; c < channels; ++c) d[c] = out[c] > 0.f ? g[c] : g[c] * (out[c] + 1.f);
    }
    for (int64_t c = 0; c < channels; ++c) acc[c] += d[c];
  });
}

}  // namespace optocnn
