// Batched 2-D complex FFTs on kissfft (BSD-3-Clause), threaded with OpenMP over lines: rows first,
// then columns in blocks so that gathering a column reads whole cache lines.
#include "fft.h"

#include <kiss_fft.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace optocnn {

namespace {

constexpr int64_t kColumnBlock = 16;

// kissfft plans are read-only during transforms, so one per (length, direction) serves all threads.
kiss_fft_cfg plan(int64_t length, bool inverse) {
  static std::map<std::pair<int64_t, bool>, kiss_fft_cfg> plans;
  auto key = std::make_pair(length, inverse);
  auto found = plans.find(key);
  if (found != plans.end()) return found->second;
  kiss_fft_cfg made = kiss_fft_alloc(static_cast<int>(length), inverse ? 1 : 0, nullptr, nullptr);
  if (made == nullptr) throw std::runtime_error("kissfft could not allocate a plan");
  plans.emplace(key, made);
  return made;
}

void transformRows(float* re, float* im, int64_t lines, int64_t cols, kiss_fft_cfg cfg) {
#pragma omp parallel
  {
    std::vector<kiss_fft_cpx> in(cols), out(cols);
#pragma omp for schedule(static)
    for (int64_t line = 0; line < lines; ++line) {
      float* r = re + line * cols;
      float* i = im + line * cols;
      for (int64_t c = 0; c < cols; ++c) in[c] = kiss_fft_cpx{r[c], i[c]};
      kiss_fft(cfg, in.data(), out.data());
      for (int64_t c = 0; c < cols; ++c) {
        r[c] = out[c].r;
        i[c] = out[c].i;
      }
    }
  }
}

void transformColumns(float* re, float* im, int64_t batch, int64_t rows, int64_t cols, kiss_fft_cfg cfg, float scale) {
  const int64_t blocksPerPlane = (cols + kColumnBlock - 1) / kColumnBlock;
  const int64_t blocks = batch * blocksPerPlane;
#pragma omp parallel
  {
    std::vector<kiss_fft_cpx> in(kColumnBlock * rows), out(rows);
#pragma omp for schedule(static)
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t plane = block / blocksPerPlane;
      const int64_t c0 = (block % blocksPerPlane) * kColumnBlock;
      const int64_t width = std::min(kColumnBlock, cols - c0);
      float* r = re + plane * rows * cols + c0;
      float* i = im + plane * rows * cols + c0;
      for (int64_t row = 0; row < rows; ++row) {
        for (int64_t j = 0; j < width; ++j) in[j * rows + row] = kiss_fft_cpx{r[row * cols + j], i[row * cols + j]};
      }
      for (int64_t j = 0; j < width; ++j) {
        kiss_fft(cfg, in.data() + j * rows, out.data());
        for (int64_t row = 0; row < rows; ++row) {
          r[row * cols + j] = out[row].r * scale;
          i[row * cols + j] = out[row].i * scale;
        }
      }
    }
  }
}

}  // namespace

void fft2d(float* re, float* im, int64_t batch, int64_t rows, int64_t cols, bool inverse) {
  kiss_fft_cfg rowPlan = plan(cols, inverse);
  kiss_fft_cfg columnPlan = plan(rows, inverse);
  transformRows(re, im, batch * rows, cols, rowPlan);
  const float scale = inverse ? 1.0f / static_cast<float>(rows * cols) : 1.0f;
  transformColumns(re, im, batch, rows, cols, columnPlan, scale);
}

}  // namespace optocnn
