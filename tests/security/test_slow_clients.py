"""No slow client stalls a service: a request must arrive whole within the deadline, and the
number of open connections is capped, while `/healthz` goes on answering."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from landgrade.devstack.ports import free_port
from landgrade.testing import eventually
from servicekit.serve import server_config
from servicekit.settings import ServiceSettings
from tests.foundation.test_http_plumbing import _app

DEADLINE = 2.0


@pytest.fixture
async def server() -> AsyncIterator[int]:
    port = free_port()
    settings = ServiceSettings(http_port=port, http_request_deadline_seconds=DEADLINE, http_max_connections=4)
    served = uvicorn.Server(server_config(settings, _app(), loop="asyncio"))
    task = asyncio.create_task(served.serve())
    await eventually(lambda: served.started, timeout=10)
    yield port
    served.should_exit = True
    await task


async def _trickle(port: int, request: bytes, every: float = 1.0) -> float:
    """Sends `request` a byte at a time; the seconds until the server closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    try:
        for byte in request:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1024), every) == b"":
                    break
            except TimeoutError:
                continue
    except ConnectionError:
        pass
    finally:
        writer.close()
    return time.monotonic() - started


async def test_a_client_sending_a_byte_a_second_is_closed_within_the_deadline(server: int) -> None:
    request = b"GET /public HTTP/1.1\r\nHost: t\r\nX-Padding: " + b"x" * 30 + b"\r\n\r\n"
    closed_after = await _trickle(server, request)
    assert closed_after <= DEADLINE + 1


async def test_a_whole_request_within_the_deadline_is_answered_and_the_connection_kept(server: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}") as client:
        for _ in range(3):  # one kept-alive connection, each request on time
            assert (await client.get("/public")).status_code == 200
            await asyncio.sleep(DEADLINE / 2)


async def test_slow_clients_leave_healthz_answering_and_connections_over_the_cap_are_refused(server: int) -> None:
    slow = [asyncio.create_task(_trickle(server, b"GET /public HTTP/1.1\r\nHost: t\r\n" + b"x" * 50))
            for _ in range(2)]
    await asyncio.sleep(0.3)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}") as client:
        assert (await client.get("/healthz")).status_code == 200  # two slow ones do not stall it
        more = [asyncio.create_task(_trickle(server, b"GET /public HTTP/1.1\r\nHost: t\r\n" + b"x" * 50))
                for _ in range(2)]
        await asyncio.sleep(0.3)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}") as other:
            assert (await other.get("/healthz")).status_code == 503  # over the cap: refused, not queued
    await asyncio.gather(*slow, *more)  # the deadline frees every slot the slow clients held
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server}") as client:
        assert (await client.get("/healthz")).status_code == 200
