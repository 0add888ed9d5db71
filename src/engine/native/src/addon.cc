// N-API surface of the optocnn native engine (tensor kernels; optics in optics_addon.cc). Tensor operands live in the wasm backend's heap and are
// addressed by byte offsets into the heap view passed with each call (the view is taken afresh by the
// caller, because wasm memory growth detaches old buffers); optics operands are Float32Arrays.
#include <napi.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <string>

#include "activation_bias_grad.h"
#include "conv.h"
#include "data_movement.h"
#include "dnnl_context.h"
#include "elementwise.h"
#include "matmul.h"
#include "napi_args.h"
#include "optimizer.h"
#include "optics_addon.h"
#include "typed_array_addon.h"
#include "pool.h"
#include "upsample_concat.h"

namespace optocnn {
namespace {

Activation activationCode(const Napi::Value& value) {
  const int code = value.As<Napi::Number>().Int32Value();
  if (code < 0 || code > 2) throw Napi::RangeError::New(value.Env(), "activation code must be 0 (linear), 1 (relu) or 2 (elu)");
  return Activation(code);
}


Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    ConvShape s = ConvShape::fromFields(int32Array(info[1], ConvShape::kFields, "conv shape"));
    const float* x = heapFloats(heap, info[2], s.batch * s.inHeight * s.inWidth * s.inChannels, "x");
    const float* w = heapFloats(heap, info[3], s.filterHeight * s.filterWidth * s.inChannels * s.outChannels, "filter");
    const float* bias = optionalHeapFloats(heap, info[4], s.outChannels, "bias");
    float* y = heapFloats(heap, info[5], s.batch * s.outHeight * s.outWidth * s.outChannels, "y");
    convForward(s, x, w, bias, y, activationCode(info[6]));
  });
}

Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    ConvShape s = ConvShape::fromFields(int32Array(info[1], ConvShape::kFields, "conv shape"));
    const float* dy = heapFloats(heap, info[2], s.batch * s.outHeight * s.outWidth * s.outChannels, "dy");
    const float* w = heapFloats(heap, info[3], s.filterHeight * s.filterWidth * s.inChannels * s.outChannels, "filter");
    float* dx = heapFloats(heap, info[4], s.batch * s.inHeight * s.inWidth * s.inChannels, "dx");
    convBackwardData(s, dy, w, dx);
  });
}

Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    ConvShape s = ConvShape::fromFields(int32Array(info[1], ConvShape::kFields, "conv shape"));
    const float* x = heapFloats(heap, info[2], s.batch * s.inHeight * s.inWidth * s.inChannels, "x");
    const float* dy = heapFloats(heap, info[3], s.batch * s.outHeight * s.outWidth * s.outChannels, "dy");
    float* dw = heapFloats(heap, info[4], s.filterHeight * s.filterWidth * s.inChannels * s.outChannels, "dfilter");
    convBackwardFilter(s, x, dy, dw);
  });
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int32_t* f = int32Array(info[1], MatmulShape::kFields, "matmul shape");
    MatmulShape s{f[0], f[1], f[2], f[3], f[4], f[5], f[6]};
    const int64_t batch = std::max(s.batchA, s.batchB);
    const float* a = heapFloats(heap, info[2], s.batchA * s.m * s.k, "a");
    const float* b = heapFloats(heap, info[3], s.batchB * s.k * s.n, "b");
    const float* bias = optionalHeapFloats(heap, info[4], s.n, "bias");
    float* c = heapFloats(heap, info[5], batch * s.m * s.n, "c");
    matmul(s, a, b, bias, c, info[6].ToBoolean());
  });
}

PoolShape poolShape(const Napi::Value& value) {
  const int32_t* f = int32Array(value, PoolShape::kFields, "pool shape");
  return PoolShape{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]};
}

Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    PoolShape s = poolShape(info[1]);
    const float* x = heapFloats(heap, info[2], s.batch * s.inHeight * s.inWidth * s.channels, "x");
    float* y = heapFloats(heap, info[3], s.batch * s.outHeight * s.outWidth * s.channels, "y");
    maxPool(s, x, y);
  });
}

Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    PoolShape s = poolShape(info[1]);
    const float* x = heapFloats(heap, info[2], s.batch * s.inHeight * s.inWidth * s.channels, "x");
    const float* dy = heapFloats(heap, info[3], s.batch * s.outHeight * s.outWidth * s.channels, "dy");
    float* dx = heapFloats(heap, info[4], s.batch * s.inHeight * s.inWidth * s.channels, "dx");
    maxPoolGrad(s, x, dy, dx);
  });
}

