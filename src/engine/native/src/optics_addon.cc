// N-API entry points of the optics transforms: batched 2-D FFTs and complex matrix products on
// Float32Array operands (planar complex: separate real and imaginary arrays).
#include "optics_addon.h"

#include "complex_gemm.h"
#include "fft.h"
#include "napi_args.h"

namespace optocnn {
namespace {

Napi::Value Fft2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t batch = info[2].As<Napi::Number>().Int64Value();
    const int64_t rows = info[3].As<Napi::Number>().Int64Value();
    const int64_t cols = info[4].As<Napi::Number>().Int64Value();
    if (batch < 0 || rows < 1 || cols < 1) throw Napi::RangeError::New(info.Env(), "fft2d: batch, rows, cols must be positive");
    float* re = floatArray(info[0], batch * rows * cols, "fft2d re");
    float* im = floatArray(info[1], batch * rows * cols, "fft2d im");
    fft2d(re, im, batch, rows, cols, info[5].ToBoolean());
  });
}

// Elements an operand spans: the last batch's start plus one matrix.
int64_t span(int64_t batch, int64_t stride, int64_t matrix) { return (batch - 1) * stride + matrix; }

Napi::Value ComplexGemm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int32_t* f = shapeFields(info[0], ComplexGemmShape::kFields, "complex gemm shape");
    ComplexGemmShape s{f[0], f[1], f[2], MatrixOp(f[3]), MatrixOp(f[4]), f[5], f[6], f[7], f[8], f[9] != 0};
    if (s.batch < 1 || s.m < 1 || s.n < 1 || s.k < 1) throw Napi::RangeError::New(info.Env(), "complex gemm: empty shape");
    const int64_t aLen = span(s.batch, s.strideA, s.m * s.k), bLen = span(s.batch, s.strideB, s.k * s.n);
    const int64_t cLen = span(s.batch, s.strideC, s.m * s.n);
    PlanarMatrix a{floatArray(info[1], aLen, "a.re"), floatArray(info[2], aLen, "a.im")};
    PlanarMatrix b{floatArray(info[3], bLen, "b.re"), floatArray(info[4], bLen, "b.im")};
    PlanarMatrix c{floatArray(info[5], cLen, "c.re"), floatArray(info[6], cLen, "c.im")};
    complexGemm(s, a, b, c);
  });
}

}  // namespace

void registerOptics(Napi::Env env, Napi::Object exports) {
  exports.Set("fft2d", Napi::Function::New(env, Fft2d));
  exports.Set("complexGemm", Napi::Function::New(env, ComplexGemm));
}

}  // namespace optocnn
