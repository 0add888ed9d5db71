#pragma once
#include <cstdint>
#include <vector>

namespace optocnn {

// One tensor of a concat or split along an axis, seen as [outer, width] with width = axis size * inner.
struct AxisPiece {
  float* data;
  int64_t width;
};

// Concat (pieces -> whole) or SplitV (whole -> pieces) along one axis; whole is [outer, sum of widths].
void joinAlongAxis(std::vector<AxisPiece>& pieces, float* whole, int64_t outer, bool split);

// Nearest-neighbour resize of NHWC images with precomputed source rows and columns; the gradient
// scatters dy back onto those sources (dx is overwritten).
struct ResizeShape {
  int64_t batch, inHeight, inWidth, channels, outHeight, outWidth;
};
void resizeNearest(const ResizeShape& s, const int32_t* sourceRow, const int32_t* sourceCol, const float* x, float* y);
void resizeNearestGrad(const ResizeShape& s, const int32_t* sourceRow, const int32_t* sourceCol, const float* dy, float* dx);

// Sum of a row-major [outer, inner] array over outer (-> inner values) or over inner (-> outer values).
void sumOuter(const float* x, int64_t outer, int64_t inner, float* y);
void sumInner(const float* x, int64_t outer, int64_t inner, float* y);

}  // namespace optocnn
