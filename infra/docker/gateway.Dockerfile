# syntax=docker/dockerfile:1.7
# Speechgate gateway: slim Node 20, non-root, TypeScript run with tsx (no build step).
# Build from the repository root: docker build -f infra/docker/gateway.Dockerfile -t speechgate/gateway .

FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# tsx is a devDependency today, so the full tree is installed. No install script is needed
# by the gateway (onnxruntime-node's only downloads the CUDA provider), so none runs.
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM node:20.20.2-bookworm-slim AS runtime
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY shared ./shared
COPY gateway ./gateway
USER 10001:10001
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--initial-old-space-size=128", "--import", "tsx", "gateway/main.ts"]
