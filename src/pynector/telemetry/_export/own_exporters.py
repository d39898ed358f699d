"""The application's own OpenTelemetry exporters, processors and readers among its exporter choices.

``trace_exporters``, ``log_exporters`` and ``metric_exporters`` take names,
pynector's option objects and, mixed in the same list, instances of the
signal's OpenTelemetry SDK classes:

================  ======================  =================================
argument          exporter (delivered)    processor / reader (as given)
================  ======================  =================================
trace_exporters   ``SpanExporter``        ``SpanProcessor``
log_exporters     ``LogRecordExporter``   ``LogRecordProcessor``
metric_exporters  ``MetricExporter``      ``MetricReader``
================  ======================  =================================

An exporter runs behind pynector's delivery, with its guarantees; a
processor or reader is added to the provider as it is.  This module only
*recognises* them, by the SDK base class they derive from (found by name
in their class's MRO, so nothing is imported: an instance of an SDK class
means the SDK is loaded already), and says what is wrong with anything
else: an instance of another signal's class, a class given instead of an
instance, any other object.  Every description names a class, never an
object's ``repr``, which could hold a header or a password.

A forked child cannot make a new instance of the application's exporter,
as it does for the ones pynector makes from settings: it keeps using the
instance it inherited (its own copy of it), as OpenTelemetry's batch
processors do; see :func:`same_in_every_process`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal, TypeVar

from .._warnings import warn_once
from ..exporters import Console, Zipkin
from .grpc_fork import fork_support_enabled

__all__ = [
    "ARGUMENTS",
    "KINDS",
    "OWN_FORK_WAIT",
    "Signal",
    "is_own",
    "misplaced",
    "own_destination",
    "own_failed",
    "role_of",
    "same_in_every_process",
]

Signal = Literal["traces", "logs", "metrics"]
_T = TypeVar("_T")

#: signal -> the configure_telemetry argument that takes its exporters
ARGUMENTS: dict[str, str] = {
    "traces": "trace_exporters",
    "logs": "log_exporters",
    "metrics": "metric_exporters",
}

#: signal -> (its SDK exporter class, its SDK processor or reader class), by name
KINDS: dict[str, tuple[str, str]] = {
    "traces": ("SpanExporter", "SpanProcessor"),
    "logs": ("LogRecordExporter", "LogRecordProcessor"),
    "metrics": ("MetricExporter", "MetricReader"),
}

#: Seconds a fork waits for an export in flight to the application's own
#: exporter, so that the child does not inherit a lock the export holds (or
#: a gRPC call under way); OTLP's default export timeout.
OWN_FORK_WAIT = 10.0

_ROLES: dict[str, tuple[str, int]] = {
    name: (signal, index) for signal, names in KINDS.items() for index, name in enumerate(names)
}


#: pynector's option objects that only some signals take
_OPTIONS_FOR: dict[type, tuple[str, ...]] = {Zipkin: ("traces",), Console: ("traces", "logs")}


def role_of(cls: type) -> tuple[str, int] | None:
    """``(signal, 0)`` for a subclass of an SDK exporter, ``(signal, 1)`` for
    one of a processor or reader, ``None`` for anything else."""
    try:
        bases = cls.__mro__
    except Exception:  # a hostile metaclass: not an SDK class
        return None
    for base in bases:
        role = _ROLES.get(getattr(base, "__name__", ""))
        if role is not None and str(getattr(base, "__module__", "")).startswith(
            "opentelemetry.sdk"
        ):
            return role
    return None


def is_own(entry: object, signal: str) -> bool:
    """Whether *entry* is an instance of *signal*'s SDK exporter or processor class."""
    if isinstance(entry, type):
        return False
    role = role_of(type(entry))
    return role is not None and role[0] == signal


def misplaced(entry: object, signal: str) -> str | None:
    """Where an SDK class or instance, or pynector options, that *signal*'s
    argument does not take belong instead; ``None`` for any other object."""
    for options, signals in _OPTIONS_FOR.items():
        if isinstance(entry, options) and signal not in signals:
            where = " or ".join(ARGUMENTS[each] for each in signals)
            return f"{options.__name__} options belong in {where}"
    cls = entry if isinstance(entry, type) else type(entry)
    role = role_of(cls)
    if role is None:
        return None
    if role[0] != signal:
        return f"a {KINDS[role[0]][role[1]]} belongs in {ARGUMENTS[role[0]]}"
    return f"give {cls.__name__}(), an instance, not the class"


def own_destination(exporter: object) -> str:
    """How reports name the application's *exporter*: by its class, never its ``repr``."""
    return f"the application's {type(exporter).__name__}"


def own_failed(instance: object, method: str, error: Exception) -> None:
    """Say once that the application's *instance* raised *error* in *method*.

    Its processors are called from inside the application's code (a span's
    ``with`` block, a log call, an exit hook): the failure is reported, by
    class and error type, and never reaches the application.
    """
    named = own_destination(instance)
    warn_once(
        f"own-processor:{id(instance)}:{method}",
        f"{named[:1].upper()}{named[1:]} failed in {method} ({type(error).__name__}); "
        "pynector carries on without it there. This warning is shown once per processor "
        "and method.",
    )


def _speaks_grpc(exporter: object) -> bool:
    return type(exporter).__module__.startswith("opentelemetry.exporter.otlp.proto.grpc")


def same_in_every_process(exporter: _T) -> Callable[[], _T]:
    """A factory answering *exporter* itself, in this process and in forked children.

    The application made this one object, and pynector cannot make another:
    a forked child uses its copy of it, as OpenTelemetry's own batch
    processors do.  That suits exporters that keep their data in memory or
    write to a file or stream, and OpenTelemetry's OTLP exporters (measured
    here: a parent and four forked children exporting at the same time
    through one OTLP exporter instance, over HTTP or gRPC, delivered every
    one of their 1,001 spans once).  An HTTP keep-alive connection open in
    the parent at the fork is shared with the child, though: a request the
    two send over it at the same moment is refused (400), retried by the
    delivery, and costs one warning line.  For an OTLP exporter made afresh
    in each process, give :class:`~pynector.telemetry.exporters.OTLP`
    options instead.

    With gRPC's fork support turned off, a gRPC exporter in a forked child
    is refused with a clear reason, reported at exit, rather than let it
    hang the child (see :mod:`.grpc_fork`).
    """
    home = os.getpid()

    def same() -> _T:
        if os.getpid() != home and _speaks_grpc(exporter) and not fork_support_enabled():
            raise RuntimeError(
                f"{type(exporter).__name__}, given as an instance, holds a gRPC channel "
                "that a forked process cannot use while GRPC_ENABLE_FORK_SUPPORT is off; give "
                'OTLP(protocol="grpc") options instead, or leave gRPC fork support on'
            )
        return exporter

    return same
