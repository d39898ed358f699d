"""Keep secrets out of everything telemetry writes or exports.

A :class:`Redactor` replaces secrets by a fixed marker that contains no part
of them, in two ways:

* **by key**: the value of a key that names a secret (``password``,
  ``accessToken``, ``X-Api-Key``, ``PHPSESSID``, ``aws_secret_access_key``...;
  see :mod:`pynector.telemetry._secret_keys`) becomes ``"[REDACTED]"``,
  at any depth, in mappings, lists and ``(name, value)`` pairs.  Numbers,
  booleans and ``None`` are never redacted by key (``input_tokens=1234``
  stays);
* **by shape**: in every string, whatever its key, the secret part of
  JWTs, ``Bearer`` credentials, URL passwords, ``password=...`` pairs,
  private-key blocks and tokens of known formats (see
  :mod:`pynector.telemetry._secret_text`).  Objects are judged by their
  ``repr``, so a dataclass with a ``password`` field loses the value.

>>> Redactor().redact({"user": "ann", "password": "hunter2", "max_tokens": 256})
{'user': 'ann', 'password': '[REDACTED]', 'max_tokens': 256}
>>> Redactor().redact_text("connecting to postgres://admin:hunter2@db/app")
'connecting to postgres://admin:[REDACTED]@db/app'

It never raises: cycles, 5,000-deep nesting, objects whose ``repr`` fails,
lone surrogates and non-string keys all come out as something printable.

:func:`~pynector.telemetry.configure_telemetry` installs one for the whole
process (``redact_keys=``, ``redact_patterns=``, ``redact_allow=`` shape it;
``redact=False`` turns it off).  Until then the default one protects
pynector's own boundary: attributes passed to the facades, ``@traced``
arguments and failures recorded by pynector's helpers.  An application
that owns its tracer provider or structlog set-up adds
:class:`RedactingSpanExporter` (or :class:`RedactingSpanProcessor`),
:class:`RedactingLogFilter` and
:func:`pynector.telemetry.processors.redact_secrets` itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from ._attributes import coerce_attributes
from ._secret_keys import ALLOWED, DEFAULT_SENSITIVE_KEYS, SECRET, KeyMatcher
from ._secret_text import REDACTED, TextScrubber
from ._warnings import warn_once

if TYPE_CHECKING:
    from ._export.metric_redaction import RedactingMetricExporter
    from ._export.span_redaction import RedactingSpanExporter, RedactingSpanProcessor
    from ._logs.record_redaction import RedactingLogFilter

__all__ = [
    "DEFAULT_SENSITIVE_KEYS",
    "REDACTED",
    "RedactingLogFilter",
    "RedactingMetricExporter",
    "RedactingSpanExporter",
    "RedactingSpanProcessor",
    "Redactor",
    "active_redactor",
    "redact_text",
]

#: Nesting deeper than this is not inspected; it is replaced as a whole.
MAX_DEPTH = 64
TOO_DEEP = "[REDACTED:too_deep]"
CYCLE = "[REDACTED:cycle]"
UNREADABLE = "[REDACTED:unreadable]"

_NEVER_BY_KEY = (bool, int, float, type(None))
_SCALARS = frozenset({bool, int, float})
_CLEAN_SIZE = 8192
# structlog keys whose values other processors need as they are.
_STRUCTLOG_INTERNALS = frozenset({"exc_info", "_record", "_from_structlog"})


def _name(key: object) -> str:
    if type(key) is str:
        return key
    try:
        return str(key)
    except Exception:
        return ""


def _repr(value: object) -> str | None:
    try:
        return repr(value)
    except BaseException:
        return None


def _compile(patterns: Iterable[str | re.Pattern[str]]) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(pattern if isinstance(pattern, re.Pattern) else re.compile(pattern))
        except (re.error, TypeError) as error:
            warn_once(
                f"redact-pattern:{pattern!r}",
                f"Ignoring redact_patterns entry {pattern!r}: not a regular expression "
                f"({error}). The other patterns are used.",
            )
    return compiled


class Redactor:
    """Replaces secrets in mappings, values and text; see the module docs.

    Args:
        extra_keys: more secret key names, on top of *keys*.
        keys: the secret key names (default :data:`DEFAULT_SENSITIVE_KEYS`).
        patterns: regular expressions whose matches are secrets (only the
            group named ``secret`` if the pattern has one).
        allow: keys whose values are kept exactly as they are.

    Everything is compiled here, once; redacting only looks things up.
    """

    def __init__(
        self,
        extra_keys: Iterable[str] = (),
        *,
        keys: Iterable[str] = DEFAULT_SENSITIVE_KEYS,
        patterns: Iterable[str | re.Pattern[str]] = (),
        allow: Iterable[str] = (),
    ) -> None:
        self._keys = KeyMatcher(keys, extra_keys, allow)
        self.keys = self._keys.keys
        self.is_sensitive = self._keys.is_sensitive
        self.is_allowed = self._keys.is_allowed
        self._classify = self._keys.classify
        self._text = TextScrubber(self.is_sensitive, _compile(patterns))
        self._scrub = self._text.scrub
        #: :meth:`redact_text` for callers that handle a failure themselves (may raise).
        self.redact_text_unguarded = self._scrub
        # Values (strings scanned, numbers) known to need no redaction.
        self._clean: set[object] = set()

    # -- text ------------------------------------------------------------------
    def redact_text(self, text: str) -> str:
        """*text* with the secrets it contains replaced (the same object if none)."""
        try:
            return self._scrub(text)
        except Exception:  # e.g. RecursionError deep in the caller's stack
            return UNREADABLE

    # -- structures -------------------------------------------------------------
    def redact(self, mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
        """*mapping* with secrets replaced at any depth.

        Returns the very same object when nothing needed redacting, else a
        new ``dict`` (the input is never modified).
        """
        try:
            return self._mapping(mapping, False, 0, None)
        except Exception:
            return self._fallback(mapping)

    def redact_unguarded(self, mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
        """:meth:`redact` for callers that handle a failure themselves (may raise)."""
        if self._keys.ordinary.issuperset(mapping):  # the common case, one call shorter
            return self._ordinary_mapping(mapping, 0, None)
        return self._mapping(mapping, False, 0, None)

    def is_clean_text(self, text: str) -> bool:
        """Whether *text* is known to hold nothing to redact (seen before): a
        lookup, for callers on a hot path; ``False`` means "not known"."""
        return self._text.cache.get(text) == ""

    def redact_value(self, value: Any, key: object = None) -> Any:
        """*value* with secrets replaced; all of it if *key* names a secret."""
        try:
            forced = key is not None and self.is_sensitive(_name(key))
            return self._value(value, forced, 0, None)
        except Exception:
            return value if isinstance(value, _NEVER_BY_KEY) else UNREADABLE

    def _fallback(self, mapping: Mapping[Any, Any]) -> dict[Any, Any]:
        """Keep the keys and numbers, mask everything else (redaction itself failed)."""
        try:
            return {
                key: value if isinstance(value, _NEVER_BY_KEY) else UNREADABLE
                for key, value in mapping.items()
            }
        except Exception:
            return {"redaction": UNREADABLE}

    def _mapping(
        self, mapping: Mapping[Any, Any], forced: bool, depth: int, seen: set[int] | None
    ) -> Mapping[Any, Any]:
        # The hot loop of every span.  When every key is known to be ordinary
        # (checked at once, in C), a string already seen costs one lookup.
        verdicts, texts = self._keys.cache, self._text.cache
        if not forced and self._keys.ordinary.issuperset(mapping):
            return self._ordinary_mapping(mapping, depth, seen)
        changed: dict[Any, Any] | None = None
        for key, value in mapping.items():
            kind = type(value)
            if kind is str and not forced:
                verdict = verdicts.get(key)
                if verdict is None:
                    verdict = self._classify(key if type(key) is str else _name(key))
                if not verdict:
                    known = texts.get(value)
                    if known == "":  # seen before, nothing to redact
                        continue
                    new_value: Any = self._scrub(value) if known is None else known
                elif verdict == ALLOWED:
                    continue
                else:
                    new_value = REDACTED if value else value
            elif kind in _SCALARS or value is None:
                # Never redacted, whatever the key; the key is still classified
                # once, so that the whole-mapping check above can pass next time.
                if key not in verdicts:
                    self._classify(key if type(key) is str else _name(key))
                continue
            else:
                verdict = verdicts.get(key)
                if verdict is None:
                    verdict = self._classify(key if type(key) is str else _name(key))
                if verdict == ALLOWED:
                    continue
                if seen is None:
                    seen = {id(mapping)}
                new_value = self._value(value, forced or verdict == SECRET, depth + 1, seen)
            if new_value is not value:
                if changed is None:
                    changed = dict(mapping)
                changed[key] = new_value
        return mapping if changed is None else changed

    def _ordinary_mapping(
        self, mapping: Mapping[Any, Any], depth: int, seen: set[int] | None
    ) -> Mapping[Any, Any]:
        """:meth:`_mapping` when no key names a secret: only values matter.

        Values already known to need nothing (strings scanned before,
        numbers) are set aside at once, in C; only the others (typically
        one or two per span: an id, a path) are looked at one by one.
        """
        clean = self._clean
        try:
            unseen = set(mapping.values()) - clean
        except TypeError:  # an unhashable value (a list...): look at everything
            unseen = None
        if unseen is not None:
            for value in unseen:
                kind = type(value)
                if kind is str:
                    if self._scrub(value) is not value:
                        break  # a secret: redact below, by key
                elif not (kind in _SCALARS or value is None):
                    break  # a container or an object: look into it below
                if len(clean) >= _CLEAN_SIZE:
                    clean.clear()
                clean.add(value)
            else:
                return mapping
        changed: dict[Any, Any] | None = None
        for key, value in mapping.items():
            kind = type(value)
            if kind is str:
                new_value = self._scrub(value)
            elif kind in _SCALARS or value is None:
                continue
            else:
                if seen is None:
                    seen = {id(mapping)}
                new_value = self._value(value, False, depth + 1, seen)
            if new_value is not value:
                if changed is None:
                    changed = dict(mapping)
                changed[key] = new_value
        return mapping if changed is None else changed

    def _value(self, value: Any, forced: bool, depth: int, seen: set[int] | None) -> Any:
        if isinstance(value, str):
            if forced:
                return REDACTED if value else value
            return self._scrub(value)
        if isinstance(value, _NEVER_BY_KEY):
            return value
        if depth > MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, (Mapping, list, tuple, set, frozenset)):
            if seen is None:
                seen = set()
            marker = id(value)
            if marker in seen:
                return CYCLE
            seen.add(marker)
            try:
                if isinstance(value, Mapping):
                    return self._mapping(value, forced, depth, seen)
                return self._collection(value, forced, depth, seen)
            finally:
                seen.discard(marker)
        if isinstance(value, (bytes, bytearray, memoryview)):
            if forced:
                return REDACTED
            text = bytes(value).decode("utf-8", errors="replace")
            scrubbed = self._scrub(text)
            return value if scrubbed is text else scrubbed
        # Any other object: judged by its repr, which is what renderers print.
        if forced:
            return REDACTED
        shown = _repr(value)
        if shown is None:
            return value
        scrubbed = self._scrub(shown)
        return value if scrubbed is shown else scrubbed

    def _collection(
        self,
        items: list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any],
        forced: bool,
        depth: int,
        seen: set[int],
    ) -> Any:
        values = list(items)
        if (
            not forced
            and len(values) == 2
            and isinstance(values[0], str)
            and isinstance(items, (list, tuple))
            and self.is_sensitive(values[0])
        ):
            pair_forced = [False, True]  # ("Authorization", "Bearer ...")
        else:
            pair_forced = [forced] * len(values)
        new_values = [
            self._value(item, item_forced, depth + 1, seen)
            for item, item_forced in zip(values, pair_forced, strict=True)
        ]
        if all(new is old for new, old in zip(new_values, values, strict=True)):
            return items
        if isinstance(items, list):
            return new_values
        if isinstance(items, (set, frozenset)):
            return type(items)(new_values) if type(items) in (set, frozenset) else set(new_values)
        if type(items) is not tuple and hasattr(items, "_fields"):  # a namedtuple
            try:
                return type(items)(*new_values)
            except Exception:
                pass
        return tuple(new_values)

    # -- as a structlog processor -----------------------------------------------
    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """As a structlog processor: redact the event's fields in place."""
        internals = {key: event_dict[key] for key in _STRUCTLOG_INTERNALS if key in event_dict}
        redacted = self.redact(event_dict)
        if redacted is not event_dict:
            event_dict.update(redacted)
            event_dict.update(internals)
        return event_dict


