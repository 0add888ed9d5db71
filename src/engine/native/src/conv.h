#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "activation_bias_grad.h"

namespace optocnn {

// A 2-D convolution in tfjs terms: NHWC activations, HWIO filter, dilation 1 = dense.
struct ConvShape {
  int64_t batch, inHeight, inWidth, inChannels, outChannels, filterHeight, filterWidth, outHeight, outWidth;
  int64_t strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft, padBottom, padRight;
  static constexpr int kFields = 17;
  static ConvShape fromFields(const int32_t* f);
  std::vector<int64_t> fields() const;
};

// Which kernel convForward runs for this call: oneDNN's implementation name, or optocnn's own where
// oneDNN offers only its reference kernel.
std::string convForwardImplementation(const ConvShape& s, bool hasBias, Activation activation);
void convForward(const ConvShape& s, const float* x, const float* filter, const float* bias, float* y, Activation activation);
void convBackwardData(const ConvShape& s, const float* dy, const float* filter, float* dx);
void convBackwardFilter(const ConvShape& s, const float* x, const float* dy, float* dfilter);

}  // namespace optocnn
