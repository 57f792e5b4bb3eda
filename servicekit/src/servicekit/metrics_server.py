"""`/metrics` on a port of its own (METRICS_PORT), apart from the API.

The API's port is the one an ingress or load balancer exposes; the metrics port is reached only
from inside the cluster, where the NetworkPolicy lets the monitoring namespace alone in. So the
API can be published without publishing the service's internals, and no route rule on the API
has to keep them apart. Plain asyncio, in the service's own event loop: a scrape reads the same
state the service works on, with no thread beside it.
"""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import CONTENT_TYPE_LATEST

from servicekit.metrics import Metrics

_HEAD_LIMIT = 8192
_READ_SECONDS = 5.0


class MetricsServer:
    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics, self.host, self.port = metrics, host, port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, self.host, self.port, limit=_HEAD_LIMIT)

    @property
    def bound_port(self) -> int | None:
        if self._server is None or not self._server.sockets:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request per connection (`Connection: close`): GET /metrics, or 404/405."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_SECONDS)
            method, _, rest = head.split(b"\r\n", 1)[0].partition(b" ")
            path = rest.split(b" ", 1)[0].split(b"?", 1)[0]
            if path != b"/metrics":
                status, body, kind = b"404 Not Found", b"not found\n", b"text/plain"
            elif method not in (b"GET", b"HEAD"):
                status, body, kind = b"405 Method Not Allowed", b"method not allowed\n", b"text/plain"
            else:
                status, body, kind = b"200 OK", await self.metrics.render(), CONTENT_TYPE_LATEST.encode()
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind + b"\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
                         + (b"" if method == b"HEAD" else body))
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
