"""Secrets in metric attributes, redacted at pynector's boundary when nothing else will.

The meter provider ``configure_telemetry`` sets up redacts every
collection on its way out (see
:mod:`~pynector.telemetry._export.metric_redaction`), off the
application's path.  Under any other meter provider, the application's
own, the facades redact the attributes they are given, as the tracing
facade does for span attributes.  Metric attributes take few distinct
values, so each distinct set is redacted once and remembered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..redaction import active_redactor

__all__ = ["exporters_redact", "redacted", "redacting_provider"]

#: The meter provider whose exporters redact (configure_telemetry's), if any.
redacting_provider: object = None

#: attribute items -> redacted attributes, for the redactor in _cache_for.
_redacted: dict[tuple[tuple[str, Any], ...], Mapping[str, Any]] = {}
_cache_for: object = None
_CACHE_SIZE = 4096


def exporters_redact(provider: object) -> None:
    """Say that *provider* redacts what it exports, so measurements need not be."""
    global redacting_provider
    redacting_provider = provider


def redacted(attributes: Mapping[str, Any]) -> Mapping[str, Any]:
    """Valid metric *attributes*, redacted by the process's redactor (remembered per set)."""
    global _cache_for
    redactor = active_redactor()
    if redactor is None:
        return attributes
    if redactor is not _cache_for:
        _redacted.clear()
        _cache_for = redactor
    try:
        key = tuple(attributes.items())
        return _redacted[key]
    except KeyError:
        result = redactor.redact(attributes)
        if len(_redacted) < _CACHE_SIZE:
            _redacted[key] = result
        return result
    except TypeError:  # a value that cannot be a key: redact every time
        return redactor.redact(attributes)
