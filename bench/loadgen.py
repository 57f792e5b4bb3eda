"""The load generator: a small asyncio HTTP/1.1 client with keep-alive connections, on loopback.

Why not httpx for the load itself: on 2 cores the generator shares the CPU with the servers, and
httpx spends several hundred microseconds of Python per request, enough to become the bottleneck
when measuring a bare hello endpoint. This client writes pre-built request bytes and reads the
response by Content-Length, tens of microseconds per request. Set-up calls use httpx.

Two drivers:
- `open_loop(rate, seconds)`: requests are *scheduled* at a fixed rate whether or not earlier ones
  have answered; latency counts from the scheduled time, so a stalled server shows up in the
  latency instead of silently lowering the offered load (no coordinated omission).
- `closed_loop(connections, seconds)`: each connection sends its next request as soon as the last
  one answered: the most requests per second the server gives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

NOT_SENT = -1  # the status of a sample whose request was dropped before it could be sent


@dataclass
class Sample:
    index: int
    scheduled: float  # time.monotonic() the request was due
    done: float
    status: int


@dataclass
class Result:
    samples: list[Sample] = field(default_factory=list)
    errors: int = 0
    dropped: int = 0
    started: float = 0.0
    finished: float = 0.0

    @property
    def latencies(self) -> list[float]:
        return [s.done - s.scheduled for s in self.samples]

    def ok(self, statuses: tuple[int, ...] = (200, 201)) -> int:
        return sum(1 for s in self.samples if s.status in statuses)

    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.samples:
            if s.status != NOT_SENT:
                counts[str(s.status)] = counts.get(str(s.status), 0) + 1
        if self.errors:
            counts["connection_error"] = self.errors
        if self.dropped:
            counts["not_sent_in_time"] = self.dropped
        return counts


def request_bytes(method: str, path: str, host: str, headers: dict[str, str] | None = None,
                  body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port, limit=2**20)
        return cls(reader, writer)

    async def call(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            return status, await self._chunked()
        return status, await self.reader.readexactly(length) if length else b""

    async def _chunked(self) -> bytes:
        body = b""
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return body
            body += await self.reader.readexactly(size + 2)
            body = body[:-2]

    def close(self) -> None:
        self.writer.close()


class Pool:
    """At most `size` keep-alive connections; a caller waits for a free one."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.idle: asyncio.Queue[Connection] = asyncio.Queue()
        self.opened = 0
        self.gate = asyncio.Semaphore(size)

    async def call(self, raw: bytes) -> tuple[int, bytes]:
        """Sends `raw` on a free keep-alive connection (waiting for one) and reads the answer."""
        await self.gate.acquire()
        try:
            reused = not self.idle.empty()
            conn = self.idle.get_nowait() if reused else await Connection.open(self.host, self.port)
            try:
                answer = await conn.call(raw)
            except (OSError, asyncio.IncompleteReadError):
                conn.close()
                if not reused:
                    raise
                # The server closed a keep-alive connection that sat idle (uvicorn: after 5 s):
                # nothing was processed, so send once more on a new connection.
                conn = await Connection.open(self.host, self.port)
                try:
                    answer = await conn.call(raw)
                except BaseException:
                    conn.close()
                    raise
            except BaseException:
                conn.close()
                raise
            self.idle.put_nowait(conn)
            return answer
        finally:
            self.gate.release()

    def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait().close()


RequestFactory = Callable[[int], bytes]
OnDone = Callable[[int, int, bytes], None]


async def open_loop(pool: Pool, make: RequestFactory, rate: float, seconds: float, start_index: int = 0,
                    on_done: OnDone | None = None, on_sent: Callable[[int, float], None] | None = None,
                    grace: float = 5.0) -> Result:
    """`rate` requests per second for `seconds`; request i is `make(start_index + i)`.

    Requests become due on schedule and wait in a FIFO for one of the pool's connections; latency
    counts from the due time. A request still waiting `grace` seconds after the window is dropped
    (counted), so an overloaded server cannot stretch the run without bound, and the waiting
    costs the generator next to nothing (no task per waiting request).
    """
    result = Result()
    total = int(rate * seconds)
    due_queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    send_by = time.monotonic() + seconds + grace

    async def worker() -> None:
        while (item := await due_queue.get()) is not None:
            index, due = item
            if time.monotonic() > send_by:
                # Never sent: its latency is at least its age now, and counts so in the percentiles.
                result.dropped += 1
                result.samples.append(Sample(index, due, time.monotonic(), NOT_SENT))
                if on_done is not None:
                    on_done(index, NOT_SENT, b"")
                continue
            try:
                status, body = await pool.call(make(index))
            except (OSError, asyncio.IncompleteReadError):
                result.errors += 1
                if on_done is not None:
                    on_done(index, 0, b"")
                continue
            result.samples.append(Sample(index, due, time.monotonic(), status))
            if on_done is not None:
                on_done(index, status, body)

    workers = [asyncio.create_task(worker()) for _ in range(pool.size)]
    result.started = t0 = time.monotonic()
    i = 0
    while i < total:
        now = time.monotonic()
        while i < total and t0 + i / rate <= now:
            due = t0 + i / rate
            if on_sent is not None:
                on_sent(start_index + i, due)
            due_queue.put_nowait((start_index + i, due))
            i += 1
        if i < total:
            await asyncio.sleep(max(0.0, t0 + i / rate - time.monotonic()))
    for _ in workers:
        due_queue.put_nowait(None)
    await asyncio.gather(*workers)
    result.finished = time.monotonic()
    return result


async def closed_loop(pool: Pool, make: RequestFactory, connections: int, seconds: float) -> Result:
    """`connections` workers, each sending back to back for `seconds`."""
    result = Result()
    counter = iter(range(10**12))
    result.started = time.monotonic()
    deadline = result.started + seconds

    async def worker() -> None:
        while time.monotonic() < deadline:
            index = next(counter)
            sent = time.monotonic()
            try:
                status, _ = await pool.call(make(index))
            except (OSError, asyncio.IncompleteReadError):
                result.errors += 1
                continue
            result.samples.append(Sample(index, sent, time.monotonic(), status))

    await asyncio.gather(*(worker() for _ in range(connections)))
    result.finished = time.monotonic()
    return result
