#pragma once
#include <cstdint>

#include "complex_gemm.h"

namespace optocnn {

// out_b = x_b . plane (conj(plane) when conjugate) for b < batch, elementwise over planeSize values;
// item b of x and out starts at b * strideX and b * strideOut. out may be x (same strides).
struct PlaneProductShape {
  int64_t batch, planeSize, strideX, strideOut;
  bool conjugate;
};

void multiplyByPlane(const PlaneProductShape& s, PlanarMatrix x, PlanarMatrix plane, PlanarMatrix out);

}  // namespace optocnn
