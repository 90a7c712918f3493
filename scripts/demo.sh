#!/usr/bin/env bash
# The main job, offline: builds spfdoctor and checks mail from a few senders
# against the bundled demo zone (examples/demo.zone).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ZONE=examples/demo.zone
run() { echo "\$ spfdoctor $*"; build/spfdoctor "$@" || true; echo; }
run lint example.com --zone "$ZONE"
run lint example.com --zone "$ZONE" --record "v=spf1 mx include:_spf.mailer.example.net ptr ?all" --ip 198.51.100.7
run eval --zone "$ZONE" --ip 203.0.113.9 --sender bob@strict.example.com
run eval --zone "$ZONE" --ip 2001:db8:100::1 --sender alice@example.com --no-trace
run eval --zone "$ZONE" --ip 192.0.2.1 --sender x@twice.example.com --no-trace
