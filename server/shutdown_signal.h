// SIGTERM and SIGINT, honoured at every stage of the process. The signals are
// blocked in every thread and taken by one thread of their own from the first
// line of main: before the server serves (model load, warm-up), a signal ends
// the process at once, since nothing has been accepted that could be lost;
// afterwards it starts the graceful shutdown that Wait() returns for.
#pragma once

#include <condition_variable>
#include <mutex>

namespace mbserve::server {

class ShutdownSignal {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (and so in every thread
  // it starts later) and starts the thread that waits for them. Call first
  // thing in main, before any other thread exists.
  ShutdownSignal();

  // From now on a signal is a request to drain rather than to exit.
  void MarkServing();
  // Blocks until a signal arrives after MarkServing; returns it.
  int Wait();

 private:
  void Take(int signal);

  std::mutex mu_;
  std::condition_variable cv_;
  bool serving_ = false;
  int received_ = 0;
};

}  // namespace mbserve::server
