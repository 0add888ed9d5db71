// Shared oneDNN state: one CPU engine and stream for the process, and a per-shape primitive cache
// keyed by the integer parameters of a call (shapes change rarely in training; primitives are costly).
#pragma once
#include <oneapi/dnnl/dnnl.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace optocnn {

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

// Layout used for activations inside oneDNN primitives: `any` lets oneDNN pick blocked layouts
// (then activations are reordered from and to tfjs' NHWC), `nhwc` works on the heap directly.
enum class ActivationLayout { Any, Nhwc };
ActivationLayout activationLayout();
void setActivationLayout(ActivationLayout layout);

std::string cacheKey(const char* kind, const std::vector<int64_t>& params);

// Owns a oneDNN memory in a layout the primitive chose, plus the reorders to and from the user layout
// when they differ. `bind` points the user memory at the caller's buffer for this call.
struct LayoutBridge {
  dnnl::memory user;
  dnnl::memory internal;
  bool needsReorder = false;
  dnnl::reorder toInternal;
  dnnl::reorder toUser;

  LayoutBridge() = default;
  LayoutBridge(const dnnl::memory::desc& userDesc, const dnnl::memory::desc& primitiveDesc, bool input, bool output);
  // Returns the memory the primitive should use after pointing the user memory at `data`.
  dnnl::memory& bindInput(void* data);
  dnnl::memory& bindOutput(void* data);
  void finishOutput();
};

// Per-process cache of prepared operations; values are type-erased by each op's own struct.
template <typename T>
class PrimitiveCache {
 public:
  template <typename Make>
  T& get(const std::string& key, Make make) {
    auto found = entries_.find(key);
    if (found != entries_.end()) return *found->second;
    auto inserted = entries_.emplace(key, std::unique_ptr<T>(make()));
    return *inserted.first->second;
  }
  size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<T>> entries_;
};

}  // namespace optocnn
