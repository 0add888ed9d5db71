// Argument checking shared by the N-API entry points. Every argument is read through Args, which checks
// its type and range before any cast, so that a wrong call throws a JavaScript TypeError or RangeError
// naming the entry point and the argument ("conv2d: argument 7 (activation) must be 0 (linear), 1 (relu)
// or 2 (elu), got 5") instead of reading or writing outside its buffers. Heap operands are byte offsets
// into the wasm heap view passed with each call; optics operands are Float32Arrays. guarded() turns
// C++/oneDNN errors into JavaScript exceptions.
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>

namespace optocnn {

struct Bytes {
  uint8_t* data;
  size_t length;
};

// One field of a shape argument (an Int32Array): its name, its allowed range and, for codes, what the
// allowed values mean ("0 (N), 1 (T) or 2 (C)").
struct Field {
  const char* name;
  int32_t min;
  int32_t max = INT32_MAX;
  const char* allowed = nullptr;
};

// Largest integer a JavaScript number holds exactly: the upper bound of lengths and counts.
constexpr int64_t kMaxSafeInteger = (int64_t(1) << 53) - 1;

// Product of non-negative extents, saturating at INT64_MAX on overflow: no operand is that long, so the
// bounds checks then reject the call instead of an overflowed size passing them.
int64_t elementCount(std::initializer_list<int64_t> extents);

// A number as a message shows it: integers without a decimal point.
std::string numberText(double value);

// The arguments of one call of entry point `entry`. Indices are 0-based; messages count from 1.
class Args {
 public:
  // Throws a TypeError unless exactly `count` arguments were passed.
  Args(const Napi::CallbackInfo& info, const char* entry, size_t count);

  Napi::Env env() const { return info_.Env(); }
  [[noreturn]] void typeError(const std::string& message) const;
  [[noreturn]] void rangeError(const std::string& message) const;
  // "argument 3 (x)", the subject of a message about that argument.
  static std::string argument(size_t index, const char* name);

  // A typed array or ArrayBuffer (the wasm heap view).
  Bytes heap(size_t index) const;
  // A number (any value, including NaN).
  double number(size_t index, const char* name) const;
  // A number holding an integer in [min, max]; `allowed` words the range for codes.
  int64_t integer(size_t index, const char* name, int64_t min, int64_t max = kMaxSafeInteger,
                  const char* allowed = nullptr) const;
  bool boolean(size_t index, const char* name) const;
  std::string string(size_t index, const char* name) const;

  // A float32 operand of `count` elements at the byte offset given by argument `index`, inside the heap
  // and 4-byte aligned.
  float* heapFloats(const Bytes& heap, size_t index, const char* name, int64_t count) const;
  // As heapFloats, or null when the offset is negative (an absent optional operand).
  const float* optionalHeapFloats(const Bytes& heap, size_t index, const char* name, int64_t count) const;
  // The same for the offset at `element` of the Float64Array argument `index`. Creating a JavaScript number instead could start a garbage collection, which may move a
  // small typed array and leave its cached data pointer stale; so this path allocates nothing unless it throws.
  float* heapFloatsAt(const Bytes& heap, double offset, size_t index, const char* name, size_t element, int64_t count) const;

  // An Int32Array of named shape fields, each checked against its range.
  const int32_t* shape(size_t index, const char* name, const Field* fields, size_t fieldCount) const;
  template <size_t N>
  const int32_t* shape(size_t index, const char* name, const Field (&fields)[N]) const {
    return shape(index, name, fields, N);
  }
  // An Int32Array of exactly `length` values.
  const int32_t* int32Array(size_t index, const char* name, int64_t length) const;
  // A Float64Array of exactly `length` values, or of any length when `length` is negative.
  Napi::Float64Array float64Array(size_t index, const char* name, int64_t length) const;
  // A Float32Array with at least `minLength` elements.
  float* floatArray(size_t index, const char* name, int64_t minLength) const;
  // The element count of a Float32Array argument.
  int64_t floatArrayLength(size_t index, const char* name) const;

 private:
  const Napi::CallbackInfo& info_;
  const char* entry_;
};

// A function of the addon: its JavaScript name, how many arguments it takes, and its body, which reads
// them through Args.
struct EntryPoint {
  const char* name;
  size_t argumentCount;
  void (*body)(const Args& args);
};

// Exports each entry point under its name; every call counts the arguments and runs guarded.
void exportEntryPoints(Napi::Env env, Napi::Object exports, const EntryPoint* entries, size_t count);
template <size_t N>
void exportEntryPoints(Napi::Env env, Napi::Object exports, const EntryPoint (&entries)[N]) {
  exportEntryPoints(env, exports, entries, N);
}

// Runs `body` with asynchronous signals held (signals_held.h), turning C++ exceptions into JavaScript
// errors; the error text says what failed.
void guardedCall(const Napi::CallbackInfo& info, void (*body)(void*), void* context);

// The value `body` returns (undefined for a void body), or a JavaScript exception.
template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, Body body) {
  Napi::Value result = info.Env().Undefined();
  auto run = [&] {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
    } else {
      result = body();
    }
  };
  guardedCall(info, [](void* context) { (*static_cast<decltype(run)*>(context))(); }, &run);
  return result;
}

}  // namespace optocnn
