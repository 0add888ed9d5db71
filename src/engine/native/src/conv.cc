// Convolutions on oneDNN. tfjs stores activations NHWC and filters HWIO; primitives may choose their
// own layouts (`any`), in which case LayoutBridge reorders. Primitives are built once per shape.
#include "conv.h"

#include "conv_by_rows.h"
#include "dnnl_context.h"

namespace optocnn {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

ConvShape ConvShape::fromFields(const int32_t* f) {
  return ConvShape{f[0], f[1], f[2],  f[3],  f[4],  f[5],  f[6],  f[7], f[8],
                   f[9], f[10], f[11], f[12], f[13], f[14], f[15], f[16]};
}

std::vector<int64_t> ConvShape::fields() const {
  return {batch,        inHeight,    inWidth,        inChannels,    outChannels, filterHeight,
          filterWidth,  outHeight,   outWidth,       strideHeight,  strideWidth, dilationHeight,
          dilationWidth, padTop,     padLeft,        padBottom,     padRight};
}

namespace {

struct ConvDescs {
  memory::dims srcDims, weightDims, dstDims, strides, dilates, padL, padR;
  memory::desc userSrc, userWeights, userDst;
  memory::desc src, weights, dst;  // what the primitive is offered (`any` or NHWC)
};

ConvDescs describe(const ConvShape& s) {
  ConvDescs d;
  d.srcDims = {s.batch, s.inChannels, s.inHeight, s.inWidth};
  d.weightDims = {s.outChannels, s.inChannels, s.filterHeight, s.filterWidth};
  d.dstDims = {s.batch, s.outChannels, s.outHeight, s.outWidth};
  d.strides = {s.strideHeight, s.strideWidth};
  d.dilates = {s.dilationHeight - 1, s.dilationWidth - 1};  // oneDNN counts the gaps
  d.padL = {s.padTop, s.padLeft};
  d.padR = {s.padBottom, s.padRight};
  d.userSrc = memory::desc(d.srcDims, dt::f32, tag::nhwc);
  d.userWeights = memory::desc(d.weightDims, dt::f32, tag::hwio);
  d.userDst = memory::desc(d.dstDims, dt::f32, tag::nhwc);
  const tag activationTag = activationLayout() == ActivationLayout::Any ? tag::any : tag::nhwc;
  d.src = memory::desc(d.srcDims, dt::f32, activationTag);
  d.weights = memory::desc(d.weightDims, dt::f32, tag::any);
  d.dst = memory::desc(d.dstDims, dt::f32, activationTag);
  return d;
}

dnnl::convolution_forward::primitive_desc forwardDesc(const ConvDescs& d, const memory::desc* bias, Activation activation) {
  dnnl::primitive_attr attr;
  if (activation != Activation::Linear) {
    dnnl::post_ops ops;
    // ELU with alpha 1, as tfjs' elu.
    ops.append_eltwise(1.f, activation == Activation::Relu ? dnnl::algorithm::eltwise_relu : dnnl::algorithm::eltwise_elu,
                       activation == Activation::Relu ? 0.f : 1.f, 0.f);
    attr.set_post_ops(ops);
  }
  if (bias != nullptr) {
    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                         d.src, d.weights, *bias, d.dst, d.strides, d.dilates, d.padL, d.padR);
    return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
  }
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.src,
                                       d.weights, d.dst, d.strides, d.dilates, d.padL, d.padR);
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpuEngine());
}

// oneDNN's primitive, or (byRows) conv_by_rows.cc where oneDNN offers only its reference kernel, which
// measured 140-290x slower (26.8-29.3 s against 0.10-0.19 s for a batch of 16 of the sensor formation's
// 127 x 127 kernels on an AVX2 CPU).
struct ForwardOp {
  std::string implementation;
  bool byRows = false;
  dnnl::convolution_forward primitive;
  LayoutBridge src, weights, dst;
  memory bias;
};

