#!/usr/bin/env bash
# The same job done the way a user would otherwise do it: every cycle, fetch the Plex Home with curl and
# publish each user, retained at QoS 1 (acknowledged, as the daemon does), with one mosquitto_pub each.
# Kept as cheap as such a script gets: bash builtins parse the XML, no sleep between cycles (no extra
# process), no discovery. At the end `times` prints the CPU time of the shell and of all its children.
#
#   curl-mosquitto.sh PLEX_URL TOKEN BROKER_HOST BROKER_PORT BASE_TOPIC CYCLES
set -euo pipefail
url=$1 token=$2 host=$3 port=$4 base=$5 cycles=$6

for ((cycle = 0; cycle < cycles; cycle++)); do
  body=$(curl -sSf -H "X-Plex-Token: $token" -H 'X-Plex-Client-Identifier: bench-script' "$url/api/v2/home/users")
  while IFS= read -r line; do
    [[ $line =~ \<user\ .*\ uuid=\"([^\"]+)\" ]] || continue
    mosquitto_pub -h "$host" -p "$port" -q 1 -r -t "$base/users/${BASH_REMATCH[1]}" -m "$line"
  done <<<"$body"
done
times
