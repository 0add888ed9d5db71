// N-API entry points of the optics transforms: batched 2-D FFTs, padded convolutions, unit phasors and
// complex matrix products on Float32Array operands (planar complex: separate real and imaginary arrays).
#include "optics_addon.h"

#include "complex_gemm.h"
#include "fft.h"
#include "napi_args.h"
#include "padded_convolution.h"
#include "unit_phasor.h"

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

Napi::Value PaddedConvolution(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int32_t* f = int32Array(info[0], 5, "padded convolution shape");
    const PaddedConvolutionShape shape{f[0], f[1], f[2], f[3], f[4] != 0};
    if (shape.batch < 1 || shape.size < 1 || shape.paddedSize < shape.size || shape.kernelCount < 1) {
      throw Napi::RangeError::New(info.Env(), "padded convolution: need batch, kernels >= 1 and 1 <= size <= paddedSize");
    }
    const int64_t fields = shape.batch * shape.size * shape.size;
    const int64_t kernels = shape.kernelCount * shape.paddedSize * shape.paddedSize;
    const float* inRe = floatArray(info[1], fields, "input.re");
    const float* inIm = floatArray(info[2], fields, "input.im");
    float* outRe = floatArray(info[3], fields, "output.re");
    float* outIm = floatArray(info[4], fields, "output.im");
    const float* kernelRe = floatArray(info[5], kernels, "kernels.re");
    const float* kernelIm = floatArray(info[6], kernels, "kernels.im");
    const int32_t* kernelOf = int32Array(info[7], shape.batch, "kernelOf (one kernel index per batch item)");
    paddedConvolution(shape, inRe, inIm, outRe, outIm, kernelRe, kernelIm, kernelOf);
  });
}

Napi::Value UnitPhasor(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "unitPhasor: phase must be a Float32Array");
    const int64_t count = info[0].As<Napi::TypedArray>().ElementLength();
    const float* phase = floatArray(info[0], count, "phase");
    unitPhasor(phase, floatArray(info[1], count, "out.re"), floatArray(info[2], count, "out.im"), count);
  });
}

// Elements an operand spans: the last batch's start plus one matrix.
int64_t span(int64_t batch, int64_t stride, int64_t matrix) { return (batch - 1) * stride + matrix; }

Napi::Value ComplexGemm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int32_t* f = int32Array(info[0], ComplexGemmShape::kFields, "complex gemm shape");
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
  exports.Set("paddedConvolution", Napi::Function::New(env, PaddedConvolution));
  exports.Set("unitPhasor", Napi::Function::New(env, UnitPhasor));
  exports.Set("complexGemm", Napi::Function::New(env, ComplexGemm));
}

}  // namespace optocnn
