"""Secrets recognised by their shape inside any text: the value half of redaction.

:class:`TextScrubber` replaces the secret part of a string, and only that
part, by a fixed marker that contains nothing of the secret:

* credentials of a known format: JWTs, PEM private-key blocks, AWS access
  key ids, GitHub, GitLab, Slack, Stripe, OpenAI-style (``sk-...``),
  Google, npm, PyPI, SendGrid and Hugging Face tokens, Slack webhook
  paths -> ``[REDACTED:<rule>]``;
* ``Bearer``/``Basic``/``Token``/``Negotiate`` credentials -> ``Bearer [REDACTED]``;
* URL passwords (``postgres://admin:[REDACTED]@db/app``, the user and host
  stay), user-only URL credentials that look like tokens
  (``https://[REDACTED]@github.com``), and ``user:password@host`` without
  a scheme;
* ``name=value``, ``name: value``, ``"name": "value"``, ``name='value'``,
  ``?name=value`` and ``--name value`` where *name* is a sensitive key ->
  the value only (``password=[REDACTED]``);
* literal values registered with :func:`register_literals` (configured
  exporter header values), however they reappear: as is, stripped,
  escaped by ``repr`` or percent-encoded;
* any ``redact_patterns`` the application adds.

Free text without such a marker is not understood: ``"the password is
hunter2"`` keeps ``hunter2``, and ``password: two words`` loses only the
first word.

Short strings without a space, ``=``, ``:`` or ``@`` cannot hold any
of these shapes and are returned untouched without running a regular
expression; that keeps ordinary attribute values cheap.
"""

from __future__ import annotations

import base64
import binascii
import re
import weakref
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

__all__ = ["REDACTED", "TextScrubber", "register_literals"]

#: What a redacted value becomes.  Shape rules add their name: ``[REDACTED:jwt]``.
REDACTED = "[REDACTED]"

# Shorter than this, a string cannot hold a token of a known format (the
# shortest, a Slack token, is 15 characters).
_MIN_TOKEN_LENGTH = 15

_SCHEMES = r"(?:[Bb]earer|BEARER|[Bb]asic|BASIC|Token|Negotiate)"
_SCHEME_HINTS = ("earer", "EARER", "asic ", "ASIC ", "Token ", "Negotiate ")

# Token formats, each with the prefixes it starts with.  A regular
# expression search costs ~30 ns per character here, so they are not all
# run on every string: a token is a run of at least 15 characters of
# [A-Za-z0-9_-] (dots allowed for the formats that have them), and only a
# string with such a run starting with a known prefix is searched (see
# TextScrubber._tokens).  Word boundaries are checked by the replacement,
# so that each pattern starts with a literal, which the engine finds fast.
_AWS_KINDS = ("KIA", "SIA", "BIA", "CCA", "GPA", "IDA", "IPA", "NPA", "NVA", "PKA", "ROA", "SCA")
_TOKEN_RULES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("eyJ",), "jwt", r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    (
        tuple(f"A{rest}" for rest in _AWS_KINDS),
        "aws_access_key_id",
        r"A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|PKA|ROA|SCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
    ),
    (
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        "github_token",
        r"g(?:h[pousr]_[A-Za-z0-9]{30,}|ithub_pat_[A-Za-z0-9_]{22,})",
    ),
    (("glpat-",), "gitlab_token", r"glpat-[A-Za-z0-9_-]{20,}"),
    (
        ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xapp-"),
        "slack_token",
        r"x(?:ox[abposre]-[A-Za-z0-9-]{10,}|app-[0-9]-[A-Za-z0-9-]{10,})",
    ),
    (
        ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"),
        "stripe_key",
        r"(?:[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})",
    ),
    (("sk-",), "openai_key", r"sk-[A-Za-z0-9_-]{20,}"),
    (("AIza",), "google_api_key", r"AIza[A-Za-z0-9_-]{30,40}"),
    (("ya29.",), "google_oauth_token", r"ya29\.[A-Za-z0-9_-]{20,}"),
    (("npm_",), "npm_token", r"npm_[A-Za-z0-9]{36,}"),
    (("pypi-",), "pypi_token", r"pypi-AgE[A-Za-z0-9_-]{50,}"),
    (("SG.",), "sendgrid_key", r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
    (("hf_",), "huggingface_token", r"hf_[A-Za-z0-9]{30,}"),
)
_TOKEN_PREFIXES = tuple(prefix for prefixes, _, _ in _TOKEN_RULES for prefix in prefixes)
_RUN = re.compile(r"[A-Za-z0-9_.-]{15,}")
_LONG_RUN = re.compile(r"[A-Za-z0-9_.-]{15}")  # is there a run at all? (cheaper than findall)
_SLACK_WEBHOOK = re.compile(r"(?<=hooks\.slack\.com/services/)[A-Za-z0-9_/]{10,}")
_TRIGGERS = re.compile(r"[ =:@]")

