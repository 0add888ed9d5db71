#include "plane_product.h"

#include <algorithm>

namespace optocnn {

namespace {
constexpr int64_t kChunk = int64_t(1) << 15;
}  // namespace

void multiplyByPlane(const PlaneProductShape& s, PlanarMatrix x, PlanarMatrix plane, PlanarMatrix out) {
  const float sign = s.conjugate ? -1.f : 1.f;
  const int64_t chunksPerPlane = (s.planeSize + kChunk - 1) / kChunk;
  // Chunks of every plane, so a batch of one large plane is threaded too.
#pragma omp parallel for schedule(static) if (s.batch * chunksPerPlane > 1)
  for (int64_t task = 0; task < s.batch * chunksPerPlane; ++task) {
    const int64_t b = task / chunksPerPlane;
    const int64_t from = (task % chunksPerPlane) * kChunk;
    const int64_t to = std::min(s.planeSize, from + kChunk);
    const float* xr = x.re + b * s.strideX;
    const float* xi = x.im + b * s.strideX;
    float* outRe = out.re + b * s.strideOut;
    float* outIm = out.im + b * s.strideOut;
#pragma omp simd
    for (int64_t i = from; i < to; ++i) {
      const float pr = plane.re[i], pi = sign * plane.im[i];
      const float ar = xr[i], ai = xi[i];
      outRe[i] = ar * pr - ai * pi;
      outIm[i] = ar * pi + ai * pr;
    }
  }
}

}  // namespace optocnn
