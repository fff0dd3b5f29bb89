// Open streams, so that shutdown can ask each to stop reading, answer what
// it has accepted, and finish. A stream opened after DrainAll() finishes at
// once.
#pragma once

#include <mutex>
#include <set>

namespace mbserve::server {

class Drainable {
 public:
  virtual ~Drainable() = default;
  // Stop accepting messages; finish once the accepted ones are answered.
  virtual void Drain() = 0;
};

class StreamRegistry {
 public:
  // False when draining has begun: the caller drains itself.
  bool Add(Drainable* stream);
  void Remove(Drainable* stream);
  void DrainAll();

 private:
  // Recursive: a stream may finish, and so unregister, inside Drain().
  std::recursive_mutex mu_;
  std::set<Drainable*> streams_;
  bool draining_ = false;
};

}  // namespace mbserve::server