_PRIVATE_KEY = re.compile(
    r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)"
    r"(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|\Z)"
)
_USERINFO = re.compile(
    r"(?P<url>(?P<url_head>[A-Za-z][A-Za-z0-9+.-]{0,30}://)"
    r"(?P<url_user>[^\s/?#@:'\"<>\[\]]*)(?::(?P<url_password>[^\s/?#'\"<>]*))?@)"
    r"|(?P<bare>(?<![A-Za-z0-9._%+/:@-])(?P<bare_user>[A-Za-z0-9._%+-]{1,64}):"
    r"(?P<bare_password>[^\s@/:'\"<>\[\]]{1,256})@(?=[A-Za-z0-9]))"
)
_AUTH = re.compile(rf"(?P<scheme>\b{_SCHEMES}[ \t]+)(?P<credential>[A-Za-z0-9._~+/=-]+)")

_VALUE = (
    r"(?P<value>\\\"(?:[^\"\\]|\\[^\"])*\\\""  # \"escaped\" (JSON inside JSON)
    r"|[bBrRuUfF]{0,2}\"(?:[^\"\\\n]|\\.)*\""
    r"|[bBrRuUfF]{0,2}'(?:[^'\\\n]|\\.)*'"
    rf"|{_SCHEMES}[ \t]+(?:\[REDACTED\]|[^\s'\",;&)}}\]<>]+)"
    r"|(?!\[REDACTED)[^\s'\",;&)}\]<>]+)"
)
_PAIRS = re.compile(
    r"(?<![A-Za-z0-9_])(?P<open>\\?[\"']?)(?P<name>[A-Za-z_][A-Za-z0-9_.-]{0,80})(?P=open)"
    r"(?P<sep>[ \t]*[:=][ \t]*)" + _VALUE + r"|(?<!\S)--?(?P<flag>[A-Za-z][A-Za-z0-9_-]{1,60})"
    r"[ \t]+(?!-)" + _VALUE.replace("?P<value>", "?P<flag_value>")
)

# Words that follow "Bearer" in prose, not credentials.
_PROSE = frozenset(
    {
        "a", "an", "and", "auth", "authentication", "authorization", "be", "credential",
        "credentials", "error", "expired", "for", "format", "from", "header", "in", "invalid",
        "is", "missing", "must", "not", "of", "on", "or", "provided", "realm", "required",
        "scheme", "should", "the", "to", "token", "tokens", "type", "value", "was", "with",
    }
)  # fmt: skip

_literals: tuple[str, ...] = ()


