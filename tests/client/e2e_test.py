#!/usr/bin/env python3
"""End to end: the real mbserve binary on a tiny model, called by the Python
package (client/python, installed here with pip) and by mbserve-cli (embed,
classify, tokenize, info, health, bench), with an API key, and over TLS; its
/metrics is checked against the names the Grafana dashboard queries, it must
stop cleanly on SIGTERM, and it names the model after the model, whatever
folder it is mounted at.

Usage: e2e_test.py --server BIN --cli BIN --model DIR --repo ROOT --work DIR
(a model from tests/reference/make_tiny_model.py with its default
classification head, so that both Embed and Classify answer)
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.request

ARGS = None
PACKAGE = None  # where the mbserve Python package is installed for this run
API_KEY = "e2e-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def norm(values):
    return math.sqrt(sum(v * v for v in values))


class Server:
    """The mbserve binary on its own ports, logging to a file."""

    def __init__(self, model_dir, log_path, flags=(), cli_flags=(), port=None):
        self.cli_flags = list(cli_flags)  # what mbserve-cli needs to connect (TLS)
        self.port = port or free_port()
        self.metrics_port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.http_address = f"127.0.0.1:{free_port()}"
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [ARGS.server, "--model", model_dir, "--host", "127.0.0.1",
             "--port", str(self.port), "--metrics-port", str(self.metrics_port),
             "--http-port", self.http_address.split(":")[1],
             "--api-key", API_KEY, "--num-threads", "1", "--tokenization-workers", "1",
             *flags],
            stdout=self.log, stderr=subprocess.STDOUT)

    def wait_serving(self, timeout_s=120):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"mbserve exited with {self.process.returncode}:\n"
                                     + self.log_tail())
            # Health needs no API key: this is what the probes and HEALTHCHECK do.
            health = subprocess.run([ARGS.cli, "health", "--address", self.address,
                                     "--timeout", "1", *self.cli_flags],
                                    capture_output=True, text=True, env=cli_env())
            if health.returncode == 0:
                return
            time.sleep(0.5)
        raise AssertionError("mbserve did not become SERVING:\n" + self.log_tail())

    def log_tail(self):
        self.log.flush()
        with open(self.log_path) as f:
            return "".join(f.readlines()[-30:])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def cli_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MBSERVE_")}
    env.update(extra)
    return env


class EndToEndTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = Server(ARGS.model, os.path.join(ARGS.work, "server.log"))
        cls.server.wait_serving()
        cls.info = cls.cli_json("info")

    @classmethod
    def tearDownClass(cls):
        # SIGTERM drains and exits 0: what Docker and Kubernetes rely on.
        code = cls.server.stop()
        if code != 0:
            raise AssertionError(f"mbserve exited {code} on SIGTERM:\n{cls.server.log_tail()}")

    @classmethod
    def cli(cls, *args, stdin=None, with_key=True):
        """Runs mbserve-cli against the server; the key comes from the environment."""
        env = cli_env(MBSERVE_API_KEY=API_KEY) if with_key else cli_env()
        return subprocess.run([ARGS.cli, *args, "--address", cls.server.address], input=stdin,
                              capture_output=True, text=True, env=env, timeout=120)

    @classmethod
    def cli_json(cls, *args, stdin=None):
        result = cls.cli(*args, "--output", "json", stdin=stdin)
        if result.returncode != 0:
            raise AssertionError(f"mbserve-cli {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr}")
        return json.loads(result.stdout)

    # --- the Python package --------------------------------------------------

    def test_python_package_tests_pass(self):
        env = dict(os.environ, PYTHONPATH=PACKAGE, MBSERVE_TEST_ADDRESS=self.server.address,
                   MBSERVE_TEST_API_KEY=API_KEY, MBSERVE_TEST_MODEL=ARGS.model)
        result = subprocess.run(
            [sys.executable, os.path.join(ARGS.repo, "client", "python", "tests",
                                          "test_client.py"), "-v"],
            capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("skipped", result.stderr)  # the API-key test ran too

    # --- mbserve-cli ---------------------------------------------------------

    def test_info(self):
        self.assertTrue(self.info["model_id"])
        self.assertGreater(self.info["hidden_size"], 0)
        self.assertEqual(self.info["device"], "cpu")

    def test_api_key_is_required(self):
        result = self.cli("info", with_key=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("UNAUTHENTICATED", result.stderr)

    def test_health(self):
        self.assertEqual(self.cli_json("health")["status"], "SERVING")
        service = self.cli_json("health", "--service", "mbserve.v1.EmbedService")
        self.assertEqual(service["status"], "SERVING")
        unknown = self.cli("health", "--service", "no.such.Service")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("NOT_FOUND", unknown.stderr)

    def test_embed_from_arguments_and_stdin(self):
        response = self.cli_json("embed", "hello world", "a second text")
        self.assertEqual(len(response["embeddings"]), 2)
        for embedding in response["embeddings"]:
            self.assertEqual(len(embedding["values"]), self.info["hidden_size"])
            self.assertAlmostEqual(norm(embedding["values"]), 1.0, places=4)
        piped = self.cli_json("embed", "--dimensions", "4", stdin="one\n\ntwo\nthree\n")
        self.assertEqual([len(e["values"]) for e in piped["embeddings"]], [4, 4, 4])

    def test_embed_with_a_named_prompt(self):
        self.assertIn("query", self.info["prompt_names"])
        plain = self.cli_json("embed", "hello world")["embeddings"][0]
        prompted = self.cli_json("embed", "--prompt-name", "query", "hello world")["embeddings"][0]
        self.assertGreater(prompted["num_tokens"], plain["num_tokens"])

    def test_embed_table(self):
        result = self.cli("embed", "--output", "table", "hello world")
        self.assertEqual(result.returncode, 0, result.stderr)
        header = result.stdout.splitlines()[0].split()
        self.assertEqual(header, ["#", "input", "tokens", "dims", "norm", "values"])
        self.assertIn("hello world", result.stdout)
        self.assertIn(" tokens in ", result.stdout)  # the usage footer

    def test_embed_error_names_the_field(self):
        result = self.cli("embed", "--dimensions", str(self.info["hidden_size"] + 1), "x")
        self.assertEqual(result.returncode, 1)
        self.assertIn("INVALID_ARGUMENT", result.stderr)
        self.assertIn("dimensions", result.stderr)

    def test_tokenize(self):
        response = self.cli_json("tokenize", "hello world")
        tokens = response["results"][0]["tokens"]
        self.assertTrue(tokens[0]["special"])
        self.assertTrue(tokens[-1]["special"])
        self.assertGreater(len(tokens), 2)

    def test_classify_follows_the_model_head(self):
        if not self.info["labels"]:
            result = self.cli("classify", "great")
            self.assertEqual(result.returncode, 1)
            self.assertIn("FAILED_PRECONDITION", result.stderr)
            return
        response = self.cli_json("classify", "great", "awful", "--top-k", "1")
        self.assertEqual(len(response["results"]), 2)
        for result in response["results"]:
            self.assertEqual(len(result["scores"]), 1)
            self.assertIn(result["scores"][0]["label"], self.info["labels"])
        pairs = self.cli_json("classify", "--pairs", stdin="query\tdocument\n")
        self.assertEqual(len(pairs["results"]), 1)

    # --- mbserve-cli --http: the same commands over the HTTP routes ----------
    @classmethod
    def cli_http(cls, *args, with_key=True):
        env = cli_env(MBSERVE_API_KEY=API_KEY) if with_key else cli_env()
        return subprocess.run([ARGS.cli, *args, "--http", "--address", cls.server.http_address],
                              capture_output=True, text=True, env=env, timeout=120)

    @classmethod
    def cli_http_json(cls, *args):
        result = cls.cli_http(*args, "--output", "json")
        if result.returncode != 0:
            raise AssertionError(f"mbserve-cli --http {' '.join(args)} exited "
                                 f"{result.returncode}: {result.stderr}")
        return json.loads(result.stdout)

    def test_http_embed_equals_grpc(self):
        texts = ["hello world", "a second text"]
        over_grpc = self.cli_json("embed", "--dimensions", "8", *texts)["embeddings"]
        over_http = self.cli_http_json("embed", "--dimensions", "8", *texts)["embeddings"]
        self.assertEqual([e["values"] for e in over_http], [e["values"] for e in over_grpc])

    def test_http_info_and_health(self):
        info = self.cli_http_json("info")
        for field in ("model_id", "hidden_size", "max_input_length", "labels", "prompt_names"):
            self.assertEqual(info.get(field), self.info.get(field), field)
        self.assertEqual(self.cli_http_json("health")["status"], "SERVING")

    def test_http_classify_equals_grpc(self):
        if not self.info["labels"]:
            result = self.cli_http("classify", "great")
            self.assertEqual(result.returncode, 1)
            self.assertIn("HTTP 424", result.stderr)
            return
        # Two texts: each stays a text over HTTP, not a (great, awful) pair.
        over_grpc = self.cli_json("classify", "great", "awful")["results"]
        over_http = self.cli_http_json("classify", "great", "awful")["results"]
        self.assertEqual([[(s["label"], s["score"]) for s in r["scores"]] for r in over_http],
                         [[(s["label"], s["score"]) for s in r["scores"]] for r in over_grpc])

    def test_http_errors_name_the_status_and_field(self):
        unauthenticated = self.cli_http("info", with_key=False)
        self.assertEqual(unauthenticated.returncode, 1)
        self.assertIn("HTTP 401", unauthenticated.stderr)
        too_wide = self.cli_http("embed", "--dimensions", str(self.info["hidden_size"] + 1), "x")
        self.assertEqual(too_wide.returncode, 1)
        self.assertIn("HTTP 422", too_wide.stderr)
        self.assertIn("dimensions", too_wide.stderr)
        unsupported = self.cli_http("embed", "--pooling", "cls", "x")
        self.assertEqual(unsupported.returncode, 2)
        self.assertIn("--pooling has no field", unsupported.stderr)

    def test_bench_unary(self):
        report = self.cli_json("bench", "--requests", "40", "--concurrency", "4", "--lengths",
                               "uniform:3:64", "--batch-size", "2", "--connections", "2")
        self.assertEqual(report["requests_ok"], 40)
        self.assertEqual(report["requests_failed"], 0)
        self.assertEqual(report["rpc"], "Embed")
        self.assertGreater(report["tokens_per_s"], 0)
        latency = report["latency_s"]
        self.assertLessEqual(latency["p50"], latency["p90"])
        self.assertLessEqual(latency["p90"], latency["p99"])
        self.assertLessEqual(latency["p99"], latency["max"])

    def test_bench_classify(self):
        report = self.cli_json("bench", "--rpc", "classify", "--requests", "12", "--concurrency",
                               "3", "--lengths", "normal:24:8:3:64", "--top-k", "1")
        self.assertEqual(report["rpc"], "Classify")
        self.assertEqual(report["requests_ok"], 12)
        self.assertEqual(report["inputs"], 12)

    def test_bench_stream(self):
        report = self.cli_json("bench", "--stream", "--streams", "2", "--concurrency", "6",
                               "--requests", "30", "--lengths", "fixed:16", "--warmup", "0.5")
        self.assertEqual(report["rpc"], "EmbedStream")
        self.assertEqual(report["requests_ok"], 30)
        self.assertEqual(report["requests_failed"], 0)

    def test_bench_by_duration_counts_errors_by_code(self):
        too_many = str(self.info["hidden_size"] + 1)  # the server refuses every request
        result = self.cli("bench", "--duration", "1", "--concurrency", "2", "--dimensions",
                          too_many, "--output", "json")
        self.assertEqual(result.returncode, 1, "nothing succeeded")
        report = json.loads(result.stdout)
        self.assertEqual(report["requests_ok"], 0)
        self.assertGreater(report["errors_by_code"]["INVALID_ARGUMENT"], 0)
        self.assertEqual(report["requests_failed"], report["errors_by_code"]["INVALID_ARGUMENT"])
        self.assertGreaterEqual(report["elapsed_s"], 1.0)

    def test_metrics_have_what_the_dashboard_queries(self):
        self.cli_json("embed", "so that every family has a sample")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.server.metrics_port}/metrics",
                                    timeout=10) as response:
            exposition = response.read().decode()
        exported = {line.split("{")[0].split(" ")[0] for line in exposition.splitlines()
                    if line and not line.startswith("#")}
        with open(os.path.join(ARGS.repo, "deploy", "grafana", "dashboards",
                               "mbserve.json")) as f:
            dashboard = json.load(f)
        queried = {name for panel in dashboard["panels"] for target in panel["targets"]
                   for name in re.findall(r"\b(mbserve_[a-z0-9_]+)", target["expr"])}
        self.assertFalse(queried - exported, f"exported: {sorted(exported)}")
        self.assertIn('code="OK"', exposition)


class NoServerTest(unittest.TestCase):
    """Clients facing an address where nothing listens yet."""

    def test_bench_backs_off_and_fails_when_every_call_fails(self):
        address = f"127.0.0.1:{free_port()}"
        result = subprocess.run([ARGS.cli, "bench", "--address", address, "--duration", "2",
                                 "--concurrency", "4", "--output", "json"],
                                capture_output=True, text=True, env=cli_env(), timeout=60)
        self.assertEqual(result.returncode, 1, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["requests_ok"], 0)
        self.assertEqual(set(report["errors_by_code"]), {"UNAVAILABLE"})
        # Backing off from 50 ms to 2 s, four workers make about 6 attempts
        # each in 2 s; without backoff they make thousands.
        self.assertLess(report["requests_failed"], 60)
        self.assertGreaterEqual(report["requests_failed"], 4)

    def test_python_client_retries_until_the_server_is_up(self):
        from mbserve import Client, RetryPolicy
        port = free_port()
        answers = []
        policy = RetryPolicy(attempts=10, initial_backoff=0.25, max_backoff=2)

        def call():
            with Client(f"127.0.0.1:{port}", api_key=API_KEY, retry=policy) as client:
                answers.append(client.embed(["waited for"]))

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(1)  # the first attempts find nothing listening
        server = Server(ARGS.model, os.path.join(ARGS.work, "late-server.log"), port=port)
        try:
            caller.join(timeout=60)
            self.assertEqual(len(answers), 1, server.log_tail())
            self.assertEqual(answers[0].shape[0], 1)
        finally:
            server.stop()


class ServedModelNameTest(unittest.TestCase):
    """GetInfo's model_id comes from the model, not from where it is mounted."""

    def model_at(self, folder, name_or_path):
        """The test model in `folder` (under the work dir), config.json's
        _name_or_path set to name_or_path, or removed when None."""
        target = os.path.join(ARGS.work, "names", folder)
        shutil.rmtree(os.path.join(ARGS.work, "names"), ignore_errors=True)
        shutil.copytree(ARGS.model, target)
        with open(os.path.join(target, "config.json")) as f:
            config = json.load(f)
        config.pop("_name_or_path", None)
        if name_or_path is not None:
            config["_name_or_path"] = name_or_path
        with open(os.path.join(target, "config.json"), "w") as f:
            json.dump(config, f)
        return target

    def served_name(self, model_dir, *flags):
        server = Server(model_dir, os.path.join(ARGS.work, "names.log"), flags=flags)
        try:
            server.wait_serving()
            info = subprocess.run([ARGS.cli, "info", "--address", server.address, "--output",
                                   "json"], capture_output=True, text=True, timeout=60,
                                  env=cli_env(MBSERVE_API_KEY=API_KEY))
            self.assertEqual(info.returncode, 0, info.stderr)
            return json.loads(info.stdout)["model_id"]
        finally:
            self.assertEqual(server.stop(), 0)

    def test_repository_id_in_config_json_beats_the_mount_point(self):
        model = self.model_at("models", "acme/encoder-base")
        self.assertEqual(self.served_name(model), "acme/encoder-base")
        self.assertEqual(self.served_name(model, "--served-model-name", "mine"), "mine")

    def test_hugging_face_cache_folder_names_the_repository(self):
        model = self.model_at("hub/models--acme--encoder-base/snapshots/0123abcd", None)
        self.assertEqual(self.served_name(model), "acme/encoder-base")

    def test_without_either_the_folder_name_is_used(self):
        model = self.model_at("my-encoder", "/home/someone/checkpoints/run-7")
        self.assertEqual(self.served_name(model), "my-encoder")


