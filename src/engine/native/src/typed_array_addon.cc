// N-API entry points of element-wise kernels on Float32Arrays (not the wasm heap): the phase vjp and an
// in-place Adam(W) step, each one threaded pass over arrays of up to billions of elements.
#include "typed_array_addon.h"

#include "adam_args.h"
#include "phase_gradient.h"

namespace optocnn {
namespace {

// (gradRe, gradIm, tRe, tIm, out): out = Im(G conj(t)), over all of out's length.
void PhaseGradient(const Args& args) {
  const int64_t count = args.floatArrayLength(4, "out");
  phaseGradient(args.floatArray(0, "gradient.re", count), args.floatArray(1, "gradient.im", count),
                args.floatArray(2, "transmission.re", count), args.floatArray(3, "transmission.im", count),
                args.floatArray(4, "out", count), count);
}

// (w, m, v, g, hyper): Adam(W) in place on w, m, v; hyper = [beta1, beta2, epsilon, stepSize, decay].
void AdamUpdateArrays(const Args& args) {
  const int64_t count = args.floatArrayLength(0, "w");
  float* w = args.floatArray(0, "w", count);
  float* m = args.floatArray(1, "m", count);
  float* v = args.floatArray(2, "v", count);
  const float* g = args.floatArray(3, "g", count);
  adamUpdate(adamHyper(args, 4), count, w, m, v, g, w, m, v);
}

const EntryPoint kEntryPoints[] = {
    {"phaseGradient", 5, PhaseGradient},
    {"adamUpdateArrays", 5, AdamUpdateArrays},
};

}  // namespace

void registerTypedArrayKernels(Napi::Env env, Napi::Object exports) { exportEntryPoints(env, exports, kEntryPoints); }

}  // namespace optocnn