# -- the process-wide redactor -------------------------------------------------------
_default = Redactor()
_active: Redactor | None = _default
# The redactor pynector applies at its own boundary (facade attributes,
# @traced arguments, recorded failures); None when the exporters configured
# by configure_telemetry redact every span anyway, or when redaction is off.
_boundary: Redactor | None = _default


def active_redactor() -> Redactor | None:
    """The process's redactor: the default one, the one ``configure_telemetry``
    installed, or ``None`` after ``configure_telemetry(redact=False)``."""
    return _active


def set_active_redactor(redactor: Redactor | None, *, exporters_redact: bool = False) -> None:
    """Install (or, with ``None``, switch off) the process-wide redactor.

    *exporters_redact* says that every span is redacted on its way out
    (``configure_telemetry`` set up the provider), so the facades need not
    redact attributes as well.
    """
    global _active, _boundary
    _active = redactor
    _boundary = None if exporters_redact else redactor


def reset_redaction() -> None:
    """Back to the default redactor at pynector's boundary (for tests)."""
    set_active_redactor(_default)


def redact_text(text: str) -> str:
    """*text* redacted by the process's redactor (unchanged when redaction is off)."""
    redactor = _active
    return text if redactor is None else redactor.redact_text(text)


def diagnostic_redactor() -> Redactor:
    """The redactor for messages pynector writes about itself (warnings,
    ``doctor``, export reports).

    These are never the application's data, so they are redacted even after
    ``redact=False``: a misconfigured endpoint's password is never echoed.
    """
    return _active or _default


