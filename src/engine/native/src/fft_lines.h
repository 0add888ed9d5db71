// 1-D DFTs of kLanes lines at once on lane-interleaved planar data: element k of line l sits at
// re/im[k * kLanes + l], so every butterfly handles kLanes lines in one vector and needs no shuffles.
// 2-D transforms (fft.cc, padded_convolution.cc) move rows and columns in and out of this layout.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

struct kiss_fft_state;

namespace optocnn {

// One vector register of floats: 16 with AVX-512, else 8 (AVX2).
#if defined(__AVX512F__)
constexpr int64_t kLanes = 16;
#else
constexpr int64_t kLanes = 8;
#endif

struct LaneBlock {
  float* re;
  float* im;
};

// Aligned lane-interleaved storage for `length` elements of kLanes lines.
class LaneBuffer {
 public:
  explicit LaneBuffer(int64_t length);
  LaneBlock block() { return {re_.get(), im_.get()}; }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], Free> re_, im_;
};

// Unnormalised DFT of one length: exp(-i..) forward, exp(+i..) inverse. Powers of two use a Stockham
// (self-sorting) transform of radix-8 stages closed by one radix-4 or radix-2 stage where the power
// is not a multiple of three; other lengths run kissfft line by line.
class LineFft {
 public:
  // The shared plan for `length` (built on first use; look plans up outside parallel regions).
  static const LineFft& forLength(int64_t length);

  // Transforms the kLanes lines in `data`, using `scratch` (same size) as the second buffer of the
  // ping-pong. Returns whichever of the two holds the result.
  LaneBlock run(LaneBlock data, LaneBlock scratch, bool inverse) const;

  LineFft(const LineFft&) = delete;
  LineFft& operator=(const LineFft&) = delete;
  ~LineFft();

 private:
  explicit LineFft(int64_t length);

  struct Stage {
    int64_t radix;   // 8, or 4 or 2 for the last stage
    int64_t groups;  // butterfly groups m: the length still to transform / radix
    int64_t stride;  // s: distance between the inputs of one butterfly, in elements
    std::vector<float> twiddles;  // w^(k p), k = 1..radix-1, as (re, im) for p < groups
  };

  LaneBlock runStockham(LaneBlock data, LaneBlock scratch, bool inverse) const;
  void runKiss(LaneBlock data, bool inverse) const;

  int64_t length_;
  std::vector<Stage> stages_;
  kiss_fft_state* kissForward_ = nullptr;
  kiss_fft_state* kissInverse_ = nullptr;
};

// Row-major matrix <-> lane layout. `lines` <= kLanes lines are moved; lanes beyond them read as zero.
// Rows as lines: lane l, element e <- src[l * stride + e], for e < count, into elements [at, at + count).
void loadRows(const float* src, int64_t stride, int64_t lines, int64_t count, float* lanes, int64_t at);
// The reverse: dst[l * stride + e] = lanes[(at + e) * kLanes + l].
void storeRows(const float* lanes, int64_t at, float* dst, int64_t stride, int64_t lines, int64_t count);
// Columns as lines: lane l, element e <- src[e * stride + l], for e < count, into elements [at, at + count);
// storeColumns writes them back times `scale`.
void loadColumns(const float* src, int64_t stride, int64_t lines, int64_t count, float* lanes, int64_t at);
void storeColumns(const float* lanes, int64_t at, float* dst, int64_t stride, int64_t lines, int64_t count, float scale);
// Zeroes elements [from, to) of all lanes.
void zeroElements(float* lanes, int64_t from, int64_t to);

}  // namespace optocnn
