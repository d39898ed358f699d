"""Environment parsing: malformed values warn once and fall back to the default."""

from __future__ import annotations

import pytest

from pynector.telemetry import TelemetryWarning
from pynector.telemetry._export.environment import get_env_bool, get_env_dict, get_env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("TRUE", True), (" yes ", True), ("on", True), ("Off", False), ("no", False), ("", None)],
)
def test_bool_spellings(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool | None) -> None:
    monkeypatch.setenv("X_BOOL", raw)
    assert get_env_bool("X_BOOL", default=True) is (True if expected is None else expected)


def test_malformed_bool_warns_with_name_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.warns(TelemetryWarning, match=r"X_BOOL='maybe'.*default \(True\)"):
        assert get_env_bool("X_BOOL", True) is True


def test_dict_is_percent_decoded_and_skips_bad_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_DICT", " a = 1 ,b=x%2Cy, novalue ,,=empty-key,c=")
    with pytest.warns(TelemetryWarning, match="X_DICT"):
        assert get_env_dict("X_DICT") == {"a": "1", "b": "x,y", "c": ""}


def test_dict_default_is_copied() -> None:
    default = {"k": "v"}
    result = get_env_dict("X_UNSET_DICT", default)
    result["other"] = "x"
    assert default == {"k": "v"}


def test_blank_string_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_STR", "   ")
    assert get_env_str("X_STR", "fallback") == "fallback"
