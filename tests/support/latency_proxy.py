"""A slow but healthy collector: a TCP proxy on 127.0.0.1 that delays every answer.

Requests pass straight through to the real collector behind it; every
chunk of the collector's answers is held for *delay* seconds after it
arrives, so each request takes about *delay* longer, whatever it speaks
(OTLP over HTTP/1.1 or gRPC over HTTP/2).  Everything arrives, late.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from types import TracebackType

__all__ = ["LatencyProxy"]


class LatencyProxy:
    """``with LatencyProxy(upstream_port, delay) as proxy:`` listens on ``proxy.port``."""

    def __init__(self, upstream_port: int, delay: float) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LatencyProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closed.set()
        self._listener.close()
        for sock in self._sockets:
            sock.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            self._sockets += [client, upstream]
            late: queue.Queue[tuple[float, bytes]] = queue.Queue()
            for target, args in (
                (self._pipe, (client, upstream)),
                (self._hold, (upstream, late)),
                (self._release, (late, client)),
            ):
                threading.Thread(target=target, args=args, daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            _stop_writing(target)

    def _hold(self, source: socket.socket, late: queue.Queue[tuple[float, bytes]]) -> None:
        try:
            while data := source.recv(65536):
                late.put((time.monotonic() + self.delay, data))
        except OSError:
            pass
        late.put((time.monotonic() + self.delay, b""))

    @staticmethod
    def _release(late: queue.Queue[tuple[float, bytes]], target: socket.socket) -> None:
        while True:
            due, data = late.get()
            time.sleep(max(0.0, due - time.monotonic()))
            if not data:
                _stop_writing(target)
                return
            try:
                target.sendall(data)
            except OSError:
                return


def _stop_writing(sock: socket.socket) -> None:
    """Tell the other side we are done writing (no more data), quietly."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
