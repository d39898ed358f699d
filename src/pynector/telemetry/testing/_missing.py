"""Why a capture cannot observe a signal because a package is missing.

Shared by the span and metric taps, so that both say it in the same words.
"""

from __future__ import annotations

from .._dependencies import OPENTELEMETRY, is_importable

__all__ = ["missing_opentelemetry"]


def missing_opentelemetry(sdk_module: str) -> str | None:
    """Why OpenTelemetry's API or *sdk_module* cannot be used, or ``None`` when they can."""
    if not is_importable(OPENTELEMETRY):
        return 'OpenTelemetry is not installed (pip install "pynector[observability]")'
    if not is_importable(sdk_module):
        return 'the OpenTelemetry SDK is not installed (pip install "pynector[observability]")'
    return None
