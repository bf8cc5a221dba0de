#!/usr/bin/env bash
# Seeds the fuzz corpus with every public vector (tests/fixtures), then fuzzes.
#   crates/zvt/fuzz/seed.sh [SECONDS]   (needs: rustup nightly, cargo install cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/decode
python3 - <<'PY'
import json, glob
for f in glob.glob("tests/fixtures/*.json"):
    for v in json.load(open(f)):
        open("fuzz/corpus/decode/" + v["id"], "wb").write(bytes.fromhex(v["hex"]))
PY
cargo +nightly fuzz run decode -- -max_total_time="${1:-300}"
