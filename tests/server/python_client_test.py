"""A Python grpcio client against the real mbserve binary: Embed, Classify,
server reflection, TLS, and SIGTERM (every accepted call answered, exit
code 0).

    python python_client_test.py --binary build/server/mbserve --model <classifier checkpoint>
"""
import argparse
import concurrent.futures
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

import mbserve_process

ARGS = None


class PythonClientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model)
        from mbserve.v1 import classify_pb2_grpc, embed_pb2_grpc, info_pb2_grpc
        cls.embed = embed_pb2_grpc.EmbedServiceStub(cls.server.channel)
        cls.classify = classify_pb2_grpc.ClassifyServiceStub(cls.server.channel)
        cls.info = info_pb2_grpc.InfoServiceStub(cls.server.channel)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def embed_request(self, texts, **fields):
        from mbserve.v1 import embed_pb2
        return embed_pb2.EmbedRequest(
            inputs=[embed_pb2.EmbedInput(text=t.encode()) for t in texts], **fields)

    def test_embed(self):
        from mbserve.v1 import info_pb2
        info = self.info.GetInfo(info_pb2.GetInfoRequest())
        response = self.embed.Embed(self.embed_request(["hello from python", "second input"]))
        self.assertEqual(len(response.embeddings), 2)
        for embedding in response.embeddings:
            self.assertEqual(len(embedding.values), info.hidden_size)
            self.assertAlmostEqual(math.sqrt(sum(v * v for v in embedding.values)), 1.0, places=5)
        self.assertNotEqual(list(response.embeddings[0].values), list(response.embeddings[1].values))
        self.assertGreater(response.usage.total_tokens, 0)
        small = self.embed.Embed(self.embed_request(["hello from python"], dimensions=4))
        self.assertEqual(len(small.embeddings[0].values), 4)

    def test_classify(self):
        from mbserve.v1 import classify_pb2
        request = classify_pb2.ClassifyRequest(inputs=[
            classify_pb2.ClassifyInput(text="a fine day".encode()),
            classify_pb2.ClassifyInput(
                pair=classify_pb2.TextPair(first=b"query", second=b"a document")),
        ], top_k=1)
        response = self.classify.Classify(request)
        self.assertEqual(len(response.results), 2)
        for result in response.results:
            self.assertEqual(len(result.scores), 1)
            self.assertTrue(result.scores[0].label)
            self.assertGreater(result.scores[0].score, 0.0)

    def test_bad_input_status(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.embed.Embed(self.embed_request([]))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("inputs is empty", caught.exception.details())

    def test_reflection_lists_every_service(self):
        from grpc_protos import reflection_pb2, reflection_pb2_grpc
        stub = reflection_pb2_grpc.ServerReflectionStub(self.server.channel)
        responses = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for r in responses for s in r.list_services_response.service}
        for name in ["mbserve.v1.EmbedService", "mbserve.v1.ClassifyService",
                     "mbserve.v1.TokenizeService", "mbserve.v1.InfoService",
                     "grpc.health.v1.Health"]:
            self.assertIn(name, names)


class TlsTest(unittest.TestCase):

    def test_tls_server_answers_a_tls_client_only(self):
        work = tempfile.mkdtemp(prefix="mbserve_tls_")
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        with open(cert, "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model, f"--tls-cert={cert}",
                                                f"--tls-key={key}", credentials=credentials)
        try:
            from mbserve.v1 import embed_pb2, embed_pb2_grpc
            request = embed_pb2.EmbedRequest(inputs=[embed_pb2.EmbedInput(text=b"over TLS")])
            response = embed_pb2_grpc.EmbedServiceStub(server.channel).Embed(request)
            self.assertEqual(len(response.embeddings), 1)
            with grpc.insecure_channel(server.address) as plaintext:
                with self.assertRaises(grpc.RpcError) as caught:
                    embed_pb2_grpc.EmbedServiceStub(plaintext).Embed(request, timeout=5)
                self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
        finally:
            server.close()
            shutil.rmtree(work, ignore_errors=True)


