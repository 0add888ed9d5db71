// A forward convolution as one matrix product per output row, for the shapes oneDNN 2.6 only has its
// reference kernel for. On AVX2 CPUs those include the sensor formation's effective kernels (127 x 127
// over a 64 x 64 image, src/dko/sensor-formation.ts): 31 s per batch of 16 on the reference kernel.
//
// Each image's input is unrolled once into R[ox][iy][kx][c] = x[iy][ox * strideWidth - padLeft + kx][c]
// (0 outside the image). Output row oy is the sum over filter rows ky of R[.][oy * strideHeight - padTop
// + ky][.][.] times filter[ky][.][.][.]; the filter rows that land inside the image are contiguous both
// in R (for each ox) and in the HWIO filter, so the row is one product [outWidth x K] [K x outChannels],
// K = (filter rows inside) * filterWidth * inChannels, with R read in place at a row stride. Rows of
// padding are skipped; padded columns are zeros in R.
#include "conv_by_rows.h"

#include <dnnl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace optocnn {

bool convByRowsCovers(const ConvShape& s) { return s.dilationHeight == 1 && s.dilationWidth == 1; }

namespace {

// R for image n (see the header comment): outWidth blocks of inHeight x filterWidth x inChannels.
void unrollImage(const ConvShape& s, const float* image, float* unrolled) {
  const int64_t tap = s.filterWidth * s.inChannels, block = s.inHeight * tap;
#pragma omp for schedule(static)
  for (int64_t ox = 0; ox < s.outWidth; ++ox) {
    const int64_t ix0 = ox * s.strideWidth - s.padLeft;
    // The filter columns kx whose input column ix0 + kx lies inside the image.
    const int64_t kx0 = std::max<int64_t>(0, -ix0), kx1 = std::min<int64_t>(s.filterWidth, s.inWidth - ix0);
    for (int64_t iy = 0; iy < s.inHeight; ++iy) {
      float* row = unrolled + ox * block + iy * tap;
      if (kx1 <= kx0) {
        std::memset(row, 0, sizeof(float) * tap);
        continue;
      }
      std::memset(row, 0, sizeof(float) * kx0 * s.inChannels);
      std::memcpy(row + kx0 * s.inChannels, image + (iy * s.inWidth + ix0 + kx0) * s.inChannels, sizeof(float) * (kx1 - kx0) * s.inChannels);
      std::memset(row + kx1 * s.inChannels, 0, sizeof(float) * (s.filterWidth - kx1) * s.inChannels);
    }
  }
}

void biasAndActivation(float* values, int64_t pixels, int64_t channels, const float* bias, Activation activation) {
  for (int64_t p = 0; p < pixels; ++p) {
    float* pixel = values + p * channels;
    for (int64_t c = 0; c < channels; ++c) {
      float v = pixel[c] + (bias != nullptr ? bias[c] : 0.f);
      if (activation == Activation::Relu) v = v > 0.f ? v : 0.f;
      if (activation == Activation::Elu) v = v > 0.f ? v : std::expm1(v);
      pixel[c] = v;
    }
  }
}

}  // namespace

void convForwardByRows(const ConvShape& s, const float* x, const float* filter, const float* bias, float* y, Activation activation) {
  if (!convByRowsCovers(s)) throw std::invalid_argument("convForwardByRows: dilated convolutions are not covered");
  const int64_t tap = s.filterWidth * s.inChannels, block = s.inHeight * tap;
  const int64_t outRow = s.outWidth * s.outChannels;
  std::vector<float> unrolled(static_cast<size_t>(s.outWidth * block));
  bool failed = false;  // an exception must not leave a parallel region
  for (int64_t n = 0; n < s.batch; ++n) {
    const float* image = x + n * s.inHeight * s.inWidth * s.inChannels;
#pragma omp parallel
    {
      unrollImage(s, image, unrolled.data());  // its omp for ends with a barrier
#pragma omp for schedule(dynamic)
      for (int64_t oy = 0; oy < s.outHeight; ++oy) {
        const int64_t iy0 = oy * s.strideHeight - s.padTop;
        const int64_t ky0 = std::max<int64_t>(0, -iy0), ky1 = std::min<int64_t>(s.filterHeight, s.inHeight - iy0);
        float* out = y + (n * s.outHeight + oy) * outRow;
        if (ky1 <= ky0) {
          std::fill(out, out + outRow, 0.f);
        } else if (dnnl_sgemm('N', 'N', s.outWidth, s.outChannels, (ky1 - ky0) * tap, 1.f, unrolled.data() + (iy0 + ky0) * tap,
                              block, filter + ky0 * tap * s.outChannels, s.outChannels, 0.f, out, s.outChannels) != dnnl_success) {
#pragma omp atomic write
          failed = true;
        }
        if (bias != nullptr || activation != Activation::Linear) biasAndActivation(out, s.outWidth, s.outChannels, bias, activation);
      }
    }
    if (failed) throw std::runtime_error("convForwardByRows: dnnl_sgemm failed");
  }
}

}  // namespace optocnn
