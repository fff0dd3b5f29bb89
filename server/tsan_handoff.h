// The order gRPC's callback API guarantees between a reactor's operations
// and its reactions, told to ThreadSanitizer, which cannot see it: Debian's
// gRPC is not built with TSan, so the completion queue that carries an
// operation from the thread that starts it to the thread that runs its
// reaction synchronises invisibly. What gRPC documents
// (grpcpp/support/server_callback.h) and the reactors mark:
//   - a StartRead, StartWrite or Finish, with everything its thread did
//     before it, happens before the reaction that reports it (OnReadDone,
//     OnWriteDone, OnDone);
//   - a reactor returned by its method handler happens before its reactions;
//   - OnDone runs after every other reaction has returned.
// Each reactor calls HandToGrpc(object) just before the hand-off and opens a
// GrpcReaction (or calls TakeBackFromGrpc) first in the reaction, `object`
// naming what is handed over: the buffer of a read or of a write, or the
// reactor itself for its handler's return, Finish, OnCancel and OnDone.
// Reads and writes are ordered only with their own reactions; OnCancel,
// which takes the reactor back, is also ordered after the reactions that
// returned before it began (a little more than gRPC promises; the reactors'
// OnCancel touch only state under their own lock). A test's callback client
// marks a call and its completion callback the same way. Outside a TSan
// build these are empty.
#pragma once

#if defined(__SANITIZE_THREAD__)  // GCC
#define MBSERVE_TSAN_HANDOFF 1
#elif defined(__has_feature)  // clang
#if __has_feature(thread_sanitizer)
#define MBSERVE_TSAN_HANDOFF 1
#endif
#endif

#ifdef MBSERVE_TSAN_HANDOFF
#include <sanitizer/tsan_interface.h>
#endif

namespace mbserve::server {

// Just before `object` goes to gRPC: what this thread did so far happens
// before the reaction that takes it back.
inline void HandToGrpc(const void* object) {
#ifdef MBSERVE_TSAN_HANDOFF
  __tsan_release(const_cast<void*>(object));
#else
  (void)object;
#endif
}

// First in a reaction that gRPC runs after `object` was handed to it.
inline void TakeBackFromGrpc(const void* object) {
#ifdef MBSERVE_TSAN_HANDOFF
  __tsan_acquire(const_cast<void*>(object));
#else
  (void)object;
#endif
}

// A reaction other than OnDone, from its first line to its return: it takes
// back `object` (the buffer it reports on, or the reactor for OnCancel), and
// on return hands the reactor back, so that OnDone, which takes the reactor
// back, follows it.
class GrpcReaction {
 public:
  GrpcReaction(const void* object, const void* reactor) : reactor_(reactor) {
    TakeBackFromGrpc(object);
  }
  ~GrpcReaction() { HandToGrpc(reactor_); }
  GrpcReaction(const GrpcReaction&) = delete;
  GrpcReaction& operator=(const GrpcReaction&) = delete;

 private:
  const void* const reactor_;
};

}  // namespace mbserve::server
