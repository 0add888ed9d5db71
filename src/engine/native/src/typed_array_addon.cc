// N-API entry points of element-wise kernels on Float32Arrays (not the wasm heap): the phase vjp and an
// in-place Adam(W) step, each one threaded pass over arrays of up to billions of elements.
#include "typed_array_addon.h"

#include "napi_args.h"
#include "optimizer.h"
#include "phase_gradient.h"

namespace optocnn {
namespace {

int64_t lengthOf(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray()) throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Float32Array");
  return value.As<Napi::TypedArray>().ElementLength();
}

// phaseGradient(gradRe, gradIm, tRe, tIm, out): out = Im(G conj(t)), all of out's length.
Napi::Value PhaseGradient(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t count = lengthOf(info[4], "phaseGradient out");
    phaseGradient(floatArray(info[0], count, "gradient.re"), floatArray(info[1], count, "gradient.im"),
                  floatArray(info[2], count, "transmission.re"), floatArray(info[3], count, "transmission.im"),
                  floatArray(info[4], count, "out"), count);
  });
}

// adamUpdateArrays(w, m, v, g, hyper): Adam(W) in place on w, m, v; hyper = [beta1, beta2, epsilon, stepSize, decay].
Napi::Value AdamUpdateArrays(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t count = lengthOf(info[0], "adamUpdateArrays w");
    float* w = floatArray(info[0], count, "w");
    float* m = floatArray(info[1], count, "m");
    float* v = floatArray(info[2], count, "v");
    const float* g = floatArray(info[3], count, "g");
    const Napi::Float64Array hyper = float64Array(info[4], 5, "adam hyper-parameters");
    const AdamHyper h{float(hyper[0]), float(hyper[1]), float(hyper[2]), float(hyper[3]), float(hyper[4])};
    adamUpdate(h, count, w, m, v, g, w, m, v);
  });
}

}  // namespace

void registerTypedArrayKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("phaseGradient", Napi::Function::New(env, PhaseGradient));
  exports.Set("adamUpdateArrays", Napi::Function::New(env, AdamUpdateArrays));
}

}  // namespace optocnn
