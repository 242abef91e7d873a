# Arbiter: one image, every `arbiter` command — the orchestrator worker by default, `model-pool`,
# `api`, `ingest`, `codec-server`, `decide`, `models ...` (docker-compose.yml, deploy/helm/arbiter).
#   docker run IMAGE --help          docker run IMAGE api          docker run IMAGE model-pool
# (All but `arbiter bench models`, which needs MLServer and the test suite's fixtures: a checkout.)
# Runs the TypeScript sources through tsx: no build step to drift. Node 24 LTS (Node 20 reached its
# end of life on 2026-04-30). test/deploy-dockerfile.test.ts checks this file against the imports.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    ARBITER_DATA_DIR=/home/node/.arbiter
COPY package.json package-lock.json ./
# npm ci's postinstall applies them (patch-package): patches/README.md says what each changes and why.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Everything the processes load (.dockerignore keeps out tests, tools, local data and secrets):
# sources, bin/, scripts/ (the CLI imports one), demo/ (models, pipelines, rules), bench/.
# Owned by root: the process cannot rewrite its own code.
COPY . .
USER node
# 8080: `arbiter api` (PORT); 9464: /metrics (ARBITER_METRICS_PORT); 8081: `arbiter codec-server`.
EXPOSE 8080 9464 8081
# `arbiter health` GETs ARBITER_HEALTH_URL, else /metrics on ARBITER_METRICS_PORT (the worker's
# 9464); the API sets ARBITER_HEALTH_URL to its /healthz. A pool or ingest serves /metrics once
# ARBITER_METRICS_PORT is set (compose and the chart set it).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["node", "bin/arbiter.js", "health"]
# SIGTERM drains in-flight tasks for ARBITER_SHUTDOWN_GRACE (10s) before exit: give `docker stop`
# at least that plus 5 s (compose: stop_grace_period; Kubernetes: terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/arbiter.js"]
CMD ["worker"]