// Concat (split = false) or SplitV along an axis: pieces[i] is [outer, widths[i]], whole [outer, sum].
Napi::Value JoinAlongAxis(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int64_t outer = info[1].As<Napi::Number>().Int64Value();
    Napi::Float64Array offsets = info[2].As<Napi::Float64Array>();
    Napi::Float64Array widths = info[3].As<Napi::Float64Array>();
    if (offsets.ElementLength() != widths.ElementLength()) throw Napi::RangeError::New(info.Env(), "join: offsets and widths differ in length");
    std::vector<AxisPiece> pieces;
    int64_t total = 0;
    for (size_t i = 0; i < offsets.ElementLength(); ++i) {
      const int64_t width = int64_t(widths[i]);
      pieces.push_back(AxisPiece{heapFloats(info.Env(), heap, offsets[i], outer * width, "piece"), width});
      total += width;
    }
    float* whole = heapFloats(heap, info[4], outer * total, "whole");
    joinAlongAxis(pieces, whole, outer, info[5].ToBoolean());
  });
}

Napi::Value ResizeNearest(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int32_t* f = int32Array(info[1], 6, "resize shape");
    ResizeShape s{f[0], f[1], f[2], f[3], f[4], f[5]};
    Napi::Int32Array rows = info[2].As<Napi::Int32Array>();
    Napi::Int32Array cols = info[3].As<Napi::Int32Array>();
    if (int64_t(rows.ElementLength()) != s.outHeight || int64_t(cols.ElementLength()) != s.outWidth) {
      throw Napi::RangeError::New(info.Env(), "resize: source maps must have outHeight and outWidth entries");
    }
    for (size_t i = 0; i < rows.ElementLength(); ++i) {
      if (rows[i] < 0 || rows[i] >= s.inHeight) throw Napi::RangeError::New(info.Env(), "resize: source row out of range");
    }
    for (size_t i = 0; i < cols.ElementLength(); ++i) {
      if (cols[i] < 0 || cols[i] >= s.inWidth) throw Napi::RangeError::New(info.Env(), "resize: source column out of range");
    }
    const int64_t small = s.batch * s.inHeight * s.inWidth * s.channels;
    const int64_t large = s.batch * s.outHeight * s.outWidth * s.channels;
    if (info[6].ToBoolean()) {
      resizeNearestGrad(s, rows.Data(), cols.Data(), heapFloats(heap, info[4], large, "dy"), heapFloats(heap, info[5], small, "dx"));
    } else {
      resizeNearest(s, rows.Data(), cols.Data(), heapFloats(heap, info[4], small, "x"), heapFloats(heap, info[5], large, "y"));
    }
  });
}

// 2x nearest upsampling of `low` joined with `skip` along channels (grad: dy -> dlow, dskip).
Napi::Value UpsampleConcat(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int32_t* f = int32Array(info[1], UpsampleConcatShape::kFields, "upsample-concat shape");
    const UpsampleConcatShape s{f[0], f[1], f[2], f[3], f[4]};
    const int64_t pixels = s.batch * 4 * s.lowHeight * s.lowWidth;
    const int64_t lowSize = s.batch * s.lowHeight * s.lowWidth * s.lowChannels;
    const int64_t joinedSize = pixels * (s.lowChannels + s.skipChannels);
    if (info[5].ToBoolean()) {
      upsampleConcatGrad(s, heapFloats(heap, info[2], joinedSize, "dy"), heapFloats(heap, info[3], lowSize, "dlow"),
                         heapFloats(heap, info[4], pixels * s.skipChannels, "dskip"));
    } else {
      upsampleConcat(s, heapFloats(heap, info[2], lowSize, "low"), heapFloats(heap, info[3], pixels * s.skipChannels, "skip"),
                     heapFloats(heap, info[4], joinedSize, "out"));
    }
  });
}

// Sum of an [outer, inner] array over outer (overOuter) or over inner.
Napi::Value SumAxes(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int64_t outer = info[2].As<Napi::Number>().Int64Value();
    const int64_t inner = info[3].As<Napi::Number>().Int64Value();
    const float* x = heapFloats(heap, info[1], outer * inner, "x");
    const bool overOuter = info[5].ToBoolean();
    float* y = heapFloats(heap, info[4], overOuter ? inner : outer, "y");
    if (overOuter) {
      sumOuter(x, outer, inner, y);
    } else {
      sumInner(x, outer, inner, y);
    }
  });
}

// Element-wise op on float32 heap operands: (heap, op, a, b (<0 for unary), length, bLength, alpha, out).
Napi::Value Elementwise(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int32_t op = info[1].As<Napi::Number>().Int32Value();
    if (op < 0 || op > 3) throw Napi::RangeError::New(info.Env(), "elementwise: unknown op");
    const int64_t length = info[4].As<Napi::Number>().Int64Value();
    const int64_t bLength = info[5].As<Napi::Number>().Int64Value();
    const bool isBinary = op <= 1;
    if (isBinary && (bLength < 1 || length % bLength != 0)) throw Napi::RangeError::New(info.Env(), "elementwise: b must tile a");
    const float* a = heapFloats(heap, info[2], length, "a");
    const float* b = isBinary ? heapFloats(heap, info[3], bLength, "b") : nullptr;
    float* out = heapFloats(heap, info[7], length, "out");
    elementwise(ElementwiseOp(op), a, b, length, bLength, float(info[6].As<Napi::Number>().DoubleValue()), out);
  });
}

