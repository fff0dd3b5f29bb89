#include "server/shutdown_signal.h"

#include <csignal>
#include <cstdlib>
#include <thread>

#include "spdlog/spdlog.h"

namespace mbserve::server {
namespace {

sigset_t ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

const char* Name(int signal) { return signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

}  // namespace

ShutdownSignal::ShutdownSignal() {
  const sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Detached: the process ends while it waits (this object lives in main).
  std::thread([this, signals] {
    for (;;) {
      int signal = 0;
      if (sigwait(&signals, &signal) == 0) Take(signal);
    }
  }).detach();
}

void ShutdownSignal::Take(int signal) {
  std::lock_guard lock(mu_);
  if (!serving_) {
    // Loading or warming up can take long (a large model, a FIFO, a long
    // --max-batch-delay); nothing is accepted yet, so exit now.
    SPDLOG_WARN("{} received during start-up; exiting", Name(signal));
    spdlog::default_logger()->flush();
    std::_Exit(128 + signal);
  }
  if (received_ == 0) received_ = signal;
  cv_.notify_all();
}

void ShutdownSignal::MarkServing() {
  std::lock_guard lock(mu_);
  serving_ = true;
}

int ShutdownSignal::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return received_ != 0; });
  return received_;
}

}  // namespace mbserve::server
