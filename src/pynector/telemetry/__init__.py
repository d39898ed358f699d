"""Optional observability for async Python libraries.

A library asks for a tracer and a logger once and uses them freely::

    from pynector.telemetry import get_telemetry

    tracer, log = get_telemetry(__name__)

    async def fetch(url):
        async with tracer.start_as_current_async_span("fetch", {"url": url}):
            log.info("fetching", url=url)

and a meter the same way: ``meter = get_meter(__name__)`` (see :mod:`.metrics`).

Nothing installed, nothing configured: every call is a cheap no-op, nothing
is printed, no dependency is imported.  When the *application* installs
``pynector[observability]`` and calls :func:`configure_telemetry` (or sets
up OpenTelemetry / structlog itself), the same calls produce real spans and
trace-correlated log lines.

``Status`` and ``StatusCode`` are OpenTelemetry's when it is installed and
small look-alikes otherwise.

How the package is laid out
---------------------------
Every library that uses pynector imports this package, so what it loads is
kept small and flat: this module, :mod:`.facade`, :mod:`.tracing`,
:mod:`.logging` and the private helpers ``_dependencies``, ``_optional``,
``_levels`` and ``_warnings``.  Everything else loads on first use:
the meter facades (:mod:`.metrics`, light and typing-free too, loaded by
``get_meter``; their live side is ``_metrics``), the public helpers
(:mod:`.context`, :mod:`.decorators`, :mod:`.propagation`...), and the
configure-time subpackages that only applications need: ``_export`` (the
export pipeline), ``_logs`` (the logging pipeline) and ``_cli`` (the
command line).

The hot-path modules write ``TYPE_CHECKING = False`` instead of importing
``typing.TYPE_CHECKING``: importing :mod:`typing` costs about 5 ms, more
than the rest of the package, and type checkers treat any name
``TYPE_CHECKING`` as true.  Modules off the hot path import :mod:`typing`
as usual.
"""

from __future__ import annotations

import atexit as _atexit
import sys as _sys

from ._dependencies import OPENTELEMETRY, STRUCTLOG, is_importable

# Decided here, once, at (re)import, without importing the packages
# themselves.  Every module reads these flags from the package, so patching
# a module's copy (as the tests do) changes that module alone.
HAS_OPENTELEMETRY: bool = is_importable(OPENTELEMETRY)
HAS_STRUCTLOG: bool = is_importable(STRUCTLOG)


def _exit_hook() -> None:
    """Registered on import, before most exit hooks of the application and
    its libraries, so it runs after them: once telemetry is configured, the
    exports may be shut down here (see ``_export.last_shutdown``)."""
    last = _sys.modules.get("pynector.telemetry._export.last_shutdown")
    if last is not None:
        last.package_exit_hook()


# Whether ``logging``'s exit hook was registered before ours (runs after it).
_LOGGING_FIRST: bool = "logging" in _sys.modules
_atexit.register(_exit_hook)

# The facades read the flags above, so they are imported after them.
from ._warnings import TelemetryWarning  # noqa: E402
from .facade import LoggingFacade, TracingFacade  # noqa: E402

TYPE_CHECKING = False  # see "How the package is laid out" above

__all__ = [
    "HAS_OPENTELEMETRY",
    "HAS_STRUCTLOG",
    "LoggingFacade",
    "SpanLike",
    "Status",
    "StatusCode",
    "TelemetryWarning",
    "TracingFacade",
    "configure_telemetry",
    "get_meter",
    "get_telemetry",
    "traced",
]


def __getattr__(name: str) -> Any:
    # Resolved on first use so that importing this package stays cheap:
    # Status/StatusCode would import OpenTelemetry, traced imports inspect,
    # SpanLike imports typing; get_meter loads the meter facades, which only
    # libraries that count things need.
    if name in ("Status", "StatusCode"):
        from ._status import status_classes

        status, status_code = status_classes(HAS_OPENTELEMETRY)
        return status if name == "Status" else status_code
    if name == "traced":
        from .decorators import traced

        return traced
    if name == "get_meter":
        from .metrics import get_meter

        return get_meter
    if name == "SpanLike":
        from .protocols import SpanLike

        return SpanLike
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_telemetry(name: str) -> tuple[TracingFacade, LoggingFacade]:
    """Return the tracer and logger a library should use, named *name*.

    Call it once per module, at import time: ``tracer, log = get_telemetry(__name__)``.
    Both objects are cheap no-ops until the application configures
    telemetry, and pick up that configuration whenever it happens.

    >>> tracer, log = get_telemetry("mylib")
    >>> tracer.name, log.name
    ('mylib', 'mylib')
    """
    return TracingFacade(name), LoggingFacade(name)


if TYPE_CHECKING:
    from typing import Any

    from ._status import Status, StatusCode
    from .config import configure_telemetry
    from .decorators import traced
    from .metrics import get_meter
    from .protocols import SpanLike
else:

    def configure_telemetry(*args: Any, **kwargs: Any) -> bool:
        """Turn telemetry on for this process (applications only).

        See :func:`pynector.telemetry.config.configure_telemetry`.  The
        configuration code is imported on first call, so that importing this
        package stays cheap for the libraries that only use the facades.
        """
        from .config import configure_telemetry as configure

        return configure(*args, **kwargs)
