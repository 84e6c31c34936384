#!/usr/bin/env bash
# Proves the Home Assistant OS app and the files that ship beside it, as far as this machine can:
#   - the workflow files pass action-validator; contrib/plex-home-mqtt.service passes `systemd-analyze verify`
#     (systemd is installed from Debian if missing) with no warning, at an exposure level of 2.0 or less;
#   - the app's image (Dockerfile target app) builds from the local base images of .ci/compose.sh (no
#     registry) and has the Supervisor's labels;
#   - run as the Supervisor runs it (/data owned by root with an options.json, SUPERVISOR_TOKEN), against a
#     stand-in Supervisor whose services/mqtt names a real broker and a stand-in plex.tv that approves the
#     sign-in, it logs the link, stores the token in /data and publishes discovery; it stops on SIGTERM.
#
#   flock /tmp/compose.lock bash .ci/app.sh     needs `bash .ci/docker.sh up` first
#
# Idempotent (leftovers are removed first) and bounded (every wait has a limit); cleans up on failure too.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

# The local base images and their helpers, shared with the Compose proof.
# shellcheck source=.ci/compose.sh
source .ci/compose.sh
log() { printf '[app.sh %4ss] %s\n' "$SECONDS" "$*" >&2; }

WORK=/tmp/plex-home-mqtt-app
APP_IMAGE=plex-home-mqtt-app:ci
NAME=plex-home-mqtt-app-ci
BROKER_NAME=plex-home-mqtt-app-ci-broker
UNIT=contrib/plex-home-mqtt.service
MAX_EXPOSURE=2.0
START_WAIT_S=60
PIDS=()

cleanup() {
  local rc=$? pid
  if ((rc != 0)) && docker inspect "$NAME" >/dev/null 2>&1; then docker logs --tail 40 "$NAME" >&2 || true; fi
  docker rm -f "$NAME" "$BROKER_NAME" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
  if ((rc == 0)); then log "passed in ${SECONDS}s"; else log "failed after ${SECONDS}s"; fi
}

