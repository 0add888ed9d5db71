#include "unit_phasor.h"

#include <algorithm>
#include <cmath>

namespace optocnn {

namespace {

// Beyond this |phase| the single-constant reduction loses more than float32 precision.
constexpr double kReductionLimit = 1e6;
constexpr int64_t kChunk = int64_t(1) << 15;

}  // namespace

// Branch-free so that it vectorises (GCC vectorises nearbyint, not floor, under its default
// -ftrapping-math); the rare huge phases are redone after it.
void phasorSpan(const float* phase, float* re, float* im, int64_t count) {
  const double halfPi = M_PI / 2, inverseHalfPi = 2 / M_PI;
#pragma omp simd
  for (int64_t i = 0; i < count; ++i) {
    const double x = phase[i];
    const double k = std::nearbyint(x * inverseHalfPi);
    const double r = x - k * halfPi;
    const double r2 = r * r;
    const double sin = r * (1 + r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362880 - r2 / 39916800)))));
    const double cos = 1 + r2 * (-1.0 / 2 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 + r2 * (-1.0 / 3628800 + r2 / 479001600)))));
    // Rotation by the quadrant k pi / 2: odd k swaps cos and sin, k mod 4 >= 2 flips both signs.
    const int64_t quadrant = static_cast<int64_t>(k) & 3;
    const double odd = double(quadrant & 1), sign = double(1 - (quadrant & 2));
    re[i] = float(sign * (cos - odd * (sin + cos)));
    im[i] = float(sign * (sin + odd * (cos - sin)));
  }
  for (int64_t i = 0; i < count; ++i) {
    if (!(std::fabs(double(phase[i])) < kReductionLimit)) {
      re[i] = float(std::cos(double(phase[i])));
      im[i] = float(std::sin(double(phase[i])));
    }
  }
}

void unitPhasor(const float* phase, float* re, float* im, int64_t count) {
  const int64_t chunks = (count + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int64_t from = chunk * kChunk;
    phasorSpan(phase + from, re + from, im + from, std::min(kChunk, count - from));
  }
}

}  // namespace optocnn
