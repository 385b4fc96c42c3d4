"""docs/errors.md, generated from the error classes: `uv run python -m reelbyte.errors_doc > docs/errors.md`.

A test keeps the file current."""

from __future__ import annotations

from collections import defaultdict

from reelbyte.core.errors import AppError

HEADER = """# Error codes

Every error the API returns has the same shape, with a stable `error` code that clients can
branch on, a human `message` (which may change) and optional `details`:

```json
{"error": "invalid_transition", "message": "An order that is completed cannot become cancelled.",
 "details": {"entity": "order", "from": "completed", "to": "cancelled"}}
```

Each operation in `/openapi.json` lists, per status, the codes it can answer with. This page
lists them all, by domain. It is generated from the error classes
(`uv run python -m reelbyte.errors_doc > docs/errors.md`); do not edit it by hand.
"""


def _domain(error: type[AppError]) -> str:
    parts = error.__module__.split(".")
    return parts[1] if len(parts) > 2 else parts[-1]


def render() -> str:
    from reelbyte.main import create_app

    create_app()  # imports every domain, so that every error class is registered
    by_domain: dict[str, list[type[AppError]]] = defaultdict(list)
    for error in AppError.registry.values():
        if not error.__module__.startswith("reelbyte."):
            continue
        by_domain[_domain(error)].append(error)
    lines = [HEADER]
    for domain in sorted(by_domain):
        lines += [f"## {domain}", "", "| status | code | meaning |", "| --- | --- | --- |"]
        for error in sorted(by_domain[domain], key=lambda e: (e.status_code, e.code)):
            lines.append(f"| {error.status_code} | `{error.code}` | {error.message} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
