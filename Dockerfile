# syntax=docker/dockerfile:1

# glibc, not Alpine: the Temporal SDK's native core bridge has no musl build.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script (package.json denies them all), so none may run.
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS web
COPY . .
RUN npm run build:web

FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
# borg, ssh and apprise serve the worker only; the API image is the same so one build serves both.
# The node account goes so that PUID 1000 gets the entrypoint's account, whose home is on /data.
RUN apt-get update \
  && apt-get install --yes --no-install-recommends \
    apprise borgbackup ca-certificates openssh-client tini util-linux \
  && rm -rf /var/lib/apt/lists/* \
  && userdel --remove node

ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8081

WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY . .
COPY --from=web /app/web/dist ./web/dist
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/borgflow-entrypoint

EXPOSE 8081
# Meant for the API; compose turns it off for the worker, which serves no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/borgflow-entrypoint"]
CMD ["node", "--import", "tsx", "bin/api.ts"]
