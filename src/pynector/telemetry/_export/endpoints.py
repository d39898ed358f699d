"""Exporter endpoint URLs: validated, completed with the signal's path, shown masked.

>>> with_signal_path(parse_url("http://collector:4318"), "traces")
'http://collector:4318/v1/traces'
>>> signal_url("http://collector:4318", "traces"), signal_url("http://gw/otlp/spans", "traces")
('http://collector:4318/v1/traces', 'http://gw/otlp/spans')
>>> mask_url("https://user:s3cret@collector:4318/v1/traces")
'https://user:***@collector:4318/v1/traces'
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from .environment import InvalidValue
from .shown import mask_credentials

__all__ = ["mask_url", "parse_url", "signal_url", "with_signal_path"]


def parse_url(raw: str) -> str:
    """*raw* stripped, if it is an ``http(s)://host[:port]`` URL; else :class:`InvalidValue`."""
    try:
        parts = urlsplit(raw.strip())  # raises ValueError on a malformed IPv6 host
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InvalidValue("an http:// or https:// URL with a valid host and port") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise InvalidValue("an http:// or https:// URL")
    return raw.strip()


def with_signal_path(base: str, signal: str) -> str:
    """The OTLP/HTTP URL of *signal* (``traces``...) under the base URL *base*.

    The path goes before any query string:

    >>> with_signal_path("https://gw/otlp/?tenant=a", "logs")
    'https://gw/otlp/v1/logs?tenant=a'
    """
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/v1/{signal}"))


def signal_url(url: str, signal: str) -> str:
    """An OTLP/HTTP URL given in code: with no path, the *signal*'s path is
    appended (``/v1/traces``); with a path, it is used as given."""
    if urlsplit(url).path in ("", "/"):
        return with_signal_path(url.rstrip("/"), signal)
    return url


def mask_url(url: str) -> str:
    """*url* with any password (``user:secret@host``) replaced by ``***``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL urlsplit can read: hide what may be a password
        return mask_credentials(url)
    if password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
