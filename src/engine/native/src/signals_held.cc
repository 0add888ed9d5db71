#include "signals_held.h"

#include <dnnl.h>
#include <pthread.h>

#include <initializer_list>

namespace optocnn {

namespace {

// Whether the linked oneDNN needs signals held around its kernels (a version before 3.11).
bool signalsMustBeHeld() {
  static const bool mustHold = [] {
    const dnnl_version_t* v = dnnl_version();
    return v->major < 3 || (v->major == 3 && v->minor < 11);
  }();
  return mustHold;
}

}  // namespace

SignalsHeld::SignalsHeld() {
  if (!signalsMustBeHeld()) return;
  sigset_t asynchronous;
  sigfillset(&asynchronous);
  // Faults raised by the running code itself cannot wait: held, the kernel would kill the process anyway.
  for (const int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) sigdelset(&asynchronous, fault);
  held_ = pthread_sigmask(SIG_BLOCK, &asynchronous, &previous_) == 0;
}

SignalsHeld::~SignalsHeld() {
  if (held_) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace optocnn
