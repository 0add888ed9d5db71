// Complex products as two real oneDNN matmuls on a real embedding of the complex product, so each
// matmul has twice the inner or twice the outer size of a planar part and the fewest calls are made
// (every call is a thread fork and join):
//   n <= k ("tall" products such as field x window matrix): the planar parts of A are used in place,
//     P = Ar [Br Bi] + sa Ai [-Bi Br]   (B packed k x 2n, P = [Re C | Im C] row-interleaved, unpacked),
//   n > k ("wide" products such as a rank-2M update of a field): A is packed as [Ar sa Ai] (m x 2k),
//     Re C = [Ar sa Ai] [Br; -Bi],  Im C = [Ar sa Ai] [Bi; Br]   (written to the planar C in place),
// where sa = -1 for a conjugated A (a conjugated B is negated while packing). Transposes of A are
// strides. A batch whose B is shared and whose A and C are contiguous runs as one 2-D product with
// batch x m rows, which lets oneDNN block over all of it.
#include "complex_gemm.h"

#include <algorithm>
#include <vector>

#include "dnnl_context.h"

namespace optocnn {

using dnnl::memory;
using dt = dnnl::memory::data_type;

namespace {

struct RealProduct {
  dnnl::matmul primitive;
  memory a, b, c;
};

PrimitiveCache<RealProduct> products;

// A real [batch, rows, cols] operand: element (b, r, c) at data[b * batchStride + r * rowStride + c * colStride].
struct RealOperand {
  int64_t batch, rows, cols, batchStride, rowStride, colStride;
  memory::desc desc() const {
    const int64_t dimsBatch = batchStride == 0 ? 1 : batch;
    const int64_t stride = batchStride == 0 ? rows * cols : batchStride;
    return memory::desc({dimsBatch, rows, cols}, dt::f32, memory::dims{stride, rowStride, colStride});
  }
  std::vector<int64_t> key() const { return {batchStride == 0 ? 1 : batch, rows, cols, batchStride, rowStride, colStride}; }
};

RealOperand dense(int64_t batch, int64_t rows, int64_t cols, bool shared) {
  return {batch, rows, cols, shared ? 0 : rows * cols, cols, 1};
}

// C (+)= scale * A B for real operands.
void realProduct(const RealOperand& ad, const float* a, const RealOperand& bd, const float* b, const RealOperand& cd,
                 float* c, float scale, bool sum) {
  std::vector<int64_t> key = ad.key();
  for (const auto* d : {&bd, &cd}) {
    const auto more = d->key();
    key.insert(key.end(), more.begin(), more.end());
  }
  key.push_back(scale < 0);
  key.push_back(sum);
  RealProduct& op = products.get(cacheKey("cgemm_real", key), [&] {
    dnnl::primitive_attr attr;
    if (scale != 1.f) attr.set_output_scales(0, {scale});
    if (sum) {
      dnnl::post_ops ops;
      ops.append_sum(1.f);
      attr.set_post_ops(ops);
    }
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(ad.desc(), bd.desc(), cd.desc()), attr, cpuEngine());
    return new RealProduct{dnnl::matmul(pd), memory(ad.desc(), cpuEngine(), DNNL_MEMORY_NONE),
                           memory(bd.desc(), cpuEngine(), DNNL_MEMORY_NONE),
                           memory(cd.desc(), cpuEngine(), DNNL_MEMORY_NONE)};
  });
  op.a.set_data_handle(const_cast<float*>(a));
  op.b.set_data_handle(const_cast<float*>(b));
  op.c.set_data_handle(c);
  op.primitive.execute(cpuStream(), {{DNNL_ARG_SRC, op.a}, {DNNL_ARG_WEIGHTS, op.b}, {DNNL_ARG_DST, op.c}});
}

// op(X)[r][c] of a stored planar matrix (rows x cols after the op), imaginary part negated when conjugated.
struct OpView {
  PlanarMatrix x;
  int64_t rows, cols;
  MatrixOp op;
  int64_t index(int64_t r, int64_t c) const { return op == MatrixOp::None ? r * cols + c : c * rows + r; }
  float re(int64_t offset, int64_t r, int64_t c) const { return x.re[offset + index(r, c)]; }
  float im(int64_t offset, int64_t r, int64_t c) const {
    const float v = x.im[offset + index(r, c)];
    return op == MatrixOp::ConjugateTranspose ? -v : v;
  }
};

// Scratch reused across calls (the addon is called from one JavaScript thread).
std::vector<float> packA, packB1, packB2, interleaved;

float* reserve(std::vector<float>& buffer, int64_t size) {
  if (int64_t(buffer.size()) < size) buffer.resize(size);
  return buffer.data();
}

constexpr int64_t kParallelMin = 1 << 14;

// Copies `batch` strided rows x cols windows (row stride ld, batch stride) to or from dense planes.
void copyWindows(PlanarMatrix windows, int64_t batchStride, int64_t ld, PlanarMatrix dense, int64_t batch, int64_t rows,
                 int64_t cols, bool toDense) {
#pragma omp parallel for collapse(2) schedule(static) if (batch * rows * cols >= kParallelMin)
  for (int64_t q = 0; q < batch; ++q) {
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t w = q * batchStride + r * ld, d = (q * rows + r) * cols;
      if (toDense) {
        std::copy(windows.re + w, windows.re + w + cols, dense.re + d);
        std::copy(windows.im + w, windows.im + w + cols, dense.im + d);
      } else {
        std::copy(dense.re + d, dense.re + d + cols, windows.re + w);
        std::copy(dense.im + d, dense.im + d + cols, windows.im + w);
      }
    }
  }
}

