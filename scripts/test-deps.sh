#!/usr/bin/env bash
# Installs what the test suite needs besides Rust, on Debian or Ubuntu: OpenSSL's command-line
# tool (the TLS tests' peer), and a Python virtualenv at .venv-test in the workspace root (or
# where PIPEBUF_TEST_VENV points) with the `websockets` package (the WebSocket tests' peer) and
# `kosoku` (the Autobahn|Testsuite runner). Safe to run again: what is there already is kept, and
# a second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# The versions the tests were written against; kosoku needs Python 3.10 or newer.
WEBSOCKETS_VERSION=17.4
KOSOKU_VERSION=0.1.0
venv="${PIPEBUF_TEST_VENV:-$PWD/.venv-test}"

apt_updated=""
# Installs Debian packages, as root or through sudo, updating the package lists once.
apt_install() {
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  if [ -z "$apt_updated" ]; then
    $sudo_cmd apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@"
}

# The TLS tests talk to real OpenSSL peers (`openssl s_client`, `s_server`).
command -v openssl >/dev/null || apt_install openssl
openssl version

# The end-to-end benchmark's smoke test pins its processes to cores with taskset.
command -v taskset >/dev/null || apt_install util-linux

command -v python3 >/dev/null || apt_install python3
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "test-deps: kosoku needs Python 3.10 or newer; python3 is $(python3 --version)" >&2
  exit 1
}

# A virtualenv that lost its interpreter (Python upgraded or moved) is made anew.
if [ -d "$venv" ] && ! "$venv/bin/python" -c '' 2>/dev/null; then
  rm -rf "$venv"
fi
if [ ! -d "$venv" ]; then
  # Debian splits venv support (ensurepip) into python3-venv: install it only when needed.
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv"
  fi
fi

# pip runs only when a package is missing or at another version.
if ! "$venv/bin/python" - "$WEBSOCKETS_VERSION" "$KOSOKU_VERSION" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version

sys.exit(version("websockets") != sys.argv[1] or version("kosoku") != sys.argv[2])
PY
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "websockets==$WEBSOCKETS_VERSION" "kosoku==$KOSOKU_VERSION"
fi
"$venv/bin/kosoku" --help >/dev/null
echo "test virtualenv: $venv (websockets $WEBSOCKETS_VERSION, kosoku $KOSOKU_VERSION)"
