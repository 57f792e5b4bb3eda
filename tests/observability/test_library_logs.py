"""Libraries' log lines (aiokafka, uvicorn, SQLAlchemy, asyncpg) go through the project's JSON
pipeline: masked like the project's own lines and carrying the trace id."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator

import orjson
import pytest
import structlog
import uvicorn.config

from servicekit.logging import adopt_library_loggers, configure_logging
from servicekit.tracing import current_traceparent

ID_NUMBER = "11010519491231002X"
TRACE = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture
def service_logging(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """The service's logging for one test; the process's own set-up is put back afterwards.
    Tests call `configure_logging` themselves: the pipeline writes to the stdout of the moment,
    and pytest gives each test phase its own."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    libraries = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
                 for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    try:
        yield
    finally:
        structlog.configure(**saved)
        root.handlers, root.level = handlers, level
        for name, (own, propagate) in libraries.items():
            logging.getLogger(name).handlers, logging.getLogger(name).propagate = own, propagate


def _lines(captured: str) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_a_library_line_carrying_an_id_number_is_masked_and_traced(service_logging, capfd) -> None:  # type: ignore[no-untyped-def]
    configure_logging("parcel-registry")
    token = current_traceparent.set(f"00-{TRACE}-b7ad6b7169203331-01")
    try:
        logging.getLogger("aiokafka.consumer.group_coordinator").warning(
            "Heartbeat failed for group %s", f"landgrade.{ID_NUMBER}")
        logging.getLogger("sqlalchemy.engine.Engine").error("parameters: ('%s', 3)", ID_NUMBER)
        logging.getLogger("asyncpg.pool").warning("connection for %s lost", ID_NUMBER)
    finally:
        current_traceparent.reset(token)
    out = capfd.readouterr().out
    assert ID_NUMBER not in out
    lines = _lines(out)
    assert [line["logger"] for line in lines] == ["aiokafka.consumer.group_coordinator", "sqlalchemy.engine.Engine",
                                                  "asyncpg.pool"]
    assert lines[0]["event"] == "Heartbeat failed for group landgrade.110105********002X"
    assert lines[1]["level"] == "error" and "110105********002X" in str(lines[1]["event"])
    assert {line["trace_id"] for line in lines} == {TRACE}
    assert {line["service"] for line in lines} == {"parcel-registry"}


def test_uvicorns_own_handlers_are_taken_back_into_the_pipeline(service_logging, capfd) -> None:  # type: ignore[no-untyped-def]
    configure_logging("parcel-registry")
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)  # what uvicorn does when its server is configured
    adopt_library_loggers()  # what the service runtime does when it starts
    logging.getLogger("uvicorn.error").error("Exception in ASGI application: /v1/persons/%s", ID_NUMBER)
    captured = capfd.readouterr()
    assert ID_NUMBER not in captured.out + captured.err
    [line] = _lines(captured.out)
    assert line["logger"] == "uvicorn.error"
    assert line["event"] == "Exception in ASGI application: /v1/persons/110105********002X"


def test_a_library_exception_is_one_json_line_with_its_traceback_masked(service_logging, capfd) -> None:  # type: ignore[no-untyped-def]
    configure_logging("parcel-registry")
    try:
        raise ValueError(f"bad row for {ID_NUMBER}")
    except ValueError:
        logging.getLogger("aiokafka").exception("unexpected error")
    [line] = _lines(capfd.readouterr().out)
    assert "ValueError: bad row for 110105********002X" in str(line["exception"])
    assert ID_NUMBER not in str(line)


def test_library_chatter_below_warning_stays_out(service_logging, capfd) -> None:  # type: ignore[no-untyped-def]
    configure_logging("parcel-registry")
    logging.getLogger("aiokafka").info("Updating subscribed topics")
    logging.getLogger("sqlalchemy.engine.Engine").info("BEGIN (implicit)")
    assert _lines(capfd.readouterr().out) == []
