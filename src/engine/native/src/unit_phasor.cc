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
// -ftrapping-math); the rare huge phases are redone after it. The reduction is Cody-Waite in float32 with
// fused multiply-adds: pi/2 = c1 + c2 + c3 in floats, and x - k c1 is exact (k c1 is a multiple of 2^-23,
// as is x when |x| >= 1, the difference stays below 2 for |k| < 2.8e7, and for |x| < 1 Sterbenz applies),
// so r carries one float32 rounding, as the double-precision reduction it replaced did: 63 of 4.2 M
// random phases came out 1 ulp apart, the worst error 7e-8 for both, at 0.36-0.38 against 0.57-0.60 ns
// a value on a Xeon core. The series on |r| <= pi/4 is float32 (within 7e-8 of cos and sin), and 512-bit
// vectors are asked for because GCC prefers 256-bit ones on these CPUs.
__attribute__((target("prefer-vector-width=512"))) void phasorSpan(const float* phase, float* re, float* im, int64_t count) {
  const float inverseHalfPi = float(2 / M_PI);
  const float c1 = float(M_PI / 2), c2 = float(M_PI / 2 - double(c1)), c3 = float(M_PI / 2 - double(c1) - double(c2));
  int huge = 0;
#pragma omp simd reduction(| : huge)
  for (int64_t i = 0; i < count; ++i) {
    const float x = phase[i];
    huge |= !(std::fabs(x) < float(kReductionLimit));
    const float k = std::nearbyint(x * inverseHalfPi);
    const float r = std::fma(-k, c3, std::fma(-k, c2, std::fma(-k, c1, x)));
    const float r2 = r * r;
    const float sin = r + r * r2 * (-1.0f / 6 + r2 * (1.0f / 120 + r2 * (-1.0f / 5040 + r2 * (1.0f / 362880))));
    const float cos = 1 + r2 * (-1.0f / 2 + r2 * (1.0f / 24 + r2 * (-1.0f / 720 + r2 * (1.0f / 40320 - r2 * (1.0f / 3628800)))));
    // Rotation by the quadrant k pi / 2: odd k swaps cos and sin, k mod 4 >= 2 flips both signs (selected,
    // not blended arithmetically, which would add float32 roundings). k is wrapped to [-2, 2] before its
    // conversion, to 32 bits, and the selects are named: GCC 12 left an earlier form scalar on AVX2.
    const int32_t quadrant = static_cast<int32_t>(k - 4 * std::nearbyint(k * 0.25f)) & 3;
    const float sign = float(1 - (quadrant & 2));
    const bool odd = (quadrant & 1) != 0;
    const float real = odd ? -sin : cos;
    const float imaginary = odd ? cos : sin;
    re[i] = sign * real;
    im[i] = sign * imaginary;
  }
  for (int64_t i = 0; huge && i < count; ++i) {
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
