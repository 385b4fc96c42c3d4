"""`reelbyte serve` with Python's garbage collector set for a long-running server.

Used by `python -m bench.search_load … --gc-tuned` to measure what the collector costs:
at the defaults, a full collection over the app's few hundred thousand long-lived objects
(modules, SQLAlchemy and Pydantic metadata) stops the event loop for 80-180 ms every second or
two under load, and every request in flight waits. Freezing the objects that exist after
start-up (gc.freeze) keeps them out of every later collection, and a larger first-generation
threshold makes collections rarer.
"""

from __future__ import annotations

import gc

import reelbyte.main  # noqa: F401 (import the whole app before freezing)
from reelbyte.cli import app

if __name__ == "__main__":
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    app()
