#include "upsample_concat.h"

#include <cstring>

namespace optocnn {

void upsampleConcat(const UpsampleConcatShape& s, const float* low, const float* skip, float* out) {
  const int64_t lowC = s.lowChannels, skipC = s.skipChannels, outC = lowC + skipC;
  const int64_t height = 2 * s.lowHeight, width = 2 * s.lowWidth;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t row = 0; row < height; ++row) {
      const float* lowRow = low + (n * s.lowHeight + row / 2) * s.lowWidth * lowC;
      const float* skipRow = skip + (n * height + row) * width * skipC;
      float* outRow = out + (n * height + row) * width * outC;
      for (int64_t col = 0; col < width; ++col) {
        std::memcpy(outRow + col * outC, lowRow + (col / 2) * lowC, sizeof(float) * lowC);
        std::memcpy(outRow + col * outC + lowC, skipRow + col * skipC, sizeof(float) * skipC);
      }
    }
  }
}

void upsampleConcatGrad(const UpsampleConcatShape& s, const float* dy, float* dlow, float* dskip) {
  const int64_t lowC = s.lowChannels, skipC = s.skipChannels, outC = lowC + skipC;
  const int64_t height = 2 * s.lowHeight, width = 2 * s.lowWidth;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t lowRow = 0; lowRow < s.lowHeight; ++lowRow) {
      const float* top = dy + (n * height + 2 * lowRow) * width * outC;
      const float* bottom = top + width * outC;
      for (int64_t lowCol = 0; lowCol < s.lowWidth; ++lowCol) {
        const float* a = top + 2 * lowCol * outC;
        const float* b = bottom + 2 * lowCol * outC;
        float* target = dlow + ((n * s.lowHeight + lowRow) * s.lowWidth + lowCol) * lowC;
        for (int64_t ch = 0; ch < lowC; ++ch) target[ch] = (a[ch] + a[outC + ch]) + (b[ch] + b[outC + ch]);
      }
      for (int64_t half = 0; half < 2; ++half) {
        const int64_t row = 2 * lowRow + half;
        const float* source = dy + (n * height + row) * width * outC + lowC;
        float* target = dskip + (n * height + row) * width * skipC;
        for (int64_t col = 0; col < width; ++col) std::memcpy(target + col * skipC, source + col * outC, sizeof(float) * skipC);
      }
    }
  }
}

}  // namespace optocnn
