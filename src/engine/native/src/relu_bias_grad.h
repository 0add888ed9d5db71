#pragma once
#include <cstdint>

namespace optocnn {

// Backward of y = relu(conv + bias) up to the convolution, for [outer, channels] arrays (NHWC with
// outer = N H W): dx = dy where y > 0, else 0 (NaN in y propagates), and dbias[c] = sum over outer of
// dx[., c], with double partial sums. One pass instead of a mask kernel plus a bias-sum kernel.
void reluBiasGrad(const float* dy, const float* y, int64_t outer, int64_t channels, float* dx, float* dbias);

}  // namespace optocnn
