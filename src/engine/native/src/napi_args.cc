#include "napi_args.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>

namespace optocnn {

Bytes viewBytes(const Napi::Value& value, const char* name) {
  if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    void* base = nullptr;
    napi_typedarray_type type;
    size_t length = 0;
    napi_value arrayBuffer;
    size_t byteOffset = 0;
    napi_status status = napi_get_typedarray_info(value.Env(), value, &type, &length, &base, &arrayBuffer, &byteOffset);
    if (status != napi_ok) throw Napi::TypeError::New(value.Env(), std::string(name) + ": unreadable typed array");
    return Bytes{static_cast<uint8_t*>(base), array.ByteLength()};
  }
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    return Bytes{static_cast<uint8_t*>(buffer.Data()), buffer.ByteLength()};
  }
  throw Napi::TypeError::New(value.Env(), std::string(name) + ": expected a typed array or ArrayBuffer");
}

float* heapFloats(Napi::Env env, const Bytes& heap, double offset, int64_t count, const char* name) {
  if (!(offset >= 0) || std::fmod(offset, 4.0) != 0 || offset + 4.0 * double(count) > double(heap.length)) {
    throw Napi::RangeError::New(env, std::string(name) + ": operand outside the wasm heap or misaligned");
  }
  return reinterpret_cast<float*>(heap.data + static_cast<size_t>(offset));
}

float* heapFloats(const Bytes& heap, const Napi::Value& offset, int64_t count, const char* name) {
  return heapFloats(offset.Env(), heap, offset.As<Napi::Number>().DoubleValue(), count, name);
}

const float* optionalHeapFloats(const Bytes& heap, const Napi::Value& offset, int64_t count, const char* name) {
  if (offset.As<Napi::Number>().DoubleValue() < 0) return nullptr;
  return heapFloats(heap, offset, count, name);
}

const int32_t* int32Array(const Napi::Value& value, int64_t expected, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      int64_t(value.As<Napi::Int32Array>().ElementLength()) != expected) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + ": expected an Int32Array of " +
                                                std::to_string(expected) + " values");
  }
  return value.As<Napi::Int32Array>().Data();
}

Napi::Float64Array float64Array(const Napi::Value& value, int64_t expected, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      (expected >= 0 && int64_t(value.As<Napi::Float64Array>().ElementLength()) != expected)) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + ": expected a Float64Array" +
                                                (expected >= 0 ? " of " + std::to_string(expected) + " values" : ""));
  }
  return value.As<Napi::Float64Array>();
}

float* floatArray(const Napi::Value& value, int64_t minLength, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + ": expected a Float32Array");
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  if (int64_t(array.ElementLength()) < minLength) {
    throw Napi::RangeError::New(value.Env(), std::string(name) + ": has " + std::to_string(array.ElementLength()) +
                                                 " elements, needs " + std::to_string(minLength));
  }
  return array.Data();
}

Napi::Value guardedCall(const Napi::CallbackInfo& info, void (*body)(const Napi::CallbackInfo&, void*), void* context) {
  try {
    body(info, context);
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what() + " (status " + std::to_string(e.status) + ")");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return info.Env().Undefined();
}

}  // namespace optocnn
