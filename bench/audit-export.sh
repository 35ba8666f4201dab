#!/usr/bin/env bash
# Streams an export of the whole audit table from the release server and samples the
# server's resident memory while it runs, to show that the export runs in constant memory.
# Usage: bench/audit-export.sh SERVER_BIN DATABASE_FILE
set -euo pipefail
bin=$1
db=$2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="benchmark admin password"
AMIDESK_LISTEN=127.0.0.1:$port AMIDESK_DATABASE_URL=sqlite://$db AMIDESK_ADMIN_PASSWORD="$password" \
  AMIDESK_LOG=warn AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_EC2=http://127.0.0.1:9 \
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 \
  MIMALLOC_ARENA_EAGER_COMMIT=0 MIMALLOC_PURGE_DELAY=0 "$bin" &  # the allocator as `make run` sets it
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
jar=$(mktemp)
curl -s -c "$jar" -o /dev/null -d "username=admin&password=$password" "http://127.0.0.1:$port/api/auth/sign_in"
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
for format in csv jsonl; do
  before=$(rss)
  peak=$before
  start=$(date +%s.%N)
  curl -s -b "$jar" "http://127.0.0.1:$port/audit/export?format=$format" -o "/tmp/amidesk-export.$format" &
  fetch=$!
  while kill -0 $fetch 2>/dev/null; do
    now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  lines=$(wc -l < "/tmp/amidesk-export.$format")
  size=$(du -m "/tmp/amidesk-export.$format" | cut -f1)
  echo "| export $format | $lines lines, $size MiB | ${secs}s | RSS before $((before / 1024)) MiB, peak $((peak / 1024)) MiB |"
  rm -f "/tmp/amidesk-export.$format"
done