class GracefulShutdownTest(unittest.TestCase):

    def test_sigterm_answers_accepted_calls_and_exits_zero(self):
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model, "--max-batch-delay=20ms")
        try:
            from mbserve.v1 import embed_pb2, embed_pb2_grpc
            stub = embed_pb2_grpc.EmbedServiceStub(server.channel)
            request = embed_pb2.EmbedRequest(
                inputs=[embed_pb2.EmbedInput(text=("word " * 200).encode())] * 4)
            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                futures = [pool.submit(stub.Embed, request) for _ in range(32)]
                time.sleep(0.05)
                exit_code = server.terminate()
                outcomes = []
                for future in futures:
                    try:
                        outcomes.append(len(future.result().embeddings))
                    except grpc.RpcError as error:
                        # Refused (never accepted) is fine; accepted-then-lost is not.
                        self.assertEqual(error.code(), grpc.StatusCode.UNAVAILABLE, error.details())
                        outcomes.append(None)
            self.assertEqual(exit_code, 0, server.output())
            answered = [o for o in outcomes if o is not None]
            self.assertTrue(answered, "no call was accepted before SIGTERM")
            self.assertTrue(all(o == 4 for o in answered))
            self.assertIn("SIGTERM received", server.output())
        finally:
            server.close()

    def test_sigterm_during_warm_up_exits_at_once(self):
        # A batch delay of 1000 hours holds the warm-up batch open: before this
        # was honoured, only SIGKILL ended the process.
        port = mbserve_process.free_port()
        with tempfile.NamedTemporaryFile(prefix="mbserve_", suffix=".log") as log:
            process = subprocess.Popen(
                [ARGS.binary, f"--model={ARGS.model}", "--host=127.0.0.1", f"--port={port}",
                 "--metrics-port=-1", "--num-threads=1", "--max-batch-delay=1000h"],
                stdout=log, stderr=subprocess.STDOUT)
            def output():
                with open(log.name, errors="replace") as f:
                    return f.read()
            try:
                deadline = time.time() + 60
                while "gRPC on" not in output():  # warm-up is next
                    self.assertIsNone(process.poll(), output())
                    self.assertLess(time.time(), deadline, "no start-up summary in 60 s")
                    time.sleep(0.05)
                time.sleep(0.5)
                process.send_signal(signal.SIGTERM)
                self.assertEqual(process.wait(timeout=10), 128 + signal.SIGTERM)
                self.assertIn("SIGTERM received during start-up; exiting", output())
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()

    def test_shutdown_timeout_cuts_calls_and_says_how_many(self):
        server = mbserve_process.MbserveProcess(
            ARGS.binary, ARGS.model, "--max-batch-delay=1000h", "--warmup-tokens=0",
            "--shutdown-timeout=1s")
        try:
            from mbserve.v1 import embed_pb2, embed_pb2_grpc
            stub = embed_pb2_grpc.EmbedServiceStub(server.channel)
            request = embed_pb2.EmbedRequest(inputs=[embed_pb2.EmbedInput(text=b"held")])
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                futures = [pool.submit(stub.Embed, request) for _ in range(2)]
                time.sleep(0.5)  # both accepted, held by the 1000 h batch delay
                started = time.time()
                exit_code = server.terminate(timeout=15)
                self.assertLess(time.time() - started, 10)
                for future in futures:
                    with self.assertRaises(grpc.RpcError):
                        future.result()
            self.assertEqual(exit_code, 0, server.output())
            self.assertIn("--shutdown-timeout cut 2 accepted calls", server.output())
            self.assertNotIn("all accepted calls answered", server.output())
        finally:
            server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--model", required=True, help="a checkpoint with a classification head")
    ARGS, rest = parser.parse_known_args()
    mbserve_process.generate_stubs()
    unittest.main(argv=[sys.argv[0]] + rest)
