"""Progress of a long run: the steps the core passes through (reading the KPI data, reading raw
exports, starting Spark, each source's checks, the KPIs, scoring), said as they start and end.

The core marks a step with `with step("..."):`, records of the `govdocs.progress` logger, and
never prints: the CLI decides whether and where they are shown (stderr, so that stdout keeps only
the command's result) and says "still ..." while a step lasts. Without a handler nothing is
shown, as in a library call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOGGER = logging.getLogger("govdocs.progress")
START, END = "start", "end"  # a record's `step` attribute


@contextmanager
def step(message: str) -> Iterator[None]:
    """A step of the run (`message`: lower case, no full stop), from its start to its end."""
    LOGGER.info(message, extra={"step": START})
    try:
        yield
    finally:
        LOGGER.info(message, extra={"step": END})
