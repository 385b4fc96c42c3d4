"""Build the web app before serving it, when its bundle is missing or older than its sources.

On a fresh clone `reelbyte serve` finds no `web/dist` and runs `npm ci && npm run build` in
`web/` (a few tens of seconds), so the README's one command still starts the whole product.
A build that cannot run (no npm, a failing build) does not stop the server: the API is served
without the app, and the reason is printed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
# What the bundle is made from, besides web/src.
BUILD_INPUTS = ("index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json")


def _newest_mtime(paths: Iterable[Path]) -> float:
    return max((path.stat().st_mtime for path in paths if path.is_file()), default=0.0)


def needs_build(web_dir: Path = WEB_DIR) -> bool:
    """Whether `web_dir/dist` is missing or older than a source it is built from. False where
    there are no sources (an installed package ships no `web/`)."""
    if not (web_dir / "package.json").is_file():
        return False
    built = web_dir / "dist" / "index.html"
    if not built.is_file():
        return True
    sources = [*(web_dir / "src").rglob("*"), *(web_dir / name for name in BUILD_INPUTS)]
    return _newest_mtime(sources) > built.stat().st_mtime


def _needs_install(web_dir: Path) -> bool:
    installed = web_dir / "node_modules" / ".package-lock.json"  # npm writes it on every install
    lock = web_dir / "package-lock.json"
    return not installed.is_file() or lock.stat().st_mtime > installed.stat().st_mtime


def build_web_app(say: Callable[[str], None], web_dir: Path = WEB_DIR) -> bool:
    """Build the bundle if it needs it; whether a usable bundle is there afterwards."""
    if not needs_build(web_dir):
        return (web_dir / "dist" / "index.html").is_file()
    npm = shutil.which("npm")
    if npm is None:
        say("  Web app: not built, and npm is not installed (Node 20 with npm builds it)")
        return False
    steps = [[npm, "ci", "--no-audit", "--no-fund"]] if _needs_install(web_dir) else []
    steps.append([npm, "run", "build"])
    say(f"  Web app: building it ({' && '.join(' '.join(step[1:]) for step in steps)} in web/)…")
    for step in steps:
        done = subprocess.run(step, cwd=web_dir, capture_output=True, text=True, check=False)  # noqa: S603 (npm, found on PATH)
        if done.returncode != 0:
            say(f"  Web app: `npm {' '.join(step[1:])}` failed; serving the API only:\n{done.stderr[-2000:]}")
            return False
    return True
