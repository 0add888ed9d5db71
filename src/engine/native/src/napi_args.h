// Argument unpacking shared by the N-API entry points: heap operands (byte offsets into the wasm heap
// view passed with each call), Float32Array operands, shape fields, and C++/oneDNN errors turned into
// JavaScript exceptions.
#pragma once
#include <napi.h>

#include <cstdint>
#include <exception>
#include <string>

namespace optocnn {

struct Bytes {
  uint8_t* data;
  size_t length;
};

Bytes viewBytes(const Napi::Value& value, const char* name);

// A float32 operand of `count` elements at byte `offset` of the heap, bounds-checked.
float* heapFloats(const Bytes& heap, const Napi::Value& offset, int64_t count, const char* name);
// The same for an offset read from a Float64Array. Creating a JavaScript number instead could start a
// garbage collection, which may move a small typed array and leave its cached data pointer stale.
float* heapFloats(Napi::Env env, const Bytes& heap, double offset, int64_t count, const char* name);

// As heapFloats, or null when the offset is negative (an absent optional operand).
const float* optionalHeapFloats(const Bytes& heap, const Napi::Value& offset, int64_t count, const char* name);

// An Int32Array argument of exactly `expected` values (shape fields, indices).
const int32_t* int32Array(const Napi::Value& value, int64_t expected, const char* name);

// A Float64Array argument (offsets, lengths, hyper-parameters) of exactly `expected` values, or of any
// length when `expected` is negative.
Napi::Float64Array float64Array(const Napi::Value& value, int64_t expected, const char* name);

// A Float32Array argument with at least `minLength` elements.
float* floatArray(const Napi::Value& value, int64_t minLength, const char* name);

// Runs `body`, turning C++ exceptions into JavaScript errors; the error text says what failed.
Napi::Value guardedCall(const Napi::CallbackInfo& info, void (*body)(const Napi::CallbackInfo&, void*), void* context);

template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, Body body) {
  return guardedCall(info, [](const Napi::CallbackInfo&, void* context) { (*static_cast<Body*>(context))(); }, &body);
}

}  // namespace optocnn
