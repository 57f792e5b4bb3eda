"""A request must arrive whole within a deadline: uvicorn waits for a request's headers and body
for as long as the client likes, so a few connections sending a byte a second would each hold a
connection slot (and its memory) for ever. The deadline runs from the connection's first byte, or
from the start of each later request on a kept-alive connection, until the request has fully
arrived; a connection that misses it is closed. Idle kept-alive connections are uvicorn's own
`timeout_keep_alive`; the number of open connections is capped by `limit_concurrency`."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class DeadlineHttpProtocol(HttpToolsProtocol):
    request_deadline_seconds: float = 60.0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.request_deadline_seconds, self._missed)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _missed(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def with_request_deadline(seconds: float) -> type[DeadlineHttpProtocol]:
    """The protocol class for one server, its deadline fixed."""
    return type("DeadlineHttpProtocol", (DeadlineHttpProtocol,), {"request_deadline_seconds": seconds})
