#!/usr/bin/env bash
# Budget 5: the first-load assets, brotli-compressed (quality 11, as a server would serve
# them precompressed), against the budgets and against the figures committed in
# bench/sizes.txt (more than 5% growth fails).
#   bench/sizes.sh PKG_DIR COMMITTED RESULTS
set -euo pipefail
PKG=$1
COMMITTED=$2
RESULTS=$3
br() { brotli -c -q 11 "$1" | wc -c; }
WASM=$(br "$PKG/amidesk_bg.wasm")
JS=$(br "$PKG/amidesk.js")
CSS=$(br "$PKG/amidesk.css")
ALL=$((WASM + JS + CSS))
kb() { python3 -c "print(round($1 / 1024, 1))"; }
was() { awk -v k="$1" '$1 == k { print $2 }' "$COMMITTED"; }
check() {
    local name=$1 bytes=$2 budget_kb=$3 key=$4
    local committed; committed=$(was "$key")
    local ok
    ok=$(python3 -c "print('yes' if $bytes <= $budget_kb * 1024 and $bytes <= ${committed:-$bytes} * 1.05 else 'NO')")
    printf '%s\t%s\t%s\t%s\t%s\n' "$name (committed: $(kb "${committed:-0}") KB)" "$(kb "$bytes")" "$budget_kb" "KB" "$ok" >> "$RESULTS"
}
check "5. hydration wasm, brotli" "$WASM" 250 wasm
check "5. all first-load assets (wasm + js + css), brotli" "$ALL" 350 all
echo "measured: wasm $WASM bytes, all $ALL bytes (update $COMMITTED when a change is meant to grow them)"
