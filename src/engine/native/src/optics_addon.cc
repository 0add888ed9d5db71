// N-API entry points of the optics transforms: batched 2-D FFTs, padded convolutions, unit phasors,
// products with a broadcast plane and complex matrix products on Float32Array operands (planar complex:
// separate real and imaginary arrays).
#include "optics_addon.h"

#include <algorithm>

#include "adam_args.h"
#include "complex_gemm.h"
#include "fft.h"
#include "napi_args.h"
#include "padded_convolution.h"
#include "plane_product.h"
#include "phase_window.h"
#include "unit_phasor.h"

namespace optocnn {
namespace {

constexpr const char* kFlag = "0 (no) or 1 (yes)";

// (re, im, batch, rows, cols, inverse): batch planes of rows x cols, transformed in place.
void Fft2d(const Args& args) {
  const int64_t batch = args.integer(2, "batch", 0);
  const int64_t rows = args.integer(3, "rows", 1);
  const int64_t cols = args.integer(4, "cols", 1);
  const bool inverse = args.boolean(5, "inverse");
  const int64_t count = elementCount({batch, rows, cols});
  float* re = args.floatArray(0, "re", count);
  float* im = args.floatArray(1, "im", count);
  fft2d(re, im, batch, rows, cols, inverse);
}

const Field kPaddedConvolutionFields[] = {{"batch", 1}, {"size", 1}, {"paddedSize", 1}, {"kernelCount", 1}, {"conjugate", 0, 1, kFlag}};

// (shape, input.re, input.im, output.re, output.im, kernels.re, kernels.im, kernelOf)
void PaddedConvolution(const Args& args) {
  const int32_t* f = args.shape(0, "shape", kPaddedConvolutionFields);
  const PaddedConvolutionShape shape{f[0], f[1], f[2], f[3], f[4] != 0};
  if (shape.paddedSize < shape.size) {
    args.rangeError(Args::argument(0, "shape") + ": paddedSize " + std::to_string(shape.paddedSize) +
                    " must be >= size " + std::to_string(shape.size));
  }
  const int64_t fields = elementCount({shape.batch, shape.size, shape.size});
  const int64_t kernels = elementCount({shape.kernelCount, shape.paddedSize, shape.paddedSize});
  const float* inRe = args.floatArray(1, "input.re", fields);
  const float* inIm = args.floatArray(2, "input.im", fields);
  float* outRe = args.floatArray(3, "output.re", fields);
  float* outIm = args.floatArray(4, "output.im", fields);
  const float* kernelRe = args.floatArray(5, "kernels.re", kernels);
  const float* kernelIm = args.floatArray(6, "kernels.im", kernels);
  const int32_t* kernelOf = args.int32Array(7, "kernelOf", shape.batch);
  for (int64_t b = 0; b < shape.batch; ++b) {
    if (kernelOf[b] < 0 || kernelOf[b] >= shape.kernelCount) {
      args.rangeError(Args::argument(7, "kernelOf") + "[" + std::to_string(b) + "] must be in [0, " +
                      std::to_string(shape.kernelCount) + "), got " + std::to_string(kernelOf[b]));
    }
  }
  paddedConvolution(shape, inRe, inIm, outRe, outIm, kernelRe, kernelIm, kernelOf);
}

// (phase, out.re, out.im)
void UnitPhasor(const Args& args) {
  const int64_t count = args.floatArrayLength(0, "phase");
  const float* phase = args.floatArray(0, "phase", count);
  unitPhasor(phase, args.floatArray(1, "out.re", count), args.floatArray(2, "out.im", count), count);
}

// Elements an operand spans: the last batch's start plus one matrix.
int64_t span(int64_t batch, int64_t stride, int64_t matrix) { return (batch - 1) * stride + matrix; }

constexpr const char* kMatrixOps = "0 (N), 1 (T) or 2 (C)";
const Field kComplexGemmFields[] = {{"m", 1},          {"n", 1},       {"k", 1},       {"opA", 0, 2, kMatrixOps},
                                    {"opB", 0, 2, kMatrixOps}, {"batch", 1}, {"strideA", 0}, {"strideB", 0},
                                    {"strideC", 0},    {"accumulate", 0, 1, kFlag}, {"lda", 0}, {"ldc", 0}};
static_assert(sizeof(kComplexGemmFields) / sizeof(Field) == ComplexGemmShape::kFields, "one entry per field");

// (shape, a.re, a.im, b.re, b.im, c.re, c.im)
void ComplexGemm(const Args& args) {
  const int32_t* f = args.shape(0, "shape", kComplexGemmFields);
  const ComplexGemmShape s{f[0], f[1], f[2], MatrixOp(f[3]), MatrixOp(f[4]), f[5], f[6], f[7], f[8], f[9] != 0, f[10], f[11]};
  const int64_t lda = s.rowStrideA(), ldc = s.rowStrideC();
  const int64_t storedRowsA = s.opA == MatrixOp::None ? s.m : s.k;
  if (lda < s.storedColsA()) {
    args.rangeError(Args::argument(0, "shape") + " field 10 (lda) must be 0 or >= the stored A's " +
                    std::to_string(s.storedColsA()) + " columns, got " + std::to_string(lda));
  }
  if (ldc < s.n) {
    args.rangeError(Args::argument(0, "shape") + " field 11 (ldc) must be 0 or >= n = " + std::to_string(s.n) +
                    ", got " + std::to_string(ldc));
  }
  // The products write their outputs in parallel, and complexGemm reads a zero strideC as m ldc.
  const int64_t matrixC = (s.m - 1) * ldc + s.n;
  if (s.batch > 1 && s.strideC < matrixC) {
    args.rangeError(Args::argument(0, "shape") + " field 8 (strideC) must be >= (m - 1) ldc + n = " + std::to_string(matrixC) +
                    " when batch > 1 (outputs may not overlap), got " + std::to_string(s.strideC));
  }
  const int64_t aLen = span(s.batch, s.strideA, (storedRowsA - 1) * lda + s.storedColsA());
  const int64_t bLen = span(s.batch, s.strideB, s.k * s.n);
  const int64_t cLen = span(s.batch, s.strideC, matrixC);
  PlanarMatrix a{args.floatArray(1, "a.re", aLen), args.floatArray(2, "a.im", aLen)};
  PlanarMatrix b{args.floatArray(3, "b.re", bLen), args.floatArray(4, "b.im", bLen)};
  PlanarMatrix c{args.floatArray(5, "c.re", cLen), args.floatArray(6, "c.im", cLen)};
  complexGemm(s, a, b, c);
}

const Field kPlaneProductFields[] = {{"batch", 1}, {"planeSize", 1}, {"strideX", 0}, {"strideOut", 0}, {"conjugate", 0, 1, kFlag}};

// (shape, x.re, x.im, plane.re, plane.im, out.re, out.im): out_b = x_b . plane (or conj(plane)) for every batch item.
void MultiplyByPlane(const Args& args) {
  const int32_t* f = args.shape(0, "shape", kPlaneProductFields);
  const PlaneProductShape s{f[0], f[1], f[2], f[3], f[4] != 0};
  for (const auto& [field, stride] : {std::pair{"strideX", s.strideX}, std::pair{"strideOut", s.strideOut}}) {
    if (s.batch > 1 && stride < s.planeSize) {
      args.rangeError(Args::argument(0, "shape") + " " + field + " must be >= planeSize = " + std::to_string(s.planeSize) +
                      " when batch > 1, got " + std::to_string(stride));
    }
  }
  const int64_t xLen = span(s.batch, s.strideX, s.planeSize), outLen = span(s.batch, s.strideOut, s.planeSize);
  PlanarMatrix x{args.floatArray(1, "x.re", xLen), args.floatArray(2, "x.im", xLen)};
  PlanarMatrix plane{args.floatArray(3, "plane.re", s.planeSize), args.floatArray(4, "plane.im", s.planeSize)};
  PlanarMatrix out{args.floatArray(5, "out.re", outLen), args.floatArray(6, "out.im", outLen)};
  multiplyByPlane(s, x, plane, out);
}

const Field kPhaseWindowFields[] = {{"batch", 1}, {"size", 1}, {"stride", 0}, {"bands", 1}, {"samples", 1}, {"windowStride", 0}, {"rank", 0}};

// The shape (batch, size, stride, bands, samples, windowStride, rank) and band starts of a phase-window call,
// checked: bands + 1 increasing starts from 0 to size, and items (phase planes and windows) that do not overlap.
PhaseWindowShape phaseWindowShape(const Args& args) {
  const int32_t* f = args.shape(0, "shape", kPhaseWindowFields);
  const PhaseWindowShape s{f[0], f[1], f[2], f[3], f[4], f[5], f[6], args.int32Array(1, "bandStarts", int64_t(f[3]) + 1)};
  if (s.bandStarts[0] != 0 || s.bandStarts[s.bands] != s.size) {
    args.rangeError(Args::argument(1, "bandStarts") + " must run from 0 to size = " + std::to_string(s.size));
  }
  for (int64_t i = 0; i < s.bands; ++i) {
    if (s.bandStarts[i + 1] <= s.bandStarts[i]) args.rangeError(Args::argument(1, "bandStarts") + " must increase");
  }
  if (s.batch > 1 && s.stride < s.size * s.size) {
    args.rangeError(Args::argument(0, "shape") + " stride must be >= size^2 = " + std::to_string(s.size * s.size) + " when batch > 1");
  }
  if (s.batch > 1 && s.windowStride < s.samples * s.samples) {
    args.rangeError(Args::argument(0, "shape") + " windowStride must be >= samples^2 = " + std::to_string(s.samples * s.samples) + " when batch > 1");
  }
  return s;
}

// The operands both directions share: (shape, bandStarts, phase, weight.re, weight.im, transforms, factors,
// window.re, window.im); empty weight arrays mean weight 1.
struct PhaseWindowOperands {
  PhaseWindowShape shape;
  float* phase;
  PlanarMatrix weight, window;
  const float* transforms;
  const float* factors;
};

PhaseWindowOperands phaseWindowOperands(const Args& args) {
  const PhaseWindowShape s = phaseWindowShape(args);
  const int64_t plane = s.size * s.size, length = span(s.batch, s.stride, plane), windowLength = span(s.batch, s.windowStride, s.samples * s.samples);
  const bool weighted = args.floatArrayLength(3, "weight.re") > 0;
  if (s.rank > s.samples) {
    args.rangeError(Args::argument(0, "shape") + " rank must be from 0 (dense) to samples = " + std::to_string(s.samples));
  }
  return {s,
          args.floatArray(2, "phase", length),
          {weighted ? args.floatArray(3, "weight.re", plane) : nullptr, weighted ? args.floatArray(4, "weight.im", plane) : nullptr},
          {args.floatArray(7, "window.re", windowLength), args.floatArray(8, "window.im", windowLength)},
          args.floatArray(5, "transforms", 3 * s.samples * s.size * s.bands),
          args.floatArray(6, "factors", phaseWindowFactorValues(s))};
}

void PhaseWindowForward(const Args& args) {
  const PhaseWindowOperands o = phaseWindowOperands(args);
  phaseWindowForward(o.shape, o.phase, o.weight, o.transforms, o.factors, o.window);
}

// (the shared operands, itemFlags, gradient, m, v, hyper, best): dL/dphase into gradient, or, with an empty
// gradient, one Adam(W) step on phase in place (hyper = [beta1, beta2, epsilon, stepSize, decay]; best may be
// empty when no item asks for a copy).
void PhaseWindowAdjoint(const Args& args) {
  const PhaseWindowOperands o = phaseWindowOperands(args);
  const int64_t length = span(o.shape.batch, o.shape.stride, o.shape.size * o.shape.size);
  PhaseUpdate update{};
  update.itemFlags = args.int32Array(9, "itemFlags", o.shape.batch);
  if (args.floatArrayLength(10, "gradient") > 0) {
    update.gradient = args.floatArray(10, "gradient", length);
  } else {
    update.m = args.floatArray(11, "m", length);
    update.v = args.floatArray(12, "v", length);
    update.hyper = adamHyper(args, 13);
    const bool keepsBest = std::any_of(update.itemFlags, update.itemFlags + o.shape.batch, [](int32_t f) { return (f & kPhaseItemKeepBest) != 0; });
    if (keepsBest) update.best = args.floatArray(14, "best", length);
  }
  phaseWindowAdjoint(o.shape, o.phase, o.weight, o.transforms, o.factors, o.window, update);
}

// (shape, bandStarts, transforms, seconds): seconds[0] = the tile products alone (see phaseWindowProductSeconds).
void PhaseWindowProductSeconds(const Args& args) {
  const PhaseWindowShape s = phaseWindowShape(args);
  const float* transforms = args.floatArray(2, "transforms", 3 * s.samples * s.size * s.bands);
  Napi::Float64Array seconds = args.float64Array(3, "seconds", 1);
  seconds[0] = phaseWindowProductSeconds(s, transforms);
}

const EntryPoint kEntryPoints[] = {
    {"phaseWindowForward", 9, PhaseWindowForward},
    {"phaseWindowAdjoint", 15, PhaseWindowAdjoint},
    {"phaseWindowProductSeconds", 4, PhaseWindowProductSeconds},
    {"fft2d", 6, Fft2d},
    {"paddedConvolution", 8, PaddedConvolution},
    {"unitPhasor", 3, UnitPhasor},
    {"complexGemm", 7, ComplexGemm},
    {"multiplyByPlane", 7, MultiplyByPlane},
};

}  // namespace

void registerOptics(Napi::Env env, Napi::Object exports) { exportEntryPoints(env, exports, kEntryPoints); }

}  // namespace optocnn
