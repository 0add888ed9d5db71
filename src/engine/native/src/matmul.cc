// Batched matrix products on oneDNN matmul. Transposed operands are described by strides, so no data
// moves; oneDNN broadcasts a batch of 1.
#include "matmul.h"

#include <algorithm>

#include "dnnl_context.h"

namespace optocnn {

using dnnl::memory;
using dt = dnnl::memory::data_type;

namespace {

struct MatmulOp {
  dnnl::matmul primitive;
  memory a, b, bias, c;
};

PrimitiveCache<MatmulOp> matmulOps;

// Row-major [batch, rows, cols] storage read as [batch, rowsOp, colsOp] with an optional transpose.
memory::desc operandDesc(int64_t batch, int64_t rowsOp, int64_t colsOp, bool transposed) {
  const int64_t batchStride = rowsOp * colsOp;
  memory::dims strides = transposed ? memory::dims{batchStride, 1, rowsOp} : memory::dims{batchStride, colsOp, 1};
  return memory::desc({batch, rowsOp, colsOp}, dt::f32, strides);
}

}  // namespace

void matmul(const MatmulShape& s, const float* a, const float* b, const float* bias, float* c, bool relu) {
  const bool hasBias = bias != nullptr;
  MatmulOp& op = matmulOps.get(
      cacheKey("matmul", {s.batchA, s.batchB, s.m, s.n, s.k, s.transposeA, s.transposeB, hasBias, relu}), [&] {
        const int64_t batch = std::max(s.batchA, s.batchB);
        memory::desc aDesc = operandDesc(s.batchA, s.m, s.k, s.transposeA != 0);
        memory::desc bDesc = operandDesc(s.batchB, s.k, s.n, s.transposeB != 0);
        memory::desc cDesc({batch, s.m, s.n}, dt::f32, memory::dims{s.m * s.n, s.n, 1});
        memory::desc biasDesc({1, 1, s.n}, dt::f32, memory::dims{s.n, s.n, 1});
        dnnl::primitive_attr attr;
        if (relu) {
          dnnl::post_ops ops;
          ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
          attr.set_post_ops(ops);
        }
        auto desc = hasBias ? dnnl::matmul::desc(aDesc, bDesc, biasDesc, cDesc) : dnnl::matmul::desc(aDesc, bDesc, cDesc);
        dnnl::matmul::primitive_desc pd(desc, attr, cpuEngine());
        return new MatmulOp{dnnl::matmul(pd), memory(aDesc, cpuEngine(), DNNL_MEMORY_NONE),
                            memory(bDesc, cpuEngine(), DNNL_MEMORY_NONE),
                            memory(biasDesc, cpuEngine(), DNNL_MEMORY_NONE),
                            memory(cDesc, cpuEngine(), DNNL_MEMORY_NONE)};
      });
  op.a.set_data_handle(const_cast<float*>(a));
  op.b.set_data_handle(const_cast<float*>(b));
  op.c.set_data_handle(c);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, op.a}, {DNNL_ARG_WEIGHTS, op.b}, {DNNL_ARG_DST, op.c}};
  if (hasBias) {
    op.bias.set_data_handle(const_cast<float*>(bias));
    args[DNNL_ARG_BIAS] = op.bias;
  }
  op.primitive.execute(cpuStream(), args);
  cpuStream().wait();
}

}  // namespace optocnn
