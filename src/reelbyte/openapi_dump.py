"""The API's OpenAPI document as JSON on stdout, for the web app's typed client:
`uv run python -m reelbyte.openapi_dump > web/openapi.json` (then `npm run gen:api` in web/).

Builds the app without starting any server: `app.openapi()` needs no database, Redis or storage.
The output is stable (sorted keys, two-space indent, a final newline), so that a diff of
web/openapi.json shows only what changed in the API."""

from __future__ import annotations

import json
import sys
from typing import Any


def document() -> dict[str, Any]:
    from reelbyte.main import create_app

    return create_app().openapi()


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
