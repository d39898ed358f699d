"""Optional observability for async Python libraries.

A library asks for a tracer and a logger once and uses them freely::

    from pynector.telemetry import get_telemetry

    tracer, log = get_telemetry(__name__)

    async def fetch(url):
        async with tracer.start_as_current_async_span("fetch", {"url": url}):
            log.info("fetching", url=url)

Nothing installed, nothing configured: every call is a cheap no-op, nothing
is printed, no dependency is imported.  When the *application* installs
``pynector[observability]`` and calls :func:`configure_telemetry` (or sets
up OpenTelemetry / structlog itself), the same calls produce real spans and
trace-correlated log lines.

``Status`` and ``StatusCode`` are OpenTelemetry's when it is installed and
small look-alikes otherwise.
"""

from __future__ import annotations

from ._dependencies import is_importable
from ._warnings import TelemetryWarning
from .facade import LoggingFacade, TracingFacade

# Not ``typing.TYPE_CHECKING``: importing typing costs ~5 ms, and this module
# is imported by every library that uses pynector.  Type checkers treat any
# name TYPE_CHECKING as true.
TYPE_CHECKING = False

__all__ = [
    "HAS_OPENTELEMETRY",
    "HAS_STRUCTLOG",
    "LoggingFacade",
    "Status",
    "StatusCode",
    "TelemetryWarning",
    "TracingFacade",
    "configure_telemetry",
    "get_telemetry",
    "traced",
]

# Decided here, at (re)import, without importing the packages themselves.
HAS_OPENTELEMETRY: bool = is_importable("opentelemetry.trace")
HAS_STRUCTLOG: bool = is_importable("structlog")


def __getattr__(name: str) -> Any:
    # Resolved on first use so that importing this package stays cheap:
    # Status/StatusCode would import OpenTelemetry, traced imports inspect.
    if name in ("Status", "StatusCode"):
        from ._status import status_classes

        status, status_code = status_classes(HAS_OPENTELEMETRY)
        return status if name == "Status" else status_code
    if name == "traced":
        from .decorators import traced

        return traced
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_telemetry(name: str) -> tuple[TracingFacade, LoggingFacade]:
    """Return the tracer and logger a library should use, named *name*.

    Call it once per module, at import time: ``tracer, log = get_telemetry(__name__)``.
    Both objects are cheap no-ops until the application configures
    telemetry, and pick up that configuration whenever it happens.
    """
    return TracingFacade(name), LoggingFacade(name)


if TYPE_CHECKING:
    from typing import Any

    from .config import configure_telemetry
    from .decorators import traced
else:

    def configure_telemetry(*args: Any, **kwargs: Any) -> bool:
        """Turn telemetry on for this process (applications only).

        See :func:`pynector.telemetry.config.configure_telemetry`.  The
        configuration code is imported on first call, so that importing this
        package stays cheap for the libraries that only use the facades.
        """
        from .config import configure_telemetry as configure

        return configure(*args, **kwargs)
