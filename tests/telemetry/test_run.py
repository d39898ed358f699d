"""``python -m pynector.telemetry run``: telemetry for a program that never configures it.

Real programs in real processes: the exit code, the process id and signals
are the program's own, and what it emitted reaches the collector at exit.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry._cli.run import program_command
from support.processes import clean_env

if TYPE_CHECKING:
    from support.collector import Collector

#: A program that never calls configure_telemetry: a library span, then exit 3.
APP = """
import sys
from pynector.telemetry import get_telemetry

tracer, log = get_telemetry("app")
for n in range(int(sys.argv[1])):
    with tracer.start_as_current_span("unit", {"n": n, "argv": " ".join(sys.argv[2:])}):
        pass
print("done", flush=True)
sys.exit(3)
"""


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pynector.telemetry", "run", *args],
        capture_output=True,
        text=True,
        env=clean_env(env),
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_exit_code_and_arguments_are_the_programs(tmp_path: Path) -> None:
    app = write(tmp_path, "app.py", APP)
    result = run(["python", str(app), "1", "a", "b"], {"OTEL_TRACES_EXPORTER": "none"}, tmp_path)
    assert result.returncode == 3
    assert result.stdout == "done\n"


@pytest.mark.requires_otel
def test_the_environment_configures_the_program(tmp_path: Path) -> None:
    app = write(tmp_path, "app.py", APP)
    env = {"OTEL_TRACES_EXPORTER": "console-lines", "PYNECTOR_CONSOLE_STREAM": "stdout"}
    result = run(["--", str(app), "2", "x"], env, tmp_path)
    assert result.returncode == 3
    lines = [line for line in result.stdout.splitlines() if line.startswith("span 'unit'")]
    assert len(lines) == 2
    assert all("argv='x'" in line for line in lines)


@pytest.mark.requires_otel
def test_a_module_runs_with_its_arguments(tmp_path: Path) -> None:
    write(tmp_path, "service.py", APP)
    env = {
        "OTEL_TRACES_EXPORTER": "console-lines",
        "PYNECTOR_CONSOLE_STREAM": "stdout",
        "PYTHONPATH": str(tmp_path),
    }
    result = run(["-m", "service", "1", "m"], env, tmp_path)
    assert result.returncode == 3
    assert sum(line.startswith("span 'unit'") for line in result.stdout.splitlines()) == 1


@pytest.mark.requires_otel
@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_nothing_lost_at_exit(collector: Collector, tmp_path: Path, protocol: str) -> None:
    app = write(tmp_path, "app.py", APP)
    grpc = protocol == "grpc"
    env = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.grpc_endpoint if grpc else collector.http_endpoint,
        "OTEL_SERVICE_NAME": "run-test",
    }
    result = run(["python", str(app), "500"], env, tmp_path)
    assert result.returncode == 3, result.stderr
    spans = collector.wait_for(500)
    assert len(spans) == 500
    assert {span["name"] for span in spans} == {"unit"}
    assert result.stderr == ""


SIGNALLED_APP = """
import os, sys, time
print(os.getpid(), flush=True)
sys.stdin.readline()   # wait until told, then get the signal
time.sleep(60)
"""


def test_signals_reach_the_program_itself(tmp_path: Path) -> None:
    app = write(tmp_path, "app.py", SIGNALLED_APP)
    process = subprocess.Popen(
        [sys.executable, "-m", "pynector.telemetry", "run", "python", str(app)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env({"OTEL_TRACES_EXPORTER": "none"}),
    )
    try:
        assert process.stdout is not None
        program_pid = int(process.stdout.readline())
        # run replaced itself with the program: same process, so a signal
        # sent to what the caller started reaches the program directly.
        assert program_pid == process.pid
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM
    finally:
        process.kill()
        process.wait()


def test_python_started_by_the_program_is_configured_too(tmp_path: Path) -> None:
    child = write(
        tmp_path, "child.py", "import sys; print('pynector.telemetry._cli.run' in sys.modules)"
    )
    parent = write(
        tmp_path,
        "parent.py",
        f"""
        import subprocess, sys
        print(subprocess.run([sys.executable, {str(child)!r}], capture_output=True,
                             text=True).stdout.strip())
        """,
    )
    result = run(["python", str(parent)], {"OTEL_TRACES_EXPORTER": "none"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_an_unknown_program_is_a_clear_error(tmp_path: Path) -> None:
    result = run(["no-such-program-xyz"], {}, tmp_path)
    assert result.returncode == 127
    assert "'no-such-program-xyz' not found" in result.stderr


def test_no_program_prints_usage(tmp_path: Path) -> None:
    result = run([], {}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m pynector.telemetry run")


def test_bare_python_means_this_interpreter() -> None:
    assert program_command(["python3", "app.py"]) == [sys.executable, "app.py"]
    assert program_command(["app.py", "-v"]) == [sys.executable, "app.py", "-v"]
    assert program_command(["--", "/usr/bin/env", "x"]) == ["/usr/bin/env", "x"]


def test_the_bootstrap_runs_the_sitecustomize_it_hides(tmp_path: Path) -> None:
    # What opentelemetry-instrument does: its own sitecustomize on PYTHONPATH.
    other = tmp_path / "other"
    other.mkdir()
    (other / "sitecustomize.py").write_text("import os; os.environ['OTHER_RAN'] = '1'\n")
    app = write(tmp_path, "app.py", "import os; print(os.environ.get('OTHER_RAN'))")
    env = {"OTEL_TRACES_EXPORTER": "none", "PYTHONPATH": str(other)}
    result = run(["python", str(app)], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