// A backward convolution (data or weights): two inputs and one output, each with its execute-argument
// id and a bridge between the user's layout and the primitive's.
struct BackwardOp {
  dnnl::primitive primitive;
  int firstArg, secondArg, resultArg;
  LayoutBridge first, second, result;
};

PrimitiveCache<ForwardOp> forwardOps;
PrimitiveCache<BackwardOp> backwardDataOps;
PrimitiveCache<BackwardOp> backwardFilterOps;

// The user's (NHWC / HWIO) description of an execute argument.
const memory::desc& userDesc(const ConvDescs& d, int arg) {
  if (arg == DNNL_ARG_SRC || arg == DNNL_ARG_DIFF_SRC) return d.userSrc;
  if (arg == DNNL_ARG_WEIGHTS || arg == DNNL_ARG_DIFF_WEIGHTS) return d.userWeights;
  return d.userDst;
}

// Builds a backward primitive (Primitive: convolution_backward_data or _weights) with forward hints.
template <typename Primitive>
BackwardOp* makeBackward(const ConvShape& s, int firstArg, int secondArg, int resultArg) {
  ConvDescs d = describe(s);
  auto hint = forwardDesc(d, nullptr, Activation::Linear);
  typename Primitive::desc desc(dnnl::algorithm::convolution_direct, d.src, d.weights, d.dst, d.strides, d.dilates,
                                d.padL, d.padR);
  typename Primitive::primitive_desc pd(desc, cpuEngine(), hint);
  auto bridge = [&](int arg, bool input) {
    return LayoutBridge(userDesc(d, arg), pd.query_md(dnnl::query::exec_arg_md, arg), input, !input);
  };
  return new BackwardOp{Primitive(pd), firstArg, secondArg, resultArg,
                        bridge(firstArg, true), bridge(secondArg, true), bridge(resultArg, false)};
}

void runBackward(BackwardOp& op, const float* first, const float* second, float* result) {
  op.primitive.execute(cpuStream(), {{op.firstArg, op.first.bindInput(const_cast<float*>(first))},
                                     {op.secondArg, op.second.bindInput(const_cast<float*>(second))},
                                     {op.resultArg, op.result.bindOutput(result)}});
  op.result.finishOutput();
  cpuStream().wait();
}

// The forward operation of a call signature, made on first use.
ForwardOp& forwardOp(const ConvShape& s, bool hasBias, Activation activation) {
  std::vector<int64_t> key = s.fields();
  key.push_back(hasBias);
  key.push_back(int(activation));
  return forwardOps.get(cacheKey("conv_fwd", key), [&] {
    ConvDescs d = describe(s);
    memory::desc biasDesc({s.outChannels}, dt::f32, tag::a);
    auto pd = forwardDesc(d, hasBias ? &biasDesc : nullptr, activation);
    auto* made = new ForwardOp();
    made->implementation = pd.impl_info_str();
    if (made->implementation.rfind("ref", 0) == 0 && convByRowsCovers(s)) {
      made->byRows = true;
      made->implementation = "optocnn:rows (oneDNN offers " + made->implementation + ")";
      return made;
    }
    made->primitive = dnnl::convolution_forward(pd);
    made->src = LayoutBridge(d.userSrc, pd.src_desc(), true, false);
    made->weights = LayoutBridge(d.userWeights, pd.weights_desc(), true, false);
    made->dst = LayoutBridge(d.userDst, pd.dst_desc(), false, true);
    if (hasBias) made->bias = memory(biasDesc, cpuEngine(), DNNL_MEMORY_NONE);
    return made;
  });
}

}  // namespace

std::string convForwardImplementation(const ConvShape& s, bool hasBias, Activation activation) {
  return forwardOp(s, hasBias, activation).implementation;
}

