// A U-Net decoder join: 2x nearest-neighbour upsampling of the coarse features and concatenation with
// the skip features along channels, in one pass (and its gradient in one pass), instead of a resize
// whose output is copied again by the concat.
#pragma once
#include <cstdint>

namespace optocnn {

// low [batch, lowHeight, lowWidth, lowChannels], skip and out [batch, 2 lowHeight, 2 lowWidth, ...].
struct UpsampleConcatShape {
  int64_t batch, lowHeight, lowWidth, lowChannels, skipChannels;
  static constexpr int kFields = 5;
};

// out[..., :lowChannels] = low at (row / 2, col / 2); out[..., lowChannels:] = skip.
void upsampleConcat(const UpsampleConcatShape& s, const float* low, const float* skip, float* out);
// dlow = dy[..., :lowChannels] summed over each 2x2 block; dskip = dy[..., lowChannels:].
void upsampleConcatGrad(const UpsampleConcatShape& s, const float* dy, float* dlow, float* dskip);

}  // namespace optocnn
