"""The doctor's probe sends a real, empty export and names the fix for each mistake.

Right and wrong ports and protocols against the real collector; refused
credentials and TLS against small real servers (``support.servers``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from support.collector import free_port
from support.servers import (
    TOKEN,
    authenticating_grpc_server,
    authenticating_http_server,
    self_signed_certificate,
)

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel

from pynector.telemetry._cli.probe import (  # noqa: E402 - after the marker, for readability
    probe_otlp_grpc,
    probe_otlp_http,
    probe_zipkin,
)


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_http_to_the_http_port_is_accepted(collector: Collector, compression: str) -> None:
    result = probe_otlp_http(f"{collector.http_endpoint}/v1/traces", {}, compression, 2)
    assert (result.answer, result.problem) == ("HTTP 200", None)


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_grpc_to_the_grpc_port_is_accepted(collector: Collector, compression: str) -> None:
    result = probe_otlp_grpc(collector.grpc_endpoint, {}, compression, False, 2)
    assert (result.answer, result.problem) == ("gRPC OK", None)


def test_http_to_the_grpc_port(collector: Collector) -> None:
    result = probe_otlp_http(f"{collector.grpc_endpoint}/v1/traces", {}, "none", 2)
    assert result.problem is not None
    assert "OTLP/gRPC port: set OTEL_EXPORTER_OTLP_PROTOCOL=grpc" in result.problem


def test_grpc_to_the_http_port(collector: Collector) -> None:
    result = probe_otlp_grpc(collector.http_endpoint, {}, "none", False, 2)
    assert result.problem is not None
    assert "OTLP/HTTP port: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf" in result.problem


def test_http_to_a_wrong_path(collector: Collector) -> None:
    result = probe_otlp_http(collector.http_endpoint, {}, "none", 2)
    assert result.answer == "HTTP 404"
    assert result.problem is not None
    assert "takes traces at /v1/traces" in result.problem


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_nothing_listening(protocol: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = (
        probe_otlp_grpc(url, {}, "none", False, 2)
        if protocol == "grpc"
        else probe_otlp_http(f"{url}/v1/traces", {}, "none", 2)
    )
    assert result.problem is not None
    assert result.problem.startswith("nothing listens at 127.0.0.1:")


def test_https_to_a_plain_port(collector: Collector) -> None:
    url = f"https://127.0.0.1:{collector.http_port}/v1/traces"
    result = probe_otlp_http(url, {}, "none", 2)
    assert result.problem == "the endpoint does not speak TLS: use http:// instead of https://"


def test_grpc_with_tls_to_a_plain_port(collector: Collector) -> None:
    url = f"https://127.0.0.1:{collector.grpc_port}"
    result = probe_otlp_grpc(url, {}, "none", False, 2)
    assert result.problem is not None
    assert result.problem.startswith("the endpoint does not speak TLS")


@pytest.mark.parametrize(("headers", "status"), [({}, 401), ({"Authorization": TOKEN}, 202)])
def test_http_credentials(headers: dict[str, str], status: int) -> None:
    with authenticating_http_server() as url:
        result = probe_otlp_http(f"{url}/v1/traces", headers, "none", 2)
    assert result.answer == f"HTTP {status}"
    assert (result.problem is None) == (status == 202)


def test_http_refused_credentials_name_the_variable() -> None:
    with authenticating_http_server() as url:
        result = probe_otlp_http(f"{url}/v1/traces", {"Authorization": "Bearer wrong"}, "none", 2)
    assert result.problem is not None
    assert "refused the credentials" in result.problem
    assert "OTEL_EXPORTER_OTLP_HEADERS" in result.problem


@pytest.mark.parametrize(
    ("headers", "answer"),
    [({}, "gRPC UNAUTHENTICATED"), ({"Authorization": TOKEN}, "gRPC OK")],
)
def test_grpc_credentials(headers: dict[str, str], answer: str) -> None:
    # Capitalised keys, as vendors document them, are sent lower-cased.
    with authenticating_grpc_server() as url:
        result = probe_otlp_grpc(url, headers, "none", False, 2)
    assert result.answer == answer


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    return self_signed_certificate(tmp_path)


def test_http_to_a_tls_port(certificate: tuple[Path, Path]) -> None:
    with authenticating_http_server(certificate) as url:
        plain = url.replace("https://", "http://")
        result = probe_otlp_http(f"{plain}/v1/traces", {}, "none", 2)
    assert result.problem == "the endpoint needs TLS: use https:// instead of http://"


def test_untrusted_certificate(certificate: tuple[Path, Path]) -> None:
    with authenticating_http_server(certificate) as url:
        result = probe_otlp_http(f"{url}/v1/traces", {}, "none", 2)
    assert result.answer == "TLS certificate refused"


def test_zipkin_accepting() -> None:
    with authenticating_http_server(token=None) as url:
        result = probe_zipkin(f"{url}/api/v2/spans", 2)
    assert (result.answer, result.problem) == ("HTTP 202", None)


def test_zipkin_answer(collector: Collector) -> None:
    # The collector is no Zipkin server: its HTTP port answers 404 there.
    result = probe_zipkin(f"{collector.http_endpoint}/api/v2/spans", 2)
    assert result.answer == "HTTP 404"
    assert result.problem == "the Zipkin endpoint answered HTTP 404"


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_the_logs_service_is_probed(collector: Collector, protocol: str) -> None:
    if protocol == "grpc":
        result = probe_otlp_grpc(collector.grpc_endpoint, {}, "gzip", False, 2, "logs")
    else:
        result = probe_otlp_http(f"{collector.http_endpoint}/v1/logs", {}, "gzip", 2, "logs")
    assert result.ok, result


def test_a_wrong_logs_path_names_the_logs_variable(collector: Collector) -> None:
    result = probe_otlp_http(f"{collector.http_endpoint}/v1/traces/x", {}, "none", 2, "logs")
    assert result.problem is not None
    assert "OTLP/HTTP takes logs at /v1/logs" in result.problem
    assert "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" in result.problem
