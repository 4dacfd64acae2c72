# syntax=docker/dockerfile:1.7
# Speechgate regional node. Two runnable targets:
#   cuda (default, last stage): CUDA 12 + cuDNN 9 runtime, onnxruntime-node's CUDA provider, ORT_EP=cuda
#   cpu: the same app on Debian slim, ORT_EP=cpu (docker-compose, machines without a GPU)
# Build from the repository root: docker build -f infra/docker/node.Dockerfile -t speechgate/node .
# Voices: mount them at /voices (VOICES_DIR) or sync them there before start (see docs/deploy.md).

FROM node:20.20.2-bookworm-slim AS node-bin

FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm 11 skips dependency install scripts unless allowScripts lists them (onnxruntime-node is
# denied), and older npm would run them: --ignore-scripts makes both behave the same. The CUDA
# provider is installed explicitly in the cuda stage.
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM node:20.20.2-bookworm-slim AS cpu
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY shared ./shared
COPY node ./node
COPY voices ./voices
RUN mkdir -p /voices && chown 10001:10001 /voices
USER 10001:10001
ENV HOST=0.0.0.0 PORT=8081 ORT_EP=cpu VOICES_DIR=/voices
EXPOSE 8081
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "node/main.ts"]

# ONNX Runtime's CUDA 12 build needs CUDA 12.x and cuDNN 9.x.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS cuda
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node-bin /usr/local/bin/node /usr/local/bin/node
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
# Fetches libonnxruntime_providers_{cuda,shared}.so (NuGet) at image build; the node then loads
# them when ORT_EP=cuda. Without this step CUDA sessions fail to load and the node refuses to start.
RUN ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js
COPY shared ./shared
COPY node ./node
COPY voices ./voices
RUN mkdir -p /voices && chown 10001:10001 /voices
USER 10001:10001
ENV HOST=0.0.0.0 PORT=8081 ORT_EP=cuda VOICES_DIR=/voices
EXPOSE 8081
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "node/main.ts"]
