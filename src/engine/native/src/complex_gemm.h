#pragma once
#include <cstdint>

namespace optocnn {

enum class MatrixOp : int32_t { None = 0, Transpose = 1, ConjugateTranspose = 2 };

// Batched planar complex product C = op(A) op(B) (+ C), row-major; a zero batch stride broadcasts.
// lda and ldc are the row strides of the stored A and of C (0: dense, i.e. the stored A's columns and n),
// so A and C may be windows of larger planes (e.g. tiles of a field).
struct ComplexGemmShape {
  int64_t m, n, k;
  MatrixOp opA, opB;
  int64_t batch, strideA, strideB, strideC;
  bool accumulate;
  int64_t lda, ldc;
  static constexpr int kFields = 12;
  // Stored A is m x k (op None) or k x m (transposed).
  int64_t storedColsA() const { return opA == MatrixOp::None ? k : m; }
  int64_t rowStrideA() const { return lda == 0 ? storedColsA() : lda; }
  int64_t rowStrideC() const { return ldc == 0 ? n : ldc; }
};

struct PlanarMatrix {
  float* re;
  float* im;
};

void complexGemm(const ComplexGemmShape& s, PlanarMatrix a, PlanarMatrix b, PlanarMatrix c);

}  // namespace optocnn
