#pragma once
#include <cstdint>

namespace optocnn {

// Max pooling over NHWC, tfjs semantics: padding never wins, ties go to the first window position.
struct PoolShape {
  int64_t batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth;
  int64_t strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft;
  static constexpr int kFields = 14;
};

void maxPool(const PoolShape& s, const float* x, float* y);
// dx = sum of dy routed to each window's maximum of x (recomputed, so no workspace is kept).
void maxPoolGrad(const PoolShape& s, const float* x, const float* dy, float* dx);

}  // namespace optocnn
