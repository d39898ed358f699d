"""Choosing the console exporters and their options: names, ``Console``, environment."""

from __future__ import annotations

import warnings

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_telemetry
from pynector.telemetry._export.settings import Setting, resolve_settings
from pynector.telemetry.exporters import Console

tracer, _ = get_telemetry("tests.console_settings")


def test_defaults_stderr_auto_colours_one_second() -> None:
    settings = resolve_settings()
    assert settings.console_stream == Setting("stderr", "default", "PYNECTOR_CONSOLE_STREAM")
    assert settings.console_colors == Setting("auto", "default", "PYNECTOR_CONSOLE_COLORS")
    assert settings.console_pending_after.value == 1.0


def test_environment_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYNECTOR_CONSOLE_STREAM", "STDOUT")
    monkeypatch.setenv("PYNECTOR_CONSOLE_COLORS", "never")
    monkeypatch.setenv("PYNECTOR_CONSOLE_PENDING_MS", "250")
    settings = resolve_settings()
    assert settings.console_stream == Setting("stdout", "environment", "PYNECTOR_CONSOLE_STREAM")
    assert settings.console_colors.value == "never"
    assert settings.console_pending_after.value == 0.25


def test_console_options_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYNECTOR_CONSOLE_STREAM", "stderr")
    settings = resolve_settings(
        exporters=[Console(stream="stdout", colors=True, pending_after=0.1)]
    )
    assert settings.exporters.value == ("console",)
    assert settings.console_stream == Setting("stdout", "argument")
    assert settings.console_colors == Setting("always", "argument")
    assert settings.console_pending_after == Setting(0.1, "argument")
    assert resolve_settings(exporters=[Console(colors=False)]).console_colors.value == "never"


def test_the_one_line_format_keeps_a_name() -> None:
    assert resolve_settings(exporters=[Console(format="lines")]).exporters.value == (
        "console-lines",
    )
    assert resolve_settings(exporters=["console-lines", "console"]).exporters.value == (
        "console-lines",
        "console",
    )


@pytest.mark.parametrize(
    ("variable", "value", "field", "default"),
    [
        ("PYNECTOR_CONSOLE_STREAM", "file", "console_stream", "stderr"),
        ("PYNECTOR_CONSOLE_COLORS", "rainbow", "console_colors", "auto"),
        ("PYNECTOR_CONSOLE_PENDING_MS", "-1", "console_pending_after", 1.0),
    ],
)
def test_a_malformed_value_warns_and_uses_the_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, default: object
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.warns(TelemetryWarning, match=variable):
        assert getattr(resolve_settings(), field) == Setting(default, "default", variable)


def test_a_bad_stream_option_warns_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYNECTOR_CONSOLE_STREAM", "stdout")
    with pytest.warns(TelemetryWarning, match=r"Console\(stream=...\)"):
        settings = resolve_settings(exporters=[Console(stream="printer")])
    assert settings.console_stream.value == "stdout"


@pytest.mark.requires_otel
def test_the_tree_goes_to_stderr_unless_told_otherwise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_telemetry(trace_exporters=["console"])
    with tracer.start_as_current_span("to-stderr"):
        pass
    out, err = capsys.readouterr()
    assert out == ""
    assert "to-stderr" in err


@pytest.mark.requires_otel
def test_console_option_sends_the_tree_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    configure_telemetry(trace_exporters=[Console(stream="stdout")])
    with tracer.start_as_current_span("to-stdout"):
        pass
    out, err = capsys.readouterr()
    assert "to-stdout" in out
    assert err == ""


def test_no_warning_for_valid_console_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console-lines")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_settings().exporters.value == ("console-lines",)
