#!/usr/bin/env bash
# Runs test suites as on a stranger's machine where `import pandas, sklearn, onnx` all fail
# (issue 12, "a suite that passes anywhere"): a PYTHONPATH folder shadows the three packages with
# modules that raise ImportError, and MLPIPE_REQUIRE_ALL is unset, so every suite must pass or skip
# by name. Usage: scripts/stranger-check.sh [test files...]   (no arguments: the whole suite)
# Build first (npm run -s build): the end-to-end tests spawn dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
poison="$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-stranger-XXXXXX")"
trap 'rm -rf "$poison"' EXIT
for pkg in pandas sklearn onnx; do
  mkdir -p "$poison/$pkg"
  printf 'raise ImportError("%s is not installed (scripts/stranger-check.sh)")\n' "$pkg" >"$poison/$pkg/__init__.py"
done
if PYTHONPATH="$poison" /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
  echo "stranger-check: could not shadow the onnx package" >&2
  exit 1
fi
export PYTHONPATH="$poison"
unset MLPIPE_REQUIRE_ALL
exec npx vitest run "$@"
