"""The container files users get: compose.yaml runs the bot after PostgreSQL is healthy, and the
Dockerfile builds in two stages and runs as a non-root user with a health check.
(scripts/docker-build-check.sh builds and runs the image, and scripts/compose-check.sh runs
compose.yaml's two profiles, where Docker is available.)"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import HOME_VARIABLE

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_compose_runs_the_bot_on_a_healthy_postgres() -> None:
    spec = compose()
    services = spec["services"]
    # `docker compose up` starts the services without a profile.
    assert {name for name, service in services.items() if "profiles" not in service} == {
        "bot",
        "db",
    }
    db, bot = services["db"], services["bot"]

    assert db["image"] == "postgres:16"
    test = db["healthcheck"]["test"]
    test = test if isinstance(test, str) else " ".join(test)
    assert "pg_isready" in test
    # Over TCP: the image's first-start server, which makes the database, has only its socket.
    assert "-h 127.0.0.1" in test
    [db_volume] = db["volumes"]
    name, _, mount = db_volume.partition(":")
    assert mount == "/var/lib/postgresql/data"
    assert name in spec["volumes"], "the database lives in a named volume"

    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["build"] == "."
    url = bot["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://")
    assert "@db:5432/" in url
    assert bot["env_file"] == [{"path": ".env", "required": False}]
    assert bot["ports"] == ["127.0.0.1:8080:8080"], "published on the host's loopback only"
    assert all(v.split(":")[0] in spec["volumes"] for v in bot["volumes"])


def test_the_replicas_profile_runs_two_bots_on_one_database_behind_a_load_balancer() -> None:
    spec = compose()
    services = spec["services"]
    bot, second, lb = services["bot"], services["bot-2"], services["lb"]
    assert second["profiles"] == lb["profiles"] == ["replicas"]
    # The same image, database and settings file: one token, one shared webhook secret.
    for same in ("build", "image", "env_file", "environment", "depends_on"):
        assert second[same] == bot[same], same
    assert second["ports"] == [], "reached through the load balancer only"
    [volume] = second["volumes"]
    assert volume.split(":")[0] in spec["volumes"]
    assert volume not in bot["volumes"], "each replica has its own /data"

    assert lb["ports"] == ["127.0.0.1:8081:8080"]
    assert set(lb["depends_on"]) == {"bot", "bot-2"}
    [mount] = lb["volumes"]
    source, target, mode = mount.split(":")
    assert (target, mode) == ("/etc/nginx/conf.d/default.conf", "ro")
    conf = (ROOT / source).read_text()
    upstream = re.search(r"upstream briefbot \{([^}]*)\}", conf)
    assert upstream is not None
    assert re.findall(r"server ([\w-]+):8080;", upstream[1]) == ["bot", "bot-2"]
    assert "listen 8080;" in conf
    assert "proxy_pass http://briefbot;" in conf
    # A replica that is down, being restarted or stopping has not taken the update: the other
    # one gets it, within 3 s (Slack's limit), so not after a read timeout (the update was sent).
    [retry] = re.findall(r"proxy_next_upstream ([^;]+);", conf)
    assert set(retry.split()) == {"error", "timeout", "http_503", "non_idempotent"}
    [within] = re.findall(r"proxy_next_upstream_timeout (\d+)s;", conf)
    [connect] = re.findall(r"proxy_connect_timeout (\d+)s;", conf)
    [read] = re.findall(r"proxy_read_timeout (\d+)s;", conf)
    assert int(connect) < int(within) <= 3 < int(read)
    # Every worker process knows which replica failed.
    assert re.search(r"^\s*zone briefbot \d+k;", upstream[1], re.MULTILINE)


def test_dockerfile_builds_a_wheel_and_runs_it_unprivileged() -> None:
    steps = instructions()
    stages = [rest for keyword, rest in steps if keyword == "FROM"]
    assert len(stages) == 2
    assert re.fullmatch(r"\$\{PYTHON_IMAGE\} AS builder", stages[0], re.IGNORECASE)
    assert stages[1] == "${PYTHON_IMAGE}"
    assert ("ARG", "PYTHON_IMAGE=python:3.12-slim") in steps
    assert ("COPY", "--from=builder /dist/ /tmp/dist/") in steps

    [user] = [rest for keyword, rest in steps if keyword == "USER"]
    assert user.split(":")[0] not in {"root", "0"}

    env = " ".join(rest for keyword, rest in steps if keyword == "ENV")
    assert f"{HOME_VARIABLE}=/data" in env
    assert "HTTP_HOST=0.0.0.0" in env
    assert ("VOLUME", '["/data"]') in steps
    assert ("EXPOSE", "8080") in steps
    [health] = [rest for keyword, rest in steps if keyword == "HEALTHCHECK"]
    assert "/healthz" in health
    assert "urllib" in health
    assert ("ENTRYPOINT", '["briefbot"]') in steps
    assert ("CMD", '["run"]') in steps


def test_the_image_is_built_from_the_package_sources_only() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*", "everything is left out unless named"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert {"pyproject.toml", "README.md", "bot", "briefings"} <= allowed
    assert ".env" not in allowed
    assert ".venv" not in allowed


@pytest.mark.parametrize("script", ["docker-build-check.sh", "compose-check.sh"])
def test_the_check_scripts_skip_without_docker(tmp_path: Path, script: str) -> None:
    # A `docker` whose daemon cannot be reached, first on PATH.
    fake = tmp_path / "docker"
    fake.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    fake.chmod(0o755)
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / script)],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "skipped: Docker is not available"
