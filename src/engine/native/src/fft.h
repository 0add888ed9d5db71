#pragma once
#include <cstdint>

namespace optocnn {

// In-place 2-D DFT of `batch` contiguous planar rows x cols planes. Forward: exp(-i..), unnormalised;
// inverse: exp(+i..) scaled by 1/(rows*cols).
void fft2d(float* re, float* im, int64_t batch, int64_t rows, int64_t cols, bool inverse);

}  // namespace optocnn
