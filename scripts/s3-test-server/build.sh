#!/usr/bin/env bash
# Builds the S3-compatible server of the tests (gofakes3, MIT, from the Go module proxy, behind a
# SigV4 check) into .keel/bin/s3-test-server. Idempotent: does nothing when the binary is newer than
# its sources. Needs Go (1.24 or later).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../.keel/bin/s3-test-server"
if [ -x "$out" ] && [ "$out" -nt "$here/main.go" ] && [ "$out" -nt "$here/go.mod" ] && [ "$out" -nt "$here/go.sum" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "s3-test-server: Go is not installed (Debian: apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
(cd "$here" && go build -o "$out" .)
echo "s3-test-server built: $out"
