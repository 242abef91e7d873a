# Arbiter: the orchestrator worker by default; the same image runs the model pool, `arbiter api`,
# `arbiter ingest` and `arbiter codec-server` (docker-compose.yml). Runs the TypeScript sources
# through tsx: no build step to drift. Node 24 LTS (Node 20 reached its end of life on 2026-04-30).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# Everything the processes load (.dockerignore keeps out tests, benches, tools and local data):
# the worker side, the CLI and API, codec, metrics, telemetry, the demo's models, pipelines and rules.
COPY . .
USER node
# SIGTERM from the orchestrator drains in-flight tasks before exit (Temporal Runtime's default).
CMD ["node", "--import", "tsx", "workers/main.ts"]
