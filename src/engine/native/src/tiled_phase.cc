// Fused input passes of the tiled window transform: the phase metasurface's transmission times the
// operator's diagonal weight, written straight into the tile layout the products read densely, and the
// phase gradient read back from it. Each replaces three passes over the fields (phasor, weight, tile
// packing; unpacking, conjugate weight, gradient).
#include "tiled_phase.h"

#include <cmath>

#include "unit_phasor.h"

namespace optocnn {

namespace {

// Tile-layout offset of row `row` of band r (rows [start_r, start_r + rows_r)) and column band c.
struct RowBand {
  int64_t start, rows;
};

RowBand bandOf(const TiledPlaneShape& s, int64_t row) {
  int64_t r = 0;
  while (s.bandStarts[r + 1] <= row) ++r;
  return {s.bandStarts[r], s.bandStarts[r + 1] - s.bandStarts[r]};
}

constexpr int64_t kParallelMin = 1 << 15;

}  // namespace

void tiledPhasor(const TiledPlaneShape& s, const float* phase, PlanarMatrix weight, PlanarMatrix out) {
  const int64_t N = s.size;
#pragma omp parallel for collapse(2) schedule(static) if (s.batch * N * N >= kParallelMin)
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t row = 0; row < N; ++row) {
      const RowBand band = bandOf(s, row);
      const float* x = phase + b * s.stride + row * N;
      for (int64_t c = 0; c < s.bands; ++c) {
        const int64_t from = s.bandStarts[c], cols = s.bandStarts[c + 1] - from;
        const int64_t base = b * s.stride + band.start * N + band.rows * from + (row - band.start) * cols;
        float* re = out.re + base;
        float* im = out.im + base;
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
      const RowBand band = bandOf(s, row);
      float* o = out + b * s.stride + row * N;
      for (int64_t c = 0; c < s.bands; ++c) {
        const int64_t from = s.bandStarts[c], cols = s.bandStarts[c + 1] - from;
        const int64_t base = b * s.stride + band.start * N + band.rows * from + (row - band.start) * cols;
        const float *gr = gradient.re + base, *gi = gradient.im + base, *ur = field.re + base, *ui = field.im + base;
#pragma omp simd
        for (int64_t j = 0; j < cols; ++j) o[from + j] = gi[j] * ur[j] - gr[j] * ui[j];
      }
    }
  }
}

}  // namespace optocnn
