// Memory-bound kernels that a training step spends much of its time in on the single-threaded wasm
// backend (concat of skips and its split-gradient, upsampling and its gradient, bias-gradient sums).
#include "data_movement.h"

#include <algorithm>
#include <cstring>

#include "row_sums.h"

namespace optocnn {

void joinAlongAxis(std::vector<AxisPiece>& pieces, float* whole, int64_t outer, bool split) {
  int64_t total = 0;
  std::vector<int64_t> starts;
  for (const AxisPiece& p : pieces) {
    starts.push_back(total);
    total += p.width;
  }
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < pieces.size(); ++i) {
      float* row = whole + o * total + starts[i];
      float* part = pieces[i].data + o * pieces[i].width;
      if (split) {
        std::memcpy(part, row, sizeof(float) * pieces[i].width);
      } else {
        std::memcpy(row, part, sizeof(float) * pieces[i].width);
      }
    }
  }
}

void resizeNearest(const ResizeShape& s, const int32_t* sourceRow, const int32_t* sourceCol, const float* x, float* y) {
  const int64_t c = s.channels;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t r = 0; r < s.outHeight; ++r) {
      const float* in = x + (n * s.inHeight + sourceRow[r]) * s.inWidth * c;
      float* out = y + (n * s.outHeight + r) * s.outWidth * c;
      for (int64_t col = 0; col < s.outWidth; ++col) std::memcpy(out + col * c, in + sourceCol[col] * c, sizeof(float) * c);
    }
  }
}

void resizeNearestGrad(const ResizeShape& s, const int32_t* sourceRow, const int32_t* sourceCol, const float* dy, float* dx) {
  const int64_t c = s.channels;
  // Images never share sources, so threads split the batch (or the channels of a single image).
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < s.batch; ++n) {
    float* image = dx + n * s.inHeight * s.inWidth * c;
    std::memset(image, 0, sizeof(float) * s.inHeight * s.inWidth * c);
    for (int64_t r = 0; r < s.outHeight; ++r) {
      const float* g = dy + (n * s.outHeight + r) * s.outWidth * c;
      float* row = image + sourceRow[r] * s.inWidth * c;
      for (int64_t col = 0; col < s.outWidth; ++col) {
        float* target = row + sourceCol[col] * c;
        const float* source = g + col * c;
        for (int64_t ch = 0; ch < c; ++ch) target[ch] += source[ch];
      }
    }
  }
}

void sumOuter(const float* x, int64_t outer, int64_t inner, float* y) {
  sumOverRows(outer, inner, y, [&](int64_t o, double* __restrict acc) {
    const float* row = x + o * inner;
    for (int64_t i = 0; i < inner; ++i) acc[i] += row[i];
  });
}

void sumInner(const float* x, int64_t outer, int64_t inner, float* y) {
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < outer; ++o) {
    const float* row = x + o * inner;
    double total = 0.0;
    for (int64_t i = 0; i < inner; ++i) total += row[i];
    y[o] = static_cast<float>(total);
  }
}

}  // namespace optocnn
