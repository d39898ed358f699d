"""One parser per kind of setting, shared by arguments and environment variables.

Each parser takes the raw value, a string from the environment or any
object passed as an argument, and returns the valid value or raises
:class:`~.environment.InvalidValue` saying what it expects.  Ranges are
checked here, so ``OTLP(timeout=1e13)`` and ``OTEL_EXPORTER_OTLP_TIMEOUT=1e13``
are refused the same way.  List and mapping parsers keep the well-formed
entries and raise :class:`~.environment.InvalidEntries` for the others.

>>> EXPORT_TIMEOUT.from_environment("2500"), EXPORT_TIMEOUT.from_argument(2.5)
(2.5, 2.5)
>>> SCHEDULE_DELAY.from_environment("0")  # raised to the floor: no busy loop
0.01
>>> ratio("0.25"), exporter_list("console, zipkin")
(0.25, ('console', 'zipkin'))
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..exporters import OTLP, Console, Zipkin
from .endpoints import parse_url
from .environment import InvalidEntries, InvalidValue, parse_key_values
from .own_exporters import KINDS, Signal, is_own, misplaced

__all__ = [
    "EXPORTERS",
    "EXPORT_TIMEOUT",
    "LOG_EXPORTERS",
    "METRIC_EXPORTERS",
    "PENDING_AFTER",
    "SCHEDULE_DELAY",
    "Duration",
    "choice",
    "count",
    "exporter_choices",
    "exporter_list",
    "headers",
    "log_exporter_list",
    "metric_exporter_list",
    "name_list",
    "own_choices",
    "ratio",
    "text",
    "url",
]

EXPORTERS = ("otlp", "console", "console-lines", "zipkin", "none")
LOG_EXPORTERS = ("otlp", "console", "none")
METRIC_EXPORTERS = ("otlp", "console", "none")


def text(raw: object) -> str:
    """A non-empty string, stripped."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidValue("a non-empty string")
    return raw.strip()


def choice(options: tuple[str, ...]) -> Callable[[object], str]:
    """A parser for one of *options*, in any case."""

    def parse(raw: object) -> str:
        value = raw.strip().lower() if isinstance(raw, str) else None
        if value not in options:
            raise InvalidValue("one of " + ", ".join(options))
        return value

    return parse


def url(raw: object) -> str:
    """An ``http(s)://host[:port]`` URL."""
    if not isinstance(raw, str):
        raise InvalidValue("an http:// or https:// URL")
    return parse_url(raw)


def _number(raw: object, expected: str) -> float:
    """A finite number, from a number or its text (never a ``bool``)."""
    try:
        if isinstance(raw, str):
            value = float(raw.strip())
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            value = float(raw)
        else:
            raise InvalidValue(expected)
    except (ValueError, OverflowError):  # not a number; an int beyond float range
        raise InvalidValue(expected) from None
    if not math.isfinite(value):
        raise InvalidValue(expected)
    return value


@dataclass(frozen=True)
class Duration:
    """A time span: milliseconds in the environment (as the specification
    says), seconds in arguments, within ``[minimum, maximum]`` seconds.

    Values from ``0`` up to *floor* are valid but raised to *floor*: a
    batch delay of 0 means "as soon as possible", not a busy loop.
    """

    minimum: float
    maximum: float
    floor: float = 0.0

    def from_environment(self, raw: object) -> float:
        return self._check(_number(raw, self._expected(1000, "milliseconds")) / 1000, 1000)

    def from_argument(self, raw: object) -> float:
        return self._check(_number(raw, self._expected(1, "seconds")), 1)

    def _expected(self, scale: float, unit: str) -> str:
        return f"a number of {unit} from {self.minimum * scale:g} to {self.maximum * scale:g}"

    def _check(self, seconds: float, scale: float) -> float:
        unit = "milliseconds" if scale == 1000 else "seconds"
        if not self.minimum <= seconds <= self.maximum:
            raise InvalidValue(self._expected(scale, unit))
        return max(seconds, self.floor)


#: Any export or request timeout: beyond ten minutes a request is not coming back.
EXPORT_TIMEOUT = Duration(minimum=0.001, maximum=600.0)
#: The delay between two batches: a 10 ms floor, at most ten minutes.
SCHEDULE_DELAY = Duration(minimum=0.0, maximum=600.0, floor=0.01)
#: How long the console waits before drawing a trace still running.
PENDING_AFTER = Duration(minimum=0.0, maximum=600.0)


