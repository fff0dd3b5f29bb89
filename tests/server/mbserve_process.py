"""Runs the mbserve binary for the Python end-to-end tests: Python stubs of
mbserve.v1, grpc.health.v1 and server reflection made with grpc_tools, free
ports, start-up until health says SERVING, and SIGTERM."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import grpc
from grpc_tools import protoc

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GRPC_PROTO = "/usr/share/grpc-proto"


def generate_stubs():
    """Compiles the protos into a temporary package tree and puts it on sys.path:
    mbserve.v1.*_pb2 and, copied out of the `grpc` namespace that grpcio owns,
    grpc_protos.health_pb2 and grpc_protos.reflection_pb2."""
    out = tempfile.mkdtemp(prefix="mbserve_stubs_")
    protos = [os.path.join("mbserve", "v1", name)
              for name in sorted(os.listdir(os.path.join(REPO, "proto", "mbserve", "v1")))]
    os.makedirs(os.path.join(out, "src", "grpc_protos"))
    for source in ["grpc/health/v1/health.proto", "grpc/reflection/v1alpha/reflection.proto"]:
        target = os.path.join("grpc_protos", os.path.basename(source))
        shutil.copy(os.path.join(GRPC_PROTO, source), os.path.join(out, "src", target))
        protos.append(target)
    args = ["protoc", f"-I{os.path.join(REPO, 'proto')}", f"-I{os.path.join(out, 'src')}",
            f"--python_out={out}", f"--grpc_python_out={out}"] + protos
    if protoc.main(args) != 0:
        raise RuntimeError("grpc_tools.protoc failed")
    sys.path.insert(0, out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MbserveProcess:
    """The server binary on free ports; `address`, `metrics_port` and `http_url`
    once started."""

    def __init__(self, binary, model, *flags, credentials=None):
        """credentials: grpc.ChannelCredentials for a TLS server (certificate
        issued to "localhost"); plaintext when None."""
        self.port = free_port()
        self.metrics_port = free_port()
        self.http_port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        scheme = "http" if credentials is None else "https"
        self.http_url = f"{scheme}://127.0.0.1:{self.http_port}"
        self.log = tempfile.NamedTemporaryFile(prefix="mbserve_", suffix=".log", delete=False)
        command = [binary, f"--model={model}", "--host=127.0.0.1", f"--port={self.port}",
                   f"--metrics-port={self.metrics_port}", f"--http-port={self.http_port}",
                   "--tokenization-workers=2",
                   "--num-threads=1", "--shutdown-timeout=20s", *flags]
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        if credentials is None:
            self.channel = grpc.insecure_channel(self.address)
        else:
            self.channel = grpc.secure_channel(
                self.address, credentials, options=[("grpc.ssl_target_name_override", "localhost")])
        self._wait_serving()

    def _wait_serving(self, timeout=60):
        from grpc_protos import health_pb2, health_pb2_grpc
        stub = health_pb2_grpc.HealthStub(self.channel)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mbserve exited early:\n{self.output()}")
            try:
                response = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if response.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"mbserve did not become SERVING in {timeout} s:\n{self.output()}")

    def output(self):
        with open(self.log.name) as f:
            return f.read()

    def terminate(self, timeout=30):
        """SIGTERM, then the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def close(self):
        self.channel.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
