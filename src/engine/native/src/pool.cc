// Max pooling and its gradient as plain loops: memory-bound, vectorised over the channel axis and
// threaded over the batch (windows of one image may overlap, images never do).
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

}  // namespace

void maxPool(const PoolShape& s, const float* x, float* y) {
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
