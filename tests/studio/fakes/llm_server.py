"""A local OpenAI and Anthropic for the hook scorer's tests: OpenAI's Chat Completions
(`POST /v1/chat/completions`, a JSON-schema response format) and Anthropic's Messages
(`POST /v1/messages`, a forced tool), in their documented JSON, errors included.

The answer scores the candidates the request lists: `prefer` scores highest, the others lower
in their order. `mode` switches what the next requests get: a good answer, malformed JSON, a
partial answer (one candidate left out), a refusal, an HTTP error (`status`, with the
provider's error body), or a good answer after `slow_seconds` (for the client's timeout).
Every request is kept in `requests` (path, headers, body).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Mode = Literal["good", "malformed", "partial", "refusal", "error", "slow"]
OPENAI_KEY = "sk-test-openai-reelbyte-0123456789"
ANTHROPIC_KEY = "sk-ant-test-reelbyte-0123456789"
_OPENAI_ERRORS = {429: "rate_limit_exceeded", 500: "server_error", 503: "server_error"}
_ANTHROPIC_ERRORS = {429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeLLM:
    mode: Mode = "good"
    status: int = 500
    prefer: int = 0
    slow_seconds: float = 3.0
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat_completions, methods=["POST"]),
                Route("/v1/messages", self._messages, methods=["POST"]),
            ]
        )

    def reset(self) -> None:
        self.mode, self.status, self.prefer, self.slow_seconds = "good", 500, 0, 3.0
        self.requests.clear()

    # --- the answer ---------------------------------------------------------------------

    def _scores(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        """Scores for the candidates of the request's JSON (after the prompt's first line)."""
        candidates = json.loads(text.split("\n", 1)[1])["candidates"]
        scores = []
        for rank, candidate in enumerate(candidates):
            preferred = candidate["id"] == self.prefer
            scores.append(
                {
                    "id": candidate["id"],
                    "score": 0.95 if preferred else round(0.5 - 0.01 * rank, 3),
                    "reason": f"fake: {'the best hook' if preferred else 'a weaker moment'} #{candidate['id']}",
                }
            )
        if self.mode == "partial":
            scores = scores[:1]
        return {"scores": scores}

    async def _seen(self, request: Request) -> dict[str, Any]:
        body: dict[str, Any] = await request.json()
        self.requests.append(Seen(request.url.path, dict(request.headers), body))
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        return body

    # --- OpenAI -------------------------------------------------------------------------

    async def _chat_completions(self, request: Request) -> Response:
        body = await self._seen(request)
        if request.headers.get("authorization") != f"Bearer {OPENAI_KEY}":
            return _openai_error(401, "Incorrect API key provided.", "invalid_api_key")
        if self.mode == "error":
            return _openai_error(self.status, "The server had an error.", _OPENAI_ERRORS.get(self.status))
        format_ = body.get("response_format", {})
        if format_.get("type") != "json_schema" or "schema" not in format_.get("json_schema", {}):
            return _openai_error(400, "response_format must be a json_schema.", None)
        content: str | None = None
        refusal: str | None = None
        if self.mode == "refusal":
            refusal = "I'm sorry, I can't help with that."
        elif self.mode == "malformed":
            content = '{"scores": [{"id": 0, "score": '
        else:
            content = json.dumps(self._scores(body, body["messages"][-1]["content"]))
        return JSONResponse(
            {
                "id": f"chatcmpl-{secrets.token_hex(12)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": refusal},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 200, "completion_tokens": 80, "total_tokens": 280},
            }
        )

    # --- Anthropic ----------------------------------------------------------------------

    async def _messages(self, request: Request) -> Response:
        body = await self._seen(request)
        # The SDK of this version sends the key as a bearer token; older ones as x-api-key.
        keys = {
            request.headers.get("x-api-key"),
            request.headers.get("authorization", "").removeprefix("Bearer "),
        }
        if ANTHROPIC_KEY not in keys:
            return _anthropic_error(401, "authentication_error", "invalid API key")
        if self.mode == "error":
            kind = _ANTHROPIC_ERRORS.get(self.status, "api_error")
            return _anthropic_error(self.status, kind, "Internal server error")
        [tool] = body["tools"]
        if body.get("tool_choice") != {"type": "tool", "name": tool["name"]}:
            return _anthropic_error(400, "invalid_request_error", "tool_choice must name the tool")
        content: list[dict[str, Any]]
        stop_reason = "tool_use"
        if self.mode == "refusal":
            content, stop_reason = [], "refusal"
        else:
            answer = {"scores": "none"} if self.mode == "malformed" else None
            answer = answer or self._scores(body, body["messages"][-1]["content"])
            content = [
                {
                    "type": "tool_use",
                    "id": f"toolu_{secrets.token_hex(12)}",
                    "name": tool["name"],
                    "input": answer,
                }
            ]
        return JSONResponse(
            {
                "id": f"msg_{secrets.token_hex(12)}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": content,
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": {"input_tokens": 200, "output_tokens": 80},
            }
        )


def _openai_error(status: int, message: str, code: str | None) -> Response:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": code}},
        status_code=status,
        headers={"retry-after-ms": "50"} if status == 429 else None,
    )


def _anthropic_error(status: int, kind: str, message: str) -> Response:
    return JSONResponse(
        {"type": "error", "error": {"type": kind, "message": message}},
        status_code=status,
        headers={"retry-after": "1"} if status == 429 else None,
    )
