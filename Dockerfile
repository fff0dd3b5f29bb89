# syntax=docker/dockerfile:1
# mbserve images: the server and mbserve-cli, nothing else.
#
#   docker build -t mbserve:cuda .                          # NVIDIA GPU (default)
#   docker build --build-arg VARIANT=cpu -t mbserve:cpu .   # CPU only
#
# The CUDA variant builds on NVIDIA's CUDA devel image and runs on its runtime
# image (Ubuntu 24.04, whose gRPC 1.51 / abseil 20220623 / protobuf 3.21 are
# the versions Debian 12 has); the CPU variant builds and runs on Debian 12.
# Either way the runtime image gets the build image's shared libraries copied
# (deploy/docker/collect_runtime_libs.sh), so the two always match; OpenBLAS,
# which the engine dlopen()s by its build-time path, keeps that path.
#
# Run: mount a model folder (config.json, model.safetensors, tokenizer.json)
# at /models and publish gRPC 50051 and metrics 9000:
#   docker run --gpus all -v "$PWD/my-model:/models:ro" -p 50051:50051 -p 9000:9000 mbserve:cuda
# Every server flag has an MBSERVE_* variable (--max-batch-tokens is
# MBSERVE_MAX_BATCH_TOKENS); see docs/DEPLOY.md.

ARG VARIANT=cuda
ARG CUDA_VERSION=13.0.1
ARG CUDA_OS=ubuntu24.04

# ---- build bases ------------------------------------------------------------
FROM nvidia/cuda:${CUDA_VERSION}-devel-${CUDA_OS} AS build-base-cuda
# sm_80 (A100) and sm_90 (H100/H200); pass e.g. "80;86;89;90" for more.
ARG CUDA_ARCHITECTURES="80;90"
ENV MBSERVE_CMAKE_ARGS="-DMBSERVE_WITH_CUDA=ON -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc -DMBSERVE_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES}"

FROM debian:bookworm AS build-base-cpu
ENV MBSERVE_CMAKE_ARGS="-DMBSERVE_WITH_CUDA=OFF"

# ---- build ------------------------------------------------------------------
# hadolint ignore=DL3006
FROM build-base-${VARIANT} AS build
# The build recipe of DESIGN.md, without test and benchmark dependencies.
# Ubuntu 24.04 and Debian 12 name these packages the same; versions are the
# distribution's (the same gRPC, abseil and protobuf on both), so not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto \
      libabsl-dev libspdlog-dev libfmt-dev prometheus-cpp-dev \
      libopenblas-openmp-dev nlohmann-json3-dev libpcre2-dev libcpp-httplib-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# MBSERVE_CMAKE_ARGS holds several arguments: it is split on purpose.
# hadolint ignore=SC2086
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMBSERVE_BUILD_SERVER=ON -DMBSERVE_BUILD_TESTS=OFF -DMBSERVE_BUILD_BENCH=OFF \
      ${MBSERVE_CMAKE_ARGS} \
 && cmake --build /build --target mbserve mbserve-cli \
 && install -D -m 0755 /build/server/mbserve /out/bin/mbserve \
 && install -D -m 0755 /build/client/mbserve-cli /out/bin/mbserve-cli \
 && openblas="$(sed -n 's/^MBSERVE_OPENBLAS_DIR:PATH=//p' /build/CMakeCache.txt)/libopenblas.so.0" \
 && deploy/docker/collect_runtime_libs.sh /out/runtime /out/bin/mbserve /out/bin/mbserve-cli \
      -- "${openblas}"

# ---- runtime bases ----------------------------------------------------------
FROM nvidia/cuda:${CUDA_VERSION}-runtime-${CUDA_OS} AS runtime-base-cuda
ENV MBSERVE_DEVICE=cuda

FROM debian:bookworm-slim AS runtime-base-cpu
ENV MBSERVE_DEVICE=cpu

# ---- runtime ----------------------------------------------------------------
# hadolint ignore=DL3006
FROM runtime-base-${VARIANT} AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY --from=build /out/runtime/lib/ /usr/local/lib/mbserve/
COPY --from=build /out/runtime/root/ /
COPY --from=build /out/runtime/dlopened.list /usr/local/share/mbserve/dlopened.list
COPY --from=build /out/bin/ /usr/local/bin/
# Fails the build here, not at the first start, if a library is missing
# (but the driver's libcuda, which the NVIDIA runtime mounts from the host).
RUN echo /usr/local/lib/mbserve > /etc/ld.so.conf.d/mbserve.conf \
 && ldconfig \
 && xargs -a /usr/local/share/mbserve/dlopened.list \
      ldd /usr/local/bin/mbserve /usr/local/bin/mbserve-cli > /tmp/ldd.txt \
 && ! grep 'not found' /tmp/ldd.txt | grep -v 'libcuda\.so' \
 && rm /tmp/ldd.txt \
 && groupadd --system --gid 10001 mbserve \
 && useradd --system --uid 10001 --gid mbserve --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mbserve

ENV MBSERVE_MODEL=/models \
    MBSERVE_HOST=0.0.0.0 \
    MBSERVE_PORT=50051 \
    MBSERVE_METRICS_PORT=9000 \
    MBSERVE_LOG_FORMAT=json
EXPOSE 50051 9000
USER 10001:10001

# The standard grpc.health.v1 service (no API key needed), asked by the
# image's own client: SERVING only once the model is loaded and warmed up.
# Docker wants exit status 1 for unhealthy; mbserve-cli may also exit 2.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
  CMD ["/bin/sh", "-c", "mbserve-cli health --address 127.0.0.1:${MBSERVE_PORT} --timeout 4 --output json > /dev/null || exit 1"]

ENTRYPOINT ["mbserve"]
