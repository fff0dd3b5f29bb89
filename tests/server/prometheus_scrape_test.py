"""The metrics endpoint against real Prometheus tools: `promtool check metrics`
passes on /metrics, and a Prometheus server scrapes it and can query the
mbserve series.

    python prometheus_scrape_test.py --binary build/server/mbserve --model <checkpoint>
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import mbserve_process

ARGS = None

DOCUMENTED = [
    "mbserve_requests_total", "mbserve_inputs_total", "mbserve_tokens_total",
    "mbserve_tokens_per_second", "mbserve_request_duration_seconds",
    "mbserve_tokenization_duration_seconds", "mbserve_queue_duration_seconds",
    "mbserve_inference_duration_seconds", "mbserve_batch_sequences", "mbserve_batch_tokens",
    "mbserve_input_length_tokens", "mbserve_queue_sequences", "mbserve_queue_tokens",
    "mbserve_in_flight_requests", "mbserve_model_info",
]


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


class PrometheusScrapeTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model)
        from mbserve.v1 import embed_pb2, embed_pb2_grpc
        stub = embed_pb2_grpc.EmbedServiceStub(cls.server.channel)
        for text in ["one", "two words", "three words here"]:
            stub.Embed(embed_pb2.EmbedRequest(inputs=[embed_pb2.EmbedInput(text=text.encode())]))
        cls.metrics_url = f"http://127.0.0.1:{cls.server.metrics_port}/metrics"

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_idle_connections_do_not_block_a_scrape(self):
        idle = [socket.create_connection(("127.0.0.1", self.server.metrics_port))
                for _ in range(4)]
        try:
            time.sleep(0.2)
            started = time.time()
            self.assertIn("mbserve_requests_total", fetch(self.metrics_url))
            self.assertLess(time.time() - started, 3)
        finally:
            for connection in idle:
                connection.close()

    def test_promtool_accepts_the_exposition(self):
        text = fetch(self.metrics_url)
        for name in DOCUMENTED:
            self.assertIn(f"# TYPE {name} ", text)
        check = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                               capture_output=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_prometheus_scrapes_and_queries(self):
        work = tempfile.mkdtemp(prefix="mbserve_prometheus_")
        port = mbserve_process.free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n"
                    "  - job_name: mbserve\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{self.server.metrics_port}']\n")
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/data",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            query = "mbserve_requests_total{rpc=\"Embed\",code=\"OK\"}"
            url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
            value = None
            deadline = time.time() + 60
            while time.time() < deadline and value is None:
                time.sleep(0.5)
                try:
                    result = json.loads(fetch(url))["data"]["result"]
                except OSError:
                    continue
                if result:
                    value = float(result[0]["value"][1])
            self.assertEqual(value, 3.0, "Prometheus never returned the scraped series")
            up = json.loads(fetch(f"http://127.0.0.1:{port}/api/v1/query?query=up"))
            self.assertEqual(up["data"]["result"][0]["value"][1], "1")
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=30)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--model", required=True)
    ARGS, rest = parser.parse_known_args()
    mbserve_process.generate_stubs()
    unittest.main(argv=[sys.argv[0]] + rest)
