// The server's one clock: monotonic, so deadlines and waits survive wall-clock
// changes.
#pragma once

#include <chrono>

namespace mbserve::server {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace mbserve::server
