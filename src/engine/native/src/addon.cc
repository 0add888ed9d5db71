// N-API surface of the optocnn native engine (tensor kernels; optics in optics_addon.cc). Tensor operands live in the wasm backend's heap and are
// addressed by byte offsets into the heap view passed with each call (the view is taken afresh by the
// caller, because wasm memory growth detaches old buffers); optics operands are Float32Arrays.
#include <napi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "activation_bias_grad.h"
#include "adam_args.h"
#include "conv.h"
#include "conv_by_rows.h"
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

constexpr const char* kActivations = "0 (linear), 1 (relu) or 2 (elu)";
constexpr const char* kFlag = "0 (no) or 1 (yes)";

// ConvShape fields (conv.h) in order. Extents may be 0 (an empty tensor); strides and dilations >= 1.
const Field kConvFields[] = {
    {"batch", 0},        {"inHeight", 0},      {"inWidth", 0},        {"inChannels", 0},     {"outChannels", 0},
    {"filterHeight", 1}, {"filterWidth", 1},   {"outHeight", 0},      {"outWidth", 0},       {"strideHeight", 1},
    {"strideWidth", 1},  {"dilationHeight", 1}, {"dilationWidth", 1}, {"padTop", 0},         {"padLeft", 0},
    {"padBottom", 0},    {"padRight", 0}};
static_assert(sizeof(kConvFields) / sizeof(Field) == ConvShape::kFields, "one entry per ConvShape field");

