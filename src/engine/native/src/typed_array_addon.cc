// N-API entry points on Float32Arrays (not the wasm heap): the phase vjp and an in-place Adam(W) step,
// each one threaded pass over arrays of up to billions of elements, and huge-page advice for such arrays.
#include "typed_array_addon.h"

#ifdef __linux__
#include <sys/mman.h>
#endif

#include <cstdint>

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

// (array): asks Linux for transparent huge pages over the 2 MB-aligned interior of a Float32Array not
// yet written. A fresh 4 KB page costs ~15 us to fault in on these VMs (a 134 MB array ~0.5 s to fill);
// with THP in "madvise" mode (Debian's default) only advised memory gets 2 MB pages. Advice only: where
// it is refused, or off Linux, the array keeps 4 KB pages.
void AdviseHugePages(const Args& args) {
  const int64_t count = args.floatArrayLength(0, "array");
  float* data = args.floatArray(0, "array", count);
#ifdef __linux__
  constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(data + count) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
#endif
}

const EntryPoint kEntryPoints[] = {
    {"phaseGradient", 5, PhaseGradient},
    {"adamUpdateArrays", 5, AdamUpdateArrays},
    {"adviseHugePages", 1, AdviseHugePages},
};

}  // namespace

void registerTypedArrayKernels(Napi::Env env, Napi::Object exports) { exportEntryPoints(env, exports, kEntryPoints); }

}  // namespace optocnn
