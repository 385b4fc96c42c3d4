"""`reelbyte serve` builds the web app when its bundle is missing or older than its sources,
and serves the API alone (saying why) when it cannot."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reelbyte.webbuild import build_web_app, needs_build


@pytest.fixture
def web(tmp_path: Path) -> Path:
    """A web/ directory as a clone has it, built once."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.tsx").write_text("export {};")
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<!doctype html>")
    age(tmp_path / "src" / "main.tsx", tmp_path / "package.json", tmp_path / "package-lock.json", seconds=60)
    return tmp_path


def age(*paths: Path, seconds: int) -> None:
    for path in paths:
        then = path.stat().st_mtime - seconds
        os.utime(path, (then, then))


def test_a_bundle_newer_than_its_sources_is_kept(web: Path) -> None:
    assert not needs_build(web)


def test_a_missing_bundle_is_built(web: Path) -> None:
    (web / "dist" / "index.html").unlink()
    assert needs_build(web)


@pytest.mark.parametrize("changed", ["src/main.tsx", "package-lock.json"])
def test_a_source_changed_after_the_build_rebuilds_it(web: Path, changed: str) -> None:
    later = (web / "dist" / "index.html").stat().st_mtime + 5
    os.utime(web / changed, (later, later))
    assert needs_build(web)


def test_without_sources_there_is_nothing_to_build(tmp_path: Path) -> None:
    assert not needs_build(tmp_path)


def fake_npm(bin_dir: Path, script: str) -> None:
    """An `npm` on PATH that runs `script` (a shell body) and records its arguments."""
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(f'#!/bin/sh\necho "$@" >> "{bin_dir}/calls"\n{script}\n')
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)


def test_a_fresh_clone_installs_then_builds(
    web: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (web / "dist" / "index.html").unlink()
    bin_dir = tmp_path_factory.mktemp("npm") / "bin"
    fake_npm(bin_dir, '[ "$1" = run ] && mkdir -p dist && echo built > dist/index.html; exit 0')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    said: list[str] = []

    assert build_web_app(said.append, web)

    assert (bin_dir / "calls").read_text().splitlines() == ["ci --no-audit --no-fund", "run build"]
    assert said == ["  Web app: building it (ci --no-audit --no-fund && run build in web/)…"]
    assert not needs_build(web)


def test_a_failed_build_serves_the_api_alone_and_says_why(
    web: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (web / "dist" / "index.html").unlink()
    (web / "node_modules").mkdir()
    (web / "node_modules" / ".package-lock.json").write_text("{}")
    bin_dir = tmp_path_factory.mktemp("npm") / "bin"
    fake_npm(bin_dir, 'echo "error TS2322: nope" >&2; exit 1')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    said: list[str] = []

    assert not build_web_app(said.append, web)

    assert (bin_dir / "calls").read_text().splitlines() == ["run build"]  # installed already
    assert "`npm run build` failed" in said[-1]
    assert "TS2322" in said[-1]


def test_without_npm_the_api_is_served_alone(web: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (web / "dist" / "index.html").unlink()
    monkeypatch.setenv("PATH", "/nonexistent")
    said: list[str] = []

    assert not build_web_app(said.append, web)
    assert "npm is not installed" in said[0]
