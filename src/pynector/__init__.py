"""pynector: building blocks for async Python libraries.

The first component is :mod:`pynector.telemetry`, optional observability
that costs nothing until the application turns it on.
"""

__all__: list[str] = []
