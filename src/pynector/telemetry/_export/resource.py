"""The attributes of the resource every exported span carries.

>>> from pynector.telemetry._export.settings import Setting
>>> build_resource_attributes(Setting("checkout", "argument"), {"region": "eu"})
{'region': 'eu', 'service.name': 'checkout'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .environment import get_env_dict
from .settings import Setting

__all__ = ["build_resource_attributes"]


def build_resource_attributes(
    service_name: Setting[str], attributes: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``OTEL_RESOURCE_ATTRIBUTES``, then *attributes*, then the service name on top.

    The service name is the argument, else ``OTEL_SERVICE_NAME``, else a
    ``service.name`` given in the attributes, else ``unknown_service``.
    """
    merged: dict[str, Any] = get_env_dict("OTEL_RESOURCE_ATTRIBUTES")
    merged.update(attributes or {})
    if service_name.source != "default" or "service.name" not in merged:
        merged["service.name"] = service_name.value
    return merged
