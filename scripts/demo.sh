#!/usr/bin/env bash
# Brings up the whole study on the embedded defaults: SQLite, Celery over the filesystem
# transport, media on the local disk, CPU torch. Ctrl-C stops the server and the workers.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DEMO_IMAGES=${DEMO_IMAGES:-2000}
HOST=${DEMO_HOST:-127.0.0.1}
PORT=${DEMO_PORT:-8000}
# The demo runs on the embedded defaults even where a .env or the shell points elsewhere.
unset DATABASE_URL CELERY_BROKER_URL
mkdir -p var/log

echo "==> Database"
$PY manage.py migrate --noinput

echo "==> Workers (queues: default, gpu) and beat (requeues what a stopped worker left)"
pids=()
# A worker's warm shutdown waits for its running task (a training run can take minutes): give
# it a few seconds, then stop it hard. Its job keeps its last checkpoint; the next time the demo
# starts, beat's periodic job finds the job's lease stale (a minute after it stopped) and queues
# it again, and it resumes from that checkpoint.
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 10); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return
    sleep 1
  done
  for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
$PY -m celery -A config worker -Q default -n default@%h --concurrency 1 --loglevel INFO \
    --logfile var/log/worker-default.log &
pids+=($!)
$PY -m celery -A config worker -Q gpu -n gpu@%h --concurrency 1 --loglevel INFO \
    --logfile var/log/worker-gpu.log &
pids+=($!)
$PY -m celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule \
    --logfile var/log/beat.log &
pids+=($!)

echo "==> Demo data ($DEMO_IMAGES stand-in images)"
$PY manage.py setup_demo --images "$DEMO_IMAGES"

echo
echo "The platform is up at http://$HOST:$PORT/"
cat var/demo-login.txt
[ -f var/demo-links.txt ] && { echo "Invitation links for GPs:"; cat var/demo-links.txt; }
echo "Worker logs: var/log/. Stop with Ctrl-C."
$PY manage.py runserver "$HOST:$PORT" --noreload