def scrub_diagnostic(text: str) -> str:
    """*text*, a message pynector writes about itself, redacted."""
    return diagnostic_redactor().redact_text(text)


def boundary_attributes(attributes: Mapping[Any, Any] | None) -> Mapping[str, Any] | None:
    """Span attributes handed to a facade, redacted (if needed) and made valid."""
    if attributes:
        redactor = _boundary
        if redactor is not None:
            attributes = redactor.redact(attributes)
    return coerce_attributes(attributes)


def boundary_text(text: str) -> str:
    """*text* redacted if pynector's boundary redacts (see :func:`boundary_failure`)."""
    redactor = _boundary
    return text if redactor is None else redactor.redact_text(text)


def boundary_failure(exc: BaseException, description: str) -> tuple[dict[str, str] | None, str]:
    """Exception event attributes and a status description for *exc*, redacted.

    ``(None, description)`` when the boundary does not redact; the span
    then records the exception as OpenTelemetry words it.
    """
    redactor = _boundary
    if redactor is None:
        return None, description
    import traceback

    message = redactor.redact_text(_str(exc))
    stacktrace = redactor.redact_text("".join(traceback.format_exception(exc)))
    return (
        {"exception.message": message, "exception.stacktrace": stacktrace},
        redactor.redact_text(description),
    )


def _str(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def __getattr__(name: str) -> Any:
    # The processors need OpenTelemetry's SDK or logging: loaded on first use.
    if name == "RedactingSpanProcessor":
        from ._export.span_redaction import RedactingSpanProcessor

        return RedactingSpanProcessor
    if name == "RedactingSpanExporter":
        from ._export.span_redaction import RedactingSpanExporter

        return RedactingSpanExporter
    if name == "RedactingMetricExporter":
        from ._export.metric_redaction import RedactingMetricExporter

        return RedactingMetricExporter
    if name == "RedactingLogFilter":
        from ._logs.record_redaction import RedactingLogFilter

        return RedactingLogFilter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
