"""Secrets in metric attributes never leave the process.

Under configure_telemetry's meter provider they are redacted in the export
thread; under the application's own provider, at pynector's boundary.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from pynector.telemetry import configure_telemetry, get_meter
from pynector.telemetry.metrics import Observation
from pynector.telemetry.redaction import REDACTED, Redactor
from support.metrics import values

pytestmark = pytest.mark.requires_otel

meter = get_meter("tests.metric_redaction")
logins = meter.create_counter("redaction.logins")
SECRET = {"route": "/login", "api_key": "s3cret-value", "dsn": "postgres://u:hunter2@db/app"}
REDACTED_KEY = (("api_key", REDACTED), ("dsn", REDACTED), ("route", "/login"))


def test_under_the_applications_provider_the_facade_redacts(metric_reader: Any) -> None:
    logins.add(1, SECRET)
    logins.add(1, dict(SECRET))  # the same set again: redacted from memory
    meter.create_observable_gauge(
        "redaction.sessions", callbacks=[lambda options: [Observation(2, {"session": "abc"})]]
    )
    found = values(metric_reader)
    assert found["redaction.logins"] == {REDACTED_KEY: 2}
    assert found["redaction.sessions"] == {(("session", REDACTED),): 2}


def test_redaction_off_keeps_attributes(metric_reader: Any) -> None:
    configure_telemetry(redact=False, trace_enabled=False)
    logins.add(1, SECRET)
    assert values(metric_reader)["redaction.logins"] == {tuple(sorted(SECRET.items())): 1}


def test_configured_exporters_redact_in_the_export_thread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from opentelemetry import metrics

    from pynector.telemetry._metrics import boundary

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        configure_telemetry(trace_enabled=False, metric_exporters=["console"])
    provider: Any = metrics.get_meter_provider()
    logins.add(1, SECRET)
    assert provider.force_flush()
    assert boundary.redacting_provider is provider  # the facade leaves it to the exporter
    err = capsys.readouterr().err
    assert "s3cret" not in err
    assert "hunter2" not in err
    assert err == (
        f"metric 'redaction.logins' route='/login' api_key='{REDACTED}' dsn='{REDACTED}' value=1\n"
    )


def test_an_applications_own_reader_is_given_redacted_measurements() -> None:
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    configure_telemetry(trace_enabled=False, metric_exporters=[reader])
    logins.add(1, SECRET)
    assert values(reader)["redaction.logins"] == {REDACTED_KEY: 1}


def test_redact_metrics_covers_exemplars_and_the_resource() -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.metrics import AlwaysOnExemplarFilter, MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.metrics.view import View
    from opentelemetry.sdk.resources import Resource

    from pynector.telemetry._export.metric_redaction import redact_metrics

    reader = InMemoryMetricReader()
    provider = MeterProvider(
        metric_readers=[reader],
        resource=Resource({"service.name": "shop", "token": "t0ken"}),
        exemplar_filter=AlwaysOnExemplarFilter(),
        # Keep only "route" on the point: "password" goes to the exemplar.
        views=[View(instrument_name="redaction.*", attribute_keys={"route"})],
        shutdown_on_exit=False,
    )
    span_context = trace.SpanContext(1, 2, is_remote=False, trace_flags=trace.TraceFlags(1))
    context = trace.set_span_in_context(trace.NonRecordingSpan(span_context))
    histogram = provider.get_meter("tests").create_histogram("redaction.duration")
    histogram.record(1.5, {"route": "/", "password": "pw"}, context=context)
    data = reader.get_metrics_data()
    assert data is not None
    redacted = redact_metrics(data, Redactor())
    (resource_metrics,) = redacted.resource_metrics
    assert resource_metrics.resource.attributes["token"] == REDACTED
    assert resource_metrics.resource.attributes["service.name"] == "shop"
    (point,) = collect_points(resource_metrics)
    assert dict(point.attributes) == {"route": "/"}
    (exemplar,) = point.exemplars
    assert dict(exemplar.filtered_attributes) == {"password": REDACTED}
    assert redact_metrics(data, Redactor(allow=["token", "password"])) is data  # nothing to do
    provider.shutdown()


def collect_points(resource_metrics: Any) -> list[Any]:
    return [
        point
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
        for point in metric.data.data_points
    ]