def register_literals(values: Iterable[str]) -> None:
    """Treat these exact values (configured header values...) as secrets everywhere.

    Each is also registered stripped, word by word, as ``repr`` escapes it
    and percent-encoded, so an error message that quotes it is caught too.
    Forms shorter than 6 characters are ignored: replacing every ``abc``
    in every string would do more harm than good.  So are words that do
    not look like a credential: in ``Bearer <token>`` the word ``Bearer``
    would otherwise be replaced everywhere, before the shape rule that
    recognises ``Bearer <token>`` could see it, and every other bearer
    token would then be kept.
    """
    global _literals
    forms: set[str] = set(_literals)
    for value in values:
        words = [word for word in value.split() if _looks_random(word)]
        for part in (value, *words):
            for form in (part, part.strip(), repr(part)[1:-1], quote(part, safe="")):
                if len(form) >= 6:
                    forms.add(form)
    _literals = tuple(sorted(forms, key=len, reverse=True))
    _forget_results()


def forget_literals() -> None:
    """Forget every registered literal (for tests)."""
    global _literals
    _literals = ()
    _forget_results()


def _forget_results() -> None:
    for scrubber in list(_scrubbers):
        scrubber.forget()


def _looks_random(text: str) -> bool:
    """Whether *text* looks like a generated credential rather than a word or name."""
    if len(text) < 8:
        return False
    classes = (
        any(c.islower() for c in text)
        + any(c.isupper() for c in text)
        + any(c.isdigit() for c in text)
        + any(not c.isalnum() for c in text)
    )
    return classes >= 3 or (classes == 2 and len(text) >= 16) or len(text) >= 32


def _is_basic_credential(text: str) -> bool:
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _bounded(marker: str) -> Callable[[re.Match[str]], str]:
    """Replace a token match by *marker*, unless it is the inside of a longer word."""

    def replace(match: re.Match[str]) -> str:
        start = match.start()
        if start and match.string[start - 1] in _TOKEN_CHARS:
            return match[0]
        return marker

    return replace


_TOKENS = tuple(
    (prefixes, re.compile(pattern), _bounded(f"[REDACTED:{name}]"))
    for prefixes, name, pattern in _TOKEN_RULES
)


def _masked_already(value: str) -> bool:
    """Whether *value* is already a mask: ours, or the ``***`` of pynector's warnings."""
    core = value.strip("\\\"'")
    return core == "***" or core.startswith("[REDACTED")


def _userinfo(match: re.Match[str]) -> str:
    if match.lastgroup == "url":
        head, user, password = match["url_head"], match["url_user"], match["url_password"]
        if password and not _masked_already(password):
            return f"{head}{user}:{REDACTED}@"
        if _looks_random(user):
            return f"{head}{REDACTED}@"
        return match[0]
    if _masked_already(match["bare_password"]):
        return match[0]
    return f"{match['bare_user']}:{REDACTED}@"


def _auth(match: re.Match[str]) -> str:
    scheme, credential = match["scheme"], match["credential"]
    kind = scheme.strip().lower()
    if kind == "basic":
        keep = not (_is_basic_credential(credential) or _looks_random(credential))
    elif kind == "bearer":
        keep = credential.lower() in _PROSE
    else:
        keep = not _looks_random(credential)
    return match[0] if keep else f"{scheme}{REDACTED}"


def _masked(value: str) -> str:
    """*value* (quoted or not) with its content replaced, quotes and scheme kept."""
    for quote_mark in ('\\"', '"', "'"):
        if value.endswith(quote_mark) and quote_mark in value[: -len(quote_mark)]:
            opening = value.index(quote_mark) + len(quote_mark)
            if opening == len(value) - len(quote_mark):  # empty: nothing to hide
                return value
            return value[:opening] + REDACTED + quote_mark
    scheme, space, credential = value.partition(" ")
    if space and credential and scheme.lower() in ("bearer", "basic", "token", "negotiate"):
        return f"{scheme} {REDACTED}"
    return REDACTED


def _custom(match: re.Match[str]) -> str:
    if "secret" in match.re.groupindex and match["secret"] is not None:
        offset = match.start()
        whole, start, end = match[0], match.start("secret"), match.end("secret")
        return whole[: start - offset] + REDACTED + whole[end - offset :]
    return REDACTED


