"""The baseline of `read_vs_hello`: a bare FastAPI endpoint served exactly as the services are
(uvicorn, one worker, uvloop, httptools, access log off — see servicekit.serve).

    python -m bench.hello <port>
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="hello")


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def main() -> None:
    port = int(sys.argv[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                            lifespan="on", loop="uvloop", http="httptools", timeout_graceful_shutdown=10)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
