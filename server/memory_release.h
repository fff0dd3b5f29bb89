#pragma once

namespace mbserve::server {

// Returns the allocator's free memory to the operating system. glibc keeps
// freed heap memory (in every thread's arena) mapped, so after a burst of
// large batches the process's RSS would stay at the burst's peak;
// malloc_trim(0) releases the free pages of every arena. A no-op with
// other C libraries.
void ReleaseFreeMemory();

}  // namespace mbserve::server
