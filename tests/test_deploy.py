"""The deployment files hold together (there is no Docker daemon here to run them): the Dockerfile's
stages, user and health check, compose.yaml's services and their order, every variable both use
documented in .env.example, and the Grafana dashboard querying only metrics the app exports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from reelbyte.core.config import Settings
from tests.conftest import PROJECT_ROOT, s3_env

APP_SERVICES = ("api-1", "api-2", "worker", "media-worker", "migrate")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    return loaded


def _dockerfile_stages() -> dict[str, list[str]]:
    """Each stage's instructions (continuation lines joined), by stage name."""
    text = (PROJECT_ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
        if found:
            current = stages.setdefault(found.group(2) or found.group(1), [])
        current.append(line)
    return stages


def _documented_variables() -> set[str]:
    """Names .env.example sets or shows (commented out) as `NAME=`."""
    text = (PROJECT_ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def test_the_dockerfile_builds_web_venv_runtime_and_nginx_stages() -> None:
    stages = _dockerfile_stages()
    assert list(stages) == ["web", "build", "nginx", "runtime"]  # runtime last: the default target
    assert stages["web"][0].startswith("FROM node:20")
    assert any("npm ci" in line for line in stages["web"])
    assert any("npm run build" in line for line in stages["web"])
    build = " ".join(stages["build"])
    assert "ghcr.io/astral-sh/uv" in build
    assert "uv sync --frozen --no-dev" in build
    assert "UV_COMPILE_BYTECODE=1" in build

    runtime = stages["runtime"]
    assert runtime[0].startswith("FROM python:3.11-slim")
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users
    assert users[-1] not in ("root", "0")
    assert any(line.startswith("COPY --from=build") and "/app/.venv" in line for line in runtime)
    assert any(line.startswith("COPY --from=web") and "web/dist" in line for line in runtime)
    assert any(line.startswith("COPY") and "migrations" in line for line in runtime)
    assert "EXPOSE 8000" in runtime
    healthcheck = next(line for line in runtime if line.startswith("HEALTHCHECK"))
    assert "/health/ready" in healthcheck
    command = json.loads(next(line for line in runtime if line.startswith("CMD "))[4:])
    assert command[:2] == ["reelbyte", "serve"]
    assert "--no-worker" in command
    assert "0.0.0.0" in command

    nginx = stages["nginx"]
    assert nginx[0].startswith("FROM nginx:1.27-alpine")
    assert any("deploy/nginx/reelbyte.conf" in line for line in nginx)
    assert any(line.startswith("COPY --from=web") and "/srv/web" in line for line in nginx)
    assert (PROJECT_ROOT / ".dockerignore").is_file()


def test_compose_runs_every_service_in_order() -> None:
    services = _compose()["services"]
    assert set(services) >= {"nginx", *APP_SERVICES, "postgres", "redis", "minio", "minio-bucket"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "--appendonly" in services["redis"]["command"]
    for name in ("postgres", "redis", "minio"):
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["volumes"], name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])

    for name in APP_SERVICES:
        service = services[name]
        assert service["build"]["target"] == "runtime", name
        assert service["env_file"] == ".env", name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
    assert services["migrate"]["command"] == ["reelbyte", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("api-1", "api-2", "worker", "media-worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["minio-bucket"]["condition"] == "service_completed_successfully", name
    for name in ("api-1", "api-2"):
        assert services[name]["command"][:2] == ["reelbyte", "serve"]
        assert "/health/ready" in " ".join(services[name]["healthcheck"]["test"])
    assert services["worker"]["command"] == ["reelbyte", "worker", "--except-queues", "media"]
    assert services["media-worker"]["command"] == ["reelbyte", "worker", "--queues", "media"]

    nginx = services["nginx"]
    assert nginx["build"]["target"] == "nginx"
    assert nginx["ports"] == ["${HTTP_PORT:-80}:80"]
    assert {name: dep["condition"] for name, dep in nginx["depends_on"].items()} == {
        "api-1": "service_healthy",
        "api-2": "service_healthy",
    }
    upstreams = re.findall(r"server (api-\d):8000", (PROJECT_ROOT / "deploy/nginx/reelbyte.conf").read_text())
    assert sorted(upstreams) == ["api-1", "api-2"]


def test_compose_keeps_secrets_out_and_documents_every_variable() -> None:
    text = (PROJECT_ROOT / "compose.yaml").read_text()
    services = _compose()["services"]
    documented = _documented_variables()
    referenced = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    assert referenced - documented == set(), "compose.yaml uses variables .env.example does not list"
    for name in APP_SERVICES:
        keys = set(services[name]["environment"])
        assert keys - documented == set(), f"{name} sets variables .env.example does not list"
    for secret in ("SECRET_KEY", "POSTGRES_PASSWORD", "S3_SECRET_ACCESS_KEY", "S3_ACCESS_KEY_ID"):
        # Required from the environment (`${NAME:?…}`), never a default written here.
        assert re.search(rf"\$\{{{secret}:\?", text), secret
        assert not re.search(rf"\$\{{{secret}:-", text), secret
    assert services["api-1"]["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")


def _exported_names(exposition: str) -> set[str]:
    """Every series name the scrape can contain, also of families with no sample yet."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    return {
        family.name + suffix
        for family in text_string_to_metric_families(exposition)
        for suffix in suffixes.get(family.type, ("",))
    }


def _queried_names(dashboard: dict[str, Any]) -> set[str]:
    expressions = [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if panel["type"] != "row"
    ]
    assert expressions
    return {name for expr in expressions for name in re.findall(r"\breelbyte_[a-z0-9_]+", expr)}


@pytest.fixture
async def loopback(app: FastAPI) -> Any:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_the_grafana_dashboard_queries_only_exported_metrics(loopback: httpx.AsyncClient) -> None:
    dashboard = json.loads((PROJECT_ROOT / "deploy/grafana/reelbyte.json").read_text())
    assert dashboard["templating"]["list"][0]["type"] == "datasource"
    titles = " ".join(panel["title"].lower() for panel in dashboard["panels"])
    for topic in ("request rate", "p95", "5xx", "4xx", "queue depth", "oldest", "websocket", "ledger"):
        assert topic in titles, topic
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]

    assert (await loopback.get("/health")).status_code == 200
    response = await loopback.get("/metrics")
    assert response.status_code == 200
    missing = _queried_names(dashboard) - _exported_names(response.text)
    assert missing == set(), f"the dashboard queries metrics /metrics does not export: {missing}"


def test_the_deploy_guide_is_linked_and_covers_kubernetes() -> None:
    guide = (PROJECT_ROOT / "docs/deploy.md").read_text()
    for topic in ("docker compose", "/health/ready", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert topic in guide, topic
    assert "backup restore" in guide
    assert "docs/deploy.md" in (PROJECT_ROOT / "README.md").read_text()
    for link in re.findall(r"\]\((?!https?:)([^)#]+)", guide):
        assert (Path(PROJECT_ROOT / "docs") / link).resolve().exists(), link


def test_the_worker_service_runs_every_queue_but_media(settings: Settings) -> None:
    """compose's `worker` is `reelbyte worker --except-queues media`, beside `media-worker`."""
    env = {**os.environ, **s3_env(settings), "COLUMNS": "300"}
    env.update(DATABASE_URL=settings.database_url or "", REDIS_URL=settings.redis_url or "")
    worker = subprocess.Popen(
        [sys.executable, "-m", "reelbyte.cli", "worker", "--except-queues", "media"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        started = next(line for line in worker.stdout if "running" in line)
    finally:
        worker.kill()  # the queues are named before it starts working; its stop is not under test here
        worker.wait(timeout=60)
    queues = started.split("queues", 1)[1].split("(")[0]
    assert "email" in queues
    assert "payments" in queues
    assert "media" not in queues
