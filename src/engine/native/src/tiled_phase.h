#pragma once
#include <cstdint>

#include "complex_gemm.h"

namespace optocnn {

// Square size x size planes cut into tiles by the same bands along rows and columns (bandStarts holds
// bands + 1 increasing values from 0 to size) and stored tile after tile, each tile row-major: tile
// (r, c) starts at start_r size + rows_r start_c. Item b of every operand starts at b * stride.
struct TiledPlaneShape {
  int64_t batch, size, stride, bands;
  const int32_t* bandStarts;
};

// u_b = weight . exp(i phase_b) (weight 1 when weight.re is null), phase row-major, u in tile layout.
void tiledPhasor(const TiledPlaneShape& s, const float* phase, PlanarMatrix weight, PlanarMatrix out);

// out_b = Im(G_b conj(u_b)) (dL/dphase of u = weight . exp(i phase) given G = 2 dL/d(conj u)), G and u in
// tile layout, out row-major.
void tiledPhaseGradient(const TiledPlaneShape& s, PlanarMatrix gradient, PlanarMatrix field, float* out);

}  // namespace optocnn
