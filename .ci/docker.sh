#!/usr/bin/env bash
# A local Docker engine and a Mosquitto image for the integration tests, with no image registry:
# the image is Debian's own mosquitto binary and its libraries, brought in with `docker import`.
#
#   bash .ci/docker.sh up     install what is missing, start dockerd if none answers, build + smoke-test the image
#   bash .ci/docker.sh down   stop the dockerd that `up` started (and nothing else)
#
# Both are idempotent. Env: MOSQUITTO_IMAGE (default plex-home-mqtt/mosquitto:local).
set -euo pipefail

IMAGE="${MOSQUITTO_IMAGE:-plex-home-mqtt/mosquitto:local}"
STATE_DIR=/tmp/plex-home-mqtt-docker
PID_FILE="$STATE_DIR/dockerd.pid"
LOG_FILE="$STATE_DIR/dockerd.log"
ENGINE_WAIT_S=60
BROKER_WAIT_S=20

log() { printf '[docker.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [[ -x /usr/sbin/mosquitto ]] || missing+=(mosquitto)
  command -v mosquitto_pub >/dev/null || missing+=(mosquitto-clients)
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]}"
  # Packages' postinst scripts would start their own dockerd and mosquitto services, which `down` could not
  # tell from ours: a policy-rc.d that answers 101 ("action forbidden") stops that, as in Docker images.
  local policy=/usr/sbin/policy-rc.d added_policy=''
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
  fi
  mkdir -p "$STATE_DIR"
  local rc=0
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
    </dev/null >"$STATE_DIR/apt.log" 2>&1 || rc=$?
  [[ -z $added_policy ]] || rm -f "$policy"
  ((rc == 0)) || { tail -n 30 "$STATE_DIR/apt.log" >&2; die "apt-get failed (log: $STATE_DIR/apt.log)"; }
}

start_engine() {
  if docker info >/dev/null 2>&1; then log "engine already answers"; return 0; fi
  mkdir -p "$STATE_DIR"
  log "starting dockerd (log: $LOG_FILE)"
  # setsid: dockerd must outlive this script and its caller's process group. A background job of a
  # non-interactive shell is never a group leader, so setsid execs in place and $! is dockerd's PID.
  setsid dockerd >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local pid=$! i
  for ((i = 0; i < ENGINE_WAIT_S; i++)); do
    docker info >/dev/null 2>&1 && { log "dockerd $pid answers after ${i}s"; return 0; }
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$LOG_FILE" >&2; rm -f "$PID_FILE"; die "dockerd exited"; }
    sleep 1
  done
  tail -n 20 "$LOG_FILE" >&2
  die "dockerd did not answer within ${ENGINE_WAIT_S}s"
}

# A root filesystem in the layout of the official eclipse-mosquitto:2 image.
make_rootfs() {
  local root=$1 lib
  mkdir -p "$root/usr/sbin" "$root/mosquitto/config" "$root/mosquitto/data" "$root/mosquitto/log" "$root/tmp"
  cp /usr/sbin/mosquitto "$root/usr/sbin/"
  # Every library ldd resolves, and the dynamic loader (the line with no "=>"); -L copies the files, not links.
  for lib in $(ldd /usr/sbin/mosquitto | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    cp -L --parents "$lib" "$root/"
  done
  # mosquitto 2 started as root switches to the user "mosquitto"; uid/gid 1883 as in the official image.
  mkdir -p "$root/etc"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nmosquitto:x:1883:1883:mosquitto:/var/empty:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nmosquitto:x:1883:\n' >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  # Persistence off: a restarted container is an empty broker (tests rely on it).
  printf 'listener 1883\nallow_anonymous true\npersistence false\n' >"$root/mosquitto/config/mosquitto.conf"
  chown -R 1883:1883 "$root/mosquitto/data" "$root/mosquitto/log"
  chmod 1777 "$root/tmp"
}

build_image() {
  # The label ties the image to the host's mosquitto package: a Debian update rebuilds it.
  local version built old root
  version=$(dpkg-query -W -f='${Version}' mosquitto)
  built=$(docker image inspect -f '{{index .Config.Labels "mosquitto.deb.version"}}' "$IMAGE" 2>/dev/null || true)
  if [[ $built == "$version" ]]; then log "image $IMAGE present (mosquitto $version)"; return 0; fi
  old=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  log "building $IMAGE from /usr/sbin/mosquitto $version"
  root=$(mktemp -d)
  make_rootfs "$root"
  tar --numeric-owner -C "$root" -c . | docker import \
    --change 'CMD ["/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"]' \
    --change 'EXPOSE 1883' \
    --change "LABEL mosquitto.deb.version=$version" \
    --message "Debian mosquitto $version, imported by .ci/docker.sh" - "$IMAGE" >/dev/null
  rm -rf "$root"
  [[ -z $old ]] || docker rmi "$old" >/dev/null 2>&1 || true # the outdated one, unless a container still uses it
}

# Run the image, then a retained publish and a fresh subscriber from the host through the mapped port.
smoke_test() {
  local id port i got=''
  id=$(docker run -d -p 127.0.0.1::1883 "$IMAGE")
  port=$(docker port "$id" 1883/tcp | head -n 1 | sed 's/.*://')
  for ((i = 0; i < BROKER_WAIT_S * 4; i++)); do
    mosquitto_pub -h 127.0.0.1 -p "$port" -t smoke/test -m ok -r -q 1 2>/dev/null && break
    sleep 0.25
  done
  got=$(mosquitto_sub -h 127.0.0.1 -p "$port" -t smoke/test -C 1 -W 5 2>/dev/null || true)
  [[ $got == ok ]] || docker logs "$id" >&2 || true
  docker rm -f "$id" >/dev/null
  [[ $got == ok ]] || die "smoke test failed on $IMAGE (port $port)"
  log "image $IMAGE runs: retained publish/subscribe via 127.0.0.1:$port ok"
}

stop_engine() {
  [[ -f $PID_FILE ]] || { log "no dockerd started by up; nothing to stop"; return 0; }
  local pid i
  pid=$(<"$PID_FILE")
  # Only the process we started, and only if the PID still names a dockerd (PIDs get reused).
  if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
    log "stopping dockerd $pid"
    kill -TERM "$pid"
    for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && die "dockerd $pid still running after 30s"
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  up) install_packages; start_engine; build_image; smoke_test ;;
  down) stop_engine ;;
  *) die "usage: $0 up|down" ;;
esac