// Output extent of a padded, strided, dilated window: floor((in + pads - reach) / stride) + 1.
int64_t windowCount(int64_t in, int64_t pads, int64_t filter, int64_t dilation, int64_t stride) {
  const int64_t span = in + pads - ((filter - 1) * dilation + 1);
  return (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
}

// The heap and shape of a convolution call and the element counts of its tensors: the input (x or dx),
// the filter (or its gradient) and the output (y or dy).
struct ConvCall {
  Bytes heap;
  ConvShape shape;
  int64_t input, filter, output;
};

ConvShape convShapeArgument(const Args& args, size_t index) {
  const ConvShape s = ConvShape::fromFields(args.shape(index, "shape", kConvFields));
  // oneDNN also refuses such a shape, but only as "could not create a descriptor": say which extents disagree.
  const int64_t rows = windowCount(s.inHeight, s.padTop + s.padBottom, s.filterHeight, s.dilationHeight, s.strideHeight);
  const int64_t cols = windowCount(s.inWidth, s.padLeft + s.padRight, s.filterWidth, s.dilationWidth, s.strideWidth);
  if (rows != s.outHeight || cols != s.outWidth) {
    args.rangeError(Args::argument(index, "shape") + ": output " + std::to_string(s.outHeight) + "x" + std::to_string(s.outWidth) +
                    " disagrees with input, filter, strides, dilations and padding, which give " + std::to_string(rows) + "x" +
                    std::to_string(cols));
  }
  return s;
}

ConvCall convCall(const Args& args) {
  const ConvShape s = convShapeArgument(args, 1);
  return ConvCall{args.heap(0), s, elementCount({s.batch, s.inHeight, s.inWidth, s.inChannels}),
                  elementCount({s.filterHeight, s.filterWidth, s.inChannels, s.outChannels}),
                  elementCount({s.batch, s.outHeight, s.outWidth, s.outChannels})};
}

// (heap, shape, x, filter, bias (< 0: none), y, activation) to a forward convolution.
template <void (*forward)(const ConvShape&, const float*, const float*, const float*, float*, Activation)>
void ConvForwardCall(const Args& args) {
  const ConvCall c = convCall(args);
  const float* x = args.heapFloats(c.heap, 2, "x", c.input);
  const float* w = args.heapFloats(c.heap, 3, "filter", c.filter);
  const float* bias = args.optionalHeapFloats(c.heap, 4, "bias", c.shape.outChannels);
  float* y = args.heapFloats(c.heap, 5, "y", c.output);
  forward(c.shape, x, w, bias, y, Activation(args.integer(6, "activation", 0, 2, kActivations)));
}

// (heap, shape, x, filter, bias, y, activation) on the row products alone, whatever oneDNN offers (tests, bench).
void Conv2dByRows(const Args& args) {
  const ConvShape s = convShapeArgument(args, 1);
  if (!convByRowsCovers(s)) args.rangeError(Args::argument(1, "shape") + ": the row products need dilations of 1");
  ConvForwardCall<convForwardByRows>(args);
}

// (heap, shape, dy, filter, dx)
void Conv2dBackpropInput(const Args& args) {
  const ConvCall c = convCall(args);
  convBackwardData(c.shape, args.heapFloats(c.heap, 2, "dy", c.output), args.heapFloats(c.heap, 3, "filter", c.filter),
                   args.heapFloats(c.heap, 4, "dx", c.input));
}

// (heap, shape, x, dy, dfilter)
void Conv2dBackpropFilter(const Args& args) {
  const ConvCall c = convCall(args);
  convBackwardFilter(c.shape, args.heapFloats(c.heap, 2, "x", c.input), args.heapFloats(c.heap, 3, "dy", c.output),
                     args.heapFloats(c.heap, 4, "dfilter", c.filter));
}

const Field kMatmulFields[] = {{"batchA", 1}, {"batchB", 1}, {"m", 0}, {"n", 0}, {"k", 0},
                               {"transposeA", 0, 1, kFlag}, {"transposeB", 0, 1, kFlag}};
static_assert(sizeof(kMatmulFields) / sizeof(Field) == MatmulShape::kFields, "one entry per MatmulShape field");

// (heap, shape, a, b, bias (< 0: none), c, relu)
void Matmul(const Args& args) {
  const Bytes heap = args.heap(0);
  const int32_t* f = args.shape(1, "shape", kMatmulFields);
  const MatmulShape s{f[0], f[1], f[2], f[3], f[4], f[5], f[6]};
  if (s.batchA != s.batchB && s.batchA != 1 && s.batchB != 1) {
    args.rangeError(Args::argument(1, "shape") + ": batchA " + std::to_string(s.batchA) + " and batchB " +
                    std::to_string(s.batchB) + " must be equal or one of them 1");
  }
  const int64_t batch = std::max(s.batchA, s.batchB);
  const float* a = args.heapFloats(heap, 2, "a", elementCount({s.batchA, s.m, s.k}));
  const float* b = args.heapFloats(heap, 3, "b", elementCount({s.batchB, s.k, s.n}));
  const float* bias = args.optionalHeapFloats(heap, 4, "bias", s.n);
  float* c = args.heapFloats(heap, 5, "c", elementCount({batch, s.m, s.n}));
  matmul(s, a, b, bias, c, args.boolean(6, "relu"));
}

// PoolShape fields (pool.h) in order.
const Field kPoolFields[] = {{"batch", 0},        {"inHeight", 0},    {"inWidth", 0},        {"channels", 0},
                             {"outHeight", 0},    {"outWidth", 0},    {"filterHeight", 1},   {"filterWidth", 1},
                             {"strideHeight", 1}, {"strideWidth", 1}, {"dilationHeight", 1}, {"dilationWidth", 1},
                             {"padTop", 0},       {"padLeft", 0}};
static_assert(sizeof(kPoolFields) / sizeof(Field) == PoolShape::kFields, "one entry per PoolShape field");

// The heap and shape of a pooling call and the element counts of its input (x, dx) and output (y, dy).
struct PoolCall {
  Bytes heap;
  PoolShape shape;
  int64_t input, output;
};

PoolCall poolCall(const Args& args) {
  const int32_t* f = args.shape(1, "shape", kPoolFields);
  const PoolShape s{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]};
  return PoolCall{args.heap(0), s, elementCount({s.batch, s.inHeight, s.inWidth, s.channels}),
                  elementCount({s.batch, s.outHeight, s.outWidth, s.channels})};
}

// (heap, shape, x, y)
void MaxPool(const Args& args) {
  const PoolCall p = poolCall(args);
  maxPool(p.shape, args.heapFloats(p.heap, 2, "x", p.input), args.heapFloats(p.heap, 3, "y", p.output));
}

// (heap, shape, x, dy, dx)
void MaxPoolGrad(const Args& args) {
  const PoolCall p = poolCall(args);
  maxPoolGrad(p.shape, args.heapFloats(p.heap, 2, "x", p.input), args.heapFloats(p.heap, 3, "dy", p.output),
              args.heapFloats(p.heap, 4, "dx", p.input));
}

