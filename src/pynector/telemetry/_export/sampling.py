"""The sampler a ``configure_telemetry`` tracer provider uses.

Built here (not left to the SDK) whenever ``OTEL_TRACES_SAMPLER`` is set or
a sampler is given, so a malformed value is pynector's one warning, not the
SDK's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .environment import get_env_str
from .settings import ExportSettings

__all__ = ["build_sampler"]


def build_sampler(settings: ExportSettings) -> Any:
    """The sampler to pass to the provider, or ``None`` to keep the SDK's default."""
    name = settings.sampler.value
    if name is None and get_env_str("OTEL_TRACES_SAMPLER") is None:
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
    return factories[name or "parentbased_always_on"]()
