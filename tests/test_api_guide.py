"""docs/api.md runs as written: its `sh` examples, in order and in one shell, with the real
`curl` and `jq`, against the app served by uvicorn on 127.0.0.1 (in this test's event loop, on
the test database). The `json` block right after an example is what it answers: the same fields
(at every depth) and, for an error, the same code. Other blocks (`http`) only illustrate."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.conftest import PROJECT_ROOT
from tests.factories import TEST_PASSWORD, register
from tests.identity.test_api_keys import subscribe

GUIDE = PROJECT_ROOT / "docs" / "api.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
MARKER = "@@example {}@@"
RUN_TIMEOUT = 60.0


@dataclass(frozen=True)
class Example:
    number: int
    script: str
    answer: Any  # the JSON shown after it, or None


def examples(markdown: str) -> list[Example]:
    blocks = [(match.group(1), match.group(2)) for match in FENCE.finditer(markdown)]
    found: list[Example] = []
    for index, (language, body) in enumerate(blocks):
        if language != "sh":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        answer = json.loads(following[1]) if following is not None and following[0] == "json" else None
        found.append(Example(len(found), body, answer))
    return found


def outputs(stdout: str, count: int) -> list[str]:
    """Each example's output, split at the markers the script prints between them."""
    parts = re.split(r"^@@example (\d+)@@$", stdout, flags=re.MULTILINE)
    by_number = {int(parts[i]): parts[i + 1] for i in range(1, len(parts), 2)}
    return [by_number.get(number, "") for number in range(count)]


def same_shape(expected: Any, actual: Any, where: str = "answer") -> list[str]:
    """Where `actual` differs from `expected` in fields (any depth) or in kind of value."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: an object was expected, got {actual!r}"]
        problems = (
            [f"{where}: fields {sorted(set(expected) ^ set(actual))} differ"]
            if set(expected) != set(actual)
            else []
        )
        for name in set(expected) & set(actual):
            problems += same_shape(expected[name], actual[name], f"{where}.{name}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: a list was expected, got {actual!r}"]
        return same_shape(expected[0], actual[0], f"{where}[0]") if expected and actual else []
    return []


@pytest.fixture
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app on a free 127.0.0.1 port, served in this event loop (its database pools live here)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None, log_level=None)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn stopped before it started"
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_the_guides_examples_run_and_answer_as_shown(
    client: httpx.AsyncClient, served: str, tmp_path: Path
) -> None:
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    assert not missing, f"the guide's examples need {', '.join(missing)} (.ci/run installs them)"
    user = await register(client, "creator")
    await subscribe(user["id"], "pro")
    steps = examples(GUIDE.read_text())
    assert len(steps) >= 8, "the guide has lost its examples"
    script = "set -euo pipefail\n" + "".join(
        f"printf '\\n{MARKER.format(step.number)}\\n'\n{step.script}" for step in steps
    )

    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        script,
        cwd=tmp_path,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "API": served,
            "EMAIL": user["email"],
            "PASSWORD": TEST_PASSWORD,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
    printed = stdout.decode()
    assert process.returncode == 0, f"an example failed\nstdout:\n{printed}\nstderr:\n{stderr.decode()}"

    problems = []
    for step, output in zip(steps, outputs(printed, len(steps)), strict=True):
        if step.answer is None:
            continue
        try:
            answer = json.loads(output)
        except json.JSONDecodeError:
            problems.append(f"example {step.number} printed no JSON: {output!r}\n{step.script}")
            continue
        mismatches = same_shape(step.answer, answer)
        if "error" in step.answer and answer.get("error") != step.answer["error"]:
            mismatches.append(f"error {answer.get('error')!r}, the guide shows {step.answer['error']!r}")
        problems += [f"example {step.number}: {mismatch}\n{step.script}" for mismatch in mismatches]
    assert problems == [], "\n".join(problems)
