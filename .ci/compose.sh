#!/usr/bin/env bash
# Proves docker-compose.yml: builds the images here (no image registry is reachable, so the base images come
# from official Node.js builds and Debian's mosquitto), starts the stack with the plex.tv stand-in, checks that
# discovery and state arrive on the broker and that the daemon's container reports healthy, then tears it
# all down, on failure too.
#
#   bash .ci/compose.sh       needs a running engine and the broker image: `bash .ci/docker.sh up` first
#
# Idempotent: leftovers of an earlier run are removed first; the local base images are rebuilt only when their
# Node.js or their recipe changes. Bounded: every build and wait has a limit. Takes about 45 s with the
# images cached, 3 min without. Env: MOSQUITTO_IMAGE (default plex-home-mqtt/mosquitto:local, from .ci/docker.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

PROJECT=plex-home-mqtt-ci
WORK=/tmp/plex-home-mqtt-compose
BROKER_BASE="${MOSQUITTO_IMAGE:-plex-home-mqtt/mosquitto:local}"
BROKER_IMAGE=plex-home-mqtt/mosquitto-compose:local # BROKER_BASE plus mosquitto_sub, for the healthcheck
NODE_IMAGE=plex-home-mqtt/node:local                # runtime base: node and its libraries, no shell, no npm
BUILD_IMAGE=plex-home-mqtt/node-build:local         # build base: NODE_IMAGE plus npm and a shell
APP_IMAGE=plex-home-mqtt:ci
MQTT_USER=plex-home-mqtt
BUILD_TIMEOUT_S=900
UP_TIMEOUT_S=180
HEALTHY_WAIT_S=60
TOPICS_WAIT_S=60
COMPOSE=()