class TlsTest(unittest.TestCase):
    """A server with a self-signed certificate: the CLI's and the Python
    client's TLS options against a real TLS endpoint."""

    @classmethod
    def setUpClass(cls):
        work = os.path.join(ARGS.work, "tls")
        os.makedirs(work, exist_ok=True)
        cls.cert = os.path.join(work, "cert.pem")
        key = os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=mbserve-test", "-keyout", key, "-out", cls.cert,
                        "-addext", "subjectAltName=DNS:mbserve-test,IP:127.0.0.1"],
                       check=True, capture_output=True)
        cls.server = Server(ARGS.model, os.path.join(work, "server.log"),
                            flags=["--tls-cert", cls.cert, "--tls-key", key],
                            cli_flags=["--ca-cert", cls.cert])
        cls.server.wait_serving()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def cli(self, *args):
        return subprocess.run([ARGS.cli, *args, "--address", self.server.address],
                              capture_output=True, text=True, timeout=60,
                              env=cli_env(MBSERVE_API_KEY=API_KEY))

    def test_cli_verifies_the_server_with_the_given_roots(self):
        result = self.cli("info", "--ca-cert", self.cert, "--output", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(json.loads(result.stdout)["model_id"])

    def test_cli_checks_the_name_it_is_told_to(self):
        ok = self.cli("health", "--ca-cert", self.cert, "--tls-server-name", "mbserve-test")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        wrong = self.cli("health", "--ca-cert", self.cert, "--tls-server-name", "other-name")
        self.assertEqual(wrong.returncode, 1)
        self.assertIn("UNAVAILABLE", wrong.stderr)

    def test_cli_over_https_verifies_the_server(self):
        def info(*flags):
            return subprocess.run([ARGS.cli, "info", "--http", *flags, "--output", "json",
                                   "--address", self.server.http_address],
                                  capture_output=True, text=True, timeout=60,
                                  env=cli_env(MBSERVE_API_KEY=API_KEY))
        trusted = info("--ca-cert", self.cert)
        self.assertEqual(trusted.returncode, 0, trusted.stderr)
        self.assertTrue(json.loads(trusted.stdout)["model_id"])
        untrusted = info("--tls")
        self.assertEqual(untrusted.returncode, 1)
        self.assertIn("cannot call https://", untrusted.stderr)

    def test_plaintext_and_untrusted_connections_fail(self):
        plaintext = self.cli("health", "--timeout", "3")
        self.assertEqual(plaintext.returncode, 1)
        untrusted = self.cli("health", "--tls", "--timeout", "3")  # system roots only
        self.assertEqual(untrusted.returncode, 1)

    def test_python_client_over_tls(self):
        from mbserve import Client
        with open(self.cert, "rb") as f:
            roots = f.read()
        with Client(self.server.address, api_key=API_KEY, root_certificates=roots) as client:
            self.assertEqual(client.embed(["over TLS"]).shape[0], 1)
        with Client(self.server.address, api_key=API_KEY, root_certificates=roots,
                    tls_server_name="mbserve-test") as client:
            self.assertEqual(client.embed(["checked against another name"]).shape[0], 1)


def main():
    global ARGS, PACKAGE
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--work", required=True)
    ARGS, rest = parser.parse_known_args()
    shutil.rmtree(ARGS.work, ignore_errors=True)
    os.makedirs(ARGS.work)
    PACKAGE = os.path.join(ARGS.work, "site-packages")
    # As users install it, but with this interpreter's grpcio-tools and
    # setuptools rather than fresh ones from the network.
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", PACKAGE,
                    os.path.join(ARGS.repo, "client", "python")], check=True)
    sys.path.insert(0, PACKAGE)
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