// An element of a Float64Array argument that must be an integer >= 0 (a width or a length). Read as a
// double: creating a JavaScript number could move a small typed array under its cached pointer.
int64_t countAt(const Args& args, const Napi::Float64Array& array, size_t index, const char* name, size_t element) {
  const double value = array[element];
  if (!(value >= 0 && value <= double(kMaxSafeInteger) && value == std::floor(value))) {
    args.rangeError(Args::argument(index, name) + "[" + std::to_string(element) + "] must be an integer >= 0, got " + numberText(value));
  }
  return int64_t(value);
}

// Concat (split = false) or SplitV along an axis: (heap, outer, offsets, widths, whole, split); pieces[i]
// is [outer, widths[i]] at offsets[i], whole [outer, sum of widths].
void JoinAlongAxis(const Args& args) {
  const Bytes heap = args.heap(0);
  const int64_t outer = args.integer(1, "outer", 0);
  const bool split = args.boolean(5, "split");
  Napi::Float64Array offsets = args.float64Array(2, "offsets", -1);
  Napi::Float64Array widths = args.float64Array(3, "widths", int64_t(offsets.ElementLength()));
  std::vector<AxisPiece> pieces;
  int64_t total = 0;
  for (size_t i = 0; i < offsets.ElementLength(); ++i) {
    const int64_t width = countAt(args, widths, 3, "widths", i);
    pieces.push_back(AxisPiece{args.heapFloatsAt(heap, offsets[i], 2, "offsets", i, elementCount({outer, width})), width});
    total += width;  // each width and so far the total are below 2^53: no overflow
    if (total > kMaxSafeInteger) args.rangeError(Args::argument(3, "widths") + " add up to more than 2^53");
  }
  float* whole = args.heapFloats(heap, 4, "whole", elementCount({outer, total}));
  joinAlongAxis(pieces, whole, outer, split);
}
const Field kResizeFields[] = {{"batch", 0}, {"inHeight", 0}, {"inWidth", 0}, {"channels", 0}, {"outHeight", 0}, {"outWidth", 0}};

// Indices that must each lie in [0, limit): the source rows or columns of a resize.
void checkSources(const Args& args, const int32_t* sources, int64_t count, int64_t limit, size_t index, const char* name) {
  for (int64_t i = 0; i < count; ++i) {
    if (sources[i] < 0 || sources[i] >= limit) {
      args.rangeError(Args::argument(index, name) + "[" + std::to_string(i) + "] must be in [0, " + std::to_string(limit) +
                      "), got " + std::to_string(sources[i]));
    }
  }
}

// (heap, shape, sourceRows, sourceCols, x, y, grad); grad: x is dy (large), y is dx (small).
void ResizeNearest(const Args& args) {
  const Bytes heap = args.heap(0);
  const int32_t* f = args.shape(1, "shape", kResizeFields);
  const ResizeShape s{f[0], f[1], f[2], f[3], f[4], f[5]};
  const int32_t* rows = args.int32Array(2, "sourceRows", s.outHeight);
  const int32_t* cols = args.int32Array(3, "sourceCols", s.outWidth);
  checkSources(args, rows, s.outHeight, s.inHeight, 2, "sourceRows");
  checkSources(args, cols, s.outWidth, s.inWidth, 3, "sourceCols");
  const int64_t small = elementCount({s.batch, s.inHeight, s.inWidth, s.channels});
  const int64_t large = elementCount({s.batch, s.outHeight, s.outWidth, s.channels});
  if (args.boolean(6, "grad")) {
    resizeNearestGrad(s, rows, cols, args.heapFloats(heap, 4, "dy", large), args.heapFloats(heap, 5, "dx", small));
  } else {
    resizeNearest(s, rows, cols, args.heapFloats(heap, 4, "x", small), args.heapFloats(heap, 5, "y", large));
  }
}

const Field kUpsampleConcatFields[] = {{"batch", 0}, {"lowHeight", 0}, {"lowWidth", 0}, {"lowChannels", 0}, {"skipChannels", 0}};
static_assert(sizeof(kUpsampleConcatFields) / sizeof(Field) == UpsampleConcatShape::kFields, "one entry per field");

