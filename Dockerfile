# mbserve images: the server and mbserve-cli, nothing else.
#
#   DOCKER_BUILDKIT=1 docker build -t mbserve:cuda .                          # NVIDIA GPU (default)
#   DOCKER_BUILDKIT=1 docker build --build-arg VARIANT=cpu -t mbserve:cpu .   # CPU only
#
# Needs BuildKit (Docker 23 and later use it by default; Docker 20.10 needs
# DOCKER_BUILDKIT=1): the classic builder builds every stage, CUDA ones
# included, whatever VARIANT says. Both variants build and run on Debian 12
# (debian:bookworm, debian:bookworm-slim); the CUDA variant takes nvcc, the
# CUDA runtime and cuBLASLt from NVIDIA's wheels on PyPI
# (deploy/docker/install_cuda_wheels.sh), so it needs no NVIDIA registry.
# The runtime image gets the shared libraries the binaries load copied from
# the build image (deploy/docker/collect_runtime_libs.sh), except those the
# runtime base already has.
#
# Run: mount a model folder (config.json, model.safetensors, tokenizer.json;
# readable by uid 10001) at /models and publish gRPC 50051, HTTP 8080 (the
# OpenAI and TEI routes, docs/HTTP.md) and metrics 9000:
#   docker run --gpus all -v "$PWD/my-model:/models:ro" -p 50051:50051 -p 8080:8080 \
#     -p 9000:9000 mbserve:cuda
# Every server flag has an MBSERVE_* variable (--max-batch-tokens is
# MBSERVE_MAX_BATCH_TOKENS); see docs/DEPLOY.md.

ARG VARIANT=cuda

