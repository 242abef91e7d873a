# Arbiter's orchestrator worker. Runs the TypeScript sources through tsx: no build step to drift.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-save --no-audit --no-fund
COPY activities ./activities
COPY admin ./admin
COPY config ./config
COPY core ./core
COPY client ./client
COPY models ./models
COPY stores ./stores
COPY workers ./workers
COPY workflows ./workflows
COPY demo/models ./demo/models
COPY demo/pipelines ./demo/pipelines
COPY tsconfig.json ./
USER node
# SIGTERM from the orchestrator drains in-flight tasks before exit (Temporal Runtime's default).
CMD ["node", "--import", "tsx", "workers/main.ts"]
