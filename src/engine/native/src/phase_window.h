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
// When rank r > 0, every Ex_t is also given as factors P_t Q_t (P_t S x r, Q_t r x K), which the x-side
// products use: u_t Q_t^T is r columns wide where u_t Ex_t^T is S (the matrices' numerical rank can be
// well below S); with rank 0 they use the dense Ex_t.
// All complex products run as three real ones, each operand as the blocks Re, Im and their sum.
//
// transforms: per tile (i, j) in row-major order, with K the width of band j: forward Re Ex^T, Im Ex^T,
// Re Ex^T + Im Ex^T (K x S each), adjoint Re Ex, -Im Ex, Re Ex - Im Ex (S x K each): 3 K S values, so
// tile (i, j) starts at 3 S (i size + bandStarts[j]). The bands are shared, so Ey of tile (i, j) is Ex of
// tile (j, i); the products by Ey read these blocks.
// factors: per tile (i, j), forward the blocks of Q^T (K x r each) then of P (S x r each), adjoint those of
// conj(Q) (r x K each) then of conj(P)^T (r x S each): 3 r (K + S) values, so tile (i, j) starts at
// 3 r (i (size + bands S) + bandStarts[j] + j S).
struct PhaseWindowShape {
  int64_t batch, size, stride, bands, samples, windowStride, rank;
  const int32_t* bandStarts;
};

// Values `factors` holds for shape s.
int64_t phaseWindowFactorValues(const PhaseWindowShape& s);

void phaseWindowForward(const PhaseWindowShape& s, const float* phase, PlanarMatrix weight, const float* transforms,
                        const float* factors, PlanarMatrix window);

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
                        const float* factors, PlanarMatrix window, const PhaseUpdate& update);

// Seconds the x-side tile products of both directions take alone with the dense Ex_t (S columns wide: no
// field, no scatter, cache-resident operands), threaded as the fused passes run: the compute floor of the
// dense transform, which benchmarks compare the step with (rank is not used).
double phaseWindowProductSeconds(const PhaseWindowShape& s, const float* transforms);

}  // namespace optocnn
