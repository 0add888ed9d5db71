#pragma once
#include <cstdint>

namespace optocnn {

// Row-major batched product C[b] = op(A[b]) op(B[b]) (+ bias over columns) (relu), tfjs BatchMatMul
// semantics with the batch flattened; a batch of 1 on one side is broadcast.
struct MatmulShape {
  int64_t batchA, batchB, m, n, k, transposeA, transposeB;
  static constexpr int kFields = 7;
};

void matmul(const MatmulShape& s, const float* a, const float* b, const float* bias, float* c, bool relu);

}  // namespace optocnn
