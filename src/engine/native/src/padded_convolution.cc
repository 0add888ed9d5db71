// The padded convolution of the angular-spectrum and Fresnel transfer-function propagators as one pass
// per field, so the P x P padded planes never exist: only the N rows of the padded plane that hold the
// field are transformed forward (the others are zero) and only the N rows and columns kept by the crop
// are transformed back, 25 % fewer line transforms than two full 2-D FFTs. The column transform,
// kernel product and inverse column transform run on one block of kLanes columns while it sits in
// cache. An N x P intermediate per thread holds the row-transformed field between the passes.
#include "padded_convolution.h"

#include <omp.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "fft_lines.h"

namespace optocnn {

namespace {

struct Plane {
  explicit Plane(int64_t count) : re(new float[count]), im(new float[count]) {}
  std::unique_ptr<float[]> re, im;
};

struct Workspace {
  explicit Workspace(int64_t length) : data(length), scratch(length) {}
  LaneBuffer data, scratch;
  LaneBlock other(LaneBlock used) { return used.re == data.block().re ? scratch.block() : data.block(); }
};

// The kernels in the lane layout of the column pass, one block of kLanes columns after another, scaled
// by 1/P^2 (the inverse DFT's factor) and conjugated for the adjoint: the product then streams them.
class LaneKernels {
 public:
  LaneKernels(int64_t count, int64_t paddedSize)
      : p_(paddedSize), blocks_((paddedSize + kLanes - 1) / kLanes), tasks_(count * blocks_), lanes_(tasks_ * paddedSize) {}

  int64_t tasks() const { return tasks_; }

  // Lays out block `task` (kernel task / blocks, column block task % blocks) of the row-major kernels.
  void fill(int64_t task, const float* kernelRe, const float* kernelIm, bool conjugate) {
    const int64_t kernel = task / blocks_, c0 = (task % blocks_) * kLanes, lines = std::min(kLanes, p_ - c0);
    const float scale = 1.0f / float(p_ * p_), sign = conjugate ? -scale : scale;
    LaneBlock out = block(kernel, task % blocks_);
    for (int64_t k = 0; k < p_; ++k) {
      const int64_t row = (kernel * p_ + k) * p_ + c0;
      for (int64_t l = 0; l < kLanes; ++l) {
        out.re[k * kLanes + l] = l < lines ? scale * kernelRe[row + l] : 0.0f;
        out.im[k * kLanes + l] = l < lines ? sign * kernelIm[row + l] : 0.0f;
      }
    }
  }

  LaneBlock block(int64_t kernel, int64_t block) {
    const int64_t at = (kernel * blocks_ + block) * p_ * kLanes;
    return {lanes_.block().re + at, lanes_.block().im + at};
  }

 private:
  int64_t p_, blocks_, tasks_;
  LaneBuffer lanes_;
};

class Convolution {
 public:
  explicit Convolution(const PaddedConvolutionShape& shape)
      : fft_(LineFft::forLength(shape.paddedSize)),
        n_(shape.size),
        p_(shape.paddedSize),
        offset_(shape.paddedSize / 2 - shape.size / 2) {}

  int64_t rowBlocks() const { return (n_ + kLanes - 1) / kLanes; }
  int64_t columnBlocks() const { return (p_ + kLanes - 1) / kLanes; }

  // Rows r0.. of the field, zero-padded to P and transformed, into the same rows of the intermediate.
  void forwardRows(const float* inRe, const float* inIm, Plane& t, int64_t block, Workspace& w) const {
    const int64_t r0 = block * kLanes, lines = std::min(kLanes, n_ - r0);
    LaneBlock data = w.data.block();
    padOutside(data);
    loadRows(inRe + r0 * n_, n_, lines, n_, data.re, offset_);
    loadRows(inIm + r0 * n_, n_, lines, n_, data.im, offset_);
    const LaneBlock result = fft_.run(data, w.scratch.block(), false);
    storeRows(result.re, 0, t.re.get() + r0 * p_, p_, lines, p_);
    storeRows(result.im, 0, t.im.get() + r0 * p_, p_, lines, p_);
  }

  // Columns c0.. of the intermediate (rows offset.. of the padded plane, zero elsewhere): transform,
  // kernel product, inverse transform, and back into the intermediate the N rows the crop keeps.
  void columns(Plane& t, LaneKernels& kernels, int64_t kernel, int64_t block, Workspace& w) const {
    const int64_t c0 = block * kLanes, lines = std::min(kLanes, p_ - c0);
    LaneBlock data = w.data.block();
    padOutside(data);
    loadColumns(t.re.get() + c0, p_, lines, n_, data.re, offset_);
    loadColumns(t.im.get() + c0, p_, lines, n_, data.im, offset_);
    const LaneBlock spectrum = fft_.run(data, w.scratch.block(), false);
    multiplyKernel(spectrum, kernels.block(kernel, block));
    const LaneBlock result = fft_.run(spectrum, w.other(spectrum), true);
    storeColumns(result.re, offset_, t.re.get() + c0, p_, lines, n_, 1.0f);
    storeColumns(result.im, offset_, t.im.get() + c0, p_, lines, n_, 1.0f);
  }

