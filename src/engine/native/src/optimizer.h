#pragma once
#include <cstdint>
#include <vector>

namespace optocnn {

struct AdamHyper {
  float beta1, beta2, epsilon;
  // Learning rate with both bias corrections folded in: lr sqrt(1 - beta2^t) / (1 - beta1^t).
  float stepSize;
  // Decoupled weight decay times the learning rate (0 for plain Adam).
  float decay;
};

// One Adam(W) update of `length` weights in a single pass (out-of-place; outputs may alias inputs):
//   m' = b1 m + (1 - b1) g,  v' = b2 v + (1 - b2) g^2,
//   w' = w - stepSize m' / (sqrt(v') + eps) - decay w.
void adamUpdate(const AdamHyper& h, int64_t length, const float* w, const float* m, const float* v, const float* g,
                float* wOut, float* mOut, float* vOut);

// The same on elements [begin, end), in the calling thread (for loops that thread over their own work).
void adamSpan(const AdamHyper& h, int64_t begin, int64_t end, const float* w, const float* m, const float* v,
              const float* g, float* wOut, float* mOut, float* vOut);

// One variable of an in-place update: weights and moments are overwritten.
struct AdamSlot {
  float* w;
  float* m;
  float* v;
  const float* g;
  int64_t length;
};

// The same update for many variables at once, in place, with one parallel region.
void adamUpdateInPlace(const AdamHyper& h, const std::vector<AdamSlot>& slots);

}  // namespace optocnn
