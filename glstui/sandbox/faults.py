"""Faults a test (or the demo) can switch on in the sandbox, each for a number of requests.

A confirmShipment that Amazon carries out and then answers with an unreadable 200 is
`Sandbox.amazon.garble_confirmations(n)`: it needs the order book, which these faults (answered
before the request reaches it) never touch.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = (
    "429",  # QuotaExceeded, as when the bucket is empty
    "500",
    "502",
    "503",
    "504",
    "slow",  # wait `delay` real seconds, then answer normally
    "malformed_json",  # 200 with a truncated JSON body, the request is not carried out
    "expired_access_token",  # 403 Unauthorized "The access token you provided has expired."
    "reset",  # close the connection without an answer
)

SP_API_PREFIXES = ("/orders/", "/tokens/")


@dataclass
class Fault:
    kind: str
    count: int | None = 1  # None = until cleared
    path: str | None = None  # path prefix; None = every SP-API request
    method: str | None = None
    delay: float = 0.5
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.path is None:
            return path.startswith(SP_API_PREFIXES)
        return path.startswith(self.path)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active: list[Fault] = []

    def add(
        self,
        kind: str,
        count: int | None = 1,
        path: str | None = None,
        *,
        method: str | None = None,
        delay: float = 0.5,
    ) -> Fault:
        """Switch a fault on for the next `count` matching requests (None: until cleared).

        `path` is a prefix such as "/orders/2026-01-01/orders" or "/auth/o2/token"; without
        it the fault hits every SP-API request (not LWA, Seller Central or GLS).
        """
        kind = str(kind)
        if kind not in KINDS:
            raise ValueError(f"Unknown fault {kind!r}; choose from {', '.join(KINDS)}")
        fault = Fault(kind, count, path, method, delay)
        with self._lock:
            self.active.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.active.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.active:
                if fault.matches(method, path):
                    fault.fired += 1
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self.active.remove(fault)
                    return fault
        return None