std::vector<float> windowA[2], windowC[2];

PlanarMatrix reservePlanar(std::vector<float> (&buffers)[2], int64_t size) {
  return {reserve(buffers[0], size), reserve(buffers[1], size)};
}

// The product of dense operands (lda and ldc of `s` are ignored).
void denseGemm(const ComplexGemmShape& s, PlanarMatrix a, PlanarMatrix b, PlanarMatrix c);

}  // namespace

// Strided A or C (windows of larger planes) are copied to dense scratch first, so that a batch runs as one
// 2-D product. (This copy was first blamed for glibc heap-corruption aborts under `node --cpu-prof` with
// strided descriptors; those were oneDNN's JIT GEMM interrupted by signals, see signals_held.h.)
void complexGemm(const ComplexGemmShape& s, PlanarMatrix a, PlanarMatrix b, PlanarMatrix c) {
  ComplexGemmShape dense = s;
  dense.lda = dense.ldc = 0;
  const int64_t lda = s.rowStrideA(), ldc = s.rowStrideC();
  const int64_t storedRowsA = s.opA == MatrixOp::None ? s.m : s.k, storedColsA = s.storedColsA();
  if (lda != storedColsA) {
    const int64_t batchA = s.strideA == 0 ? 1 : s.batch;
    PlanarMatrix packed = reservePlanar(windowA, batchA * storedRowsA * storedColsA);
    copyWindows(a, s.strideA, lda, packed, batchA, storedRowsA, storedColsA, true);
    a = packed;
    dense.strideA = s.strideA == 0 ? 0 : storedRowsA * storedColsA;
  }
  if (ldc == s.n) return denseGemm(dense, a, b, c);
  const int64_t strideC = s.strideC == 0 ? s.m * ldc : s.strideC;
  PlanarMatrix packed = reservePlanar(windowC, s.batch * s.m * s.n);
  if (s.accumulate) copyWindows(c, strideC, ldc, packed, s.batch, s.m, s.n, true);
  dense.strideC = s.m * s.n;
  denseGemm(dense, a, b, packed);
  copyWindows(c, strideC, ldc, packed, s.batch, s.m, s.n, false);
}

