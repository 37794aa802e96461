# Keel's image: the compiled worker (the default command), the approval inbox
# (`node dist/inbox/main.js`) and the scripted model (`node dist/scripted-model/cli.js`), from one build.
#   docker build -t keel .
# docker-compose.yml runs it; test/deploy-stack.test.ts lints this file with hadolint and checks that
# every command it runs is a file `npm run build` produces.

# Build: every dependency, then `npm run build` (tsc -p tsconfig.build.json into dist/).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: production dependencies and dist/ only, run by the unprivileged `node` user (uid 1000).
FROM node:20-bookworm-slim AS runtime
# tini is PID 1: it hands SIGTERM to node (the worker then drains its in-flight activities) and reaps children.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    KEEL_BUNDLE_CACHE=/app/.cache/keel-workflows \
    KEEL_METRICS_HOST=0.0.0.0 \
    KEEL_METRICS_PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY demo/support-scenario.json ./scenarios/support-scenario.json
# The workflow bundle is built once here, so a worker starts without webpack (read-only: owned by root).
RUN node -e "require('./dist/workers').bundleKeelWorkflows().then(() => console.log('workflow bundle in', process.env.KEEL_BUNDLE_CACHE))"
USER 1000:1000
EXPOSE 9464
STOPSIGNAL SIGTERM
# GET /healthz on the worker's metrics server (200 while the worker runs); KEEL_HEALTHCHECK_URL points
# it elsewhere (the inbox's /healthz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.KEEL_HEALTHCHECK_URL || 'http://127.0.0.1:' + (process.env.KEEL_METRICS_PORT || '9464') + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/workers/main.js"]
