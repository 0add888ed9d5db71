// The tiled window transform fused with the phase metasurface (see phase_window.h).
// Fields of 32 paper metasurfaces are 270 MB: making them in one pass, storing them for the products and
// the adjoint, and reading the gradient back cost ~4x the traffic of the phases themselves, while a
// 257 x 257 tile's field (0.8 MB with its three blocks) stays in a 1 MB L2 between the phasor and its
// product (in L3 on CPUs with 512 KB). Each thread runs its own (item, row band) products with oneDNN's
// sgemm, which runs single-threaded inside a parallel region.
#include "phase_window.h"

#include <dnnl.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "stream_copy.h"
#include "unit_phasor.h"

namespace optocnn {

namespace {

constexpr int64_t kParallelMin = 1 << 15;

struct Tile {
  int64_t row0, rows, col0, cols, transformOffset, factorOffset;
};

Tile tileAt(const PhaseWindowShape& s, int64_t i, int64_t j) {
  const int64_t row0 = s.bandStarts[i], rows = s.bandStarts[i + 1] - row0;
  const int64_t col0 = s.bandStarts[j], cols = s.bandStarts[j + 1] - col0;
  return {row0, rows, col0, cols, 3 * s.samples * (i * s.size + col0), 3 * s.rank * (i * (s.size + s.bands * s.samples) + col0 + j * s.samples)};
}

int64_t widestBand(const PhaseWindowShape& s) {
  int64_t widest = 0;
  for (int64_t i = 0; i < s.bands; ++i) widest = std::max<int64_t>(widest, s.bandStarts[i + 1] - s.bandStarts[i]);
  return widest;
}

// Row-major C = op(A) B + beta C (m x n; op(A) m x k, A stored with row stride lda, transposed when
// transA is 'T'; B k x n dense), single-threaded when called inside a parallel region.
void sgemm(char transA, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, float beta, float* c) {
  if (dnnl_sgemm(transA, 'N', m, n, k, 1.f, a, lda, b, n, beta, c, n) != dnnl_success) throw std::runtime_error("phase window: dnnl_sgemm failed");
}

// A tile row is 1 KB of a plane row 4 KB long, so the hardware prefetcher, which follows streams within a
// page, restarts on every row; asking for the row two ahead halves the cost of the field pass (measured
// on the paper's 1025-cell planes).
constexpr int64_t kRowsAhead = 2;

void prefetchRow(const float* row, int64_t cols) {
  const char* bytes = reinterpret_cast<const char*>(row);
  for (int64_t at = 0; at < cols * int64_t(sizeof(float)); at += 64) __builtin_prefetch(bytes + at);
}

// Re, Im and (when sum is set) Re + Im of u = weight . exp(i phase) over one tile row of `cols` cells.
void fieldRow(const float* phase, const float* weightRe, const float* weightIm, int64_t cols, float* re, float* im, float* sum) {
  phasorSpan(phase, re, im, cols);
  if (weightRe != nullptr) {
#pragma omp simd
    for (int64_t j = 0; j < cols; ++j) {
      const float cr = re[j], ci = im[j];
      re[j] = weightRe[j] * cr - weightIm[j] * ci;
      im[j] = weightRe[j] * ci + weightIm[j] * cr;
    }
  }
  if (sum == nullptr) return;
#pragma omp simd
  for (int64_t j = 0; j < cols; ++j) sum[j] = re[j] + im[j];
}

// A complex product X Y of an m x k by a k x n matrix in three real ones (Gauss): with the blocks
// b1 = Re Y, b2 = Im Y, b3 = Re Y + Im Y (each k x n, consecutive in a tile's transforms) and
// p1 = Re X b1, p2 = Im X b2, p3 = (Re X + Im X) b3: Re XY = p1 - p2, Im XY = p3 - p1 - p2. Three
// quarters of the arithmetic of four real products, for float rounding that stays relative to |X| |Y|.
struct ThreeProducts {
  const float *b1, *b2, *b3;
  float *p1, *p2, *p3;
};

ThreeProducts threeProducts(int64_t m, int64_t n, int64_t k, const float* blocks, float* products) {
  return {blocks, blocks + k * n, blocks + 2 * k * n, products, products + m * n, products + 2 * m * n};
}

// Turns a three-product's p1, p2, p3 (count values each) in place into the blocks of its complex result
// for the next three-product: Re = p1 - p2, Im = p3 - p1 - p2, and Re + Im.
void toBlocks(int64_t count, const ThreeProducts& p) {
#pragma omp simd
  for (int64_t at = 0; at < count; ++at) {
    const float a = p.p1[at], c = p.p2[at];
    const float re = a - c, im = p.p3[at] - a - c;
    p.p1[at] = re;
    p.p2[at] = im;
    p.p3[at] = re + im;
  }
}

// The three real products of a three-product: p_k = op(A_k) b_k + beta p_k, with A_k the left operand's
// blocks (Re X, Im X, Re X + Im X; lda their row stride, transposed when transA is 'T').
void multiplyBlocks(char transA, int64_t m, int64_t n, int64_t k, const float* a1, const float* a2, const float* a3, int64_t lda,
                    const ThreeProducts& p, float beta) {
  sgemm(transA, m, n, k, a1, lda, p.b1, beta, p.p1);
  sgemm(transA, m, n, k, a2, lda, p.b2, beta, p.p2);
  sgemm(transA, m, n, k, a3, lda, p.b3, beta, p.p3);
}

// Runs body(task, scratch) for tasks 0 .. count-1 across the threads, each thread with its own scratch;
// the first exception is rethrown after the loop.
template <typename Body>
void forEachTask(const PhaseWindowShape& s, int64_t count, int64_t scratchFloats, Body body) {
  std::exception_ptr failure;
#pragma omp parallel if (s.batch * s.size * s.size >= kParallelMin)
  {
    std::vector<float> scratch(scratchFloats);
#pragma omp for schedule(dynamic)
    for (int64_t task = 0; task < count; ++task) {
      try {
        body(task, scratch.data());
      } catch (...) {
#pragma omp critical
        if (!failure) failure = std::current_exception();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
}

// The per-(item, band) sums of the forward's y-side products, reused across calls (the addon is called from
// one JavaScript thread).
std::vector<float> forwardPartials;

}  // namespace

int64_t phaseWindowFactorValues(const PhaseWindowShape& s) { return 3 * s.rank * s.bands * (s.size + s.bands * s.samples); }

void phaseWindowForward(const PhaseWindowShape& s, const float* phase, PlanarMatrix weight, const float* transforms,
                        const float* factors, PlanarMatrix window) {
  const int64_t S = s.samples, R = s.rank, widest = widestBand(s), SS = S * S;
  const bool factored = R > 0;
  const int64_t width = factored ? R : S;  // columns of the x-side products
  if (int64_t(forwardPartials.size()) < s.batch * s.bands * 3 * SS) forwardPartials.resize(s.batch * s.bands * 3 * SS);
  float* partials = forwardPartials.data();
  // One task per item and row band i. Per tile, T = u Ex^T, then the band's partial sums of
  // window^T = sum over tiles of T^T Ey^T (Ey^T the forward blocks of tile (j, i)) while T is in cache.
  // With Ex = P Q: H = u Q^T (rows x R), V = H^T Ey^T (R x S), and the sums of P V (T = H P^T).
  forEachTask(s, s.batch * s.bands, widest * 3 * widest + 3 * widest * width + 3 * R * S, [&](int64_t task, float* scratch) {
    const int64_t b = task / s.bands, i = task % s.bands;
    float* field = scratch;                        // rows x [re | im | re + im], 3 cols each
    float* half = field + widest * 3 * widest;     // three rows x width products, then the blocks of T (or H)
    float* narrow = half + 3 * widest * width;     // three R x S products, then the blocks of V
    float* sums = partials + task * 3 * SS;        // three S x S sums over the band's tiles
    for (int64_t j = 0; j < s.bands; ++j) {
      const Tile t = tileAt(s, i, j);
      for (int64_t r = 0; r < t.rows; ++r) {
        const int64_t cell = (t.row0 + r) * s.size + t.col0;
        if (r + kRowsAhead < t.rows) prefetchRow(phase + b * s.stride + cell + kRowsAhead * s.size, t.cols);
        fieldRow(phase + b * s.stride + cell, weight.re ? weight.re + cell : nullptr, weight.im ? weight.im + cell : nullptr, t.cols,
                 field + r * 3 * t.cols, field + r * 3 * t.cols + t.cols, field + r * 3 * t.cols + 2 * t.cols);
      }
      const float* xBlocks = factored ? factors + t.factorOffset : transforms + t.transformOffset;
      const ThreeProducts h = threeProducts(t.rows, width, t.cols, xBlocks, half);
      multiplyBlocks('N', t.rows, width, t.cols, field, field + t.cols, field + 2 * t.cols, 3 * t.cols, h, 0.f);
      toBlocks(t.rows * width, h);
      const float* eyT = transforms + tileAt(s, j, i).transformOffset;
      const float beta = j == 0 ? 0.f : 1.f;
      if (!factored) {
        multiplyBlocks('T', S, S, t.rows, h.p1, h.p2, h.p3, S, threeProducts(S, S, t.rows, eyT, sums), beta);
        continue;
      }
      const ThreeProducts v = threeProducts(R, S, t.rows, eyT, narrow);
      multiplyBlocks('T', R, S, t.rows, h.p1, h.p2, h.p3, R, v, 0.f);
      toBlocks(R * S, v);
      const float* p = xBlocks + 3 * t.cols * R;
      multiplyBlocks('N', S, S, R, p, p + S * R, p + 2 * S * R, R, {v.p1, v.p2, v.p3, sums, sums + SS, sums + 2 * SS}, beta);
    }
  });
  // window_b = (sum over bands of the transposed sums)^T, combined as the three-product form says.
#pragma omp parallel for schedule(static) if (s.batch * s.bands * SS >= kParallelMin)
  for (int64_t b = 0; b < s.batch; ++b) {
    float* re = window.re + b * s.windowStride;
    float* im = window.im + b * s.windowStride;
    for (int64_t at = 0; at < SS; ++at) {
      float sumRe = 0.f, sumIm = 0.f;
      for (int64_t i = 0; i < s.bands; ++i) {
        const float* sums = partials + (b * s.bands + i) * 3 * SS;
        const float a = sums[at], c = sums[SS + at];
        sumRe += a - c;
        sumIm += sums[2 * SS + at] - a - c;
      }
      const int64_t transposed = (at % S) * S + at / S;
      re[transposed] = sumRe;
      im[transposed] = sumIm;
    }
  }
}

void phaseWindowAdjoint(const PhaseWindowShape& s, float* phase, PlanarMatrix weight, const float* transforms,
                        const float* factors, PlanarMatrix window, const PhaseUpdate& update) {
  const int64_t S = s.samples, R = s.rank, widest = widestBand(s), N = s.size, SS = S * S;
  const bool factored = R > 0;
  const int64_t width = factored ? R : S;  // rows of the half products
  // One task per item and row band: per tile, S_t^T = G2^T conj(Ey_t) (conj(Ey_t)'s blocks are the adjoint
  // blocks of tile (j, i)) and G = S_t conj(Ex_t) in cache; with conj(Ex) = conj(P) conj(Q), first
  // Z^T = conj(P)^T G2^T (R x S), then W^T = Z^T conj(Ey) (R x rows) and G = W conj(Q). The band's gradient
  // is gathered tile by tile, then the update walks whole plane rows (4 KB each of phase, m and v), which
  // streams at twice the rate of tile rows.
  forEachTask(s, s.batch * s.bands, widest * 3 * widest + widest * N + 2 * widest + 3 * R * S + 3 * width * widest + 3 * SS, [&](int64_t task, float* scratch) {
    float* product = scratch;                         // three rows x cols products of one tile
    float* gradient = product + widest * 3 * widest;  // rows x N: the band's dL/dphase
    float* fieldRe = gradient + widest * N;
    float* fieldIm = fieldRe + widest;
    float* narrow = fieldIm + widest;                 // the blocks of Z^T (R x S each)
    float* half = narrow + 3 * R * S;                 // the blocks of S_t^T (or W^T), width x rows each
    float* windowT = half + 3 * width * widest;       // S x S each: Re G2^T, Im G2^T, their sum
    const int64_t b = task / s.bands, i = task % s.bands;
    const int32_t flags = update.itemFlags ? update.itemFlags[b] : kPhaseItemTrained;
    const int64_t row0 = s.bandStarts[i], rows = s.bandStarts[i + 1] - row0, at = b * s.stride + row0 * N;
    float* band = phase + at;
    if (flags & kPhaseItemTrained) {
      const float* gRe = window.re + b * s.windowStride;
      const float* gIm = window.im + b * s.windowStride;
      for (int64_t r = 0; r < S; ++r) {
        for (int64_t c = 0; c < S; ++c) {
          windowT[r * S + c] = gRe[c * S + r];
          windowT[SS + r * S + c] = gIm[c * S + r];
          windowT[2 * SS + r * S + c] = gRe[c * S + r] + gIm[c * S + r];
        }
      }
      for (int64_t j = 0; j < s.bands; ++j) {
        const Tile t = tileAt(s, i, j);
        const float* xBlocks = factored ? factors + t.factorOffset : transforms + t.transformOffset;
        // The left operand of the product by conj(Ey): G2^T, or Z^T.
        ThreeProducts left = {nullptr, nullptr, nullptr, windowT, windowT + SS, windowT + 2 * SS};
        if (factored) {
          const float* pConjT = xBlocks + 3 * R * t.cols;
          left = {windowT, windowT + SS, windowT + 2 * SS, narrow, narrow + R * S, narrow + 2 * R * S};
          multiplyBlocks('N', R, S, S, pConjT, pConjT + R * S, pConjT + 2 * R * S, S, left, 0.f);
          toBlocks(R * S, left);
        }
        const ThreeProducts y = threeProducts(width, t.rows, S, transforms + tileAt(s, j, i).transformOffset, half);
        multiplyBlocks('N', width, t.rows, S, left.p1, left.p2, left.p3, S, y, 0.f);
        toBlocks(width * t.rows, y);
        // G = S_t conj(Ex) (or W conj(Q)), from the transposed half product and the blocks of conj(Ex) (or conj(Q)).
        const ThreeProducts p = threeProducts(t.rows, t.cols, width, xBlocks, product);
        multiplyBlocks('T', t.rows, t.cols, width, y.p1, y.p2, y.p3, t.rows, p, 0.f);
        for (int64_t r = 0; r < t.rows; ++r) {
          const int64_t inPlane = (t.row0 + r) * N + t.col0;
          if (r + kRowsAhead < t.rows) prefetchRow(band + (r + kRowsAhead) * N + t.col0, t.cols);
          fieldRow(band + r * N + t.col0, weight.re ? weight.re + inPlane : nullptr, weight.im ? weight.im + inPlane : nullptr, t.cols, fieldRe, fieldIm, nullptr);
          const float* p1 = p.p1 + r * t.cols;
          const float* p2 = p.p2 + r * t.cols;
          const float* p3 = p.p3 + r * t.cols;
          float* g = gradient + r * N + t.col0;
#pragma omp simd
          for (int64_t l = 0; l < t.cols; ++l) {
            const float gr = p1[l] - p2[l], gi = p3[l] - p1[l] - p2[l];
            g[l] = gi * fieldRe[l] - gr * fieldIm[l];
          }
        }
      }
    } else {
      std::fill(gradient, gradient + rows * N, 0.f);
    }
    if (update.gradient) {
      std::copy(gradient, gradient + rows * N, update.gradient + at);
      return;
    }
    if (flags & kPhaseItemKeepBest) streamCopy(update.best + at, band, rows * N);
    adamSpan(update.hyper, 0, rows * N, band, update.m + at, update.v + at, gradient, band, update.m + at, update.v + at);
  });
}

double phaseWindowProductSeconds(const PhaseWindowShape& s, const float* transforms) {
  const int64_t S = s.samples, widest = widestBand(s);
  const auto start = std::chrono::steady_clock::now();
  forEachTask(s, s.batch * s.bands * s.bands, widest * 3 * widest * 2, [&](int64_t task, float* scratch) {
    const int64_t t0 = task % (s.bands * s.bands);
    const Tile t = tileAt(s, t0 / s.bands, t0 % s.bands);
    float* operand = scratch;
    float* product = scratch + widest * 3 * widest;
    std::fill(operand, operand + t.rows * 3 * std::max(t.cols, S), 0.5f);
    multiplyBlocks('N', t.rows, S, t.cols, operand, operand, operand, t.cols, threeProducts(t.rows, S, t.cols, transforms + t.transformOffset, product), 0.f);
    multiplyBlocks('N', t.rows, t.cols, S, operand, operand, operand, S, threeProducts(t.rows, t.cols, S, transforms + t.transformOffset, product), 0.f);
  });
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace optocnn