def count(maximum: int) -> Callable[[object], int]:
    """A parser for a whole number from 1 to *maximum*."""
    expected = f"a whole number from 1 to {maximum}"

    def parse(raw: object) -> int:
        try:
            if isinstance(raw, str):
                value = int(raw.strip())
            elif isinstance(raw, int) and not isinstance(raw, bool):
                value = int(raw)
            else:
                raise InvalidValue(expected)
        except ValueError:  # not a whole number, or too many digits to read
            raise InvalidValue(expected) from None
        if not 1 <= value <= maximum:
            raise InvalidValue(expected)
        return value

    return parse


def ratio(raw: object) -> float:
    """A sampling ratio: a number from 0 to 1."""
    value = _number(raw, "a number from 0 to 1")
    if not 0.0 <= value <= 1.0:
        raise InvalidValue("a number from 0 to 1")
    return value


def _names(raw: object) -> list[object]:
    """A comma-separated string, or an iterable of names, as a list of entries."""
    if isinstance(raw, str):
        return [name.strip() for name in raw.split(",") if name.strip()]
    if isinstance(raw, Iterable):
        return list(raw)
    raise InvalidValue("a comma-separated string or a list of names")


def name_list(raw: object) -> tuple[str, ...]:
    """Lower-case names (propagators...), from ``"a,b"`` or ``["a", "b"]``."""
    entries = _names(raw)
    names = tuple(entry.strip().lower() for entry in entries if isinstance(entry, str))
    bad = [entry for entry in entries if not isinstance(entry, str) or not entry.strip()]
    if isinstance(raw, str) and not names:
        raise InvalidValue("a comma-separated list of names")
    if bad:
        raise InvalidEntries("a name", tuple(dict.fromkeys(names)), bad)
    return tuple(dict.fromkeys(names))


def exporter_choices(raw: object) -> list[object]:
    """What an ``*_exporters`` argument holds, as a list of entries: one name,
    ``"a,b"``, one object (an :class:`~..exporters.OTLP` /
    :class:`~..exporters.Zipkin` / :class:`~..exporters.Console`, or an
    OpenTelemetry exporter or processor), or a list of them."""
    if isinstance(raw, str):
        return _names(raw)
    if not isinstance(raw, Iterable):
        return [raw]
    try:
        listed = list(raw)
    except Exception:  # an iterable that fails to iterate
        raise InvalidValue("a list of exporters") from None
    entries: list[object] = []
    for entry in listed:
        entries.extend(_names(entry) if isinstance(entry, str) else [entry])
    return entries


def own_choices(raw: object, signal: Signal) -> list[object]:
    """The application's own OpenTelemetry exporters, processors or readers
    of *signal* among *raw*'s entries, in order (see :mod:`.own_exporters`).

    An instance listed twice is used once, as a name is: otherwise every
    span would be exported twice, and a metric reader given twice makes the
    SDK's meter provider raise."""
    try:
        entries = exporter_choices(raw) if raw is not None else []
    except InvalidValue:  # resolving the exporters warns about it
        return []
    own = {id(entry): entry for entry in entries if is_own(entry, signal)}
    return list(own.values())


def _trace_exporter(entry: object) -> object:
    """A trace exporter choice as its name (any other object as it is)."""
    if isinstance(entry, OTLP):
        return "otlp"
    if isinstance(entry, Zipkin):
        return "zipkin"
    if isinstance(entry, Console) and entry.format in ("tree", "lines"):
        return "console-lines" if entry.format == "lines" else "console"
    return entry.strip().lower() if isinstance(entry, str) else entry


def _log_exporter(entry: object) -> object:
    """A log exporter choice as its name: a :class:`~..exporters.Console` of any format
    is ``console`` (log records have one console form)."""
    if isinstance(entry, OTLP):
        return "otlp"
    if isinstance(entry, Console):
        return "console"
    return entry.strip().lower() if isinstance(entry, str) else entry


def _metric_exporter(entry: object) -> object:
    """A metric exporter choice as its name (only OTLP options have one)."""
    if isinstance(entry, OTLP):
        return "otlp"
    return entry.strip().lower() if isinstance(entry, str) else entry


