#pragma once
#include <cstdint>

namespace optocnn {

struct PaddedConvolutionShape {
  int64_t batch;
  int64_t size;        // N: the fields are N x N
  int64_t paddedSize;  // P >= N: the FFT grid
  int64_t kernelCount;
  bool conjugate;      // multiply by conj(kernel): the adjoint
};

// For each item b: zero-pad the centred N x N field to P x P, 2-D DFT, multiply by kernel kernelOf[b]
// (P x P, FFT order; conjugated if asked), inverse DFT (scaled 1/P^2), crop the centred N x N into
// the output. Centres are floor(n / 2) (src/optics/grid.ts). The output may be the input.
void paddedConvolution(const PaddedConvolutionShape& shape, const float* inRe, const float* inIm, float* outRe, float* outIm,
                       const float* kernelRe, const float* kernelIm, const int32_t* kernelOf);

}  // namespace optocnn
