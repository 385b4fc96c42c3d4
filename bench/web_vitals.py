"""The web app's performance budget in Debian's Chromium: LCP and CLS of the home and a gig page,
and the search box's suggestion latency, on the 100,000-gig catalog.

Run (after `REELBYTE_DATA_DIR=.reelbyte/bench-search uv run reelbyte seed --scale 100000`, with
the web app built: `cd web && npm ci && npm run build`):

    uv run python -m bench.web_vitals [rounds, default 5]

It starts `reelbyte serve` (with the web app) on that data, runs web/scripts/web-vitals.mjs
(Playwright driving /usr/bin/chromium, a fresh browser context per page load: nothing cached)
and writes the medians to docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx

from bench._common import ROOT, machine, write_section

PORT = int(os.environ.get("BENCH_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
DATA_DIR = os.environ.get("REELBYTE_DATA_DIR", str(ROOT / ".reelbyte" / "bench-search"))
BUDGET = {"lcp_ms": 1500, "cls": 0.1, "suggestions_ms": 150, "home_js_kb": 200}


def start_server() -> subprocess.Popen[bytes]:
    env = {**os.environ, "REELBYTE_DATA_DIR": DATA_DIR, "RATE_LIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"}
    log = open(f"{DATA_DIR}/web-vitals-serve.log", "wb")  # noqa: SIM115 (lives as long as the server)
    command = [sys.executable, "-m", "reelbyte.cli", "serve", "--port", str(PORT), "--no-worker"]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(limit_seconds: float = 300.0) -> None:
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{BASE}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def popular_gig_slug() -> str:
    page = httpx.get(f"{BASE}/v1/gigs", params={"sort_by": "popular", "page_size": 1}, timeout=10).json()
    return str(page["items"][0]["slug"])


def measure(rounds: int) -> dict[str, dict[str, float]]:
    process = start_server()
    try:
        wait_ready()
        script = ROOT / "web" / "scripts" / "web-vitals.mjs"
        out = subprocess.run(
            ["node", str(script), BASE, popular_gig_slug(), str(rounds)],
            cwd=ROOT / "web",
            capture_output=True,
            text=True,
            check=True,
        )
        return dict(json.loads(out.stdout))
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(60)


def home_javascript_kb() -> float:
    """The home route's first-load JavaScript, gzipped, as `npm run size` counts it."""
    out = subprocess.run(["npm", "run", "--silent", "size"], cwd=ROOT / "web", capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("home"):
            return float(line.split()[1])
    raise RuntimeError(f"npm run size printed no home line: {out.stdout}{out.stderr}")


def report(result: dict[str, dict[str, float]], rounds: int) -> str:
    def verdict(value: float | None, limit: float) -> str:
        return "—" if value is None else ("within" if value <= limit else "**over**")

    home_kb = result["bundle"]["home_js_kb"]
    rows = [
        f"| home | JavaScript of the first load, gzipped | {home_kb:.1f} KB | {BUDGET['home_js_kb']} KB | "
        f"{verdict(home_kb, BUDGET['home_js_kb'])} |",
        f"| home | LCP, median of {rounds} cold loads | {result['home']['lcp_ms']:.0f} ms | "
        f"{BUDGET['lcp_ms']} ms | {verdict(result['home']['lcp_ms'], BUDGET['lcp_ms'])} |",
        f"| home | CLS, worst load | {result['home']['cls']:.3f} | {BUDGET['cls']} | "
        f"{verdict(result['home']['cls'], BUDGET['cls'])} |",
        f"| gig page | LCP, median of {rounds} cold loads | {result['gig']['lcp_ms']:.0f} ms | "
        f"{BUDGET['lcp_ms']} ms | {verdict(result['gig']['lcp_ms'], BUDGET['lcp_ms'])} |",
        f"| gig page | CLS, worst load | {result['gig']['cls']:.3f} | {BUDGET['cls']} | "
        f"{verdict(result['gig']['cls'], BUDGET['cls'])} |",
    ]
    suggestions = result["suggestions"]
    if suggestions["median_ms"] is not None:
        rows.append(
            f"| search box | keystroke → suggestions shown, median of {suggestions['samples']:.0f} "
            f"(p90 {suggestions['p90_ms']:.0f} ms) | {suggestions['median_ms']:.0f} ms | "
            f"{BUDGET['suggestions_ms']} ms | {verdict(suggestions['median_ms'], BUDGET['suggestions_ms'])} |"
        )
    return (
        "Command: `REELBYTE_DATA_DIR=.reelbyte/bench-search uv run reelbyte seed --scale 100000 --random-seed 42`, "
        f"`cd web && npm run build`, then `uv run python -m bench.web_vitals {rounds}`\n"
        f"({machine()}; one `reelbyte serve` with the built app on the embedded servers; Debian's Chromium "
        "through Playwright, 1280x800, a fresh context per load so nothing is cached; LCP and CLS from the "
        "page's own PerformanceObserver; suggestions timed in the page from the keydown to the listbox "
        "showing the new answer, debounce included).\n\n"
        "| page | measure | result | budget | |\n| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"
    )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    result = measure(rounds)
    result["bundle"] = {"home_js_kb": home_javascript_kb()}
    print(json.dumps(result, indent=2))
    write_section("Web app: page loads and suggestions (100,000 gigs)", report(result, rounds))


if __name__ == "__main__":
    main()
