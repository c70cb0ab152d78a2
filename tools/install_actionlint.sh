#!/usr/bin/env bash
# Install the pinned actionlint into .tools/ (git-ignored) through the Go module proxy.
# Used by the template tests (tests/test_workflows.py); on GitHub runners any install method works.
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${ROOT}/.tools"
BINARY="${TOOLS}/actionlint"

if [[ -x "${BINARY}" ]] && "${BINARY}" -version | head -n 1 | grep -qx "${ACTIONLINT_VERSION}"; then
    exit 0
fi
if ! command -v go >/dev/null 2>&1; then
    echo "install_actionlint.sh: Go is not on PATH; install Go 1.22+ or put actionlint ${ACTIONLINT_VERSION} at ${BINARY}" >&2
    exit 1
fi
mkdir -p "${TOOLS}"
GOBIN="${TOOLS}" go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
"${BINARY}" -version | head -n 1
