#!/usr/bin/env bash
# Set up everything the demo and the tests need, on a fresh machine: checks Python 3.12 and Java 17+,
# creates .venv and installs the template tooling plus the generated project's locked stack (with uv).
# Safe to rerun: it reinstalls only when requirements-dev.txt or the template's pyproject/uv.lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

PYTHON_WANTED=3.12  # Databricks Runtime 17.3 LTS

find_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  local candidate
  for candidate in "python$PYTHON_WANTED" python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != (3, 12))" 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/"$PYTHON_WANTED"*/bin/python"$PYTHON_WANTED"; do
      [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
  fi
  return 1
}

check_java() {
  local java=java
  [ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
  command -v "$java" >/dev/null 2>&1 ||
    die "Java is not installed. Local Spark 4 needs Java 17 or 21: install OpenJDK 17 (e.g. 'apt-get install openjdk-17-jdk-headless') and set JAVA_HOME."
  local version major
  version=$("$java" -version 2>&1 | awk -F '"' '/version/ {print $2; exit}')
  major=${version%%.*}
  [ "$major" = 1 ] && major=$(echo "$version" | cut -d. -f2)
  [ "${major:-0}" -ge 17 ] 2>/dev/null ||
    die "Java $version found at $(command -v "$java"); local Spark 4 needs Java 17 or 21. Install OpenJDK 17 and set JAVA_HOME."
  say "Java $version"
}

check_java
PYTHON_BIN=$(find_python) ||
  die "Python $PYTHON_WANTED not found (the target Databricks Runtime 17.3 LTS runs $PYTHON_WANTED). Install it, or set PYTHON=/path/to/python$PYTHON_WANTED."
say "Python $("$PYTHON_BIN" -c 'import sys; print(sys.version.split()[0])') at $PYTHON_BIN"

VENV=.venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import sys; sys.exit(sys.version_info[:2] != (3, 12))"; then
  say "creating $VENV"
  rm -rf "$VENV"
  "$PYTHON_BIN" -m venv "$VENV"
fi

# uv installs everything: the template tooling (requirements-dev.txt) and the generated project's stack
# at the exact versions of its uv.lock, so the tests run on what a project's `uv sync --locked` installs.
# It reads certificates from SSL_CERT_FILE; pip's setting carries over.
if [ -z "${SSL_CERT_FILE:-}" ] && [ -n "${PIP_CERT:-}" ]; then export SSL_CERT_FILE=$PIP_CERT; fi
UV_PIN=$(grep -E '^uv==' requirements-dev.txt | cut -d' ' -f1)
if [ "$("$VENV/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "${UV_PIN#uv==}" ]; then
  say "installing $UV_PIN"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$UV_PIN"
fi
uv_install() { "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" "$@"; }

STAMP=$VENV/requirements.stamp
TEMPLATE='{{cookiecutter.project_slug}}'
{
  cat requirements-dev.txt
  sha256sum "$TEMPLATE/pyproject.toml" "$TEMPLATE/uv.lock"
} >"$STAMP.new"
if ! cmp -s "$STAMP.new" "$STAMP"; then
  say "installing the template tooling and the generated project's locked stack (first time: ~1 min)"
  uv_install -r requirements-dev.txt
  "$VENV/bin/python" tools/project_requirements.py >"$VENV/project-requirements.txt"
  uv_install -r requirements-dev.txt -r "$VENV/project-requirements.txt"
  mv "$STAMP.new" "$STAMP"
else
  rm -f "$STAMP.new"
  say "$VENV is up to date"
fi

say "actionlint for the workflow tests"
bash tools/install_actionlint.sh >/dev/null
