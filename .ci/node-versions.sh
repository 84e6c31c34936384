#!/usr/bin/env bash
# The daemon's Node.js options on every Node.js line it supports, not only this machine's: V8 renames and
# drops options between releases, and Node stops at once on one it does not know (Node 24 dropped
# --expose-wasm, which the daemon shipped with for a while: the image's build on node:26-slim failed).
# For each major of supported_node_majors (.ci/node-release.sh), the official build of its newest release:
#   - `node <options of npm start> -e 0` exits 0 with nothing on stderr (no warning at every start);
#   - the built bundle starts with them and prints its version (`dist/src/main.js --version`).
#
#   bash .ci/node-versions.sh        after `npm run build`; fetches the Node.js builds once (cached)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=.ci/node-release.sh
source .ci/node-release.sh
log() { printf '[node-versions.sh %3ss] %s\n' "$SECONDS" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# The options of npm start, which test/unit/node-flags.test.ts holds every other start of the daemon to.
read -r -a FLAGS <<<"$(node -p 'require("./package.json").scripts.start.match(/^node ((?:--\S+ )+)dist\/src\/main\.js$/)?.[1] ?? ""')"
((${#FLAGS[@]} > 0)) || die "package.json's start script is not 'node --… dist/src/main.js'"
[[ -f dist/src/main.js ]] || die "no dist/src/main.js: npm run build first"
VERSION=$(node -p 'require("./package.json").version')

majors=$(supported_node_majors)
for major in $majors; do
  node_bin=$(node_release "$major") || die "no Node.js $major"
  release=$("$node_bin" -v)
  err=$(mktemp)
  status=0
  "$node_bin" "${FLAGS[@]}" -e 0 2>"$err" || status=$?
  if ((status != 0)) || [[ -s $err ]]; then
    cat "$err" >&2
    die "Node.js $release: node ${FLAGS[*]} -e 0 exited $status$([[ -s $err ]] && echo ', with the stderr above')"
  fi
  out=$("$node_bin" "${FLAGS[@]}" dist/src/main.js --version 2>"$err") || { cat "$err" >&2; die "Node.js $release: the daemon did not start"; }
  [[ -s $err ]] && { cat "$err" >&2; die "Node.js $release: the daemon wrote the stderr above for --version"; }
  [[ $out == *"$VERSION"* ]] || die "Node.js $release: --version printed '$out', not $VERSION"
  rm -f "$err"
  log "Node.js $release: ${FLAGS[*]}: silent, the daemon starts ($out)"
done
log "passed for Node.js $majors"