namespace {

void denseGemm(const ComplexGemmShape& s, PlanarMatrix a, PlanarMatrix b, PlanarMatrix c) {
  const int64_t m = s.m, n = s.n, k = s.k;
  const bool sharedA = s.strideA == 0, sharedB = s.strideB == 0;
  const int64_t batchB = sharedB ? 1 : s.batch;
  const int64_t strideC = s.strideC == 0 ? m * n : s.strideC;
  const OpView opB{b, k, n, s.opB};
  const int64_t strideB = s.strideB;
  // One 2-D product over all batch rows: B shared, C contiguous, and A contiguous (or packed).
  const bool flatC = sharedB && (s.batch == 1 || strideC == m * n);

  if (n <= k) {
    // B packed as [Br Bi] and [-Bi Br], k x 2n per batch item.
    float* b1 = reserve(packB1, batchB * k * 2 * n);
    float* b2 = reserve(packB2, batchB * k * 2 * n);
#pragma omp parallel for collapse(2) schedule(static) if (batchB * k * n >= kParallelMin)
    for (int64_t q = 0; q < batchB; ++q) {
      for (int64_t l = 0; l < k; ++l) {
        float* row1 = b1 + (q * k + l) * 2 * n;
        float* row2 = b2 + (q * k + l) * 2 * n;
        for (int64_t j = 0; j < n; ++j) {
          const float re = opB.re(q * strideB, l, j), im = opB.im(q * strideB, l, j);
          row1[j] = re;
          row1[n + j] = im;
          row2[j] = -im;
          row2[n + j] = re;
        }
      }
    }
    const bool transposedA = s.opA != MatrixOp::None;
    const bool flat = flatC && !transposedA && (s.batch == 1 || s.strideA == m * k);
    const int64_t batch = flat ? 1 : s.batch;
    const int64_t rows = flat ? s.batch * m : m;
    const RealOperand ad{batch, rows, k, flat ? 0 : s.strideA, transposedA ? 1 : k, transposedA ? m : 1};
    const RealOperand bd = dense(batch, k, 2 * n, sharedB || flat);
    const RealOperand pd = dense(batch, rows, 2 * n, false);
    float* p = reserve(interleaved, batch * rows * 2 * n);
    const float sa = s.opA == MatrixOp::ConjugateTranspose ? -1.f : 1.f;
    realProduct(ad, a.re, bd, b1, pd, p, 1.f, false);
    realProduct(ad, a.im, bd, b2, pd, p, sa, true);
    cpuStream().wait();
    // Unpack [Re | Im] rows into the planar C (batch item q of the call is rows q*m.. of P).
#pragma omp parallel for collapse(2) schedule(static) if (s.batch * m * n >= kParallelMin)
    for (int64_t q = 0; q < s.batch; ++q) {
      for (int64_t i = 0; i < m; ++i) {
        const float* row = p + (q * m + i) * 2 * n;
        float* re = c.re + q * strideC + i * n;
        float* im = c.im + q * strideC + i * n;
        if (s.accumulate) {
          for (int64_t j = 0; j < n; ++j) re[j] += row[j], im[j] += row[n + j];
        } else {
          std::copy(row, row + n, re);
          std::copy(row + n, row + 2 * n, im);
        }
      }
    }
    return;
  }

  // n > k: A packed as [Ar sa Ai] (m x 2k per batch item), B as [Br; -Bi] and [Bi; Br] (2k x n).
  const OpView opA{a, m, k, s.opA};
  const int64_t batchA = sharedA ? 1 : s.batch;
  float* packedA = reserve(packA, batchA * m * 2 * k);
#pragma omp parallel for collapse(2) schedule(static) if (batchA * m * k >= kParallelMin)
  for (int64_t q = 0; q < batchA; ++q) {
    for (int64_t i = 0; i < m; ++i) {
      float* row = packedA + (q * m + i) * 2 * k;
      for (int64_t l = 0; l < k; ++l) {
        row[l] = opA.re(q * s.strideA, i, l);
        row[k + l] = opA.im(q * s.strideA, i, l);
      }
    }
  }
  float* bRe = reserve(packB1, batchB * 2 * k * n);
  float* bIm = reserve(packB2, batchB * 2 * k * n);
#pragma omp parallel for collapse(2) schedule(static) if (batchB * k * n >= kParallelMin)
  for (int64_t q = 0; q < batchB; ++q) {
    for (int64_t l = 0; l < k; ++l) {
      float* re0 = bRe + (q * 2 * k + l) * n;
      float* re1 = re0 + k * n;
      float* im0 = bIm + (q * 2 * k + l) * n;
      float* im1 = im0 + k * n;
      for (int64_t j = 0; j < n; ++j) {
        const float re = opB.re(q * strideB, l, j), im = opB.im(q * strideB, l, j);
        re0[j] = re;
        re1[j] = -im;
        im0[j] = im;
        im1[j] = re;
      }
    }
  }
  const bool flat = flatC && !sharedA;
  const int64_t batch = flat ? 1 : s.batch;
  const int64_t rows = flat ? s.batch * m : m;
  const RealOperand ad = dense(batch, rows, 2 * k, sharedA);
  const RealOperand bd = dense(batch, 2 * k, n, sharedB || flat);
  const RealOperand cd{batch, rows, n, flat ? 0 : strideC, n, 1};
  realProduct(ad, packedA, bd, bRe, cd, c.re, 1.f, s.accumulate);
  realProduct(ad, packedA, bd, bIm, cd, c.im, 1.f, s.accumulate);
  cpuStream().wait();
}

}  // namespace

}  // namespace optocnn
