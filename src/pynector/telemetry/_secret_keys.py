"""Which keys name a secret: the key half of :mod:`pynector.telemetry.redaction`.

A key is cut into lower-case words, whatever its case and separators
(``accessToken``, ``ACCESS-TOKEN`` and ``access_token`` are all
``access token``), and it is sensitive when it *ends* with a secret noun,
optionally followed by words that only qualify the value (``_hash``,
``_header``, ``_id``, ``_value``, digits...):

* ``user_password``, ``x-api-key``, ``http.request.header.authorization``,
  ``session_id``, ``PHPSESSID``, ``aws_secret_access_key``: sensitive;
* ``password_reset_url``, ``token_type``, ``secret_name``, ``auth_method``:
  the noun is followed by a word that makes the value something else, so
  they are not;
* ``author``, ``oauth_provider``, ``tokenizer``, ``passenger``,
  ``keyboard``: no secret noun as a word, so they are not;
* ``max_tokens``, ``gen_ai.usage.input_tokens``: a count of tokens, not a
  token, so they are not.

Single words written without separators (``apikey``, ``accesstoken``,
``mysqlpwd``) are recognised by their endings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ALLOWED", "DEFAULT_SENSITIVE_KEYS", "ORDINARY", "SECRET", "KeyMatcher", "key_words"]

#: What :meth:`KeyMatcher.classify` says about a key.
ORDINARY, SECRET, ALLOWED = 0, 1, 2

#: The secret nouns, as words.  Multi-word entries must appear in this order.
DEFAULT_SENSITIVE_KEYS: tuple[str, ...] = (
    # passwords
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    # secrets and tokens
    "secret",
    "token",
    "bearer",
    "jwt",
    "otp",
    # API and cloud keys
    "api_key",
    "access_key",
    "secret_key",
    "private_key",
    "account_key",
    "subscription_key",
    "signing_key",
    "encryption_key",
    "master_key",
    "client_key",
    # authorization
    "auth",
    "authorization",
    "credential",
    "creds",
    # cookies and sessions
    "cookie",
    "session",
    "session_id",
    "sessid",
    "sid",
    "csrf",
    "xsrf",
    # connection strings and signatures
    "dsn",
    "connection_string",
    "conn_string",
    "conn_str",
    "connstr",
    "signature",
    "sig",
)

#: Nouns recognised only as whole words, never as the ending of one:
#: ``bypass``, ``oauth``, ``ssid``, ``usersession`` are not secrets.
_WHOLE_WORD_ONLY = frozenset({"pass", "auth", "session", "sid", "sig", "otp", "csrf", "xsrf"})

#: Words that may follow a secret noun without changing what the value is.
_QUALIFIERS = frozenset(
    {
        "value", "values", "val", "hash", "hashed", "digest", "raw", "plain", "plaintext",
        "clear", "cleartext", "encoded", "enc", "encrypted", "b64", "base64", "hex", "str",
        "string", "text", "data", "header", "headers", "param", "params", "field", "id", "ids",
        "key", "list", "confirm", "confirmation", "again", "repeat", "input", "cookie",
    }
)  # fmt: skip

#: Words before ``token(s)`` that make the key a count of tokens (LLM usage).
_COUNT_WORDS = frozenset(
    {
        "max", "min", "num", "number", "input", "output", "prompt", "completion", "total",
        "cached", "cache", "reasoning", "remaining", "used", "usage", "estimated", "count",
        "limit", "n", "per", "audio", "text", "image", "accepted", "rejected", "predicted",
        "context", "response", "request", "generated",
    }
)  # fmt: skip

_WORD_BOUNDARIES = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def key_words(key: str) -> tuple[str, ...]:
    """``"X-Api-Key"`` / ``"xApiKey"`` / ``"x.api_key"`` -> ``("x", "api", "key")``.

    >>> key_words("PHPSESSID"), key_words("OAuthProvider"), key_words("password2")
    (('phpsessid',), ('oauth', 'provider'), ('password', '2'))
    """
    spaced = _WORD_BOUNDARIES.sub("_", key.replace("OAuth", "Oauth")).lower()
    return tuple(word for word in _SEPARATORS.split(spaced) if word)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


class KeyMatcher:
    """Decides, once per distinct key, whether the key names a secret.

    *keys* are secret nouns (the defaults, or others); *extra_keys* add to
    them; *allow* names keys that are never sensitive (compared word by
    word, so ``allow=["sessionId"]`` also keeps ``session_id``).
    """

    def __init__(
        self,
        keys: Iterable[str] = DEFAULT_SENSITIVE_KEYS,
        extra_keys: Iterable[str] = (),
        allow: Iterable[str] = (),
    ) -> None:
        self.keys = tuple(dict.fromkeys([*keys, *extra_keys]))
        # last word -> the word sequences ending with it
        self._terms: dict[str, list[tuple[str, ...]]] = {}
        endings: list[str] = []
        for key in self.keys:
            words = key_words(key)
            if not words:
                continue
            self._terms.setdefault(words[-1], []).append(words)
            compact = "".join(words)
            if compact not in _WHOLE_WORD_ONLY and (
                len(words) > 1 or key in DEFAULT_SENSITIVE_KEYS
            ):
                endings.append(compact)
        self._endings = tuple(sorted(set(endings), key=len, reverse=True))
        self._allowed = frozenset(filter(None, map(key_words, allow)))
        self._allowed_compact = frozenset("".join(words) for words in self._allowed)
        self.cache: dict[object, int] = {}
        #: Keys seen and found ordinary: a whole mapping is checked against it at once.
        self.ordinary: set[object] = set()

    def classify(self, key: str) -> int:
        """:data:`SECRET`, :data:`ALLOWED` or :data:`ORDINARY`; cached per key."""
        try:
            return self.cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable key: decide without caching
            return self._decide(key)
        answer = self._decide(key)
        if len(self.cache) >= 8192:  # keys built from data must not grow it forever
            self.cache.clear()
            self.ordinary.clear()
        self.cache[key] = answer
        if answer == ORDINARY:
            self.ordinary.add(key)
        return answer

    def is_sensitive(self, key: str) -> bool:
        """Whether the value of *key* is a secret (see the module docs)."""
        return self.classify(key) == SECRET

    def is_allowed(self, key: str) -> bool:
        """Whether *key* is on the allow-list (its value is kept as it is)."""
        return self.classify(key) == ALLOWED

    def _decide(self, key: str) -> int:
        words = key_words(key)
        if not words:
            return ORDINARY
        if self._allowed and (words in self._allowed or "".join(words) in self._allowed_compact):
            return ALLOWED
        end = len(words)
        while end > 0:
            if self._ends_with_secret(words, end):
                return SECRET
            last = words[end - 1]
            if not (last in _QUALIFIERS or last.isdigit()):
                return ORDINARY
            end -= 1
        return ORDINARY

    def _ends_with_secret(self, words: tuple[str, ...], end: int) -> bool:
        last = words[end - 1]
        for noun in (last, _singular(last)):
            for term in self._terms.get(noun, ()):
                start = end - len(term)
                if start >= 0 and words[start : end - 1] == term[:-1]:
                    if term == ("token",) and start > 0 and words[start - 1] in _COUNT_WORDS:
                        continue  # max_tokens, input_tokens: a number of tokens
                    return True
        # One word without separators: "apikey", "mysqlpwd", "csrftoken"; but
        # "maxtokens" is a count, so a plural "tokens" is left alone here.
        compact = last if last.endswith("tokens") else _singular(last)
        return compact.endswith(self._endings)
