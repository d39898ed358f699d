"""Loaded with ``-p app_setup``: the application configures telemetry for the whole
session, metrics included, before any test or capture runs."""

from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from pynector.telemetry import configure_telemetry

configure_telemetry(
    service_name="downstream", trace_exporters=["none"], metric_exporters=[InMemoryMetricReader()]
)
