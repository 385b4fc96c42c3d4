"""`reelbyte serve` with Python's default garbage-collector settings.

`reelbyte serve` freezes the objects that exist after start-up and collects less often
(cli._tune_garbage_collector). Benchmarks start this instead, with `--gc-defaults`, to measure
what that saves: at the defaults a full collection over the app's few hundred thousand
long-lived objects stops the event loop for 80-180 ms every second or two under load.
"""

from __future__ import annotations

from reelbyte import cli

if __name__ == "__main__":
    cli._tune_garbage_collector = lambda: None
    cli.app()
