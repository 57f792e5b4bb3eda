"""Runs one service's `main()` under pyinstrument; SIGUSR1 writes the profile.

    python -m bench.profiled evaluation.bootstrap /tmp/profile-evaluation

On SIGUSR1 (sent by `bench.stack.Stack.stop` before it stops the service) the profile so far is
written to `/tmp/profile-evaluation.txt` and `.html`, so a slow graceful shutdown never loses it.
Statistical sampling of the main thread, where the event loop runs every request, consumer and
relay.
"""

from __future__ import annotations

import importlib
import signal
import sys
from pathlib import Path
from types import FrameType

from pyinstrument import Profiler


def main() -> None:
    module, out = sys.argv[1], Path(sys.argv[2])
    entry = importlib.import_module(module).main
    profiler = Profiler(interval=0.001, async_mode="disabled")

    def write(_signum: int, _frame: FrameType | None) -> None:
        if not profiler.is_running:
            return
        profiler.stop()
        if profiler.last_session is not None:
            profiler.last_session.save(str(out.with_suffix(".pyisession")))
        out.with_suffix(".html").write_text(profiler.output_html())
        out.with_suffix(".txt").write_text(profiler.output_text(unicode=True, show_all=False))

    signal.signal(signal.SIGUSR1, write)
    profiler.start()
    entry()


if __name__ == "__main__":
    main()
