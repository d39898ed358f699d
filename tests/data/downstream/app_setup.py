"""Loaded with ``-p app_setup``: the application configures telemetry for the whole
session, before any test or capture runs."""

from pynector.telemetry import configure_telemetry

configure_telemetry(service_name="downstream", trace_exporters=["none"])
