# shellcheck shell=bash
# Sourced by scripts/docker-build-check.sh and scripts/compose-check.sh: how they report, and
# how they get a Python base image and build the bot's image when no registry is reachable.
# Both scripts run from the repository's root with `set -euo pipefail`; PYTHON names the
# interpreter that builds wheels.

LOCAL_BASE=briefbot-base:bookworm
DEBIAN_MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)

skip() {
  echo "skipped: $*"
  exit 0
}

fail() {
  echo "FAILED: $*"
  exit 1
}

expect() {  # expect WHAT OUTPUT PATTERN
  if ! grep -q -- "$3" <<<"$2"; then
    echo "FAILED: $1: expected '$3' in:"
    echo "$2"
    exit 1
  fi
  echo "ok: $1"
}

pullable() {  # pullable IMAGE: here already, or pulled now
  docker image inspect "$1" >/dev/null 2>&1 || timeout 120 docker pull -q "$1" >/dev/null 2>&1
}

need_debootstrap() {  # skips, saying why, where debootstrap cannot make an image
  command -v debootstrap >/dev/null 2>&1 || skip "cannot pull an image and debootstrap is missing"
  [ "$(id -u)" = 0 ] || skip "cannot pull an image and debootstrap needs root"
  [ -n "$DEBIAN_MIRROR" ] || skip "cannot pull an image and no Debian mirror is configured"
}

make_python_base() {  # make_python_base SCRATCH_DIR: LOCAL_BASE, made once with debootstrap
  local dir=$1/rootfs
  docker image inspect "$LOCAL_BASE" >/dev/null 2>&1 && return 0
  need_debootstrap
  echo "Making $LOCAL_BASE with debootstrap from $DEBIAN_MIRROR"
  timeout 240 debootstrap --variant=minbase --include=python3,python3-venv,python3-pip \
    bookworm "$dir" "$DEBIAN_MIRROR" >/dev/null || skip "cannot pull an image and debootstrap failed"
  tar -C "$dir" -c . | docker import - "$LOCAL_BASE" >/dev/null
  rm -rf "$dir"
}

offline_build() {  # offline_build CONTEXT: wheels for an image built from LOCAL_BASE offline
  # Bookworm's python3 is 3.11: the wheelhouse must be built by a 3.11 for its binary wheels.
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || skip "the wheelhouse for $LOCAL_BASE needs Python 3.11 here"
  echo "Building a wheelhouse for an offline build on $LOCAL_BASE"
  mkdir -p "$1/wheels"
  (cd "$1" && "$PYTHON" -m pip wheel --quiet --disable-pip-version-check \
    -w wheels . 'setuptools>=77' >pip.log 2>&1) || { cat "$1/pip.log"; exit 1; }
  rm -f "$1/pip.log"
}