// 2x nearest upsampling of `low` joined with `skip` along channels (grad: dy -> dlow, dskip):
// (heap, shape, a, b, c, grad).
void UpsampleConcat(const Args& args) {
  const Bytes heap = args.heap(0);
  const int32_t* f = args.shape(1, "shape", kUpsampleConcatFields);
  const UpsampleConcatShape s{f[0], f[1], f[2], f[3], f[4]};
  const int64_t pixels = elementCount({s.batch, 4, s.lowHeight, s.lowWidth});
  const int64_t lowSize = elementCount({s.batch, s.lowHeight, s.lowWidth, s.lowChannels});
  const int64_t skipSize = elementCount({pixels, s.skipChannels});
  const int64_t joinedSize = elementCount({pixels, s.lowChannels + s.skipChannels});
  if (args.boolean(5, "grad")) {
    upsampleConcatGrad(s, args.heapFloats(heap, 2, "dy", joinedSize), args.heapFloats(heap, 3, "dlow", lowSize),
                       args.heapFloats(heap, 4, "dskip", skipSize));
  } else {
    upsampleConcat(s, args.heapFloats(heap, 2, "low", lowSize), args.heapFloats(heap, 3, "skip", skipSize),
                   args.heapFloats(heap, 4, "out", joinedSize));
  }
}

// Sum of an [outer, inner] array over outer (overOuter) or over inner: (heap, x, outer, inner, y, overOuter).
void SumAxes(const Args& args) {
  const Bytes heap = args.heap(0);
  const int64_t outer = args.integer(2, "outer", 0);
  const int64_t inner = args.integer(3, "inner", 0);
  const float* x = args.heapFloats(heap, 1, "x", elementCount({outer, inner}));
  const bool overOuter = args.boolean(5, "overOuter");
  float* y = args.heapFloats(heap, 4, "y", overOuter ? inner : outer);
  if (overOuter) {
    sumOuter(x, outer, inner, y);
  } else {
    sumInner(x, outer, inner, y);
  }
}

// Element-wise op on float32 heap operands: (heap, op, a, b (<0 for unary), length, bLength, alpha, out).
void Elementwise(const Args& args) {
  const Bytes heap = args.heap(0);
  const auto op = ElementwiseOp(args.integer(1, "op", 0, 3, "0 (add), 1 (multiply), 2 (relu) or 3 (step)"));
  const int64_t length = args.integer(4, "length", 0);
  const int64_t bLength = args.integer(5, "bLength", 0);
  const bool isBinary = op == ElementwiseOp::Add || op == ElementwiseOp::Multiply;
  if (isBinary && (bLength < 1 || length % bLength != 0)) {
    args.rangeError(Args::argument(5, "bLength") + " must be >= 1 and divide length " + std::to_string(length) +
                    " (b tiles a), got " + std::to_string(bLength));
  }
  const float* a = args.heapFloats(heap, 2, "a", length);
  const float* b = isBinary ? args.heapFloats(heap, 3, "b", bLength) : nullptr;
  if (!isBinary) args.number(3, "b");  // unused by unary ops, but still a number
  const float alpha = float(args.number(6, "alpha"));
  float* out = args.heapFloats(heap, 7, "out", length);
  elementwise(op, a, b, length, bLength, alpha, out);
}

// Adam(W) on heap operands: (heap, length, w, m, v, g, wOut, mOut, vOut, [beta1, beta2, epsilon, stepSize, decay]).
void AdamUpdate(const Args& args) {
  const Bytes heap = args.heap(0);
  const int64_t length = args.integer(1, "length", 0);
  const AdamHyper hyper = adamHyper(args, 9);
  adamUpdate(hyper, length, args.heapFloats(heap, 2, "w", length), args.heapFloats(heap, 3, "m", length),
             args.heapFloats(heap, 4, "v", length), args.heapFloats(heap, 5, "g", length),
             args.heapFloats(heap, 6, "wOut", length), args.heapFloats(heap, 7, "mOut", length),
             args.heapFloats(heap, 8, "vOut", length));
}

