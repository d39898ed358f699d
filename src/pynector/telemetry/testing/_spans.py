"""Get every span made during a capture, whoever set the tracer provider.

OpenTelemetry lets a process set its global tracer provider once, so a
capture cannot install a fresh provider per test.  Instead one
:class:`CaptureHub` span processor is attached to whatever provider is in
place, once per provider, and forwards spans to the captures active at
the time:

* no provider set yet: a test provider is installed (the test harness is
  the application here).  Its sampler records spans only while a capture
  is active, so tests that do not capture keep paying almost nothing;
* the OpenTelemetry SDK's ``TracerProvider`` set by the application (or by
  ``configure_telemetry`` in a ``conftest.py``): the hub is added to it,
  next to the application's exporters, which keep working;
* anything else (OpenTelemetry missing, another provider class, the SDK
  disabled): spans cannot be observed, and the capture records why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._missing import missing_opentelemetry

if TYPE_CHECKING:
    from ._capture import TelemetryCapture

__all__ = ["span_tap"]

_SDK = "opentelemetry.sdk.trace"


def _attach() -> str | None:
    """Make sure the hub sees the global provider's spans; why not, if it cannot."""
    missing = missing_opentelemetry(_SDK)
    if missing is not None:
        return missing
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    from ._hub import HUB, CaptureHub, WhileCapturing

    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider):
        resource = Resource.create({"service.name": "pynector-tests"})
        trace.set_tracer_provider(TracerProvider(resource=resource, sampler=WhileCapturing()))
        provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        return (
            f"the global tracer provider is a {type(provider).__name__}, not the "
            "OpenTelemetry SDK's TracerProvider, so its spans cannot be observed"
        )
    if getattr(provider, "_disabled", False):
        return "the OpenTelemetry SDK is disabled (OTEL_SDK_DISABLED=true)"
    HUB.attach_to(provider, CaptureHub)
    return None


@contextmanager
def span_tap(capture: TelemetryCapture) -> Iterator[None]:
    """Forward spans to *capture* for the duration (or record why that is impossible)."""
    capture.spans_unavailable = _attach()
    if capture.spans_unavailable is not None:
        yield
        return
    from ._hub import HUB

    HUB.add(capture)
    try:
        yield
    finally:
        HUB.remove(capture)
