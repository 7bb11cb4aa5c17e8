#!/usr/bin/env bash
# Builds the Dockerfile and checks the image: --version, migrate, seed, a chat line, an HTML
# article ingested, `run` with no tokens (exit 2), and `run` against a local fake Slack Web API
# with a passing HEALTHCHECK.
# Skips, and exits 0, when Docker is not available; CI (.ci/run) calls it after `make test`.
#
# The base image is PYTHON_IMAGE (default python:3.12-slim). When that cannot be pulled (no
# registry), a Debian bookworm image is made with debootstrap (about a minute, once; reused
# afterwards) and the image is built offline from a wheelhouse made here, since pip inside the
# build may not reach the package index either.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-briefbot:check}
PYTHON_IMAGE=${PYTHON_IMAGE:-python:3.12-slim}
PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo "$PWD/.venv/bin/python" || echo python3)}
# shellcheck source=scripts/docker-common.sh
. scripts/docker-common.sh

docker info >/dev/null 2>&1 || skip "Docker is not available"

context=$(mktemp -d)
fake_pid=
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; fi
  docker rm -f -v briefbot-check >/dev/null 2>&1 || true
  rm -rf "$context"
}
trap cleanup EXIT

# The build context: what .dockerignore lets through, without build/ or egg-info from here.
cp -r Dockerfile .dockerignore pyproject.toml README.md bot briefings "$context"/
mkdir -p "$context/wheels"
build_args=()

if pullable "$PYTHON_IMAGE"; then
  base=$PYTHON_IMAGE
else
  make_python_base "$context"
  base=$LOCAL_BASE
  offline_build "$context"
  build_args+=(--build-arg PIP_OPTIONS=--no-index)
fi

echo "Building $IMAGE from $base"
docker build --quiet --build-arg "PYTHON_IMAGE=$base" "${build_args[@]}" -t "$IMAGE" "$context" >/dev/null

expect "--version" "$(docker run --rm "$IMAGE" --version)" "^briefbot "
expect "runs as a non-root user" "$(docker run --rm --entrypoint id "$IMAGE" -u)" "^10001$"
volume=briefbot-check-$$
expect "migrate into the volume" "$(docker run --rm -v "$volume:/data" "$IMAGE" migrate)" \
  "SQLite file /data/data/briefbot.db"
expect "seed" "$(docker run --rm -v "$volume:/data" "$IMAGE" seed)" "Added 9 topics"
expect "chat" "$(echo /treaty | docker run --rm -i -v "$volume:/data" "$IMAGE" chat)" \
  "THE PARTNERSHIP TREATY"
# An HTML page through the whole pipeline (trafilatura, jusText, the shipped vectors):
# a fresh install once missed a dependency that only HTML ingestion imports.
expect "ingest an HTML page" \
  "$(docker run --rm -i -v "$volume:/data" "$IMAGE" ingest - --dry-run \
    <tests/fixtures/articles/closing/604_factcheck_five_claims.html)" \
  "^FactLens: Fact check: Five claims.*dry run"
docker volume rm "$volume" >/dev/null
status=0
refused=$(docker run --rm "$IMAGE" 2>&1) || status=$?
[ "$status" = 2 ] || { echo "FAILED: run without tokens exited $status"; exit 1; }
expect "run without tokens exits 2 with a reason" "$refused" "no chat tokens are configured"

# `run` as deployed: Slack in HTTP mode against a fake Web API on this host; the container
# shares the host's network so both sides are on loopback.
ports=$("$PYTHON" -c 'import socket
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
api_port=$(sed -n 1p <<<"$ports")
http_port=$(sed -n 2p <<<"$ports")
"$PYTHON" - "$api_port" <<'EOF' &
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class SlackApi(BaseHTTPRequestHandler):
    def do_POST(self):  # every Web API method the adapter calls at start answers ok
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(sys.argv[1])), SlackApi).serve_forever()
EOF
fake_pid=$!
docker run -d --name briefbot-check --network host --health-interval 2s --health-start-period 30s \
  -e SLACK_BOT_TOKEN=xoxb-check -e SLACK_SIGNING_SECRET=check \
  -e "SLACK_API_BASE_URL=http://127.0.0.1:$api_port/api/" \
  -e HTTP_HOST=127.0.0.1 -e "HTTP_PORT=$http_port" "$IMAGE" >/dev/null
health=starting
for _ in $(seq 60); do
  health=$(docker inspect --format '{{.State.Health.Status}}' briefbot-check)
  [ "$health" = healthy ] && break
  sleep 1
done
[ "$health" = healthy ] || { echo "FAILED: health is $health"; docker logs briefbot-check; exit 1; }
expect "HEALTHCHECK on /healthz with Slack configured" "$health" healthy
expect "/healthz" "$("$PYTHON" -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$http_port/healthz').read().decode())")" '"ok"'
docker stop -t 20 briefbot-check >/dev/null
expect "stops cleanly on SIGTERM" "$(docker inspect --format '{{.State.ExitCode}}' briefbot-check)" "^0$"
echo "Docker image $IMAGE: every check passed"
