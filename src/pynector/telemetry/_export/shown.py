"""How a configuration value appears in a warning or in ``doctor``: short and masked.

A warning that echoes a bad value must neither flood the output (a
100,000-character variable is one line, not 100 KB) nor leak a credential
that sits inside it: URL passwords, ``api_key=``-style parameters and, for
secret settings such as headers, every value are replaced by ``***``.  An
object that is not plain data (an exporter given where it does not belong)
is shown by its class, never by its ``repr``.

>>> shown_value("https://ci:hunter2@collector:4318/v1/traces?api_key=abc&team=core")
"'https://ci:***@collector:4318/v1/traces?api_key=***&team=core'"
>>> shown_value("authorization=Bearer%20x,x-team=core", secret=True)
"'authorization=***,x-team=***'"
>>> long = shown_value("x" * 100_000)
>>> len(long), long[-25:]
(104, "xx…' (100,000 characters)")
>>> shown_value(float("nan"))
'nan'
>>> shown_value([object(), "otlp", {"timeout": 5}])
"[<object object>, 'otlp', {'timeout': 5}]"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import islice
from numbers import Number

__all__ = ["mask_credentials", "shown_text", "shown_value"]

#: Characters of a value shown before it is cut.
SHOWN_LENGTH = 80

# The look-behinds make each pattern start only where a run of name
# characters starts, which keeps matching linear on a 100 KB value.
# scheme://user:password@  (the password is whatever runs up to the "@")
_URL_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.-])(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@/?#\s]*@"
)
# name=value pairs, in query strings and key=value lists alike
_PAIR = re.compile(r"(?<![A-Za-z0-9_.\-])(?P<name>[A-Za-z0-9_.\-]+)=(?P<value>[^&,;]*)")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SENSITIVE_WORDS = frozenset(
    {
        "apikey",
        "auth",
        "authorization",
        "cookie",
        "credential",
        "credentials",
        "key",
        "passwd",
        "password",
        "pwd",
        "secret",
        "session",
        "sig",
        "signature",
        "token",
    }
)


def _is_sensitive(name: str) -> bool:
    """``api_key``, ``X-Auth-Token``, ``sessionId`` yes; ``keyspace``, ``team`` no."""
    return any(word.lower() in _SENSITIVE_WORDS for word in _WORD.findall(name))


def mask_credentials(text: str) -> str:
    """*text* with URL passwords and the values of sensitive ``name=value`` pairs masked.

    >>> mask_credentials("http://u:p@h/?token=t&page=2")
    'http://u:***@h/?token=***&page=2'
    """
    text = _URL_PASSWORD.sub(r"\g<head>***@", text)
    return _PAIR.sub(
        lambda pair: f"{pair['name']}=***" if _is_sensitive(pair["name"]) else pair[0], text
    )


def _mask_all_values(text: str) -> str:
    """Every ``key=value`` entry as ``key=***``; an entry without ``=`` entirely hidden."""
    entries = []
    for entry in text.split(","):
        key, separator, _ = entry.partition("=")
        entries.append(f"{key.strip()}=***" if separator else "***")
    return ",".join(entries)


def _text(value: object, secret: bool) -> tuple[str, bool]:
    """The text to show and whether it is a string (quoted when shown)."""
    if isinstance(value, str):
        return (_mask_all_values(value) if secret else mask_credentials(value)), True
    if secret:
        if isinstance(value, Mapping):
            try:
                return ", ".join(f"{key!s}=***" for key in value) or "{}", False
            except Exception:
                pass
        return "***", False
    try:
        return mask_credentials(_described(value)), False
    except Exception:  # a repr that raises, an int too long to print...
        return f"<unprintable {type(value).__name__}>", False


#: Items of a list or mapping described before the rest is left out.
_ITEMS_SHOWN = 8
_PLAIN = (str, bytes, bool, int, float, complex, Number, type(None))


def _described(value: object, depth: int = 0) -> str:
    """*value*'s ``repr`` if it is plain data (text, numbers, lists and
    mappings of them); any other object by its class alone, since its
    ``repr`` could hold what it was made with (an exporter's headers...)."""
    if isinstance(value, type):
        return f"<class {value.__name__}>"
    if isinstance(value, _PLAIN):
        return repr(value)
    if depth < 3 and isinstance(value, (Mapping, list, tuple, set, frozenset)):
        items = list(islice(value.items() if isinstance(value, Mapping) else value, _ITEMS_SHOWN))
        shown = [
            f"{_described(item[0], depth + 1)}: {_described(item[1], depth + 1)}"
            if isinstance(value, Mapping)
            else _described(item, depth + 1)
            for item in items
        ]
        if len(value) > _ITEMS_SHOWN:
            shown.append("...")
        if isinstance(value, Mapping):
            return "{" + ", ".join(shown) + "}"
        if isinstance(value, tuple):
            return "(" + ", ".join(shown) + ("," if len(shown) == 1 else "") + ")"
        return "[" + ", ".join(shown) + "]"
    return f"<{type(value).__name__} object>"


def _shortened(text: str, quoted: bool) -> str:
    if len(text) <= SHOWN_LENGTH:
        return repr(text) if quoted else text
    head = text[:SHOWN_LENGTH] + "…"
    return (repr(head) if quoted else head) + f" ({len(text):,} characters)"


def shown_value(value: object, *, secret: bool = False) -> str:
    """*value* as a warning shows it: ``repr``-like, masked, cut after a few dozen characters.

    Never raises, whatever *value* is.
    """
    return _shortened(*_text(value, secret))


def shown_text(text: str) -> str:
    """*text* masked and shortened like :func:`shown_value`, without quotes (for tables).

    >>> shown_text("http://u:p@collector:4318")
    'http://u:***@collector:4318'
    """
    return _shortened(mask_credentials(text), quoted=False)
