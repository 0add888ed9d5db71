// Large element-wise ops of a training step (bias add, ReLU and its gradient mask, products),
// threaded over both cores; the wasm backend runs them on one.
#include "elementwise.h"

#include <cmath>

namespace optocnn {

namespace {

template <typename F>
void binary(const float* a, const float* b, int64_t length, int64_t bLength, float* out, F f) {
  if (bLength == length) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < length; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  const int64_t rows = length / bLength;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* ar = a + r * bLength;
    float* o = out + r * bLength;
    for (int64_t i = 0; i < bLength; ++i) o[i] = f(ar[i], b[i]);
  }
}

template <typename F>
void unary(const float* a, int64_t length, float* out, F f) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < length; ++i) out[i] = f(a[i]);
}

}  // namespace

void elementwise(ElementwiseOp op, const float* a, const float* b, int64_t length, int64_t bLength, float alpha, float* out) {
  switch (op) {
    case ElementwiseOp::Add:
      binary(a, b, length, bLength, out, [](float x, float y) { return x + y; });
      break;
    case ElementwiseOp::Multiply:
      binary(a, b, length, bLength, out, [](float x, float y) { return x * y; });
      break;
    case ElementwiseOp::Relu:
      unary(a, length, out, [](float x) { return x < 0.f ? 0.f : x; });
      break;
    case ElementwiseOp::Step:
      unary(a, length, out, [alpha](float x) { return std::isnan(x) ? x : (x > 0.f ? 1.f : alpha); });
      break;
  }
}

}  // namespace optocnn
