"""Run test code as an application that configured no logging would."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["without_root_handlers"]


@contextmanager
def without_root_handlers() -> Iterator[None]:
    """The root logger without handlers inside the block.

    pytest's capture handlers sit on the root logger during a test, so to
    ``configure_telemetry`` the application looks as if it had configured
    logging.  They are set aside here and put back afterwards (so
    ``caplog`` sees nothing inside the block; use ``capsys``).
    """
    root = logging.getLogger()
    saved = list(root.handlers)
    for handler in saved:
        root.removeHandler(handler)
    try:
        yield
    finally:
        for handler in saved:
            root.addHandler(handler)
