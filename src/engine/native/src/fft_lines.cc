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

// One radix-4 Stockham stage: for every butterfly p and stride offset q, the inputs
// x[q + s (p + j m)], j < 4, become y[q + s (4 p + j)], the j-th output multiplied by w^(j p).
template <bool kInverse>
void radix4Stage(const Vec* xr, const Vec* xi, Vec* yr, Vec* yi, int64_t m, int64_t s, const float* twiddles) {
  const float sign = kInverse ? -1.0f : 1.0f;
  for (int64_t p = 0; p < m; ++p) {
    const float* w = twiddles + 6 * p;
    const Vec w1r = broadcast(w[0]), w1i = broadcast(sign * w[1]), w2r = broadcast(w[2]), w2i = broadcast(sign * w[3]);
    const Vec w3r = broadcast(w[4]), w3i = broadcast(sign * w[5]);
    const int64_t a = s * p, b = s * (p + m), c = s * (p + 2 * m), d = s * (p + 3 * m), y = s * 4 * p;
    for (int64_t q = 0; q < s; ++q) {
      const Vec sumAcR = xr[a + q] + xr[c + q], sumAcI = xi[a + q] + xi[c + q];
      const Vec difAcR = xr[a + q] - xr[c + q], difAcI = xi[a + q] - xi[c + q];
      const Vec sumBdR = xr[b + q] + xr[d + q], sumBdI = xi[b + q] + xi[d + q];
      const Vec difBdR = xr[b + q] - xr[d + q], difBdI = xi[b + q] - xi[d + q];
      // Output 1 is (a - c) - i(b - d) forward, (a - c) + i(b - d) inverse; output 3 the other sign.
      const Vec o1r = kInverse ? difAcR - difBdI : difAcR + difBdI;
      const Vec o1i = kInverse ? difAcI + difBdR : difAcI - difBdR;
      const Vec o3r = kInverse ? difAcR + difBdI : difAcR - difBdI;
      const Vec o3i = kInverse ? difAcI - difBdR : difAcI + difBdR;
      const Vec o2r = sumAcR - sumBdR, o2i = sumAcI - sumBdI;
      yr[y + q] = sumAcR + sumBdR;
      yi[y + q] = sumAcI + sumBdI;
      yr[y + s + q] = o1r * w1r - o1i * w1i;
      yi[y + s + q] = o1r * w1i + o1i * w1r;
      yr[y + 2 * s + q] = o2r * w2r - o2i * w2i;
      yi[y + 2 * s + q] = o2r * w2i + o2i * w2r;
      yr[y + 3 * s + q] = o3r * w3r - o3i * w3i;
      yi[y + 3 * s + q] = o3r * w3i + o3i * w3r;
    }
  }
}

// The closing radix-2 stage of an odd power of two (its length is 2, so the twiddle is 1).
void radix2LastStage(const Vec* xr, const Vec* xi, Vec* yr, Vec* yi, int64_t s) {
  for (int64_t q = 0; q < s; ++q) {
    const Vec ar = xr[q], ai = xi[q], br = xr[s + q], bi = xi[s + q];
    yr[q] = ar + br;
    yi[q] = ai + bi;
    yr[s + q] = ar - br;
    yi[s + q] = ai - bi;
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
    stage.radix = remaining >= 4 ? 4 : 2;
    stage.quarter = remaining / stage.radix;
    stage.stride = stride;
    if (stage.radix == 4) {
      stage.twiddles.resize(6 * stage.quarter);
      for (int64_t p = 0; p < stage.quarter; ++p) {
        for (int64_t j = 1; j <= 3; ++j) {
          const double angle = -2.0 * M_PI * double(j * p) / double(remaining);
          stage.twiddles[6 * p + 2 * (j - 1)] = float(std::cos(angle));
          stage.twiddles[6 * p + 2 * (j - 1) + 1] = float(std::sin(angle));
        }
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
    if (stage.radix == 2) radix2LastStage(xr, xi, yr, yi, stage.stride);
    else if (inverse) radix4Stage<true>(xr, xi, yr, yi, stage.quarter, stage.stride, stage.twiddles.data());
    else radix4Stage<false>(xr, xi, yr, yi, stage.quarter, stage.stride, stage.twiddles.data());
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

// Transposes the tile whose rows are tile[0..kLanes) in place.
inline void transposeTile(Vec* tile) {
  static_assert(kLanes == 16, "four rounds: one per bit of the lane index");
  transposeRound<8>(tile);
  transposeRound<4>(tile);
  transposeRound<2>(tile);
  transposeRound<1>(tile);
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
