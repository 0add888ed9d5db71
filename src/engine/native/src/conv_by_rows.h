#pragma once
#include "activation_bias_grad.h"
#include "conv.h"

namespace optocnn {

// Whether convForwardByRows computes this convolution (dense: dilation 1 both ways).
bool convByRowsCovers(const ConvShape& s);

// y = act(conv(x, filter) + bias) as convForward, one matrix product per output row (conv_by_rows.cc).
// bias may be null. Threaded with OpenMP.
void convForwardByRows(const ConvShape& s, const float* x, const float* filter, const float* bias, float* y, Activation activation);

}  // namespace optocnn
