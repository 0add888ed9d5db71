// N-API surface of the optocnn native engine. Tensor operands live in the wasm backend's heap and are
// addressed by byte offsets into the heap view passed with each call (the view is taken afresh by the
// caller, because wasm memory growth detaches old buffers); optics operands are Float32Arrays.
#include <napi.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <string>

#include "complex_gemm.h"
#include "conv.h"
#include "data_movement.h"
#include "elementwise.h"
#include "dnnl_context.h"
#include "fft.h"
#include "matmul.h"
#include "pool.h"

namespace optocnn {
namespace {

struct Bytes {
  uint8_t* data;
  size_t length;
};

Bytes viewBytes(const Napi::Value& value, const char* name) {
  if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    void* base = nullptr;
    napi_typedarray_type type;
    size_t length = 0;
    napi_value arrayBuffer;
    size_t byteOffset = 0;
    napi_status status = napi_get_typedarray_info(value.Env(), value, &type, &length, &base, &arrayBuffer, &byteOffset);
    if (status != napi_ok) throw Napi::TypeError::New(value.Env(), std::string(name) + ": unreadable typed array");
    return Bytes{static_cast<uint8_t*>(base), array.ByteLength()};
  }
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    return Bytes{static_cast<uint8_t*>(buffer.Data()), buffer.ByteLength()};
  }
  throw Napi::TypeError::New(value.Env(), std::string(name) + ": expected a typed array or ArrayBuffer");
}

// A float32 operand of `count` elements at byte `offset` of the heap, bounds-checked.
float* heapFloats(const Bytes& heap, const Napi::Value& offset, int64_t count, const char* name) {
  const double at = offset.As<Napi::Number>().DoubleValue();
  if (!(at >= 0) || std::fmod(at, 4.0) != 0 || at + 4.0 * double(count) > double(heap.length)) {
    throw Napi::RangeError::New(offset.Env(), std::string(name) + ": operand outside the wasm heap or misaligned");
  }
  return reinterpret_cast<float*>(heap.data + static_cast<size_t>(at));
}

const float* optionalHeapFloats(const Bytes& heap, const Napi::Value& offset, int64_t count, const char* name) {
  if (offset.As<Napi::Number>().DoubleValue() < 0) return nullptr;
  return heapFloats(heap, offset, count, name);
}

const int32_t* shapeFields(const Napi::Value& value, int expected, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      value.As<Napi::Int32Array>().ElementLength() != size_t(expected)) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + ": expected an Int32Array of " +
                                                std::to_string(expected) + " shape fields");
  }
  return value.As<Napi::Int32Array>().Data();
}

template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, Body body) {
  try {
    body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what() + " (status " + std::to_string(e.status) + ")");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    ConvShape s = ConvShape::fromFields(shapeFields(info[1], ConvShape::kFields, "conv shape"));
    const float* x = heapFloats(heap, info[2], s.batch * s.inHeight * s.inWidth * s.inChannels, "x");
    const float* w = heapFloats(heap, info[3], s.filterHeight * s.filterWidth * s.inChannels * s.outChannels, "filter");
    const float* bias = optionalHeapFloats(heap, info[4], s.outChannels, "bias");
    float* y = heapFloats(heap, info[5], s.batch * s.outHeight * s.outWidth * s.outChannels, "y");
    convForward(s, x, w, bias, y, info[6].ToBoolean());
  });
}

Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    ConvShape s = ConvShape::fromFields(shapeFields(info[1], ConvShape::kFields, "conv shape"));
    const float* dy = heapFloats(heap, info[2], s.batch * s.outHeight * s.outWidth * s.outChannels, "dy");
    const float* w = heapFloats(heap, info[3], s.filterHeight * s.filterWidth * s.inChannels * s.outChannels, "filter");
    float* dx = heapFloats(heap, info[4], s.batch * s.inHeight * s.inWidth * s.inChannels, "dx");
    convBackwardData(s, dy, w, dx);
  });
}

Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    ConvShape s = ConvShape::fromFields(shapeFields(info[1], ConvShape::kFields, "conv shape"));
    const float* x = heapFloats(heap, info[2], s.batch * s.inHeight * s.inWidth * s.inChannels, "x");
    const float* dy = heapFloats(heap, info[3], s.batch * s.outHeight * s.outWidth * s.outChannels, "dy");
    float* dw = heapFloats(heap, info[4], s.filterHeight * s.filterWidth * s.inChannels * s.outChannels, "dfilter");
    convBackwardFilter(s, x, dy, dw);
  });
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int32_t* f = shapeFields(info[1], MatmulShape::kFields, "matmul shape");
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
  const int32_t* f = shapeFields(value, PoolShape::kFields, "pool shape");
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
      pieces.push_back(AxisPiece{heapFloats(heap, Napi::Number::New(info.Env(), offsets[i]), outer * width, "piece"), width});
      total += width;
    }
    float* whole = heapFloats(heap, info[4], outer * total, "whole");
    joinAlongAxis(pieces, whole, outer, info[5].ToBoolean());
  });
}

