#!/usr/bin/env bash
# Runs every go test -fuzz target for a while: FUZZTIME per target
# (default 10s; CI uses the default, run longer locally, e.g. FUZZTIME=10m).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
targets=(
	"./internal/kafka FuzzRequestStream"
	"./internal/batch FuzzValidate"
	"./internal/batch FuzzParseHeader"
	"./internal/batch FuzzDecompress"
	"./internal/commitlog FuzzRecovery"
	"./internal/partition FuzzTxnIndex"
	"./internal/partition FuzzSnapshot"
	"./internal/partition FuzzCleanCheckpoint"
	"./internal/grouplog FuzzConsumerValue"
)
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	echo "== $name ($pkg, $fuzztime)"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done
