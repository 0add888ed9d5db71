// Fused input passes of the tiled window transform: the phase metasurface's transmission times the
// operator's diagonal weight, written straight into the tile layout the products read densely, and the
// phase gradient read back from it. Each replaces three passes over the fields (phasor, weight, tile
// packing; unpacking, conjugate weight, gradient).
#include "tiled_phase.h"

#include <cmath>

#include "unit_phasor.h"

namespace optocnn {

namespace {

// Start, in the tile layout of item b, of plane row `row` within column band c, and that band's width.
struct TileRow {
  int64_t offset, cols;
};

TileRow tileRow(const TiledPlaneShape& s, int64_t b, int64_t row, int64_t c) {
  int64_t r = 0;
  while (s.bandStarts[r + 1] <= row) ++r;
  const int64_t start = s.bandStarts[r], rows = s.bandStarts[r + 1] - start;
  const int64_t from = s.bandStarts[c], cols = s.bandStarts[c + 1] - from;
  return {b * s.stride + start * s.size + rows * from + (row - start) * cols, cols};
}

constexpr int64_t kParallelMin = 1 << 15;

}  // namespace

void tiledPhasor(const TiledPlaneShape& s, const float* phase, PlanarMatrix weight, PlanarMatrix out) {
  const int64_t N = s.size;
#pragma omp parallel for collapse(2) schedule(static) if (s.batch * N * N >= kParallelMin)
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t row = 0; row < N; ++row) {
      const float* x = phase + b * s.stride + row * N;
      for (int64_t c = 0; c < s.bands; ++c) {
        const TileRow at = tileRow(s, b, row, c);
        const int64_t from = s.bandStarts[c], cols = at.cols;
        float* re = out.re + at.offset;
        float* im = out.im + at.offset;
        phasorSpan(x + from, re, im, cols);
        if (weight.re == nullptr) continue;
        const float* wr = weight.re + row * N + from;
        const float* wi = weight.im + row * N + from;
#pragma omp simd
        for (int64_t j = 0; j < cols; ++j) {
          const float cr = re[j], ci = im[j];
          re[j] = wr[j] * cr - wi[j] * ci;
          im[j] = wr[j] * ci + wi[j] * cr;
        }
      }
    }
  }
}

void tiledPhaseGradient(const TiledPlaneShape& s, PlanarMatrix gradient, PlanarMatrix field, float* out) {
  const int64_t N = s.size;
#pragma omp parallel for collapse(2) schedule(static) if (s.batch * N * N >= kParallelMin)
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t row = 0; row < N; ++row) {
      float* o = out + b * s.stride + row * N;
      for (int64_t c = 0; c < s.bands; ++c) {
        const TileRow at = tileRow(s, b, row, c);
        const int64_t from = s.bandStarts[c], cols = at.cols;
        const float *gr = gradient.re + at.offset, *gi = gradient.im + at.offset, *ur = field.re + at.offset, *ui = field.im + at.offset;
#pragma omp simd
        for (int64_t j = 0; j < cols; ++j) o[from + j] = gi[j] * ur[j] - gr[j] * ui[j];
      }
    }
  }
}

}  // namespace optocnn
