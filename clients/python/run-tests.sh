#!/usr/bin/env bash
# Tests of the Python client against a real `leann serve` node (started and stopped by the tests;
# bin/leann builds the jar if it is stale). The client is first installed into a fresh venv the
# way a user installs it, `pip install clients/python`, and the tests import that installed copy.
# Offline: the build uses the setuptools and wheel of the system Python (Debian: python3-venv,
# python3-wheel). The drop-in package's tests (tests/test_dropin.py) need JPype: Debian's python3-jpype,
# installed here when run as root, seen by the venv through --system-site-packages; without it they
# are skipped, saying so. Pass unittest arguments through, e.g. `run-tests.sh -k Search`. On a failure the
# server's log tail is printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import jpype' 2>/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -q python3-jpype >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-jpype >/dev/null; }
  else
    echo "run-tests.sh: JPype is missing, the drop-in package's tests will be skipped (apt-get install python3-jpype)" >&2
  fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/pip" install -q --disable-pip-version-check --no-index --no-build-isolation "$here"
cd "$here"
export LEANN_TEST_SERVER_LOG="$tmp/server.log"
if ! "$tmp/venv/bin/python" -m unittest discover -s tests -t . -v "$@"; then
  if [[ -f $LEANN_TEST_SERVER_LOG ]]; then
    echo "--- last 80 lines of the leann serve log ---" >&2
    tail -n 80 "$LEANN_TEST_SERVER_LOG" >&2
  fi
  exit 1
fi
