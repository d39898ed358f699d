"""Colour on a real terminal (a pty), plain text when piped or with NO_COLOR."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.processes import clean_env

pytestmark = pytest.mark.requires_otel

APP = Path(__file__).parent.parent / "data" / "console_app.py"
TESTS = str(Path(__file__).parent.parent)

PLAIN = (
    "--- trace 00000000000000000000000000000001 ---\n"
    "22:13:20.000     4.0 ms         order  items=2\n"
    "22:13:20.001             INFO     priced  total=19\n"
    "22:13:20.002     1.0 ms  ERROR    lookup  item='durian'\n"
    "                                    OutOfCatalogue: durian\n"
)


def _esc(style: str, text: str) -> str:
    return f"\x1b[{style}m{text}\x1b[0m"


COLOURED = (
    _esc("2", "--- trace 00000000000000000000000000000001 ---")
    + "\n"
    + _esc("2", "22:13:20.000")
    + "     4.0 ms         "
    + _esc("1", "order")
    + "  "
    + _esc("36", "items")
    + "=2\n"
    + _esc("2", "22:13:20.001")
    + "             "
    + _esc("34", "INFO")
    + "     priced  "
    + _esc("36", "total")
    + "=19\n"
    + _esc("2", "22:13:20.002")
    + "     1.0 ms  "
    + _esc("1;31", "ERROR")
    + "    "
    + _esc("1", "lookup")
    + "  "
    + _esc("36", "item")
    + "='durian'\n"
    + " " * 36
    + _esc("31", "OutOfCatalogue: durian")
    + "\n"
)


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = clean_env({"TERM": "xterm-256color"})
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def run_with_stderr_on_a_terminal(extra: dict[str, str]) -> tuple[str, str]:
    """Run the app with stderr on a pty; what the terminal received, and stdout."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(APP), TESTS],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=_env(extra),
    )
    os.close(slave)
    received = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            received += data
        stdout = process.communicate(timeout=30)[0]
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    # The terminal turns "\n" into "\r\n" (onlcr).
    return received.decode().replace("\r\n", "\n"), stdout.decode()


def run_piped(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(APP), TESTS],
        capture_output=True,
        text=True,
        env=_env(extra),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_a_terminal_gets_colours() -> None:
    terminal, stdout = run_with_stderr_on_a_terminal({})
    assert terminal == COLOURED
    assert stdout == "stdout stays the program's\n"


def test_no_color_keeps_a_terminal_plain() -> None:
    terminal, _ = run_with_stderr_on_a_terminal({"NO_COLOR": "1"})
    assert terminal == PLAIN


def test_colours_can_be_turned_off_for_a_terminal() -> None:
    terminal, _ = run_with_stderr_on_a_terminal({"PYNECTOR_CONSOLE_COLORS": "never"})
    assert terminal == PLAIN


def test_piped_output_is_plain_on_stderr() -> None:
    result = run_piped({})
    assert result.stderr == PLAIN
    assert result.stdout == "stdout stays the program's\n"


def test_colours_can_be_forced_for_a_pipe() -> None:
    assert run_piped({"PYNECTOR_CONSOLE_COLORS": "always"}).stderr == COLOURED


def test_a_setting_sends_the_tree_to_stdout() -> None:
    result = run_piped({"PYNECTOR_CONSOLE_STREAM": "stdout"})
    assert result.stderr == ""
    assert result.stdout == PLAIN + "stdout stays the program's\n"
