// A fixed set of threads running posted tasks in FIFO order: the tokenization
// workers. Admission control bounds what can be posted.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mbserve::server {

class TaskPool {
 public:
  explicit TaskPool(int num_threads);
  ~TaskPool();  // Stop()
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void Post(std::function<void()> task);
  // Runs every task already posted, then joins. Tasks posted later run on
  // the caller's thread.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mbserve::server