  // Rows r0.. of the intermediate transformed back; the centred N samples of each go to the output.
  void inverseRows(const Plane& t, float* outRe, float* outIm, int64_t block, Workspace& w) const {
    const int64_t r0 = block * kLanes, lines = std::min(kLanes, n_ - r0);
    LaneBlock data = w.data.block();
    loadRows(t.re.get() + r0 * p_, p_, lines, p_, data.re, 0);
    loadRows(t.im.get() + r0 * p_, p_, lines, p_, data.im, 0);
    const LaneBlock result = fft_.run(data, w.scratch.block(), true);
    storeRows(result.re, offset_, outRe + r0 * n_, n_, lines, n_);
    storeRows(result.im, offset_, outIm + r0 * n_, n_, lines, n_);
  }

 private:
  void padOutside(LaneBlock data) const {
    zeroElements(data.re, 0, offset_);
    zeroElements(data.im, 0, offset_);
    zeroElements(data.re, offset_ + n_, p_);
    zeroElements(data.im, offset_ + n_, p_);
  }

  // spectrum *= kernel, both in the lane layout.
  void multiplyKernel(LaneBlock spectrum, LaneBlock kernel) const {
    for (int64_t i = 0; i < p_ * kLanes; ++i) {
      const float ar = spectrum.re[i], ai = spectrum.im[i], br = kernel.re[i], bi = kernel.im[i];
      spectrum.re[i] = ar * br - ai * bi;
      spectrum.im[i] = ar * bi + ai * br;
    }
  }

  const LineFft& fft_;
  int64_t n_, p_, offset_;
};

}  // namespace

void paddedConvolution(const PaddedConvolutionShape& shape, const float* inRe, const float* inIm, float* outRe, float* outIm,
                       const float* kernelRe, const float* kernelIm, const int32_t* kernelOf) {
  const int64_t n = shape.size, p = shape.paddedSize, field = n * n;
  if (n < 1 || p < n) throw std::invalid_argument("padded convolution: need 1 <= size <= paddedSize");
  for (int64_t b = 0; b < shape.batch; ++b) {
    if (kernelOf[b] < 0 || kernelOf[b] >= shape.kernelCount) throw std::invalid_argument("padded convolution: kernelOf out of range");
  }
  const Convolution convolution(shape);
  const int64_t rowBlocks = convolution.rowBlocks(), columnBlocks = convolution.columnBlocks();
  LaneKernels kernels(shape.kernelCount, p);
  // Fewer fields than threads: the threads share each field's blocks (and one intermediate).
  const bool fieldPerThread = shape.batch >= omp_get_max_threads();
  std::unique_ptr<Plane> shared(fieldPerThread ? nullptr : new Plane(n * p));
#pragma omp parallel
  {
    Workspace w(p);
#pragma omp for schedule(static)
    for (int64_t task = 0; task < kernels.tasks(); ++task) kernels.fill(task, kernelRe, kernelIm, shape.conjugate);
    if (fieldPerThread) {
      // One field per thread at a time: no synchronisation, and the intermediate stays in that core's cache.
      Plane t(n * p);
#pragma omp for schedule(dynamic)
      for (int64_t b = 0; b < shape.batch; ++b) {
        for (int64_t block = 0; block < rowBlocks; ++block) convolution.forwardRows(inRe + b * field, inIm + b * field, t, block, w);
        for (int64_t block = 0; block < columnBlocks; ++block) convolution.columns(t, kernels, kernelOf[b], block, w);
        for (int64_t block = 0; block < rowBlocks; ++block) convolution.inverseRows(t, outRe + b * field, outIm + b * field, block, w);
      }
    } else {
      for (int64_t b = 0; b < shape.batch; ++b) {
#pragma omp for schedule(static)
        for (int64_t block = 0; block < rowBlocks; ++block) convolution.forwardRows(inRe + b * field, inIm + b * field, *shared, block, w);
#pragma omp for schedule(static)
        for (int64_t block = 0; block < columnBlocks; ++block) convolution.columns(*shared, kernels, kernelOf[b], block, w);
#pragma omp for schedule(static)
        for (int64_t block = 0; block < rowBlocks; ++block) convolution.inverseRows(*shared, outRe + b * field, outIm + b * field, block, w);
      }
    }
  }
}

}  // namespace optocnn
