// Max pooling and its gradient as plain loops: memory-bound, vectorised over the channel axis and
// threaded over the batch (windows of one image may overlap, images never do), with a faster path for
// the non-overlapping 2x2 stride-2 case.
#include "pool.h"

#include <cstring>
#include <limits>
#include <vector>

namespace optocnn {

namespace {

// Visits every output pixel of image `n` with the value and flat input pixel index of each channel's max.
template <typename Visit>
void scanWindows(const PoolShape& s, const float* x, int64_t n, std::vector<float>& best, std::vector<int64_t>& where,
                 Visit visit) {
  const int64_t c = s.channels;
  for (int64_t oh = 0; oh < s.outHeight; ++oh) {
    for (int64_t ow = 0; ow < s.outWidth; ++ow) {
      std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
      std::fill(where.begin(), where.end(), int64_t(-1));
      for (int64_t fh = 0; fh < s.filterHeight; ++fh) {
        const int64_t ih = oh * s.strideHeight - s.padTop + fh * s.dilationHeight;
        if (ih < 0 || ih >= s.inHeight) continue;
        for (int64_t fw = 0; fw < s.filterWidth; ++fw) {
          const int64_t iw = ow * s.strideWidth - s.padLeft + fw * s.dilationWidth;
          if (iw < 0 || iw >= s.inWidth) continue;
          const int64_t pixel = (n * s.inHeight + ih) * s.inWidth + iw;
          const float* in = x + pixel * c;
          for (int64_t ch = 0; ch < c; ++ch) {
            if (in[ch] > best[ch] || where[ch] < 0) {
              best[ch] = in[ch];
              where[ch] = pixel;
            }
          }
        }
      }
      visit((n * s.outHeight + oh) * s.outWidth + ow);
    }
  }
}

// The U-Net's pooling (2x2, stride 2, no padding or dilation): windows tile the image without
// overlap, so each output row reads two input rows and the gradient is written, not accumulated.
bool isTiling2x2(const PoolShape& s) {
  return s.filterHeight == 2 && s.filterWidth == 2 && s.strideHeight == 2 && s.strideWidth == 2 && s.dilationHeight == 1 &&
         s.dilationWidth == 1 && s.padTop == 0 && s.padLeft == 0 && s.outHeight == s.inHeight / 2 && s.outWidth == s.inWidth / 2;
}

// Visits the four window cells in tfjs' scan order (row by row); ties keep the earlier cell.
struct Window2x2 {
  const float* cell[4];
  Window2x2(const PoolShape& s, const float* x, int64_t n, int64_t oh, int64_t ow) {
    const int64_t c = s.channels;
    cell[0] = x + ((n * s.inHeight + 2 * oh) * s.inWidth + 2 * ow) * c;
    cell[1] = cell[0] + c;
    cell[2] = cell[0] + s.inWidth * c;
    cell[3] = cell[2] + c;
  }
};

void maxPool2x2(const PoolShape& s, const float* x, float* y) {
  const int64_t c = s.channels;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t oh = 0; oh < s.outHeight; ++oh) {
      for (int64_t ow = 0; ow < s.outWidth; ++ow) {
        const Window2x2 w(s, x, n, oh, ow);
        float* out = y + ((n * s.outHeight + oh) * s.outWidth + ow) * c;
        for (int64_t ch = 0; ch < c; ++ch) {
          float best = w.cell[0][ch];
          for (int k = 1; k < 4; ++k) best = w.cell[k][ch] > best ? w.cell[k][ch] : best;
          out[ch] = best;
        }
      }
    }
  }
}

// One 2x2 window's gradient over its channels. The forward scan lets a later cell win only when
// strictly larger; the gradient goes to the last cell that won and what is left passes down. Written as
// selects on restrict pointers (cells and targets never overlap within a channel run) so it vectorises.
void routeWindowGradient(const float* __restrict c0, const float* __restrict c1, const float* __restrict c2,
                         const float* __restrict c3, const float* __restrict g, float* __restrict t0,
                         float* __restrict t1, float* __restrict t2, float* __restrict t3, int64_t channels) {
  for (int64_t ch = 0; ch < channels; ++ch) {
    const float a0 = c0[ch], a1 = c1[ch], a2 = c2[ch], a3 = c3[ch], grad = g[ch];
    const float best01 = a1 > a0 ? a1 : a0;
    const float best012 = a2 > best01 ? a2 : best01;
    const float after3 = a3 > best012 ? 0.f : grad;
    const float after2 = a2 > best01 ? 0.f : after3;
    t3[ch] = a3 > best012 ? grad : 0.f;
    t2[ch] = a2 > best01 ? after3 : 0.f;
    t1[ch] = a1 > a0 ? after2 : 0.f;
    t0[ch] = a1 > a0 ? 0.f : after2;
  }
}

void maxPoolGrad2x2(const PoolShape& s, const float* x, const float* dy, float* dx) {
  const int64_t c = s.channels;
  // With an odd height or width the last row or column is in no window and gets no gradient.
  if (s.inHeight % 2 != 0 || s.inWidth % 2 != 0) std::memset(dx, 0, sizeof(float) * s.batch * s.inHeight * s.inWidth * c);
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t oh = 0; oh < s.outHeight; ++oh) {
      for (int64_t ow = 0; ow < s.outWidth; ++ow) {
        const Window2x2 w(s, x, n, oh, ow);
        const float* g = dy + ((n * s.outHeight + oh) * s.outWidth + ow) * c;
        routeWindowGradient(w.cell[0], w.cell[1], w.cell[2], w.cell[3], g, dx + (w.cell[0] - x), dx + (w.cell[1] - x),
                            dx + (w.cell[2] - x), dx + (w.cell[3] - x), c);
      }
    }
  }
}

}  // namespace

void maxPool(const PoolShape& s, const float* x, float* y) {
  if (isTiling2x2(s)) return maxPool2x2(s, x, y);
#pragma omp parallel
  {
    std::vector<float> best(s.channels);
    std::vector<int64_t> where(s.channels);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < s.batch; ++n) {
      scanWindows(s, x, n, best, where, [&](int64_t outPixel) {
        std::memcpy(y + outPixel * s.channels, best.data(), sizeof(float) * s.channels);
      });
    }
  }
}

void maxPoolGrad(const PoolShape& s, const float* x, const float* dy, float* dx) {
  if (isTiling2x2(s)) return maxPoolGrad2x2(s, x, dy, dx);
  const int64_t imageSize = s.inHeight * s.inWidth * s.channels;
#pragma omp parallel
  {
    std::vector<float> best(s.channels);
    std::vector<int64_t> where(s.channels);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < s.batch; ++n) {
      std::memset(dx + n * imageSize, 0, sizeof(float) * imageSize);
      scanWindows(s, x, n, best, where, [&](int64_t outPixel) {
        const float* g = dy + outPixel * s.channels;
        for (int64_t ch = 0; ch < s.channels; ++ch) {
          if (where[ch] >= 0) dx[where[ch] * s.channels + ch] += g[ch];
        }
      });
    }
  }
}

}  // namespace optocnn
