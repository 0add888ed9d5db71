#pragma once
#include <cstdint>

namespace optocnn {

enum class MatrixOp : int32_t { None = 0, Transpose = 1, ConjugateTranspose = 2 };

// Batched planar complex product C = op(A) op(B) (+ C), row-major; a zero batch stride broadcasts.
struct ComplexGemmShape {
  int64_t m, n, k;
  MatrixOp opA, opB;
  int64_t batch, strideA, strideB, strideC;
  bool accumulate;
  static constexpr int kFields = 10;
};

struct PlanarMatrix {
  float* re;
  float* im;
};

void complexGemm(const ComplexGemmShape& s, PlanarMatrix a, PlanarMatrix b, PlanarMatrix c);

}  // namespace optocnn