# ---- build ------------------------------------------------------------------
FROM debian:bookworm AS build-deps
# The build recipe of the README, without test and benchmark dependencies.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential ccache cmake ninja-build pkg-config \
      libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto \
      libabsl-dev libspdlog-dev libfmt-dev prometheus-cpp-dev \
      nlohmann-json3-dev libpcre2-dev libcpp-httplib-dev \
 && rm -rf /var/lib/apt/lists/*

# The CUDA toolkit as NVIDIA publishes it on PyPI: nvcc, the runtime, the
# headers and cuBLASLt, laid out as /usr/local/cuda.
FROM build-deps AS build-base-cuda
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3-pip unzip \
 && rm -rf /var/lib/apt/lists/*
COPY deploy/docker/install_cuda_wheels.sh /usr/local/sbin/
# Behind a proxy that re-signs TLS, pip needs the proxy's CA: pass a PEM
# bundle as the build secret "pip-ca" (--secret id=pip-ca,src=FILE). It is
# mounted for this step only and stays out of every layer.
RUN --mount=type=secret,id=pip-ca \
    if [ -f /run/secrets/pip-ca ]; then export PIP_CERT=/run/secrets/pip-ca; fi \
 && install_cuda_wheels.sh /usr/local/cuda
# sm_80 (A100) and sm_90 (H100/H200); pass e.g. "80;86;89;90" for more.
ARG CUDA_ARCHITECTURES="80;90"
ENV MBSERVE_CMAKE_ARGS="-DMBSERVE_WITH_CUDA=ON -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc -DMBSERVE_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES}"

FROM build-deps AS build-base-cpu
ENV MBSERVE_CMAKE_ARGS="-DMBSERVE_WITH_CUDA=OFF"

# hadolint ignore=DL3006
FROM build-base-${VARIANT} AS build
WORKDIR /src
# Only what CMake compiles, so that editing docs, tests or deployment files
# does not rebuild (.dockerignore keeps the rest out of the context too).
COPY CMakeLists.txt ./
COPY proto/ proto/
COPY common/ common/
COPY tokenizer/ tokenizer/
COPY engine/ engine/
COPY server/ server/
COPY client/CMakeLists.txt client/
COPY client/cli/ client/cli/
# Both variants compile through one ccache kept in a BuildKit cache mount
# (same sources at /src, same build folder /build, same compiler), so the
# second variant built on a machine compiles only what differs: the CUDA
# sources and the C++ files whose preprocessed text MBSERVE_WITH_CUDA or
# CUDA's headers change (docs/DEPLOY.md has the measured hits). The rest hits
# ccache although the CUDA build adds -DMBSERVE_WITH_CUDA=1 and the CUDA
# include folder to every file that uses the engine: for GCC, ccache's
# preprocessor mode keys on the preprocessed text, which those flags leave
# alone in a file that does not test the macro or include CUDA's headers.
# The statistics printed show the hits. nvcc is not run through ccache: CI,
# which builds from nothing, compiles each CUDA source once per run anyway.
# MBSERVE_CMAKE_ARGS holds several arguments: it is split on purpose.
# hadolint ignore=SC2086
RUN --mount=type=cache,id=mbserve-ccache,target=/root/.cache/ccache \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMBSERVE_BUILD_SERVER=ON -DMBSERVE_BUILD_TESTS=OFF -DMBSERVE_BUILD_BENCH=OFF \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
      ${MBSERVE_CMAKE_ARGS} \
 && ccache --zero-stats \
 && cmake --build /build --target mbserve mbserve-cli \
 && ccache --show-stats \
 && install -D -m 0755 /build/server/mbserve /out/bin/mbserve \
 && install -D -m 0755 /build/client/mbserve-cli /out/bin/mbserve-cli
COPY deploy/docker/collect_runtime_libs.sh /usr/local/sbin/
RUN collect_runtime_libs.sh /out/runtime /out/bin/mbserve /out/bin/mbserve-cli

# ---- runtime bases ----------------------------------------------------------
FROM debian:bookworm-slim AS runtime-base-cuda
ENV MBSERVE_DEVICE=cuda \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# The CUDA libraries' license (NVIDIA's EULA lets applications ship the
# runtime and cuBLASLt).
COPY --from=build-base-cuda /usr/local/cuda/licenses/ /usr/local/share/doc/mbserve/cuda-licenses/

FROM debian:bookworm-slim AS runtime-base-cpu
ENV MBSERVE_DEVICE=cpu

# ---- runtime ----------------------------------------------------------------
# hadolint ignore=DL3006
FROM runtime-base-${VARIANT} AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY --from=build /out/runtime/lib/ /usr/local/lib/mbserve/
COPY --from=build /out/bin/ /usr/local/bin/
# A copied library the base image already has (same soname) is dropped, so
# the base's own copy is the one every program loads; ld.so.conf.d entries
# come before the system directories and would otherwise shadow it.
# Then the build fails here, not at the first start, if a library is missing
# (but the driver's libcuda, which the NVIDIA runtime mounts from the host).
RUN ldconfig -p | awk '$1 ~ /\.so/ { print $1 }' | sort -u > /tmp/base-libs.txt \
 && for lib in /usr/local/lib/mbserve/*; do \
      if grep -qxF "${lib##*/}" /tmp/base-libs.txt; then rm "${lib}"; fi; \
    done \
 && echo /usr/local/lib/mbserve > /etc/ld.so.conf.d/mbserve.conf \
 && ldconfig \
 && ldd /usr/local/bin/mbserve /usr/local/bin/mbserve-cli > /tmp/ldd.txt \
 && ! grep 'not found' /tmp/ldd.txt | grep -v 'libcuda\.so' \
 && rm /tmp/ldd.txt /tmp/base-libs.txt \
 && groupadd --system --gid 10001 mbserve \
 && useradd --system --uid 10001 --gid mbserve --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mbserve

ENV MBSERVE_MODEL=/models \
    MBSERVE_HOST=0.0.0.0 \
    MBSERVE_PORT=50051 \
    MBSERVE_HTTP_PORT=8080 \
    MBSERVE_METRICS_PORT=9000 \
    MBSERVE_LOG_FORMAT=json
EXPOSE 50051 8080 9000
USER 10001:10001

# The standard grpc.health.v1 service (no API key needed), asked by the
# image's own client: SERVING only once the model is loaded and warmed up.
# Docker wants exit status 1 for unhealthy; mbserve-cli may also exit 2.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
  CMD ["/bin/sh", "-c", "mbserve-cli health --address 127.0.0.1:${MBSERVE_PORT} --timeout 4 --output json > /dev/null || exit 1"]

ENTRYPOINT ["mbserve"]
