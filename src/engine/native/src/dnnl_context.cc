#include "dnnl_context.h"

#include <cstdlib>
#include <cstring>

namespace optocnn {

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

// NHWC in place measured faster than blocked layouts plus reorders for the channel counts of optocnn's
// models (3-96 channels, batch 8): see src/engine/native/README.md. OPTOCNN_NATIVE_LAYOUT=any overrides.
static ActivationLayout initialLayout() {
  const char* value = std::getenv("OPTOCNN_NATIVE_LAYOUT");
  if (value != nullptr && std::strcmp(value, "any") == 0) return ActivationLayout::Any;
  return ActivationLayout::Nhwc;
}

static ActivationLayout currentLayout = initialLayout();

ActivationLayout activationLayout() { return currentLayout; }
void setActivationLayout(ActivationLayout layout) { currentLayout = layout; }

std::string cacheKey(const char* kind, const std::vector<int64_t>& params) {
  std::string key(kind);
  key += currentLayout == ActivationLayout::Any ? ":any" : ":nhwc";
  for (int64_t p : params) {
    key += ',';
    key += std::to_string(p);
  }
  return key;
}

LayoutBridge::LayoutBridge(const dnnl::memory::desc& userDesc, const dnnl::memory::desc& primitiveDesc, bool input,
                           bool output)
    : user(userDesc, cpuEngine(), DNNL_MEMORY_NONE) {
  needsReorder = userDesc != primitiveDesc;
  if (!needsReorder) return;
  internal = dnnl::memory(primitiveDesc, cpuEngine());
  if (input) toInternal = dnnl::reorder(user, internal);
  if (output) toUser = dnnl::reorder(internal, user);
}

dnnl::memory& LayoutBridge::bindInput(void* data) {
  user.set_data_handle(data);
  if (!needsReorder) return user;
  toInternal.execute(cpuStream(), user, internal);
  return internal;
}

dnnl::memory& LayoutBridge::bindOutput(void* data) {
  user.set_data_handle(data);
  return needsReorder ? internal : user;
}

void LayoutBridge::finishOutput() {
  if (needsReorder) toUser.execute(cpuStream(), internal, user);
}

}  // namespace optocnn
