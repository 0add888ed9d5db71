#pragma once
#include <cstdint>

namespace optocnn {

// Activations a fused convolution can end with (the values are the addon's argument codes).
enum class Activation : int { Linear = 0, Relu = 1, Elu = 2 };

// Backward of y = act(conv + bias) up to the convolution, for [outer, channels] arrays (NHWC with
// outer = N H W), from the output y: ReLU dx = dy where y > 0, else 0 (NaN in y propagates); ELU
// (alpha 1) dx = dy where y > 0, else dy (y + 1). dbias[c] = sum over outer of dx[., c],
// with double partial sums. One pass instead of a mask kernel plus a bias-sum kernel. `activation` is
// Relu or Elu (a linear layer's dx is dy itself).
void activationBiasGrad(Activation activation, const float* dy, const float* y, int64_t outer, int64_t channels, float* dx,
                        float* dbias);

}  // namespace optocnn
