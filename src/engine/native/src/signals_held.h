// oneDNN before 3.11 points the stack pointer into the heap inside its JIT f32 GEMM kernels (oneDNN issue
// #4845, fixed by pull request #4855), so a signal handled by a thread running one writes its frame over
// heap memory: glibc aborts later ("corrupted size vs. prev_size") or a result is silently wrong. Node
// handles SIGINT and SIGTERM (the CLI's checkpoint-and-stop), SIGWINCH on terminals and SIGPROF under
// --cpu-prof, so every addon call holds asynchronous signals for its duration on the calling thread; the
// OpenMP threads, created inside such calls, inherit the held mask for good. A signal that arrives
// meanwhile is handled when the call returns (a CPU profile charges the call's time to its caller).
#pragma once
#include <signal.h>

namespace optocnn {

class SignalsHeld {
 public:
  SignalsHeld();
  ~SignalsHeld();
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  bool held_ = false;
  sigset_t previous_;
};

}  // namespace optocnn
