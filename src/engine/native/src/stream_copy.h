// Copies whose destination is not read again before it would have left the cache.
#pragma once
#if defined(__AVX__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace optocnn {

// Copies count floats to dst with non-temporal stores where dst is 32-byte aligned, then fences them so
// that other threads see them: an ordinary store first reads every line it writes into the cache. Used
// for the best-so-far phases (a paper chunk's 134 MB), which are only read when the synthesis ends.
inline void streamCopy(float* dst, const float* src, int64_t count) {
#if defined(__AVX__)
  constexpr int64_t kLanes = 8;
  const int64_t misaligned = (reinterpret_cast<uintptr_t>(dst) % 32) / sizeof(float);
  const bool floatAligned = reinterpret_cast<uintptr_t>(dst) % sizeof(float) == 0;
  const int64_t head = floatAligned ? std::min(count, (kLanes - misaligned) % kLanes) : count;
  std::memcpy(dst, src, head * sizeof(float));
  int64_t i = head;
  for (; i + kLanes <= count; i += kLanes) _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
  std::memcpy(dst + i, src + i, (count - i) * sizeof(float));
  _mm_sfence();
#else
  std::memcpy(dst, src, count * sizeof(float));
#endif
}

}  // namespace optocnn