Napi::Value ResizeNearest(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Bytes heap = viewBytes(info[0], "heap");
    const int32_t* f = shapeFields(info[1], 6, "resize shape");
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

float* floatArray(const Napi::Value& value, int64_t minLength, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + ": expected a Float32Array");
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  if (int64_t(array.ElementLength()) < minLength) {
    throw Napi::RangeError::New(value.Env(), std::string(name) + ": has " + std::to_string(array.ElementLength()) +
                                                 " elements, needs " + std::to_string(minLength));
  }
  return array.Data();
}

Napi::Value Fft2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int64_t batch = info[2].As<Napi::Number>().Int64Value();
    const int64_t rows = info[3].As<Napi::Number>().Int64Value();
    const int64_t cols = info[4].As<Napi::Number>().Int64Value();
    if (batch < 0 || rows < 1 || cols < 1) throw Napi::RangeError::New(info.Env(), "fft2d: batch, rows, cols must be positive");
    float* re = floatArray(info[0], batch * rows * cols, "fft2d re");
    float* im = floatArray(info[1], batch * rows * cols, "fft2d im");
    fft2d(re, im, batch, rows, cols, info[5].ToBoolean());
  });
}

// Elements an operand spans: the last batch's start plus one matrix.
int64_t span(int64_t batch, int64_t stride, int64_t matrix) { return (batch - 1) * stride + matrix; }

Napi::Value ComplexGemm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    const int32_t* f = shapeFields(info[0], ComplexGemmShape::kFields, "complex gemm shape");
    ComplexGemmShape s{f[0], f[1], f[2], MatrixOp(f[3]), MatrixOp(f[4]), f[5], f[6], f[7], f[8], f[9] != 0};
    if (s.batch < 1 || s.m < 1 || s.n < 1 || s.k < 1) throw Napi::RangeError::New(info.Env(), "complex gemm: empty shape");
    const int64_t aLen = span(s.batch, s.strideA, s.m * s.k), bLen = span(s.batch, s.strideB, s.k * s.n);
    const int64_t cLen = span(s.batch, s.strideC, s.m * s.n);
    PlanarMatrix a{floatArray(info[1], aLen, "a.re"), floatArray(info[2], aLen, "a.im")};
    PlanarMatrix b{floatArray(info[3], bLen, "b.re"), floatArray(info[4], bLen, "b.im")};
    PlanarMatrix c{floatArray(info[5], cLen, "c.re"), floatArray(info[6], cLen, "c.im")};
    complexGemm(s, a, b, c);
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
  out.Set("fft", "kissfft");
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
  exports.Set("elementwise", Napi::Function::New(env, Elementwise));
  exports.Set("sumAxes", Napi::Function::New(env, SumAxes));
  exports.Set("fft2d", Napi::Function::New(env, Fft2d));
  exports.Set("complexGemm", Napi::Function::New(env, ComplexGemm));
  exports.Set("setLayout", Napi::Function::New(env, SetLayout));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace
}  // namespace optocnn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return optocnn::Init(env, exports); }

NODE_API_MODULE(optocnn_native, InitAddon)
