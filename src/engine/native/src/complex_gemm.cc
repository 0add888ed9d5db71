// Complex products as four real oneDNN matmuls on the planar parts:
//   Re C = Ar Br - sa sb Ai Bi,   Im C = sb Ar Bi + sa Ai Br,
// where sa, sb = -1 for a conjugated operand. Transposes are strides; signs are output scales and
// accumulation is a sum post-op, so nothing is copied.
#include "complex_gemm.h"

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

memory::desc operandDesc(int64_t batchStride, int64_t rowsOp, int64_t colsOp, MatrixOp op, int64_t batch) {
  const bool transposed = op != MatrixOp::None;
  const int64_t dimsBatch = batchStride == 0 ? 1 : batch;
  const int64_t stride = batchStride == 0 ? rowsOp * colsOp : batchStride;
  memory::dims strides = transposed ? memory::dims{stride, 1, rowsOp} : memory::dims{stride, colsOp, 1};
  return memory::desc({dimsBatch, rowsOp, colsOp}, dt::f32, strides);
}

// C (+)= scale * op(A) op(B) for one pair of real planes.
void realProduct(const ComplexGemmShape& s, const float* a, const float* b, float* c, float scale, bool sum) {
  RealProduct& op = products.get(
      cacheKey("cgemm_part", {s.m, s.n, s.k, int64_t(s.opA), int64_t(s.opB), s.batch, s.strideA, s.strideB,
                              s.strideC, scale < 0, sum}),
      [&] {
        memory::desc aDesc = operandDesc(s.strideA, s.m, s.k, s.opA, s.batch);
        memory::desc bDesc = operandDesc(s.strideB, s.k, s.n, s.opB, s.batch);
        const int64_t cStride = s.strideC == 0 ? s.m * s.n : s.strideC;
        memory::desc cDesc({s.batch, s.m, s.n}, dt::f32, memory::dims{cStride, s.n, 1});
        dnnl::primitive_attr attr;
        if (scale != 1.f) attr.set_output_scales(0, {scale});
        if (sum) {
          dnnl::post_ops ops;
          ops.append_sum(1.f);
          attr.set_post_ops(ops);
        }
        dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aDesc, bDesc, cDesc), attr, cpuEngine());
        return new RealProduct{dnnl::matmul(pd), memory(aDesc, cpuEngine(), DNNL_MEMORY_NONE),
                               memory(bDesc, cpuEngine(), DNNL_MEMORY_NONE),
                               memory(cDesc, cpuEngine(), DNNL_MEMORY_NONE)};
      });
  op.a.set_data_handle(const_cast<float*>(a));
  op.b.set_data_handle(const_cast<float*>(b));
  op.c.set_data_handle(c);
  op.primitive.execute(cpuStream(), {{DNNL_ARG_SRC, op.a}, {DNNL_ARG_WEIGHTS, op.b}, {DNNL_ARG_DST, op.c}});
}

}  // namespace

void complexGemm(const ComplexGemmShape& s, PlanarMatrix a, PlanarMatrix b, PlanarMatrix c) {
  const float sa = s.opA == MatrixOp::ConjugateTranspose ? -1.f : 1.f;
  const float sb = s.opB == MatrixOp::ConjugateTranspose ? -1.f : 1.f;
  realProduct(s, a.re, b.re, c.re, 1.f, s.accumulate);
  realProduct(s, a.im, b.im, c.re, -sa * sb, true);
  realProduct(s, a.re, b.im, c.im, sb, s.accumulate);
  realProduct(s, a.im, b.re, c.im, sa, true);
  cpuStream().wait();
}

}  // namespace optocnn
