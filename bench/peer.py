"""A bare FastAPI app: the yardstick for ReelByte's fixed cost per request (`GET /health`).

uv run uvicorn bench.peer:app --port 8802
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