#: signal -> (its exporter names, the option objects it takes, how an entry is named)
_SIGNALS: dict[str, tuple[tuple[str, ...], str, Callable[[object], object]]] = {
    "traces": (EXPORTERS, "OTLP, Zipkin or Console options", _trace_exporter),
    "logs": (LOG_EXPORTERS, "OTLP or Console options", _log_exporter),
    "metrics": (METRIC_EXPORTERS, "OTLP options", _metric_exporter),
}


def _object_expected(signal: str) -> str:
    """What *signal*'s argument takes, said about an object it does not."""
    known, options, _ = _SIGNALS[signal]
    exporter, processor = KINDS[signal]
    return (
        f"a name ({', '.join(known)}), {options}, or an OpenTelemetry {exporter} or "
        f"{processor} instance"
    )


def _object_problem(entry: object, signal: str) -> str:
    """What *signal*'s argument expected instead of the object *entry*, and
    where *entry* belongs if another argument takes it."""
    hint = misplaced(entry, signal)
    expected = _object_expected(signal)
    return f"{expected}; {hint}" if hint else expected


def _exporter_names(raw: object, signal: Signal) -> tuple[str, ...]:
    """*signal*'s exporter names among *raw*'s entries, ``none`` left out.

    The application's own exporters and processors are not names: they are
    skipped here and picked up by :func:`own_choices`.  An empty list, or
    ``none``, means no exporter; a list with nothing usable in it is invalid.
    """
    known, _, name_of = _SIGNALS[signal]
    names: list[str] = []
    own = 0
    bad: list[object] = []
    reasons: list[str | None] = []
    for entry in exporter_choices(raw):
        name = name_of(entry)
        if isinstance(name, str) and name in known:
            names.append(name)
        elif is_own(entry, signal):
            own += 1
        else:
            bad.append(entry)
            reasons.append(None if isinstance(name, str) else _object_problem(entry, signal))
    if bad and not names and not own:
        objects = [reason for reason in reasons if reason is not None]
        if len(bad) == 1 and objects:
            raise InvalidValue(objects[0])
        raise InvalidValue(
            _object_expected(signal) if objects else "a comma-separated list of " + ", ".join(known)
        )
    value = tuple(name for name in dict.fromkeys(names) if name != "none")
    if bad:
        raise InvalidEntries("one of " + ", ".join(known), value, bad, reasons)
    return value


def exporter_list(raw: object) -> tuple[str, ...]:
    """Trace exporter names among :data:`EXPORTERS`, ``none`` left out."""
    return _exporter_names(raw, "traces")


def log_exporter_list(raw: object) -> tuple[str, ...]:
    """Log exporter names among :data:`LOG_EXPORTERS`, ``none`` left out.

    >>> log_exporter_list("OTLP, console"), log_exporter_list("none")
    (('otlp', 'console'), ())
    """
    return _exporter_names(raw, "logs")


def metric_exporter_list(raw: object) -> tuple[str, ...]:
    """Metric exporter names among :data:`METRIC_EXPORTERS`, ``none`` left out;
    :class:`~..exporters.OTLP` options count as ``otlp``."""
    return _exporter_names(raw, "metrics")


# RFC 9110 token characters: what a header name may contain.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def headers(raw: object) -> dict[str, str]:
    """Request headers, from ``key=value,...`` (percent-decoded) or a mapping.

    Names are lower-cased: HTTP does not care, and gRPC refuses metadata
    keys with capitals (``Authorization``, as vendors document it).
    """
    bad: list[object] = []
    if isinstance(raw, str):
        pairs: Iterable[tuple[object, object]]
        parsed, malformed = parse_key_values(raw)
        pairs = parsed.items()
        bad.extend(malformed)
    elif isinstance(raw, Mapping):
        pairs = raw.items()
    else:
        raise InvalidValue("key=value pairs")
    result: dict[str, str] = {}
    for key, value in pairs:
        name = key.strip().lower() if isinstance(key, str) else ""
        if (
            _HEADER_NAME.fullmatch(name)
            and isinstance(value, str)
            and not _CONTROL.search(value.strip())
        ):
            result[name] = value.strip()
        else:
            bad.append(f"{key}=" if isinstance(key, str) else key)
    if bad:
        raise InvalidEntries("key=value with a header name and printable value", result, bad)
    return result
