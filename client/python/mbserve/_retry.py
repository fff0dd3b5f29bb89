"""Retries of calls that failed with UNAVAILABLE (no server listening yet, a
replica restarting, a connection dropped): every mbserve RPC is a pure
function of its request, so sending it again is safe."""
import random
from dataclasses import dataclass
from typing import Iterator

import grpc


@dataclass(frozen=True)
class RetryPolicy:
    """Up to `attempts` tries in all; the pause before retry n (from 1) is
    drawn from [d/2, d] with d = min(initial_backoff * 2**(n-1), max_backoff)
    seconds, so that many clients do not come back at the same instant."""
    attempts: int = 4
    initial_backoff: float = 0.2
    max_backoff: float = 3.0

    def __post_init__(self):
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, got {self.attempts}")
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            raise ValueError("RetryPolicy needs 0 <= initial_backoff <= max_backoff, got "
                             f"{self.initial_backoff} and {self.max_backoff}")

    def pauses(self) -> Iterator[float]:
        """The pauses between the attempts (attempts - 1 of them)."""
        for n in range(self.attempts - 1):
            ceiling = min(self.initial_backoff * 2 ** n, self.max_backoff)
            yield random.uniform(ceiling / 2, ceiling)


NO_RETRIES = RetryPolicy(attempts=1)


def retryable(error: grpc.RpcError) -> bool:
    return error.code() == grpc.StatusCode.UNAVAILABLE
