"""The API and the worker handle events and jobs alike: both load `reelbyte.registry`, and nothing
the API imports registers a handler or a task that the worker would not have."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

DUMP = """
import json, sys
from reelbyte.core.events import Signal
from reelbyte.core.jobs import job_app
{setup}
signals = {{}}
for module in list(sys.modules.values()):
    for value in list(vars(module).values()) if module else []:
        if isinstance(value, Signal):
            signals[value.name] = sorted(f"{{h.__module__}}.{{h.__qualname__}}" for h in value._handlers)
print(json.dumps({{"signals": signals, "tasks": sorted(job_app.tasks)}}))
"""

API = "from reelbyte.main import create_app\ncreate_app()"
WORKER = "from reelbyte import registry\nregistry.load()"  # what `reelbyte worker` does first


def _registered(setup: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", DUMP.format(setup=setup)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_worker_registers_the_same_handlers_and_tasks_as_the_api() -> None:
    api, worker = _registered(API), _registered(WORKER)
    assert worker == api
    signals = api["signals"]
    assert isinstance(signals, dict)
    # The handlers the worker used to miss (orders from accepted proposals, hidden gigs of closed accounts).
    assert any(
        handler.startswith("reelbyte.orders.handlers.")
        for handlers in signals.values()
        for handler in handlers
    )
    assert any(
        handler.startswith("reelbyte.catalog.handlers.")
        for handlers in signals.values()
        for handler in handlers
    )
    assert {"send_email", "recover_stalled_jobs"} <= set(api["tasks"])  # type: ignore[arg-type]


def test_the_worker_command_loads_the_registry() -> None:
    from reelbyte import cli

    source = cli.worker.__code__.co_names
    assert "registry" in source or "load" in source
