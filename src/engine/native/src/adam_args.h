#pragma once
#include "napi_args.h"
#include "optimizer.h"

namespace optocnn {

// Adam(W)'s hyperparameters from a Float64Array argument [beta1, beta2, epsilon, stepSize, decay].
inline AdamHyper adamHyper(const Args& args, size_t index) {
  Napi::Float64Array p = args.float64Array(index, "hyper [beta1, beta2, epsilon, stepSize, decay]", 5);
  return AdamHyper{float(p[0]), float(p[1]), float(p[2]), float(p[3]), float(p[4])};
}

}  // namespace optocnn
