#include "napi_args.h"

#include "signals_held.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <cstdio>
#include <limits>

namespace optocnn {

namespace {

const char* typedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "an Int8Array";
    case napi_uint8_array: return "a Uint8Array";
    case napi_uint8_clamped_array: return "a Uint8ClampedArray";
    case napi_int16_array: return "an Int16Array";
    case napi_uint16_array: return "a Uint16Array";
    case napi_int32_array: return "an Int32Array";
    case napi_uint32_array: return "a Uint32Array";
    case napi_float32_array: return "a Float32Array";
    case napi_float64_array: return "a Float64Array";
    default: return "a BigInt typed array";
  }
}

// What a wrong argument was, for the message ("got a Float64Array").
std::string kindOf(const Napi::Value& value) {
  if (value.IsTypedArray()) return typedArrayName(value.As<Napi::TypedArray>().TypedArrayType());
  if (value.IsArrayBuffer()) return "an ArrayBuffer";
  if (value.IsArray()) return "an Array";
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return "an object";
  }
}

bool isTypedArrayOf(const Napi::Value& value, napi_typedarray_type type) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == type;
}

}  // namespace

std::string numberText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

int64_t elementCount(std::initializer_list<int64_t> extents) {
  int64_t count = 1;
  for (int64_t extent : extents) {
    if (__builtin_mul_overflow(count, extent, &count)) return std::numeric_limits<int64_t>::max();
  }
  return count;
}

Args::Args(const Napi::CallbackInfo& info, const char* entry, size_t count) : info_(info), entry_(entry) {
  if (info.Length() != count) {
    typeError("expects " + std::to_string(count) + " arguments, got " + std::to_string(info.Length()));
  }
}

void Args::typeError(const std::string& message) const {
  throw Napi::TypeError::New(env(), std::string(entry_) + ": " + message);
}

void Args::rangeError(const std::string& message) const {
  throw Napi::RangeError::New(env(), std::string(entry_) + ": " + message);
}

std::string Args::argument(size_t index, const char* name) {
  return "argument " + std::to_string(index + 1) + " (" + name + ")";
}

Bytes Args::heap(size_t index) const {
  const Napi::Value value = info_[index];
  if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    void* base = nullptr;
    napi_typedarray_type type;
    size_t length = 0;
    napi_value arrayBuffer;
    size_t byteOffset = 0;
    if (napi_get_typedarray_info(env(), value, &type, &length, &base, &arrayBuffer, &byteOffset) != napi_ok) {
      typeError(argument(index, "heap") + " is an unreadable typed array");
    }
    return Bytes{static_cast<uint8_t*>(base), array.ByteLength()};
  }
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    return Bytes{static_cast<uint8_t*>(buffer.Data()), buffer.ByteLength()};
  }
  typeError(argument(index, "heap") + " must be a typed array or ArrayBuffer, got " + kindOf(value));
}

double Args::number(size_t index, const char* name) const {
  const Napi::Value value = info_[index];
  if (!value.IsNumber()) typeError(argument(index, name) + " must be a number, got " + kindOf(value));
  return value.As<Napi::Number>().DoubleValue();
}

int64_t Args::integer(size_t index, const char* name, int64_t min, int64_t max, const char* allowed) const {
  const double value = number(index, name);
  if (!(value >= double(min) && value <= double(max) && value == std::floor(value))) {
    const std::string range = allowed != nullptr ? std::string(allowed)
                              : max == kMaxSafeInteger ? "an integer >= " + std::to_string(min)
                                                       : "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    rangeError(argument(index, name) + " must be " + range + ", got " + numberText(value));
  }
  return int64_t(value);
}

bool Args::boolean(size_t index, const char* name) const {
  const Napi::Value value = info_[index];
  if (!value.IsBoolean()) typeError(argument(index, name) + " must be a boolean, got " + kindOf(value));
  return value.As<Napi::Boolean>().Value();
}

std::string Args::string(size_t index, const char* name) const {
  const Napi::Value value = info_[index];
  if (!value.IsString()) typeError(argument(index, name) + " must be a string, got " + kindOf(value));
  return value.As<Napi::String>().Utf8Value();
}

