// Batched 2-D complex FFTs on LineFft (fft_lines.h), threaded with OpenMP over blocks of kLanes lines:
// rows first (moved into the lane layout by small transposes), then columns (already kLanes wide in
// memory, so each element is one contiguous read).
#include "fft.h"

#include <algorithm>

#include "fft_lines.h"

namespace optocnn {

void fft2d(float* re, float* im, int64_t batch, int64_t rows, int64_t cols, bool inverse) {
  const LineFft& rowFft = LineFft::forLength(cols);
  const LineFft& columnFft = LineFft::forLength(rows);
  const float scale = inverse ? 1.0f / static_cast<float>(rows * cols) : 1.0f;
  const int64_t plane = rows * cols;
  const int64_t rowBlocks = (rows + kLanes - 1) / kLanes;
  const int64_t columnBlocks = (cols + kLanes - 1) / kLanes;
#pragma omp parallel
  {
    LaneBuffer data(std::max(rows, cols)), scratch(std::max(rows, cols));
#pragma omp for schedule(static)
    for (int64_t task = 0; task < batch * rowBlocks; ++task) {
      const int64_t r0 = (task % rowBlocks) * kLanes;
      const int64_t lines = std::min(kLanes, rows - r0);
      const int64_t offset = (task / rowBlocks) * plane + r0 * cols;
      loadRows(re + offset, cols, lines, cols, data.block().re, 0);
      loadRows(im + offset, cols, lines, cols, data.block().im, 0);
      const LaneBlock result = rowFft.run(data.block(), scratch.block(), inverse);
      storeRows(result.re, 0, re + offset, cols, lines, cols);
      storeRows(result.im, 0, im + offset, cols, lines, cols);
    }
#pragma omp for schedule(static)
    for (int64_t task = 0; task < batch * columnBlocks; ++task) {
      const int64_t c0 = (task % columnBlocks) * kLanes;
      const int64_t lines = std::min(kLanes, cols - c0);
      const int64_t offset = (task / columnBlocks) * plane + c0;
      loadColumns(re + offset, cols, lines, rows, data.block().re, 0);
      loadColumns(im + offset, cols, lines, rows, data.block().im, 0);
      const LaneBlock result = columnFft.run(data.block(), scratch.block(), inverse);
      storeColumns(result.re, 0, re + offset, cols, lines, rows, scale);
      storeColumns(result.im, 0, im + offset, cols, lines, rows, scale);
    }
  }
}

}  // namespace optocnn
