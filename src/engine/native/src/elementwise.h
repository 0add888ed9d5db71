#pragma once
#include <cstdint>

namespace optocnn {

enum class ElementwiseOp : int32_t { Add = 0, Multiply = 1, Relu = 2, Step = 3 };

// out[i] = a[i] op b[i % bLength] for binary ops (b repeats: same shape or a trailing broadcast);
// unary ops ignore b. `alpha` is Step's value for x <= 0. NaN propagates as in tfjs.
void elementwise(ElementwiseOp op, const float* a, const float* b, int64_t length, int64_t bLength, float alpha, float* out);

}  // namespace optocnn