# shellcheck source=.ci/node-release.sh
source .ci/node-release.sh
log() { printf '[compose.sh %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

find_compose() {
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
  else
    # Debian 12 has no Compose v2 plugin; its docker-compose (v1) reads the same file.
    command -v docker-compose >/dev/null || {
      log "installing docker-compose (Debian)"
      { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose; } \
        </dev/null >/tmp/plex-home-mqtt-compose-apt.log 2>&1 || { tail -n 20 /tmp/plex-home-mqtt-compose-apt.log >&2; die "apt-get failed"; }
    }
    COMPOSE=(docker-compose)
  fi
  log "compose: $("${COMPOSE[@]}" version 2>/dev/null | head -n 1)"
}

COMPOSE_FILES=(-p "$PROJECT" -f docker-compose.yml -f compose.ci.yml)
compose() { (cd "$WORK/project" && "${COMPOSE[@]}" "${COMPOSE_FILES[@]}" "$@"); }

# Everything of the project, whether or not its compose files still exist: containers, volumes, networks.
sweep() {
  local kind
  if [[ -f $WORK/project/compose.ci.yml ]]; then compose down -v --remove-orphans --timeout 10 >/dev/null 2>&1 || true; fi
  docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" | xargs -r docker rm -f >/dev/null
  for kind in volume network; do
    docker "$kind" ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r docker "$kind" rm >/dev/null
  done
  rm -rf "$WORK"
}

on_exit() {
  local rc=$?
  if ((rc != 0)) && [[ -f $WORK/project/compose.ci.yml ]]; then
    compose ps >&2 || true
    compose logs --no-color --tail 40 >&2 || true
  fi
  log "tearing down (compose down -v)"
  sweep
  if ((rc == 0)); then log "passed in ${SECONDS}s"; else log "failed after ${SECONDS}s"; fi
}

# Copies binaries and every library ldd resolves for them (and the loader) into a root filesystem.
copy_binaries() {
  local root=$1 binary lib
  shift
  for binary in "$@"; do
    for lib in $(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
      cp -L --parents "$lib" "$root/"
    done
  done
}

# A base image made with `docker import`, labelled so that it is rebuilt when its Node.js changes.
import_image() {
  local image=$1 stamp=$2 root=$3 env=$4 old
  old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  tar --numeric-owner -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV $env" --change 'CMD ["node"]' \
    --change "LABEL local.stamp=\"$stamp\"" - "$image" >/dev/null
  [[ -z $old ]] || docker rmi "$old" >/dev/null 2>&1 || true
}

# The runtime base runs the Node.js the Dockerfile's default base has (node:NN-slim: the newest NN.x, an
# official build from the npm registry, .ci/node-release.sh), so that the images tested here run the Node.js
# users' images run; the build base runs this machine's Node.js and npm, which only compile.
build_node_images() {
  local stamp built root image node_bin recipe runtime_node
  runtime_node=$(node_release "$(dockerfile_node_major)") || die "no Node.js for the runtime image"
  # The recipe's own hash too: a change to these functions rebuilds the images.
  recipe=$(declare -f build_node_images import_image copy_binaries | sha256sum | cut -c 1-12)
  for image in "$NODE_IMAGE" "$BUILD_IMAGE"; do
    node_bin=/usr/bin/node
    [[ $image == "$BUILD_IMAGE" ]] || node_bin=$runtime_node
    stamp="node $("$node_bin" -v), npm $(npm -v), recipe $recipe"
    built=$(docker image inspect -f '{{index .Config.Labels "local.stamp"}}' "$image" 2>/dev/null || true)
    if [[ $built == "$stamp" ]]; then log "image $image present ($stamp)"; continue; fi
    log "building $image ($stamp)"
    root=$(mktemp -d)
    mkdir -p "$root/usr/bin" "$root/tmp" "$root/etc" "$root/root" "$root/home/node"
    chmod 1777 "$root/tmp"
    chown 1000:1000 "$root/home/node"
    cp "$node_bin" "$root/usr/bin/node"
    copy_binaries "$root" "$node_bin"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/home/node:/sbin/nologin\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
    local env=NODE_ENV=production
    if [[ $image == "$BUILD_IMAGE" ]]; then
      env=NPM_CONFIG_UPDATE_NOTIFIER=false
      # npm, a shell for `npm run` and `RUN`, env for `#!/usr/bin/env node`, mkdir for the Dockerfile.
      mkdir -p "$root/usr/lib/node_modules" "$root/bin"
      cp -a /usr/lib/node_modules/npm "$root/usr/lib/node_modules/"
      ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
      cp /bin/dash "$root/bin/sh" && cp /usr/bin/env "$root/usr/bin/" && cp /bin/mkdir "$root/bin/"
      copy_binaries "$root" /bin/dash /usr/bin/env /bin/mkdir
      # This machine's npm settings (a CA file here), so npm in the build reaches the registry as the host's does.
      local globalconfig cafile
      globalconfig=$(npm config get globalconfig)
      [[ ! -f $globalconfig ]] || cp -L --parents "$globalconfig" "$root/"
      cafile=$(npm config get cafile)
      [[ $cafile == null || ! -f $cafile ]] || cp -L --parents "$cafile" "$root/"
    fi
    import_image "$image" "$stamp" "$root" "$env"
    rm -rf "$root"
  done
}

# The broker image of .ci/docker.sh has no mosquitto_sub, which the compose file's healthcheck runs.
build_broker_image() {
  docker image inspect "$BROKER_BASE" >/dev/null 2>&1 || die "no image $BROKER_BASE: run bash .ci/docker.sh up first"
  local context=$WORK/broker
  mkdir -p "$context/root/usr/bin"
  cp /usr/bin/mosquitto_sub "$context/root/usr/bin/"
  copy_binaries "$context/root" /usr/bin/mosquitto_sub
  cat >"$context/Dockerfile" <<'EOF'
ARG BASE
FROM ${BASE}
COPY root/ /
EOF
  DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$BROKER_BASE" -t "$BROKER_IMAGE" "$context" >/dev/null 2>"$WORK/broker-build.log" ||
    { cat "$WORK/broker-build.log" >&2; die "building $BROKER_IMAGE"; }
  log "image $BROKER_IMAGE: $BROKER_BASE plus mosquitto_sub"
}

# The Dockerfile as users build it, with local base images; --network host: npm reaches the registry as here.
build_app_image() {
  local started=$SECONDS version label user old
  log "building $APP_IMAGE (NODE_IMAGE=$NODE_IMAGE BUILD_IMAGE=$BUILD_IMAGE; log: $WORK/app-build.log)"
  old=$(docker image inspect -f '{{.Id}}' "$APP_IMAGE" 2>/dev/null || true)
  # --force-rm: the legacy builder keeps a failed step's container otherwise.
  DOCKER_BUILDKIT=0 timeout "$BUILD_TIMEOUT_S" docker build --network host --force-rm \
    --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "BUILD_IMAGE=$BUILD_IMAGE" -t "$APP_IMAGE" . \
    >"$WORK/app-build.log" 2>&1 || { tail -n 40 "$WORK/app-build.log" >&2; die "docker build"; }
  [[ -z $old || $old == "$(docker image inspect -f '{{.Id}}' "$APP_IMAGE")" ]] || docker rmi "$old" >/dev/null 2>&1 || true
  version=$(node -p 'require("./package.json").version')
  label=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$APP_IMAGE")
  [[ $label == "$version" ]] || die "Dockerfile ARG VERSION is $label, package.json says $version: update the Dockerfile"
  user=$(docker image inspect -f '{{.Config.User}}' "$APP_IMAGE")
  [[ $user == node ]] || die "the image runs as '$user', not node"
  log "built $APP_IMAGE in $((SECONDS - started))s: version $label, user $user, $(docker image inspect -f '{{.Size}}' "$APP_IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
}

# test/support/fake-plex.ts compiled to JavaScript, and a server script for the fake-plex service.
compile_fake_plex() {
  local out=$WORK/fake-plex
  mkdir -p "$out"
  cat >"$WORK/tsconfig.fake-plex.json" <<EOF
{
  "extends": "$REPO/tsconfig.json",
  "compilerOptions": { "outDir": "$out", "rootDir": "$REPO", "typeRoots": ["$REPO/node_modules/@types"], "sourceMap": false, "noEmit": false },
  "include": [],
  "files": ["$REPO/test/support/fake-plex.ts"]
}
EOF
  npx --no-install tsc -p "$WORK/tsconfig.fake-plex.json" || die "compiling test/support/fake-plex.ts"
  printf '{ "type": "module" }\n' >"$out/package.json"
  cat >"$out/serve.mjs" <<'EOF'
import { startFakePlex } from './test/support/fake-plex.js';
import { home } from './test/support/plex-fixtures.js';

const plex = await startFakePlex(home(), process.env.FAKE_PLEX_TOKEN, { host: '0.0.0.0', port: 8080 });
console.log(`fake plex.tv serving the fixture home on ${plex.url}`);
process.once('SIGTERM', () => void plex.close().then(() => process.exit(0)));
EOF
  chmod -R a+rX "$out"
  log "fake plex.tv compiled to $out"
}

# A project folder as a user would lay it out: the repo's compose files, .env, secrets/.
make_project() {
  local dir=$WORK/project
  mkdir -p "$dir/docker/mosquitto" "$dir/secrets"
  cp docker-compose.yml "$dir/" && cp .ci/compose.ci.yml "$dir/" && cp docker/mosquitto/mosquitto.conf "$dir/docker/mosquitto/"
  FAKE_PLEX_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  MQTT_PASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$FAKE_PLEX_TOKEN" >"$dir/secrets/plex_token"
  printf '%s\n' "$MQTT_PASS" >"$dir/secrets/mqtt_password"
  chown 1000:1000 "$dir/secrets/plex_token" "$dir/secrets/mqtt_password"
  chmod 0600 "$dir/secrets/plex_token" "$dir/secrets/mqtt_password"
  # Debian's mosquitto_passwd (the image has none); mosquitto reads the file as its user, uid 1883.
  mosquitto_passwd -c -b "$dir/secrets/mosquitto_passwd" "$MQTT_USER" "$MQTT_PASS"
  chown 1883:1883 "$dir/secrets/mosquitto_passwd" && chmod 0600 "$dir/secrets/mosquitto_passwd"
  printf 'MQTT_USERNAME=%s\nPLEX_API_URL=http://fake-plex:8080\nPLEX_POLL_INTERVAL=5\nLOG_LEVEL=debug\n' "$MQTT_USER" >"$dir/.env"
  MQTT_HOST_PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  export MOSQUITTO_IMAGE=$BROKER_IMAGE MOSQUITTO_BIND=127.0.0.1 MOSQUITTO_PORT=$MQTT_HOST_PORT PLEX_HOME_MQTT_IMAGE=$APP_IMAGE \
    NODE_IMAGE FAKE_PLEX_TOKEN FAKE_PLEX_DIR=$WORK/fake-plex
}

container_of() { compose ps -q "$1"; }

wait_healthy() {
  local service=$1 id status i
  id=$(container_of "$service")
  [[ -n $id ]] || die "no container for $service"
  for ((i = 0; i < HEALTHY_WAIT_S; i++)); do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$id")
    [[ $status == healthy ]] && { log "$service is healthy (waited ${i}s)"; return 0; }
    sleep 1
  done
  docker inspect -f '{{json .State.Health}}' "$id" >&2
  die "$service is $status after ${HEALTHY_WAIT_S}s"
}

# Retained topics on the broker, read from this machine with the password, as any MQTT client would.
check_topics() {
  local seen='' discovery base=plex-home home=1234567 deadline=$((SECONDS + TOPICS_WAIT_S))
  while ((SECONDS < deadline)); do
    seen=$(mosquitto_sub -h 127.0.0.1 -p "$MQTT_HOST_PORT" -u "$MQTT_USER" -P "$MQTT_PASS" -v --retained-only -W 3 \
      -t 'homeassistant/device/+/config' -t "$base/#" 2>/dev/null || true)
    discovery=$(grep -c '^homeassistant/device/[^ ]*/config {' <<<"$seen" || true)
    # Discovery: the bridge, the home and its two users; state: the home, each user, and "online".
    if ((discovery >= 4)) && grep -q "^$base/status online$" <<<"$seen" &&
      grep -q "^$base/$home/home {" <<<"$seen" &&
      grep -q "^$base/$home/users/7b4af7a9f26254bd {.*Plexopedia" <<<"$seen" &&
      grep -q "^$base/$home/users/a1b2c3d4e5f60718 {" <<<"$seen" &&
      grep -q "^homeassistant/device/[^ ]* {.*$base/$home/users/a1b2c3d4e5f60718" <<<"$seen"; then
      log "broker holds $discovery discovery configs and the states of the home and both users:"
      cut -c 1-110 <<<"$seen" | sed 's/^/    /' >&2
      # And it is the password that lets us in: without one the broker says no.
      if mosquitto_sub -h 127.0.0.1 -p "$MQTT_HOST_PORT" -t "$base/status" -C 1 -W 3 >/dev/null 2>&1; then
        die "the broker let a client in without a password"
      fi
      log "the broker refuses a client without a password"
      return 0
    fi
    sleep 1
  done
  printf '%s\n' "$seen" | cut -c 1-200 >&2
  die "discovery and state did not all arrive within ${TOPICS_WAIT_S}s"
}

main() {
  docker info >/dev/null 2>&1 || die "no Docker engine answers: run bash .ci/docker.sh up first"
  command -v mosquitto_passwd >/dev/null || die "mosquitto_passwd is missing: run bash .ci/docker.sh up first"
  command -v mosquitto_sub >/dev/null ||
    die "mosquitto_sub is missing: run bash .ci/docker.sh up first"
  find_compose
  sweep
  trap on_exit EXIT
  mkdir -p "$WORK"
  # .env.example against the schema: test/unit/env-example.test.ts, in `npm test` (before this in .ci/run).
  build_node_images
  build_broker_image
  build_app_image
  compile_fake_plex
  make_project
  log "starting the stack (broker on 127.0.0.1:$MQTT_HOST_PORT)"
  (cd "$WORK/project" && timeout "$UP_TIMEOUT_S" "${COMPOSE[@]}" "${COMPOSE_FILES[@]}" up -d --no-build) || die "compose up"
  wait_healthy mosquitto
  check_topics
  wait_healthy plex-home-mqtt
  local id
  id=$(container_of plex-home-mqtt)
  [[ $(docker inspect -f '{{json .Config.Healthcheck.Test}}' "$id") == '["CMD","node","/app/dist/src/main.js","health"]' ]] ||
    die "the daemon's healthcheck is not the image's: $(docker inspect -f '{{json .Config.Healthcheck}}' "$id")"
  [[ $(docker exec "$id" node /app/dist/src/main.js health 2>&1) == healthy ]] || die "plex-home-mqtt health in the container"
  log "the daemon runs as $(docker exec "$id" node -p 'require("os").userInfo().username'), its healthcheck is the image's HEALTHCHECK"
  # A command in place of the daemon, as the README shows for `login` and `check`.
  local report
  report=$(cd "$WORK/project" && timeout 60 "${COMPOSE[@]}" "${COMPOSE_FILES[@]}" run --rm -T plex-home-mqtt check 2>&1) ||
    { printf '%s\n' "$report" >&2; die "compose run --rm plex-home-mqtt check"; }
  printf '%s\n' "$report" | sed 's/^/    /' >&2
  log "compose run --rm plex-home-mqtt check: exit 0"
}

# Sourced (by .ci/app.sh, for its base images) it only defines the functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