AdamHyper adamHyper(const Napi::Value& value, const char* name) {
  Napi::Float64Array p = float64Array(value, 5, name);
  return AdamHyper{float(p[0]), float(p[1]), float(p[2]), float(p[3]), float(p[4])};
}

// Adam(W) on heap operands: (heap, length, w, m, v, g, wOut, mOut, vOut, [beta1, beta2, epsilon, stepSize, decay]).
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int64_t length = info[1].As<Napi::Number>().Int64Value();
    if (length < 0) throw Napi::RangeError::New(info.Env(), "adamUpdate: negative length");
    const AdamHyper hyper = adamHyper(info[9], "adamUpdate hyper-parameters [beta1, beta2, epsilon, stepSize, decay]");
    adamUpdate(hyper, length, heapFloats(heap, info[2], length, "w"), heapFloats(heap, info[3], length, "m"),
               heapFloats(heap, info[4], length, "v"), heapFloats(heap, info[5], length, "g"),
               heapFloats(heap, info[6], length, "wOut"), heapFloats(heap, info[7], length, "mOut"),
               heapFloats(heap, info[8], length, "vOut"));
  });
}

// In-place Adam(W) of many variables: (heap, lengths, offsets [w, m, v, g per variable], hyper).
Napi::Value AdamUpdateInPlace(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    Napi::Float64Array lengths = float64Array(info[1], -1, "adamUpdateInPlace lengths");
    const int64_t count = lengths.ElementLength();
    Napi::Float64Array offsets = float64Array(info[2], 4 * count, "adamUpdateInPlace offsets (w, m, v, g per variable)");
    std::vector<AdamSlot> slots;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t length = int64_t(lengths[size_t(i)]);
      auto at = [&](int k, const char* name) { return heapFloats(info.Env(), heap, offsets[size_t(4 * i + k)], length, name); };
      slots.push_back(AdamSlot{at(0, "w"), at(1, "m"), at(2, "v"), at(3, "g"), length});
    }
    adamUpdateInPlace(adamHyper(info[3], "adamUpdateInPlace hyper-parameters [beta1, beta2, epsilon, stepSize, decay]"), slots);
  });
}

// Activation and bias gradient of a [outer, channels] layer: (heap, activation, dy, y, outer, channels, dx, dbias).
Napi::Value ActivationBiasGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const Activation activation = activationCode(info[1]);
    if (activation == Activation::Linear) throw Napi::RangeError::New(info.Env(), "activationBiasGrad: activation must be relu (1) or elu (2)");
    const int64_t outer = info[4].As<Napi::Number>().Int64Value();
    const int64_t channels = info[5].As<Napi::Number>().Int64Value();
    if (outer < 0 || channels < 1) throw Napi::RangeError::New(info.Env(), "activationBiasGrad: outer >= 0 and channels >= 1 required");
    activationBiasGrad(activation, heapFloats(heap, info[2], outer * channels, "dy"), heapFloats(heap, info[3], outer * channels, "y"),
                       outer, channels, heapFloats(heap, info[6], outer * channels, "dx"), heapFloats(heap, info[7], channels, "dbias"));
  });
}

Napi::Value SetLayout(const Napi::CallbackInfo& info) {
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name != "any" && name != "nhwc") throw Napi::TypeError::New(info.Env(), "layout must be \"any\" or \"nhwc\"");
  setActivationLayout(name == "nhwc" ? ActivationLayout::Nhwc : ActivationLayout::Any);
  return info.Env().Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  const dnnl_version_t* v = dnnl_version();
  out.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("fft", "radix-8/4/2 Stockham for powers of two, kissfft otherwise");
  out.Set("threads", omp_get_max_threads());
  out.Set("layout", activationLayout() == ActivationLayout::Any ? "any" : "nhwc");
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("joinAlongAxis", Napi::Function::New(env, JoinAlongAxis));
  exports.Set("resizeNearest", Napi::Function::New(env, ResizeNearest));
  exports.Set("upsampleConcat", Napi::Function::New(env, UpsampleConcat));
  exports.Set("elementwise", Napi::Function::New(env, Elementwise));
  exports.Set("sumAxes", Napi::Function::New(env, SumAxes));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("adamUpdateInPlace", Napi::Function::New(env, AdamUpdateInPlace));
  exports.Set("activationBiasGrad", Napi::Function::New(env, ActivationBiasGrad));
  exports.Set("setLayout", Napi::Function::New(env, SetLayout));
  exports.Set("info", Napi::Function::New(env, Info));
  registerOptics(env, exports);
  registerTypedArrayKernels(env, exports);
  return exports;
}

}  // namespace
}  // namespace optocnn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return optocnn::Init(env, exports); }

NODE_API_MODULE(optocnn_native, InitAddon)
