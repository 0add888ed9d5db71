#pragma once
#include <cstdint>

#include "complex_gemm.h"
#include "optimizer.h"

namespace optocnn {

// The tiled window transform fused with the phase metasurface on both sides: square size x size phase
// planes (item b at b * stride, row-major) cut into tiles by the same bands along rows and columns
// (bandStarts holds bands + 1 increasing values from 0 to size); window planes S x S (S = samples, item b
// at b * windowStride, row-major). Per item, window = sum over tiles t of Ey_t u_t Ex_t^T, where u_t is
// the field weight . exp(i phase) on the tile and Ex_t, Ey_t its S x K window matrices. Each (item, row
// band) makes its tiles' fields in cache and multiplies them there, then the products by Ey_t while they
// are still in cache, so neither a field nor a half product is ever stored; the adjoint does the same
// from the window's gradient G2 and makes u again for the phase gradient.
//
// transforms: per tile (i, j) in row-major order, with K the width of band j and S = samples, the three
// real blocks of a complex product done as three real ones: forward Re Ex^T, Im Ex^T, Re Ex^T + Im Ex^T
// (K x S each), adjoint Re Ex, -Im Ex, Re Ex - Im Ex (S x K each): 3 K S values, so tile (i, j) starts
// at 3 S (i size + bandStarts[j]). The bands are shared, so Ey of tile (i, j) is Ex of tile (j, i).
struct PhaseWindowShape {
  int64_t batch, size, stride, bands, samples, windowStride;
  const int32_t* bandStarts;
};

void phaseWindowForward(const PhaseWindowShape& s, const float* phase, PlanarMatrix weight, const float* transforms,
                        PlanarMatrix window);

// What the adjoint does with dL/dphase = Im(G conj(u)), G = Ey^H G2 conj(Ex) per tile: writes it to `gradient`
// (row-major like phase), or, when gradient is null, takes one Adam(W) step on phase in place with the
// moments m, v (laid out like phase). itemFlags (batch values, or null: all 1): bit 1 = the item is
// trained (else its gradient counts as 0), bit 2 = copy its phase to `best` before the step.
struct PhaseUpdate {
  float* gradient;
  float *m, *v;
  AdamHyper hyper;
  const int32_t* itemFlags;
  float* best;
};

constexpr int32_t kPhaseItemTrained = 1, kPhaseItemKeepBest = 2;

void phaseWindowAdjoint(const PhaseWindowShape& s, float* phase, PlanarMatrix weight, const float* transforms,
                        PlanarMatrix window, const PhaseUpdate& update);

// Seconds the x-side tile products of both directions take alone (no field, no scatter, cache-resident
// operands), threaded as the transforms run them: the compute floor of the fused passes, for benchmarks.
double phaseWindowProductSeconds(const PhaseWindowShape& s, const float* transforms);

}  // namespace optocnn
