"""Honest stand-ins for the optional modules, used when a package is missing.

The public modules name things from OpenTelemetry and structlog
(``facade.trace``, ``facade.structlog``, ``config.TracerProvider``...), and
code and tests patch those dotted paths.  So that each name exists in every
installation, a missing module resolves to a stand-in with the same names:

* what has an obvious no-op meaning *is* that no-op: ``get_tracer`` returns
  a tracer whose spans are :class:`~pynector.telemetry.tracing.NoOpSpan`,
  ``get_logger`` returns a :class:`~pynector.telemetry.logging.NoOpLogger`,
  ``attach``/``detach`` leave the (absent) context alone, and a
  ``TracerProvider`` makes no-op tracers;
* anything else raises ``AttributeError`` naming the extra to install.

Nothing here runs unless a name is looked up while its package is absent,
so stand-ins cost nothing on the hot path.

>>> trace = standin_module("opentelemetry.trace")
>>> with trace.get_tracer("mylib").start_as_current_span("load") as span:
...     span.is_recording()
False
>>> trace.use_span  # doctest: +ELLIPSIS
Traceback (most recent call last):
AttributeError: opentelemetry.trace.use_span is not available: ... "pynector[observability]")
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ._status import FallbackStatus, FallbackStatusCode
from .logging import NoOpLogger
from .tracing import NoOpSpan

__all__ = ["StandInModule", "standin_module"]


class StandInModule(ModuleType):
    """A module object standing in for an optional module that is not installed."""

    def __init__(self, name: str, package: str, extra: str, names: dict[str, Any]) -> None:
        super().__init__(name, f"Stand-in for {name}, which is not installed.")
        self.__dict__.update(names)
        self.__pynector_standin__ = True
        self._package = package
        self._extra = extra

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"{self.__name__}.{name} is not available: {self._package} is not installed "
            f'(pip install "pynector[{self._extra}]")'
        )

    def __repr__(self) -> str:
        return f"<stand-in for {self.__name__!r} ({self._package} is not installed)>"


# -- opentelemetry.trace ------------------------------------------------------
class ProxyTracer:
    """Stands for OpenTelemetry's tracer with no provider behind it: no-op spans."""

    def __init__(self, name: str = "") -> None:
        self.name = name

    def start_span(
        self, name: str, context: Any = None, kind: Any = None, attributes: Any = None, **_: Any
    ) -> NoOpSpan:
        return NoOpSpan(name, attributes)

    def start_as_current_span(
        self, name: str, context: Any = None, kind: Any = None, attributes: Any = None, **_: Any
    ) -> NoOpSpan:
        return NoOpSpan(name, attributes)


class ProxyTracerProvider:
    """Stands for the global provider before one is set: it hands out no-op tracers."""

    def get_tracer(self, name: str, *args: Any, **kwargs: Any) -> ProxyTracer:
        return ProxyTracer(name)


def _get_tracer(name: str, *args: Any, **kwargs: Any) -> ProxyTracer:
    return ProxyTracer(name)


def _get_tracer_provider() -> ProxyTracerProvider:
    return ProxyTracerProvider()


def _set_tracer_provider(provider: Any) -> None:
    """Without OpenTelemetry there is no global provider to set; spans stay no-ops."""


# -- opentelemetry.context ----------------------------------------------------
def _attach(context: Any) -> None:
    """Nothing to attach to: the token is ``None``, which ``detach`` accepts."""


def _detach(token: Any) -> None:
    """Without OpenTelemetry no context was ever attached, so there is nothing to undo."""


def _get_current() -> None:
    return None


# -- opentelemetry.sdk --------------------------------------------------------
class Resource:
    """Stands for the SDK's resource: it keeps the attributes it was made with."""

    def __init__(self, attributes: dict[str, Any] | None = None) -> None:
        self.attributes = dict(attributes or {})

    @classmethod
    def create(cls, attributes: dict[str, Any] | None = None) -> Resource:
        return cls(attributes)


class TracerProvider:
    """Stands for the SDK's provider: it accepts processors and makes no-op tracers."""

    def __init__(self, resource: Any = None, sampler: Any = None, **_: Any) -> None:
        self.resource = resource
        self.sampler = sampler

    def add_span_processor(self, processor: Any) -> None:
        return None

    def get_tracer(self, name: str, *args: Any, **kwargs: Any) -> ProxyTracer:
        return ProxyTracer(name)

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True

    def shutdown(self) -> None:
        return None


# -- structlog ------------------------------------------------------------------
def _get_logger(name: str = "", *args: Any, **kwargs: Any) -> NoOpLogger:
    return NoOpLogger(name)


def _is_configured() -> bool:
    return False


_OPENTELEMETRY = ("OpenTelemetry", "observability")
_OPENTELEMETRY_SDK = ("the OpenTelemetry SDK", "observability")

#: module -> (package, extra, names)
_MODULES: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {
    "opentelemetry.trace": (
        _OPENTELEMETRY,
        {
            "_TRACER_PROVIDER": None,
            "ProxyTracer": ProxyTracer,
            "ProxyTracerProvider": ProxyTracerProvider,
            "Status": FallbackStatus,
            "StatusCode": FallbackStatusCode,
            "get_tracer": _get_tracer,
            "get_tracer_provider": _get_tracer_provider,
            "set_tracer_provider": _set_tracer_provider,
        },
    ),
    "opentelemetry.context": (
        _OPENTELEMETRY,
        {"attach": _attach, "detach": _detach, "get_current": _get_current},
    ),
    "opentelemetry.sdk.resources": (_OPENTELEMETRY_SDK, {"Resource": Resource}),
    "opentelemetry.sdk.trace": (_OPENTELEMETRY_SDK, {"TracerProvider": TracerProvider}),
    "structlog": (
        ("structlog", "observability"),
        {"get_logger": _get_logger, "is_configured": _is_configured},
    ),
}

_made: dict[str, StandInModule] = {}


def standin_module(name: str) -> StandInModule:
    """The stand-in for module *name* (one object per name, so patches are shared).

    Raises ``ImportError`` for a module that has no stand-in.
    """
    module = _made.get(name)
    if module is None:
        if name not in _MODULES:
            raise ImportError(f"no stand-in for the missing module {name!r}", name=name)
        (package, extra), names = _MODULES[name]
        module = _made[name] = StandInModule(name, package, extra, names)
    return module
