#include "fft_lines.h"

#include <kiss_fft.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <utility>
#include <stdexcept>

namespace optocnn {

namespace {

// One vector = one element of all kLanes lines (GCC vector extension: the compiler picks the widest
// registers the target flags allow).
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

constexpr size_t kAlignment = 64;

// Spelled out: GCC builds scalar * vector products through the stack.
inline Vec broadcast(float value) { return Vec{} + value; }

float* allocateAligned(int64_t floats) {
  const size_t bytes = ((size_t(floats) * sizeof(float) + kAlignment - 1) / kAlignment) * kAlignment;
  void* memory = std::aligned_alloc(kAlignment, bytes == 0 ? kAlignment : bytes);
  if (memory == nullptr) throw std::bad_alloc();
  return static_cast<float*>(memory);
}

bool isPowerOfTwo(int64_t n) { return n >= 1 && (n & (n - 1)) == 0; }

// kLanes complex numbers, one per line.
struct Cx {
  Vec re, im;
};

inline Cx operator+(Cx a, Cx b) { return {a.re + b.re, a.im + b.im}; }
inline Cx operator-(Cx a, Cx b) { return {a.re - b.re, a.im - b.im}; }

// x times the twiddle (re, im), conjugated for the inverse transform.
template <bool kInverse>
inline Cx rotate(Cx x, const float* twiddle) {
  const Vec wr = broadcast(twiddle[0]), wi = broadcast(kInverse ? -twiddle[1] : twiddle[1]);
  return {x.re * wr - x.im * wi, x.re * wi + x.im * wr};
}

// x times exp(-i pi/2) = -i (forward) or +i (inverse).
template <bool kInverse>
inline Cx quarterTurn(Cx x) {
  return kInverse ? Cx{-x.im, x.re} : Cx{x.im, -x.re};
}

// x times exp(-i pi/4) (forward) or exp(+i pi/4) (inverse).
template <bool kInverse>
inline Cx eighthTurn(Cx x) {
  const float h = float(M_SQRT1_2);
  return kInverse ? Cx{(x.re - x.im) * h, (x.im + x.re) * h} : Cx{(x.re + x.im) * h, (x.im - x.re) * h};
}

// x times exp(-3 i pi/4) (forward) or exp(+3 i pi/4) (inverse).
template <bool kInverse>
inline Cx threeEighthsTurn(Cx x) {
  const float h = float(M_SQRT1_2);
  return kInverse ? Cx{(-x.re - x.im) * h, (x.re - x.im) * h} : Cx{(x.im - x.re) * h, (-x.im - x.re) * h};
}

// 4-point DFT of (a, b, c, d), in place.
template <bool kInverse>
inline void dft4(Cx& a, Cx& b, Cx& c, Cx& d) {
  const Cx sumAc = a + c, difAc = a - c, sumBd = b + d, turnedDifBd = quarterTurn<kInverse>(b - d);
  a = sumAc + sumBd;
  b = difAc + turnedDifBd;
  c = sumAc - sumBd;
  d = difAc - turnedDifBd;
}

inline Cx load(const Vec* re, const Vec* im, int64_t at) { return {re[at], im[at]}; }

inline void store(Vec* re, Vec* im, int64_t at, Cx x) {
  re[at] = x.re;
  im[at] = x.im;
}

// One Stockham stage of radix r on a transform of m * r * s elements: for every group p < m and
// stride offset q < s, the inputs x[q + s (p + j m)], j < r, go through an r-point DFT and output k,
// times w^(k p) (w = exp(-2 pi i / (m r))), lands at y[q + s (r p + k)]. The twiddles hold w^(k p),
// k = 1..r-1, as (re, im) pairs per p.
template <bool kInverse>
void radix8Stage(const Vec* xr, const Vec* xi, Vec* yr, Vec* yi, int64_t m, int64_t s, const float* twiddles) {
  for (int64_t p = 0; p < m; ++p) {
    const float* w = twiddles + 14 * p;
    for (int64_t q = 0; q < s; ++q) {
      Cx x[8];
      for (int64_t j = 0; j < 8; ++j) x[j] = load(xr, xi, q + s * (p + j * m));
      // Even and odd samples as two 4-point DFTs, joined by the twiddles of the 8-point DFT.
      dft4<kInverse>(x[0], x[2], x[4], x[6]);
      dft4<kInverse>(x[1], x[3], x[5], x[7]);
      const Cx odd[4] = {x[1], eighthTurn<kInverse>(x[3]), quarterTurn<kInverse>(x[5]), threeEighthsTurn<kInverse>(x[7])};
      const Cx even[4] = {x[0], x[2], x[4], x[6]};
      const int64_t y = q + s * 8 * p;
      store(yr, yi, y, even[0] + odd[0]);
      for (int64_t k = 1; k < 4; ++k) store(yr, yi, y + s * k, rotate<kInverse>(even[k] + odd[k], w + 2 * (k - 1)));
      for (int64_t k = 0; k < 4; ++k) store(yr, yi, y + s * (k + 4), rotate<kInverse>(even[k] - odd[k], w + 2 * (k + 3)));
    }
  }
}

template <bool kInverse>
void radix4Stage(const Vec* xr, const Vec* xi, Vec* yr, Vec* yi, int64_t m, int64_t s, const float* twiddles) {
  for (int64_t p = 0; p < m; ++p) {
    const float* w = twiddles + 6 * p;
    for (int64_t q = 0; q < s; ++q) {
      Cx a = load(xr, xi, q + s * p), b = load(xr, xi, q + s * (p + m));
      Cx c = load(xr, xi, q + s * (p + 2 * m)), d = load(xr, xi, q + s * (p + 3 * m));
      dft4<kInverse>(a, b, c, d);
      const int64_t y = q + s * 4 * p;
      store(yr, yi, y, a);
      store(yr, yi, y + s, rotate<kInverse>(b, w));
      store(yr, yi, y + 2 * s, rotate<kInverse>(c, w + 2));
      store(yr, yi, y + 3 * s, rotate<kInverse>(d, w + 4));
    }
  }
}

// Radix 2 only closes a transform (m = 1), so its twiddle is 1.
void radix2LastStage(const Vec* xr, const Vec* xi, Vec* yr, Vec* yi, int64_t s) {
  for (int64_t q = 0; q < s; ++q) {
    const Cx a = load(xr, xi, q), b = load(xr, xi, s + q);
    store(yr, yi, q, a + b);
    store(yr, yi, s + q, a - b);
  }
}

}  // namespace

void LaneBuffer::Free::operator()(float* p) const { std::free(p); }

LaneBuffer::LaneBuffer(int64_t length)
    : re_(allocateAligned(length * kLanes)), im_(allocateAligned(length * kLanes)) {}

LineFft::LineFft(int64_t length) : length_(length) {
  if (length < 1) throw std::invalid_argument("fft: length must be positive");
  if (!isPowerOfTwo(length)) {
    kissForward_ = kiss_fft_alloc(static_cast<int>(length), 0, nullptr, nullptr);
    kissInverse_ = kiss_fft_alloc(static_cast<int>(length), 1, nullptr, nullptr);
    if (kissForward_ == nullptr || kissInverse_ == nullptr) throw std::runtime_error("kissfft could not allocate a plan");
    return;
  }
  int64_t stride = 1;
  for (int64_t remaining = length; remaining > 1;) {
    Stage stage;
    stage.radix = remaining >= 8 ? 8 : remaining;
    stage.groups = remaining / stage.radix;
    stage.stride = stride;
    stage.twiddles.resize(2 * (stage.radix - 1) * stage.groups);
    for (int64_t p = 0; p < stage.groups; ++p) {
      for (int64_t k = 1; k < stage.radix; ++k) {
        const double angle = -2.0 * M_PI * double(k * p) / double(remaining);
        stage.twiddles[2 * ((stage.radix - 1) * p + k - 1)] = float(std::cos(angle));
        stage.twiddles[2 * ((stage.radix - 1) * p + k - 1) + 1] = float(std::sin(angle));
      }
    }
    stages_.push_back(std::move(stage));
    stride *= stages_.back().radix;
    remaining /= stages_.back().radix;
  }
}

LineFft::~LineFft() {
  kiss_fft_free(kissForward_);
  kiss_fft_free(kissInverse_);
}

const LineFft& LineFft::forLength(int64_t length) {
  static std::mutex guard;
  static std::map<int64_t, std::unique_ptr<LineFft>> plans;
  std::lock_guard<std::mutex> lock(guard);
  std::unique_ptr<LineFft>& plan = plans[length];
  if (!plan) plan.reset(new LineFft(length));
  return *plan;
}

LaneBlock LineFft::run(LaneBlock data, LaneBlock scratch, bool inverse) const {
  if (kissForward_ != nullptr) {
    runKiss(data, inverse);
    return data;
  }
  return runStockham(data, scratch, inverse);
}

LaneBlock LineFft::runStockham(LaneBlock data, LaneBlock scratch, bool inverse) const {
  LaneBlock from = data, to = scratch;
  for (const Stage& stage : stages_) {
    const Vec* xr = reinterpret_cast<const Vec*>(from.re);
    const Vec* xi = reinterpret_cast<const Vec*>(from.im);
    Vec* yr = reinterpret_cast<Vec*>(to.re);
    Vec* yi = reinterpret_cast<Vec*>(to.im);
    const float* w = stage.twiddles.data();
    if (stage.radix == 8) {
      if (inverse) radix8Stage<true>(xr, xi, yr, yi, stage.groups, stage.stride, w);
      else radix8Stage<false>(xr, xi, yr, yi, stage.groups, stage.stride, w);
    } else if (stage.radix == 4) {
      if (inverse) radix4Stage<true>(xr, xi, yr, yi, stage.groups, stage.stride, w);
      else radix4Stage<false>(xr, xi, yr, yi, stage.groups, stage.stride, w);
    } else {
      radix2LastStage(xr, xi, yr, yi, stage.stride);
    }
    std::swap(from, to);
  }
  return from;
}

void LineFft::runKiss(LaneBlock data, bool inverse) const {
  thread_local std::vector<kiss_fft_cpx> in, out;
  in.resize(length_);
  out.resize(length_);
  for (int64_t lane = 0; lane < kLanes; ++lane) {
    for (int64_t k = 0; k < length_; ++k) in[k] = kiss_fft_cpx{data.re[k * kLanes + lane], data.im[k * kLanes + lane]};
    kiss_fft(inverse ? kissInverse_ : kissForward_, in.data(), out.data());
    for (int64_t k = 0; k < length_; ++k) {
      data.re[k * kLanes + lane] = out[k].r;
      data.im[k * kLanes + lane] = out[k].i;
    }
  }
}

namespace {

Vec loadUnaligned(const float* from) {
  Vec v;
  std::memcpy(&v, from, sizeof v);
  return v;
}

void storeUnaligned(float* to, Vec v) { std::memcpy(to, &v, sizeof v); }

// Round d of a kLanes x kLanes transpose swaps the off-diagonal d x d blocks of every 2d x 2d block:
// rows i and i + d (i without bit d) exchange their halves. Constant shuffles, so the compiler picks
// the cheapest permute for each round.
template <int64_t d, size_t... j>
inline Vec lowHalves(Vec a, Vec b, std::index_sequence<j...>) {
  return __builtin_shufflevector(a, b, ((j & d) ? kLanes + j - d : j)...);
}

template <int64_t d, size_t... j>
inline Vec highHalves(Vec a, Vec b, std::index_sequence<j...>) {
  return __builtin_shufflevector(a, b, ((j & d) ? kLanes + j : j + d)...);
}

template <int64_t d>
inline void transposeRound(Vec* tile) {
  for (int64_t i = 0; i < kLanes; ++i) {
    if (i & d) continue;
    const Vec a = tile[i], b = tile[i + d];
    tile[i] = lowHalves<d>(a, b, std::make_index_sequence<kLanes>());
    tile[i + d] = highHalves<d>(a, b, std::make_index_sequence<kLanes>());
  }
}

// Rounds d, d/2, ..., 1: one per bit of the lane index.
template <int64_t d>
inline void transposeRounds(Vec* tile) {
  transposeRound<d>(tile);
  if constexpr (d > 1) transposeRounds<d / 2>(tile);
}

// Transposes the tile whose rows are tile[0..kLanes) in place.
inline void transposeTile(Vec* tile) {
  static_assert((kLanes & (kLanes - 1)) == 0, "a power of two");
  transposeRounds<kLanes / 2>(tile);
}

}  // namespace

void loadRows(const float* src, int64_t stride, int64_t lines, int64_t count, float* lanes, int64_t at) {
  Vec* out = reinterpret_cast<Vec*>(lanes) + at;
  Vec tile[kLanes];
  const int64_t whole = count - count % kLanes;
  for (int64_t e0 = 0; e0 < whole; e0 += kLanes) {
    for (int64_t l = 0; l < kLanes; ++l) tile[l] = l < lines ? loadUnaligned(src + l * stride + e0) : Vec{};
    transposeTile(tile);
    for (int64_t e = 0; e < kLanes; ++e) out[e0 + e] = tile[e];
  }
  for (int64_t e = whole; e < count; ++e) {
    for (int64_t l = 0; l < kLanes; ++l) out[e][l] = l < lines ? src[l * stride + e] : 0.0f;
  }
}

void storeRows(const float* lanes, int64_t at, float* dst, int64_t stride, int64_t lines, int64_t count) {
  const Vec* in = reinterpret_cast<const Vec*>(lanes) + at;
  Vec tile[kLanes];
  const int64_t whole = count - count % kLanes;
  for (int64_t e0 = 0; e0 < whole; e0 += kLanes) {
    for (int64_t e = 0; e < kLanes; ++e) tile[e] = in[e0 + e];
    transposeTile(tile);
    for (int64_t l = 0; l < lines; ++l) storeUnaligned(dst + l * stride + e0, tile[l]);
  }
  for (int64_t e = whole; e < count; ++e) {
    for (int64_t l = 0; l < lines; ++l) dst[l * stride + e] = in[e][l];
  }
}

void loadColumns(const float* src, int64_t stride, int64_t lines, int64_t count, float* lanes, int64_t at) {
  if (lines < kLanes) zeroElements(lanes, at, at + count);
  for (int64_t e = 0; e < count; ++e) std::memcpy(lanes + (at + e) * kLanes, src + e * stride, sizeof(float) * lines);
}

void storeColumns(const float* lanes, int64_t at, float* dst, int64_t stride, int64_t lines, int64_t count, float scale) {
  for (int64_t e = 0; e < count; ++e) {
    const float* from = lanes + (at + e) * kLanes;
    float* row = dst + e * stride;
    for (int64_t l = 0; l < lines; ++l) row[l] = scale * from[l];
  }
}

void zeroElements(float* lanes, int64_t from, int64_t to) {
  if (to > from) std::memset(lanes + from * kLanes, 0, sizeof(float) * kLanes * (to - from));
}

}  // namespace optocnn
