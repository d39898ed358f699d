"""Keep secrets out of exported spans and log lines.

After :func:`~pynector.telemetry.configure_telemetry`, the value of any span
attribute, span event attribute or log field whose *key* looks sensitive
(password, token, api_key, authorization, cookie, session, ...) is replaced
by ``"[REDACTED]"`` before it leaves the process.  Keys are compared word by
word, case- and separator-insensitively, so ``X-Api-Key``, ``apiKey`` and
``http.request.header.authorization`` match while ``author`` does not.

>>> Redactor().redact({"user": "ann", "password": "hunter2"})
{'user': 'ann', 'password': '[REDACTED]'}
>>> Redactor(extra_keys=["ssn"]).is_sensitive("customer_SSN")
True

Extend the list with ``configure_telemetry(redact_keys=["ssn"])`` or switch
the feature off with ``configure_telemetry(redact=False)``.  Values are not
inspected, only keys: a secret logged under an innocent name is not caught.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

__all__ = ["DEFAULT_SENSITIVE_KEYS", "REDACTED", "Redactor", "active_redactor"]

REDACTED = "[REDACTED]"

DEFAULT_SENSITIVE_KEYS: tuple[str, ...] = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "authorization",
    "auth",
    "cookie",
    "set_cookie",
    "session",
    "private_key",
    "credential",
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def _words(key: str) -> tuple[str, ...]:
    """``"X-Api-Key"`` / ``"xApiKey"`` / ``"x.api_key"`` -> ``("x", "api", "key")``."""
    snake = _CAMEL_BOUNDARY.sub("_", key).lower()
    return tuple(word for word in _SEPARATORS.split(snake) if word)


class Redactor:
    """Decides which keys are sensitive and replaces their values."""

    def __init__(
        self, keys: Iterable[str] = DEFAULT_SENSITIVE_KEYS, extra_keys: Iterable[str] = ()
    ) -> None:
        self.keys = tuple(dict.fromkeys([*keys, *extra_keys]))
        self._patterns = [words for words in map(_words, self.keys) if words]
        self.is_sensitive = functools.lru_cache(maxsize=4096)(self._is_sensitive)

    def _is_sensitive(self, key: str) -> bool:
        """Whether *key* contains a sensitive key as whole words (plural allowed)."""
        words = _words(str(key))
        for pattern in self._patterns:
            size = len(pattern)
            for start in range(len(words) - size + 1):
                window = words[start : start + size]
                if window[:-1] == pattern[:-1] and window[-1] in (pattern[-1], pattern[-1] + "s"):
                    return True
        return False

    def redact(self, mapping: Mapping[str, Any]) -> Mapping[str, Any]:
        """*mapping* with sensitive values replaced, nested mappings included.

        Returns the very same object when nothing needed redacting.
        """
        changed: dict[str, Any] | None = None
        for key, value in mapping.items():
            if self.is_sensitive(key):
                new_value: Any = REDACTED
            elif isinstance(value, Mapping):
                new_value = self.redact(value)
            else:
                continue
            if new_value is not value:
                if changed is None:
                    changed = dict(mapping)
                changed[key] = new_value
        return mapping if changed is None else changed

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """As a structlog processor: redact the event's fields."""
        redacted = self.redact(event_dict)
        if redacted is not event_dict:
            event_dict.update(redacted)
        return event_dict


_active: Redactor | None = None


def active_redactor() -> Redactor | None:
    """The redactor ``configure_telemetry`` installed, or ``None`` when off."""
    return _active


def set_active_redactor(redactor: Redactor | None) -> None:
    """Install (or, with ``None``, remove) the process-wide redactor."""
    global _active
    _active = redactor
