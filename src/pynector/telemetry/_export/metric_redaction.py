"""Apply the :mod:`~pynector.telemetry.redaction` rules to metrics on their way out.

A measurement's attributes may hold a secret (``{"api_key": ...}``, a URL
with a password), and so may an exemplar's filtered attributes and the
resource.  :class:`RedactingMetricExporter` wraps an exporter and hands it
a copy of each collection with those redacted, so redaction runs where the
export runs, in the reader's background thread, off the application's
path.  A collection with nothing to redact is passed on as it is.

``configure_telemetry`` wraps the metric exporters it makes (and those the
application hands it), and a metric reader the application hands it
receives each collection redacted (:func:`redact_what_it_receives`); an
application with a meter provider of its own wraps its exporter::

    reader = PeriodicExportingMetricReader(RedactingMetricExporter(OTLPMetricExporter()))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricExportResult,
    MetricReader,
    MetricsData,
)

from .._warnings import warn_once
from ..redaction import Redactor, active_redactor

__all__ = [
    "RedactingMetricExporter",
    "receives_redacted",
    "redact_metrics",
    "redact_what_it_receives",
]

_HOOKED = "_pynector_receives_redacted"


def _attributes(redactor: Redactor, attributes: Mapping[str, Any] | None) -> Any:
    return attributes if not attributes else redactor.redact(attributes)


def _exemplar(redactor: Redactor, exemplar: Any) -> Any:
    filtered = _attributes(redactor, exemplar.filtered_attributes)
    if filtered is exemplar.filtered_attributes:
        return exemplar
    return replace(exemplar, filtered_attributes=filtered)


def _point(redactor: Redactor, point: Any) -> Any:
    changes: dict[str, Any] = {}
    attributes = _attributes(redactor, point.attributes)
    if attributes is not point.attributes:
        changes["attributes"] = attributes
    exemplars = [_exemplar(redactor, exemplar) for exemplar in point.exemplars or ()]
    if _changed(exemplars, point.exemplars or ()):
        changes["exemplars"] = exemplars
    return replace(point, **changes) if changes else point


def _metric(redactor: Redactor, metric: Any) -> Any:
    points = [_point(redactor, point) for point in metric.data.data_points]
    if not _changed(points, metric.data.data_points):
        return metric
    return replace(metric, data=replace(metric.data, data_points=points))


def _changed(new: list[Any], old: Any) -> bool:
    return any(a is not b for a, b in zip(new, old, strict=True))


def _resource_metrics(redactor: Redactor, resource_metrics: Any) -> Any:
    changes: dict[str, Any] = {}
    resource = resource_metrics.resource
    attributes = _attributes(redactor, resource.attributes)
    if attributes is not resource.attributes:
        changes["resource"] = type(resource)(attributes, resource.schema_url)
    scopes = []
    for scope_metrics in resource_metrics.scope_metrics:
        metrics = [_metric(redactor, metric) for metric in scope_metrics.metrics]
        changed = _changed(metrics, scope_metrics.metrics)
        scopes.append(replace(scope_metrics, metrics=metrics) if changed else scope_metrics)
    if _changed(scopes, resource_metrics.scope_metrics):
        changes["scope_metrics"] = scopes
    return replace(resource_metrics, **changes) if changes else resource_metrics


def redact_metrics(metrics_data: MetricsData, redactor: Redactor) -> MetricsData:
    """*metrics_data* with secrets redacted; the very same object if it has none."""
    resources = [_resource_metrics(redactor, each) for each in metrics_data.resource_metrics]
    if not _changed(resources, metrics_data.resource_metrics):
        return metrics_data
    return replace(metrics_data, resource_metrics=resources)


class RedactingMetricExporter(MetricExporter):
    """Hand *exporter* each collection with its secrets redacted (see the module docs).

    *redactor* defaults to the process's (the one ``configure_telemetry``
    installed), looked up at each export.
    """

    def __init__(self, exporter: MetricExporter, redactor: Redactor | None = None) -> None:
        super().__init__(
            preferred_temporality=getattr(exporter, "_preferred_temporality", None),
            preferred_aggregation=getattr(exporter, "_preferred_aggregation", None),
        )
        self.exporter = exporter
        self._redactor = redactor

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        redactor = self._redactor or active_redactor()
        if redactor is not None:
            metrics_data = redact_metrics(metrics_data, redactor)
        return self.exporter.export(metrics_data, timeout_millis=timeout_millis, **kwargs)

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return self.exporter.force_flush(timeout_millis=timeout_millis)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self.exporter.shutdown(timeout_millis=timeout_millis, **kwargs)


def redact_what_it_receives(reader: MetricReader) -> bool:
    """Have *reader*, the application's own, receive each collection redacted;
    whether it now does.

    A reader is added to the meter provider as it is, and the SDK hands it
    each collection through ``_receive_metrics``, the method its subclasses
    implement: this reader's is replaced (on the instance only) by one that
    redacts first, with the process's redactor of the moment.  A
    collection that cannot be redacted is not handed on (one warning).
    """
    if receives_redacted(reader):
        return True
    receive = reader._receive_metrics

    def receive_redacted(
        metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> None:
        redactor = active_redactor()
        if redactor is not None:
            try:
                metrics_data = redact_metrics(metrics_data, redactor)
            except Exception as error:  # never hand on what could not be redacted
                warn_once(
                    "metric-redaction-failed",
                    f"A metric collection could not be redacted ({type(error).__name__}) and "
                    "was not handed to the metric reader. This warning is shown once per process.",
                )
                return
        receive(metrics_data, timeout_millis=timeout_millis, **kwargs)

    try:
        reader._receive_metrics = receive_redacted  # type: ignore[method-assign]
        setattr(reader, _HOOKED, True)
    except Exception:  # a reader that takes no attributes (__slots__...)
        return False
    return True


def receives_redacted(reader: object) -> bool:
    """Whether :func:`redact_what_it_receives` made *reader* receive redacted collections."""
    return getattr(reader, _HOOKED, False) is True
