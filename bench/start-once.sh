#!/usr/bin/env bash
# One start-up for hyperfine: start the server, wait for the first 200 of /signin, stop it.
# The environment (database, site root, AWS) comes from bench/run.sh.
set -euo pipefail
"$1" --listen "$2" > /dev/null 2>&1 &
pid=$!
until curl -fs -o /dev/null "http://$2/signin"; do
    kill -0 "$pid" 2> /dev/null || exit 1
    sleep 0.002
done
kill "$pid"
wait "$pid" 2> /dev/null || true
