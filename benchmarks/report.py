"""Turn the raw benchmark results into ``docs/benchmarks.md`` and a bar chart.

Usage: ``python benchmarks/report.py RESULTS_DIR DOCS_DIR``, where
RESULTS_DIR holds ``bench-bare.json`` / ``bench-full.json`` (pytest-benchmark),
``import-bare.json`` / ``import-full.json`` and ``export.json``.

Ratios compare contenders measured in the same process run, never
absolute times across runs (the machine is noisy).  Missed targets are
listed on stdout and marked in the table.
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

FLOOR = "with nullcontext()"
TIMES = "\u00d7"  # the multiplication sign, for the tables


@dataclass
class Result:
    env: str
    group: str
    contender: str
    ns_per_op: float


@dataclass
class Target:
    number: int
    text: str
    value: float | None
    limit: float
    unit: str = "x"

    @property
    def met(self) -> bool:
        return self.value is not None and self.value <= self.limit

    def shown(self) -> str:
        if self.value is None:
            return "not measured"
        return (
            f"{self.value:.2f}{self.unit}" if self.unit == "x" else f"{self.value:.1f} {self.unit}"
        )


def load_benchmarks(path: Path, env: str) -> list[Result]:
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    results = []
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        results.append(
            Result(
                env, bench["group"], info["contender"], bench["stats"]["median"] / info["ops"] * 1e9
            )
        )
    return results


def find(results: list[Result], env: str, group: str, contender_prefix: str) -> Result | None:
    for result in results:
        if (
            result.env == env
            and result.group == group
            and result.contender.startswith(contender_prefix)
        ):
            return result
    return None


def ratio(
    results: list[Result], env: str, group: str, numerator: str, denominator: str
) -> float | None:
    top = find(results, env, group, numerator)
    bottom = find(results, env, group, denominator)
    if top is None or bottom is None:
        return None
    return top.ns_per_op / bottom.ns_per_op


def extra_info(path: Path, name_part: str, key: str) -> object:
    if not path.exists():
        return None
    for bench in json.loads(path.read_text())["benchmarks"]:
        if name_part in bench["name"]:
            return bench["extra_info"].get(key)
    return None


def targets(results: list[Result], raw: Path) -> list[Target]:
    imports = {env: _json(raw / f"import-{env}.json") for env in ("bare", "full")}

    def added(env: str, module: str = "pynector.telemetry") -> float | None:
        entry = imports[env].get(module)
        return None if entry is None else entry["added_ms"]

    return [
        Target(1, "no-op span, nothing installed, vs `with nullcontext()`",
               ratio(results, "bare", "span-noop", "pynector (nothing", FLOOR), 0.6),
        Target(2, "no-op span, OpenTelemetry installed, no provider, vs `with nullcontext()`",
               ratio(results, "full", "span-noop", "pynector (OTel", FLOOR), 1.0),
        Target(3, "no-op `log.info('event', k=1)`, nothing installed, vs `with nullcontext()`",
               ratio(results, "bare", "log-noop", "pynector", FLOOR), 0.5),
        Target(3, "no-op `log.info('event', k=1)`, structlog imported, not configured",
               ratio(results, "full", "log-noop", "pynector", FLOOR), 0.5),
        Target(4, "configured SDK span via the facade vs the SDK directly",
               ratio(results, "full", "span-sdk", "pynector", "OpenTelemetry SDK"), 1.10),
        Target(5, "`traced_gather` of 100 coroutines, nothing installed, vs `asyncio.gather`",
               ratio(results, "bare", "gather-noop", "pynector", "asyncio.gather"), 1.05),
        Target(5, "`traced_gather` of 100 coroutines, tracing off, vs `asyncio.gather`",
               ratio(results, "full", "gather-noop", "pynector", "asyncio.gather"), 1.05),
        Target(5, "`traced_gather` of 100 coroutines, configured, vs one SDK span by hand",
               ratio(results, "full", "gather-sdk-one-span", "pynector", "asyncio.gather in"),
               1.10),
        Target(5, "`traced_gather(child_spans=True)`, configured, vs one SDK span each by hand",
               ratio(results, "full", "gather-sdk", "pynector", "asyncio.gather +"), 1.10),
        Target(6, "correlated structlog JSON line vs the same pipeline without correlation",
               ratio(results, "full", "log-configured", "pynector", "structlog"), 1.3),
        Target(9, "configured span with 10 attributes, redacted vs not (application thread)",
               ratio(results, "full", "span-redaction", "configured span, redacted",
                     "configured span, not redacted"), 1.10),
        Target(9, "CPU to redact a span with 10 attributes / CPU to make it",
               ratio(results, "full", "redaction-cpu", "redacting", "SDK span"), 0.10),
        Target(7, "`import pynector.telemetry`, nothing installed", added("bare"), 5.0, "ms"),
        Target(7, "`import pynector.telemetry`, everything installed, unused",
               added("full"), 10.0, "ms"),
        Target(10, "no-op `counter.add(1, {'route': '/'})`, nothing installed",
               ratio(results, "bare", "metric-noop", "pynector (nothing", FLOOR), 0.30),
        Target(10, "no-op `counter.add(1, {...})`, OpenTelemetry installed, no meter provider",
               ratio(results, "full", "metric-noop", "pynector (OTel", FLOOR), 0.35),
        Target(11, "configured `counter.add` via the meter facade vs the SDK counter directly",
               ratio(results, "full", "metric-sdk", "pynector", "OpenTelemetry SDK"), 1.10),
        Target(12, "`import pynector.telemetry.metrics` (`get_meter`), nothing installed",
               added("bare", "pynector.telemetry.metrics"), 5.0, "ms"),
    ]  # fmt: skip


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    packages = ", ".join(
        f"{name} {_version(name)}"
        for name in ("opentelemetry-sdk", "structlog", "logfire-api", "pytest-benchmark")
    )
    return f"{platform.platform()}, {cpu}, Python {platform.python_version()}; {packages}"


def table(results: list[Result]) -> list[str]:
    lines = [
        f"| environment | operation | contender | ns/op | {TIMES} floor |",
        "|---|---|---|---:|---:|",
    ]
    for group in (
        "span-noop",
        "log-noop",
        "metric-noop",
        "span-sdk",
        "metric-sdk",
        "log-configured",
        "span-redaction",
        "redaction-cpu",
        "gather-noop",
        "gather-sdk",
    ):
        for env in ("bare", "full"):
            rows = [r for r in results if r.group == group and r.env == env]
            if not rows:
                continue
            floor = find(results, env, group, FLOOR) or rows[0]
            for row in rows:
                lines.append(
                    f"| {env} | {group} | {row.contender} | {row.ns_per_op:,.0f} | "
                    f"{row.ns_per_op / floor.ns_per_op:.2f} |"
                )
    return lines


def chart(results: list[Result], goals: list[Target], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [t for t in goals if t.value is not None]
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(shown) + 1.5))
    labels = [f"T{t.number}: {t.text.replace('`', '')}" for t in shown]
    values = [t.value / t.limit for t in shown if t.value is not None]  # all: for mypy
    colors = ["#2e7d32" if t.met else "#c62828" for t in shown]
    ax.barh(range(len(shown)), values, color=colors)
    ax.axvline(1.0, color="black", linewidth=1, linestyle="--")
    ax.set_yticks(range(len(shown)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("measured / target (≤ 1 meets the target)")
    ax.set_title("pynector benchmark targets (ratios within one run)")
    for index, target in enumerate(shown):
        unit = "" if target.unit == "x" else " ms"
        label = f"  {target.shown()} (target \u2264 {target.limit:g}{unit})"
        ax.text(values[index], index, label, va="center", fontsize=8)
    ax.set_xlim(0, max([*values, 1.0]) * 1.6)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> int:
    raw, docs = Path(sys.argv[1]), Path(sys.argv[2])
    docs.mkdir(parents=True, exist_ok=True)
    results = load_benchmarks(raw / "bench-bare.json", "bare") + load_benchmarks(
        raw / "bench-full.json", "full"
    )
    goals = targets(results, raw)
    export = _json(raw / "export.json")
    surviving = {
        env: extra_info(raw / f"bench-{env}.json", "test_pynector_noop_log", "surviving_bytes")
        for env in ("bare", "full")
    }
    imports = {env: _json(raw / f"import-{env}.json") for env in ("bare", "full")}
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`benchmarks/report.py`); do not edit by hand.",
        f"Machine: {machine()}.",
        "",
        "`bare` is an environment with pynector alone; `full` has every optional",
        "package. Each contender runs the same operation in the same process run;",
        "ratios are what to compare (this machine is noisy), absolute times are",
        "indicative only. Medians from pytest-benchmark.",
        "",
        "![targets](benchmarks.png)",
        "",
        "## Targets",
        "",
        "| # | target | measured | limit | met |",
        "|---|---|---:|---:|:---:|",
    ]
    for t in goals:
        limit = f"≤ {t.limit:g}{TIMES if t.unit == 'x' else ' ms'}"
        lines.append(
            f"| {t.number} | {t.text} | {t.shown()} | {limit} | {'yes' if t.met else 'NO'} |"
        )
    stdlib = [ratio(results, env, "log-noop", "stdlib", FLOOR) for env in ("bare", "full")]
    shown = " and ".join(f"{value:.2f}{TIMES}" for value in stdlib if value is not None)
    lines += [
        "",
        "Target 3 for reference: the standard library's own filtered-out",
        "`logger.info('event', extra={'k': 1})` costs "
        f"{shown or 'not measured'} in the same runs (bare and full).",
        "",
        "Allocations surviving 10,000 no-op log calls (tracemalloc, pynector frames): "
        + ", ".join(
            f"{env} {'not measured' if count is None else f'{count} bytes'}"
            for env, count in surviving.items()
        )
        + ".",
        "",
        "## All measurements",
        "",
        *table(results),
        "",
        "## Import cost (ms added to `python -c pass`, median)",
        "",
        "| environment | module | added ms |",
        "|---|---|---:|",
    ]
    for env, entries in imports.items():
        for module, entry in entries.items():
            lines.append(f"| {env} | `{module}` | {entry['added_ms']:.1f} |")
    lines += [
        "",
        "## Export throughput to a real OTLP collector (target 8)",
        "",
        "| protocol | spans sent | received | seconds | spans/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for protocol, entry in export.items():
        lines.append(
            f"| {protocol} | {entry['spans_sent']:,} | {entry['spans_received']:,} | "
            f"{entry['seconds']:.2f} | {entry['spans_per_second']:,.0f} |"
        )
    (docs / "benchmarks.md").write_text("\n".join(lines) + "\n")
    chart(results, goals, docs / "benchmarks.png")
    for t in goals:
        state = "met" if t.met else "NOT MET"
        print(f"target {t.number} {state}: {t.text}: {t.shown()} (limit {t.limit:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
