"""Values that break careless telemetry code, shared by the hostile-value tests and the fuzz."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "Unprintable",
    "UnprintableError",
    "UnreadableMapping",
    "deep",
    "recursive_dict",
    "recursive_list",
]


class Unprintable:
    """An object (and a dict key: it hashes) whose ``__str__`` and ``__repr__`` raise."""

    def __str__(self) -> str:
        raise RuntimeError("no str for you")

    __repr__ = __str__

    def __hash__(self) -> int:
        return 7


class UnprintableError(Exception):
    """An exception that cannot be printed either."""

    def __str__(self) -> str:
        raise RuntimeError("no str for this error")

    __repr__ = __str__


class UnreadableMapping(Mapping[str, Any]):
    """A mapping that says it has items and raises when they are read."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("no items")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("no items")

    def __len__(self) -> int:
        return 3


def recursive_dict() -> dict[str, Any]:
    """``{"name": "loop", "self": <itself>, "list": [<itself>, {"again": <itself>}]}``."""
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    loop["list"] = [loop, {"again": loop}]
    return loop


def recursive_list() -> list[Any]:
    """``[1, <itself>]``."""
    loop: list[Any] = [1]
    loop.append(loop)
    return loop


def deep(depth: int = 5000, as_list: bool = False) -> Any:
    """``{"k": {"k": ...}}`` (or ``[[...]]``) nested *depth* levels."""
    root: Any = [] if as_list else {}
    node = root
    for _ in range(depth):
        child: Any = [] if as_list else {}
        if as_list:
            node.append(child)
        else:
            node["k"] = child
        node = child
    return root
