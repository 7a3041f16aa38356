"""Loaded only by `make test-dates`: time.sleep without clock_nanosleep, which Debian's libfaketime breaks.

Under libfaketime 0.9.10 with the monotonic clock left real (FAKETIME_DONT_FAKE_MONOTONIC=1,
which the condition-variable waits in threads and queues need), Python's time.sleep fails with
EINVAL: it sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), and the preload library
shifts that absolute deadline by the faked date. select() takes a relative timeout, which the
library leaves alone, so a sleep through it waits as long as asked.
"""

import select
import time

if "faketime" in __import__("os").environ.get("LD_PRELOAD", ""):

    def _sleep(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep
