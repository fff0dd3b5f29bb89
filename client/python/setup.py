"""Builds mbserve-client: compiles the messages and stubs of mbserve.v1 from
the repository's proto/ into mbserve/v1 with grpcio-tools, and requires the
grpcio and protobuf runtimes the generated code checks for at import (at
least the generator's versions). Everything else is in pyproject.toml."""
import os
import re

import grpc_tools
from grpc_tools import grpc_version, protoc
from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
STUBS = os.path.join(HERE, "mbserve", "v1")


def generate_stubs():
    """Writes mbserve/v1/*_pb2.py, *_pb2.pyi and *_pb2_grpc.py; returns the
    protobuf version the messages were generated for."""
    sources = os.path.join(PROTO_ROOT, "mbserve", "v1")
    if not os.path.isdir(sources):
        raise SystemExit(f"mbserve-client: {sources} not found: build the package inside the "
                         "mbserve repository (pip install ./client/python)")
    protos = sorted(os.path.join("mbserve", "v1", name) for name in os.listdir(sources)
                    if name.endswith(".proto"))
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    args = ["grpc_tools.protoc", f"--proto_path={PROTO_ROOT}", f"--proto_path={well_known}",
            f"--python_out={HERE}", f"--pyi_out={HERE}", f"--grpc_python_out={HERE}", *protos]
    if protoc.main(args) != 0:
        raise SystemExit("mbserve-client: grpc_tools.protoc failed on " + " ".join(protos))
    with open(os.path.join(STUBS, "__init__.py"), "w") as f:
        f.write('"""Messages and gRPC stubs of mbserve.v1, generated from proto/ at build."""\n')
    with open(os.path.join(STUBS, "common_pb2.py")) as f:
        return re.search(r"^# Protobuf Python Version: (\S+)$", f.read(), re.M).group(1)


def requirements(protobuf):
    major = int(protobuf.split(".")[0])
    return ["numpy>=1.22", f"grpcio>={grpc_version.VERSION}",
            f"protobuf>={protobuf},<{major + 1}"]


# Every setup.py run generates: the metadata needs the versions, the build
# the files.
setup(install_requires=requirements(generate_stubs()))