void convForward(const ConvShape& s, const float* x, const float* filter, const float* bias, float* y, Activation activation) {
  ForwardOp& op = forwardOp(s, bias != nullptr, activation);
  if (op.byRows) {
    convForwardByRows(s, x, filter, bias, y, activation);
    return;
  }
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, op.src.bindInput(const_cast<float*>(x))},
                                       {DNNL_ARG_WEIGHTS, op.weights.bindInput(const_cast<float*>(filter))},
                                       {DNNL_ARG_DST, op.dst.bindOutput(y)}};
  if (bias != nullptr) {
    op.bias.set_data_handle(const_cast<float*>(bias));
    args[DNNL_ARG_BIAS] = op.bias;
  }
  op.primitive.execute(cpuStream(), args);
  op.dst.finishOutput();
  cpuStream().wait();
}

namespace {

// A stride-1 input gradient is the forward correlation of dy with the spatially flipped filter, its
// in/out channels swapped, on padding (filter - 1 - pad). oneDNN 2.6 serves NHWC backward-data with an
// older JIT kernel that measured up to 1.5x slower than its forward brgconv on the same shape (e.g.
// 96->32 at 32x32: 2.8 vs 2.1 ms; src/engine/native/README.md), so those calls run forward.
bool backwardDataRunsForward(const ConvShape& s) {
  return s.strideHeight == 1 && s.strideWidth == 1 && s.dilationHeight == 1 && s.dilationWidth == 1 &&
         s.padTop < s.filterHeight && s.padBottom < s.filterHeight && s.padLeft < s.filterWidth &&
         s.padRight < s.filterWidth;
}

ConvShape flippedForwardShape(const ConvShape& s) {
  return ConvShape{s.batch,        s.outHeight, s.outWidth,  s.outChannels, s.inChannels,
                   s.filterHeight, s.filterWidth, s.inHeight, s.inWidth,    1,
                   1,              1,           1,           s.filterHeight - 1 - s.padTop,
                   s.filterWidth - 1 - s.padLeft, s.filterHeight - 1 - s.padBottom,
                   s.filterWidth - 1 - s.padRight};
}

// HWIO filter [h][w][i][o] -> [H-1-h][W-1-w][o][i].
void flipFilter(const ConvShape& s, const float* filter, float* flipped) {
  const int64_t ic = s.inChannels, oc = s.outChannels;
  for (int64_t h = 0; h < s.filterHeight; ++h) {
    for (int64_t w = 0; w < s.filterWidth; ++w) {
      const float* tap = filter + (h * s.filterWidth + w) * ic * oc;
      float* target = flipped + ((s.filterHeight - 1 - h) * s.filterWidth + (s.filterWidth - 1 - w)) * ic * oc;
      for (int64_t i = 0; i < ic; ++i) {
        for (int64_t o = 0; o < oc; ++o) target[o * ic + i] = tap[i * oc + o];
      }
    }
  }
}

}  // namespace

void convBackwardData(const ConvShape& s, const float* dy, const float* filter, float* dx) {
  if (backwardDataRunsForward(s)) {
    static std::vector<float> flipped;  // reused: the addon is only called from the JavaScript thread
    flipped.resize(static_cast<size_t>(s.filterHeight * s.filterWidth * s.inChannels * s.outChannels));
    flipFilter(s, filter, flipped.data());
    convForward(flippedForwardShape(s), dy, flipped.data(), nullptr, dx, Activation::Linear);
    return;
  }
  BackwardOp& op = backwardDataOps.get(cacheKey("conv_bwd_data", s.fields()), [&] {
    return makeBackward<dnnl::convolution_backward_data>(s, DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC);
  });
  runBackward(op, dy, filter, dx);
}

void convBackwardFilter(const ConvShape& s, const float* x, const float* dy, float* dfilter) {
  BackwardOp& op = backwardFilterOps.get(cacheKey("conv_bwd_filter", s.fields()), [&] {
    return makeBackward<dnnl::convolution_backward_weights>(s, DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS);
  });
  runBackward(op, x, dy, dfilter);
}

}  // namespace optocnn