check_workflows() {
  npx --no-install action-validator .github/workflows/*.yml || die "a workflow file is invalid"
  log "workflows valid: $(ls .github/workflows | tr '\n' ' ')"
}

check_unit() {
  command -v systemd-analyze >/dev/null || {
    log "installing systemd (Debian) for systemd-analyze"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd; } \
      </dev/null >/tmp/plex-home-mqtt-app-apt.log 2>&1 || { tail -n 20 /tmp/plex-home-mqtt-app-apt.log >&2; die "apt-get failed"; }
  }
  local out exposure
  # verify exits 0 on a misspelt key or a bad value and only warns: any output at all is a failure.
  out=$(systemd-analyze verify "$UNIT" 2>&1) || die "systemd-analyze verify $UNIT: $out"
  [[ -z $out ]] || die "systemd-analyze verify $UNIT warns: $out"
  exposure=$(systemd-analyze security --offline=yes "$UNIT" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  [[ -n $exposure ]] || die "systemd-analyze security gave no exposure level"
  awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e <= max) }' || die "$UNIT exposure $exposure, more than $MAX_EXPOSURE"
  log "$UNIT: verify clean, exposure level $exposure (systemd $(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'))"
}

build_app() {
  local started=$SECONDS version labels user
  version=$(node -p 'require("./package.json").version')
  mkdir -p "$WORK"
  DOCKER_BUILDKIT=0 timeout "$BUILD_TIMEOUT_S" docker build --network host --force-rm --target app \
    --build-arg "NODE_IMAGE=$NODE_IMAGE" --build-arg "BUILD_IMAGE=$BUILD_IMAGE" --build-arg BUILD_ARCH=amd64 -t "$APP_IMAGE" . \
    >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; die "docker build --target app"; }
  labels=$(docker image inspect -f '{{index .Config.Labels "io.hass.type"}} {{index .Config.Labels "io.hass.arch"}} {{index .Config.Labels "io.hass.version"}}' "$APP_IMAGE")
  [[ $labels == "addon amd64 $version" ]] || die "the app image's io.hass labels are '$labels', not 'addon amd64 $version'"
  user=$(docker image inspect -f '{{.Config.User}}' "$APP_IMAGE")
  [[ $user == root ]] || die "the app image runs as '$user', not root (the Supervisor's /data is root's)"
  [[ $(docker image inspect -f '{{json .Config.Healthcheck.Test}}' "$APP_IMAGE") == '["NONE"]' ]] || die "the app image has a HEALTHCHECK"
  log "built $APP_IMAGE in $((SECONDS - started))s: labels $labels, user $user, no HEALTHCHECK"
}

# test/support's stand-ins for plex.tv and the Supervisor, compiled, run on this machine's loopback.
start_stand_ins() {
  local out=$WORK/stand-ins broker_port
  mkdir -p "$out"
  cat >"$WORK/tsconfig.json" <<JSON
{
  "extends": "$REPO/tsconfig.json",
  "compilerOptions": { "outDir": "$out", "rootDir": "$REPO", "typeRoots": ["$REPO/node_modules/@types"], "sourceMap": false, "noEmit": false },
  "include": [],
  "files": ["$REPO/test/support/fake-plex.ts", "$REPO/test/support/fake-supervisor.ts"]
}
JSON
  npx --no-install tsc -p "$WORK/tsconfig.json" || die "compiling the stand-ins"
  printf '{ "type": "module" }\n' >"$out/package.json"
  docker run -d --name "$BROKER_NAME" -p 127.0.0.1::1883 "$BROKER_BASE" >/dev/null
  broker_port=$(docker port "$BROKER_NAME" 1883/tcp | head -n 1 | sed 's/.*://')
  BROKER_PORT=$broker_port
  # plex.tv approves the first sign-in link 3 s after it is asked for one, as a user clicking it would.
  cat >"$out/serve.mjs" <<'JS'
import { writeFileSync } from 'node:fs';
import { startFakePlex } from './test/support/fake-plex.js';
import { startFakeSupervisor } from './test/support/fake-supervisor.js';
import { home } from './test/support/plex-fixtures.js';

const plex = await startFakePlex(home(), process.env.FAKE_PLEX_TOKEN);
const supervisor = await startFakeSupervisor(
  { host: '127.0.0.1', port: Number(process.env.BROKER_PORT), username: 'addons', password: process.env.BROKER_PASSWORD },
  process.env.SUPERVISOR_TOKEN,
);
writeFileSync(process.env.URLS_FILE, `${plex.url} ${supervisor.url}\n`);
const [strong] = await plex.pins.waitForCreated(2, 120_000);
setTimeout(() => plex.pins.approve(strong.id), 3_000);
JS
  FAKE_PLEX_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  SUPERVISOR_TOKEN=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  BROKER_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  FAKE_PLEX_TOKEN=$FAKE_PLEX_TOKEN SUPERVISOR_TOKEN=$SUPERVISOR_TOKEN BROKER_PORT=$broker_port BROKER_PASSWORD=$BROKER_PASSWORD \
    URLS_FILE=$WORK/urls node "$out/serve.mjs" >"$WORK/stand-ins.log" 2>&1 &
  PIDS+=($!)
  local i
  for ((i = 0; i < 100; i++)); do [[ -s $WORK/urls ]] && break; sleep 0.1; done
  [[ -s $WORK/urls ]] || { cat "$WORK/stand-ins.log" >&2; die "the stand-ins did not start"; }
  read -r PLEX_URL SUPERVISOR_URL <"$WORK/urls"
  log "stand-ins: plex.tv $PLEX_URL, Supervisor $SUPERVISOR_URL (services/mqtt: broker 127.0.0.1:$broker_port)"
}

# As the Supervisor runs an app: /data from the host, owned by root, with the user's options; its token in
# the environment. Host networking, so that the container reaches the loopback stand-ins.
run_app() {
  local data=$WORK/data
  mkdir -p "$data" && chmod 0700 "$data"
  cat >"$data/options.json" <<JSON
{ "poll_interval": 60, "base_topic": "plex-home", "discovery": true, "discovery_prefix": "homeassistant",
  "status_topic": "homeassistant/status", "publish_email": false, "log_level": "info" }
JSON
  docker run -d --name "$NAME" --init --network host -v "$data:/data" \
    -e "SUPERVISOR_TOKEN=$SUPERVISOR_TOKEN" -e "SUPERVISOR_URL=$SUPERVISOR_URL" -e "PLEX_API_URL=$PLEX_URL" "$APP_IMAGE" >/dev/null
  log "started $APP_IMAGE as $NAME"
}

check_app() {
  local deadline=$((SECONDS + START_WAIT_S)) seen='' logs
  while ((SECONDS < deadline)); do
    seen=$(mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -v --retained-only -W 2 -t 'homeassistant/device/+/config' -t 'plex-home/#' 2>/dev/null || true)
    if grep -q '^plex-home/status online$' <<<"$seen" && (($(grep -c '^homeassistant/device/[^ ]*/config {' <<<"$seen" || true) >= 4)); then break; fi
    sleep 1
  done
  logs=$(docker logs "$NAME" 2>&1)
  grep -q '^plex-home/status online$' <<<"$seen" || { printf '%s\n' "$logs" >&2; die "no discovery within ${START_WAIT_S}s"; }
  grep -q 'broker from the Supervisor: mqtt://127.0.0.1:' <<<"$logs" || die "the app did not take the broker from the Supervisor"
  grep -q 'No Plex token yet: to sign in, open https://app.plex.tv/auth#?' <<<"$logs" || die "the app did not log the sign-in link"
  grep -q 'Signed in to plex.tv: the token is stored in /data/plex-token' <<<"$logs" || die "the app did not store the token in /data"
  local secret
  for secret in "$FAKE_PLEX_TOKEN" "$SUPERVISOR_TOKEN" "$BROKER_PASSWORD"; do
    ! grep -qF "$secret" <<<"$logs" || die "a secret appears in the app's log"
  done
  [[ $(stat -c '%a %U' "$WORK/data/plex-token") == '600 root' ]] || die "/data/plex-token is $(stat -c '%a %U' "$WORK/data/plex-token")"
  log "discovery arrived ($(grep -c '^homeassistant/device/' <<<"$seen") discovery configs); the app's log:"
  printf '%s\n' "$logs" | sed 's/^/    /' >&2
  local started=$SECONDS code
  docker stop -t 10 "$NAME" >/dev/null
  code=$(docker inspect -f '{{.State.ExitCode}}' "$NAME")
  [[ $code == 0 ]] || die "the app exited $code on SIGTERM"
  log "docker stop: exit 0 after $((SECONDS - started))s"
}

main() {
  docker info >/dev/null 2>&1 || die "no Docker engine answers: run bash .ci/docker.sh up first"
  command -v mosquitto_sub >/dev/null || die "mosquitto_sub is missing: run bash .ci/docker.sh up first"
  docker image inspect "$BROKER_BASE" >/dev/null 2>&1 || die "no image $BROKER_BASE: run bash .ci/docker.sh up first"
  docker rm -f "$NAME" "$BROKER_NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  trap cleanup EXIT
  check_workflows
  check_unit
  build_node_images
  build_app
  start_stand_ins
  run_app
  check_app
}

main "$@"
