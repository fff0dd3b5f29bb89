#pragma once

#include <chrono>
#include <functional>

#include "server/clock.h"

namespace mbserve::server {

// Returns the allocator's free memory to the operating system. glibc keeps
// freed heap memory (in every thread's arena) mapped, so after a burst of
// large batches the process's RSS would stay at the burst's peak;
// malloc_trim(0) releases the free pages of every arena. A no-op with
// other C libraries.
void ReleaseFreeMemory();

// When and how the batcher gives memory back: once the engine has been idle
// for `after` since its last batch, it calls `release`, once per idle spell.
// `after` is long enough that a steady stream of calls never pays for it,
// short enough that RSS falls soon after a burst. Tests inject both.
struct IdleRelease {
  Clock::duration after = std::chrono::seconds(1);
  std::function<void()> release = ReleaseFreeMemory;
};

}  // namespace mbserve::server