// In-place Adam(W) of many variables: (heap, lengths, offsets [w, m, v, g per variable], hyper).
void AdamUpdateInPlace(const Args& args) {
  const Bytes heap = args.heap(0);
  Napi::Float64Array lengths = args.float64Array(1, "lengths", -1);
  const size_t count = lengths.ElementLength();
  Napi::Float64Array offsets = args.float64Array(2, "offsets (w, m, v, g per variable)", int64_t(4 * count));
  const AdamHyper hyper = adamHyper(args, 3);
  std::vector<AdamSlot> slots;
  for (size_t i = 0; i < count; ++i) {
    const int64_t length = countAt(args, lengths, 1, "lengths", i);
    auto at = [&](size_t k) { return args.heapFloatsAt(heap, offsets[4 * i + k], 2, "offsets", 4 * i + k, length); };
    slots.push_back(AdamSlot{at(0), at(1), at(2), at(3), length});
  }
  adamUpdateInPlace(hyper, slots);
}

// Activation and bias gradient of a [outer, channels] layer: (heap, activation, dy, y, outer, channels, dx, dbias).
void ActivationBiasGrad(const Args& args) {
  const Bytes heap = args.heap(0);
  // A linear layer's dx is dy itself: callers pass dy on instead.
  const auto activation = Activation(args.integer(1, "activation", 1, 2, "1 (relu) or 2 (elu)"));
  const int64_t outer = args.integer(4, "outer", 0);
  const int64_t channels = args.integer(5, "channels", 1);
  const int64_t size = elementCount({outer, channels});
  activationBiasGrad(activation, args.heapFloats(heap, 2, "dy", size), args.heapFloats(heap, 3, "y", size), outer, channels,
                     args.heapFloats(heap, 6, "dx", size), args.heapFloats(heap, 7, "dbias", channels));
}

// (layout): "any" or "nhwc".
void SetLayout(const Args& args) {
  const std::string name = args.string(0, "layout");
  if (name != "any" && name != "nhwc") args.rangeError(Args::argument(0, "layout") + " must be \"any\" or \"nhwc\", got \"" + name + "\"");
  setActivationLayout(name == "nhwc" ? ActivationLayout::Nhwc : ActivationLayout::Any);
}

// (shape, bias (0 or 1), activation): the kernel conv2d runs for that call.
Napi::Value Conv2dImplementation(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Args args(info, "conv2dImplementation", 3);
    const ConvShape s = convShapeArgument(args, 0);
    const bool bias = args.integer(1, "bias", 0, 1, kFlag) == 1;
    return Napi::String::New(info.Env(), convForwardImplementation(s, bias, Activation(args.integer(2, "activation", 0, 2, kActivations))));
  });
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    const Args args(info, "info", 0);
    Napi::Object out = Napi::Object::New(info.Env());
    const dnnl_version_t* v = dnnl_version();
    out.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
    out.Set("fft", "radix-8/4/2 Stockham for powers of two, kissfft otherwise");
    out.Set("threads", omp_get_max_threads());
    out.Set("layout", activationLayout() == ActivationLayout::Any ? "any" : "nhwc");
    return out;
  });
}

const EntryPoint kEntryPoints[] = {
    {"conv2d", 7, ConvForwardCall<convForward>},
    {"conv2dByRows", 7, Conv2dByRows},
    {"conv2dBackpropInput", 5, Conv2dBackpropInput},
    {"conv2dBackpropFilter", 5, Conv2dBackpropFilter},
    {"matmul", 7, Matmul},
    {"maxPool", 4, MaxPool},
    {"maxPoolGrad", 5, MaxPoolGrad},
    {"joinAlongAxis", 6, JoinAlongAxis},
    {"resizeNearest", 7, ResizeNearest},
    {"upsampleConcat", 6, UpsampleConcat},
    {"elementwise", 8, Elementwise},
    {"sumAxes", 6, SumAxes},
    {"adamUpdate", 10, AdamUpdate},
    {"adamUpdateInPlace", 4, AdamUpdateInPlace},
    {"activationBiasGrad", 8, ActivationBiasGrad},
    {"setLayout", 1, SetLayout},
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exportEntryPoints(env, exports, kEntryPoints);
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("conv2dImplementation", Napi::Function::New(env, Conv2dImplementation));
  registerOptics(env, exports);
  registerTypedArrayKernels(env, exports);
  return exports;
}

}  // namespace
}  // namespace optocnn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return optocnn::Init(env, exports); }

NODE_API_MODULE(optocnn_native, InitAddon)
