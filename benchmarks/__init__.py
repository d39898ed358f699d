"""The benchmark suite, a package so that its ``conftest`` is ``benchmarks.conftest``.

mypy checks ``tests`` and ``benchmarks`` in one run; as two top-level
``conftest`` modules they would clash.
"""