namespace {

// The message text is only built on failure: the check runs for every operand of every kernel call.
template <typename Describe>
float* checkedHeapFloats(const Args& args, const Bytes& heap, double offset, int64_t count, Describe describe) {
  if (!(offset >= 0) || std::fmod(offset, 4.0) != 0) {
    args.rangeError(describe() + " must be a byte offset >= 0 and a multiple of 4, got " + numberText(offset));
  }
  if (count < 0 || offset + 4.0 * double(count) > double(heap.length)) {
    args.rangeError(describe() + ": " + std::to_string(count) + " floats at byte " + numberText(offset) +
                    " overrun the heap of " + std::to_string(heap.length) + " bytes");
  }
  return reinterpret_cast<float*>(heap.data + static_cast<size_t>(offset));
}

}  // namespace

float* Args::heapFloatsAt(const Bytes& heap, double offset, size_t index, const char* name, size_t element, int64_t count) const {
  return checkedHeapFloats(*this, heap, offset, count, [&] { return argument(index, name) + "[" + std::to_string(element) + "]"; });
}

float* Args::heapFloats(const Bytes& heap, size_t index, const char* name, int64_t count) const {
  return checkedHeapFloats(*this, heap, number(index, name), count, [&] { return argument(index, name); });
}

const float* Args::optionalHeapFloats(const Bytes& heap, size_t index, const char* name, int64_t count) const {
  if (number(index, name) < 0) return nullptr;
  return heapFloats(heap, index, name, count);
}

const int32_t* Args::int32Array(size_t index, const char* name, int64_t length) const {
  const Napi::Value value = info_[index];
  if (!isTypedArrayOf(value, napi_int32_array)) typeError(argument(index, name) + " must be an Int32Array, got " + kindOf(value));
  Napi::Int32Array array = value.As<Napi::Int32Array>();
  if (int64_t(array.ElementLength()) != length) {
    rangeError(argument(index, name) + " must have " + std::to_string(length) + " values, has " +
               std::to_string(array.ElementLength()));
  }
  return array.Data();
}

const int32_t* Args::shape(size_t index, const char* name, const Field* fields, size_t fieldCount) const {
  const int32_t* values = int32Array(index, name, int64_t(fieldCount));
  for (size_t i = 0; i < fieldCount; ++i) {
    const Field& field = fields[i];
    if (values[i] >= field.min && values[i] <= field.max) continue;
    const std::string range = field.allowed != nullptr ? std::string(field.allowed)
                              : field.max == INT32_MAX ? ">= " + std::to_string(field.min)
                                                       : "in [" + std::to_string(field.min) + ", " + std::to_string(field.max) + "]";
    rangeError(argument(index, name) + " field " + std::to_string(i) + " (" + field.name + ") must be " + range + ", got " +
               std::to_string(values[i]));
  }
  return values;
}

Napi::Float64Array Args::float64Array(size_t index, const char* name, int64_t length) const {
  const Napi::Value value = info_[index];
  if (!isTypedArrayOf(value, napi_float64_array)) typeError(argument(index, name) + " must be a Float64Array, got " + kindOf(value));
  Napi::Float64Array array = value.As<Napi::Float64Array>();
  if (length >= 0 && int64_t(array.ElementLength()) != length) {
    rangeError(argument(index, name) + " must have " + std::to_string(length) + " values, has " +
               std::to_string(array.ElementLength()));
  }
  return array;
}

int64_t Args::floatArrayLength(size_t index, const char* name) const {
  const Napi::Value value = info_[index];
  if (!isTypedArrayOf(value, napi_float32_array)) typeError(argument(index, name) + " must be a Float32Array, got " + kindOf(value));
  return int64_t(value.As<Napi::TypedArray>().ElementLength());
}

float* Args::floatArray(size_t index, const char* name, int64_t minLength) const {
  const int64_t length = floatArrayLength(index, name);
  if (length < minLength) {
    rangeError(argument(index, name) + " has " + std::to_string(length) + " elements, needs " + std::to_string(minLength));
  }
  return info_[index].As<Napi::Float32Array>().Data();
}

void guardedCall(const Napi::CallbackInfo& info, void (*body)(void*), void* context) {
  try {
    const SignalsHeld held;
    body(context);
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what() + " (status " + std::to_string(e.status) + ")");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

namespace {

Napi::Value callEntryPoint(const Napi::CallbackInfo& info) {
  const EntryPoint& entry = *static_cast<const EntryPoint*>(info.Data());
  return guarded(info, [&] { entry.body(Args(info, entry.name, entry.argumentCount)); });
}

}  // namespace

void exportEntryPoints(Napi::Env env, Napi::Object exports, const EntryPoint* entries, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    exports.Set(entries[i].name, Napi::Function::New<callEntryPoint>(env, entries[i].name, const_cast<EntryPoint*>(&entries[i])));
  }
}

}  // namespace optocnn