_scrubbers: weakref.WeakSet[TextScrubber] = weakref.WeakSet()


class TextScrubber:
    """Replace secrets in text; see the module docs for what is recognised.

    *is_sensitive_name* decides ``name=value`` pairs (the key rules);
    *patterns* are extra regular expressions: the match (or its group
    named ``secret``, if it has one) is replaced by ``[REDACTED]``.

    Results for strings up to 512 characters are remembered (4,096 at
    most): span attributes and log fields repeat the same values (methods,
    routes, host names, user agents) far more often than not.
    """

    _CACHE_SIZE = 4096
    _CACHED_LENGTH = 512

    def __init__(
        self, is_sensitive_name: Callable[[str], bool], patterns: Sequence[re.Pattern[str]] = ()
    ) -> None:
        self._is_sensitive_name = is_sensitive_name
        self._patterns = tuple(patterns)
        # text -> its redacted form, or "" when it has nothing to redact
        self.cache: dict[str, str] = {}
        _scrubbers.add(self)

    def forget(self) -> None:
        """Drop remembered results (the registered literals changed)."""
        self.cache.clear()

    def scrub(self, text: str) -> str:
        """*text* with every secret replaced; the same object when there was none."""
        cache = self.cache
        cached = cache.get(text)
        if cached is not None:
            return cached or text
        result = self._scrub(text)
        if len(text) <= self._CACHED_LENGTH:
            if len(cache) >= self._CACHE_SIZE:
                cache.clear()
            cache[text] = "" if result is text else result
        return result

    def _scrub(self, text: str) -> str:
        result = text
        for literal in _literals:
            if literal in result:
                result = result.replace(literal, REDACTED)
        if len(result) >= _MIN_TOKEN_LENGTH:
            result = self._tokens(result)
        # The remaining rules all need one of these characters.
        if _TRIGGERS.search(result) is not None:
            if "@" in result:
                result = _USERINFO.sub(_userinfo, result)
            if " " in result and (
                "earer" in result
                or "asic " in result
                or "EARER" in result
                or "ASIC " in result
                or "Token " in result
                or "Negotiate " in result
            ):
                result = _AUTH.sub(_auth, result)
            if (
                "=" in result
                or ": " in result
                or '":' in result
                or "':" in result
                or " -" in result
                or result[:1] == "-"
            ):
                result = self._pairs(result)
        for custom in self._patterns:
            result = custom.sub(_custom, result)
        return text if result == text else result

    @staticmethod
    def _tokens(text: str) -> str:
        if "PRIVATE KEY" in text:
            text = _PRIVATE_KEY.sub("[REDACTED:private_key]", text)
        if "hooks.slack.com/services/" in text:
            text = _SLACK_WEBHOOK.sub("[REDACTED:slack_webhook]", text)
        if _LONG_RUN.search(text) is None:  # the common case: no token-sized word
            return text
        runs = _RUN.findall(text)
        if any(run.startswith(_TOKEN_PREFIXES) or "eyJ" in run for run in runs):
            for prefixes, pattern, replace in _TOKENS:
                if any(prefix in text for prefix in prefixes):
                    text = pattern.sub(replace, text)
        return text

    def _pairs(self, text: str) -> str:
        """Mask the values of ``name=value`` pairs with a sensitive name.

        A pair with an ordinary name is not skipped as a whole: its value
        may hold another pair (``failed: password=...``, ``url=...?token=...``),
        so the search resumes right after its separator.
        """
        pieces: list[str] = []
        done = position = 0
        while (match := _PAIRS.search(text, position)) is not None:
            if match["name"] is not None:
                name, value, start = match["name"], match["value"], match.start("value")
            else:
                name, value, start = match["flag"], match["flag_value"], match.start("flag_value")
            if self._is_sensitive_name(name) and not _masked_already(value):
                pieces += (text[done:start], _masked(value))
                done = position = match.end()
            else:
                position = start
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)
