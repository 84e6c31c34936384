# plex-home-mqtt: the daemon on Node.js, production dependencies only, as a non-root user.
#
#   docker build -t plex-home-mqtt .
#
# NODE_IMAGE is the runtime base; BUILD_IMAGE runs npm and the TypeScript compiler (any image with Node.js,
# npm and a POSIX shell). Without a registry, CI builds both locally and passes them in (.ci/compose.sh).
ARG NODE_IMAGE=node:26-slim
ARG BUILD_IMAGE=${NODE_IMAGE}

# The production dependencies, and nothing else. No install scripts: none of them needs one.
FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Compiles src/ and bundles it into dist/src/main.js with the dev dependencies too (also where the base image
# sets NODE_ENV=production); they stay in this stage.
FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --include=dev --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle*.mjs ./scripts/
COPY src ./src
RUN npm run build && mkdir /data

# The runtime stage runs no command (RUN): a base image without a shell works too.
FROM ${NODE_IMAGE} AS runtime
# Keep in step with package.json; CI checks that they agree.
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="plex-home-mqtt" \
      org.opencontainers.image.description="Publishes your Plex Home and its users to MQTT, with Home Assistant discovery" \
      org.opencontainers.image.source="https://github.com/plex-home-mqtt/plex-home-mqtt" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    STATE_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# version.ts reads the version and homepage from here.
COPY package.json ./
# Created owned by the user, so that a new named volume mounted here is writable by it too.
COPY --from=build --chown=node:node /data /data
# The official node images and CI's local base both have this user (uid 1000).
USER node
VOLUME /data
# Healthy when the poll loop is on schedule and the broker connection is up (src/state/health.ts), which
# allows a poll plex.timeout plus 10 s of lateness; a stopped or killed daemon is unhealthy at once.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/dist/src/main.js", "health"]
# Commands go after the image name: `docker run --rm -it IMAGE login`, `docker compose run --rm plex-home-mqtt check`.
# As `npm start`: V8's young generation capped at 1 MB per semi-space, its heap sized for memory, and its
# JavaScript compilers off (the interpreter only, whose work a poll a minute never repays) and Node's start-up
# snapshot unused (its built-ins compiled as they are used, not read whole) keep resident memory down
# (docs/benchmarks.md, "Node's options on every Node.js line" and "Memory on Node 26, mapping by mapping").
# dist/src/main.js is one bundle (npm run bundle) that needs nothing from node_modules.
# V8 renames and drops flags between Node releases, and a flag Node does not know stops it at once: a base
# image whose Node lacks these fails here, at build time, rather than crash-looping where users run it.
RUN ["node", "--max-semi-space-size=1", "--optimize-for-size", "--no-turbofan", "--no-maglev", "--no-sparkplug", "--no-node-snapshot", "-e", "0"]
ENTRYPOINT ["node", "--max-semi-space-size=1", "--optimize-for-size", "--no-turbofan", "--no-maglev", "--no-sparkplug", "--no-node-snapshot", "/app/dist/src/main.js"]
CMD []

# The Home Assistant OS app (plex-home-mqtt/config.yaml): `docker build --target app --build-arg BUILD_ARCH=amd64`.
# The Supervisor mounts /data from the host, owned by root, and starts the image as it is: the app runs as
# root, inside the Supervisor's own confinement (AppArmor, no privileges, its own network). The io.hass labels
# tell the Supervisor what the image is.
FROM runtime AS app
ARG VERSION=0.1.0
ARG BUILD_ARCH=amd64
LABEL io.hass.type="addon" \
      io.hass.version="${VERSION}" \
      io.hass.arch="${BUILD_ARCH}" \
      io.hass.name="Plex Home to MQTT" \
      io.hass.description="Your Plex Home and its users in Home Assistant, over MQTT with discovery"
USER root
# The Supervisor's watchdog restarts an app whose container turns unhealthy; while the app waits for the owner
# to approve the sign-in link (or for the Mosquitto app) there is no heartbeat yet, and a restart would throw
# the link away. The Supervisor already restarts the app if the process ends.
HEALTHCHECK NONE

# The default target, last: the plain image, as the user node (`docker build .`, docker-compose.yml).
FROM runtime
