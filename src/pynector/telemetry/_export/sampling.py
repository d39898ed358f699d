"""The sampler a ``configure_telemetry`` tracer provider uses.

Built here from the validated settings whenever a sampler is configured
(the SDK would raise on a bad ``OTEL_TRACES_SAMPLER_ARG`` or
``sampler_arg``), so a malformed value is pynector's one warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .settings import ExportSettings

__all__ = ["build_sampler"]


def build_sampler(settings: ExportSettings) -> Any:
    """The sampler named by *settings*, with its ratio (already checked to be in 0..1);
    ``None`` when none is configured, for the SDK's default (the same sampler)."""
    if settings.sampler.source == "default":
        return None
    from opentelemetry.sdk.trace import sampling

    ratio = settings.sampler_arg.value
    factories: dict[str, Callable[[], Any]] = {
        "always_on": lambda: sampling.ALWAYS_ON,
        "always_off": lambda: sampling.ALWAYS_OFF,
        "traceidratio": lambda: sampling.TraceIdRatioBased(ratio),
        "parentbased_always_on": lambda: sampling.ParentBased(sampling.ALWAYS_ON),
        "parentbased_always_off": lambda: sampling.ParentBased(sampling.ALWAYS_OFF),
        "parentbased_traceidratio": lambda: sampling.ParentBasedTraceIdRatio(ratio),
    }
    return factories.get(settings.sampler.value, factories["parentbased_always_on"])()
