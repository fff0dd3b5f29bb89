"""The HTTP/JSON front door of the real mbserve binary: the `openai` package
and plain HTTP requests shaped like text-embeddings-inference's, compared
with the gRPC answers for the same inputs; the bad-input table; keep-alive;
the API key; 64 HTTP clients beside gRPC clients; SIGTERM.

    python http_api_test.py --binary build/server/mbserve --model <classifier checkpoint>
"""
import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import unittest
import urllib.parse

import grpc

import mbserve_process

ARGS = None
API_KEY = "http-secret"


def connect(url, timeout=60):
    parsed = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)


def call(connection, method, path, body=None, headers=None, raw=None):
    """(status, parsed JSON or None) of one request on `connection`."""
    headers = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    text = response.read()
    return response.status, (json.loads(text) if text else None)


def call_keep_alive(connection, method, path, body=None):
    """call() on a kept-alive connection, sent again once on a new one if the
    old one was closed as the request went out (as urllib3 and the SDKs do;
    the server closes connections idle for 5 s). A fresh connection gets no
    second try."""
    reused = connection.sock is not None
    try:
        return call(connection, method, path, body)
    except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
        if not reused:
            raise
        connection.close()
        return call(connection, method, path, body)


def unpack_base64(text):
    """The little-endian float32 values of a base64 embedding."""
    raw = base64.b64decode(text)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def float32(values):
    """The values as the float32 bit patterns they were sent as."""
    return [struct.unpack("<f", struct.pack("<f", v))[0] for v in values]


class HttpApiTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model,
                                                    "--max-client-batch-size=8",
                                                    "--max-message-bytes=65536")
        from mbserve.v1 import classify_pb2_grpc, embed_pb2_grpc, tokenize_pb2_grpc
        cls.embed = embed_pb2_grpc.EmbedServiceStub(cls.server.channel)
        cls.classify = classify_pb2_grpc.ClassifyServiceStub(cls.server.channel)
        cls.tokenize = tokenize_pb2_grpc.TokenizeServiceStub(cls.server.channel)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.http = connect(self.server.http_url)

    def tearDown(self):
        self.http.close()

    def post(self, path, body=None, **kwargs):
        return call(self.http, "POST", path, body, **kwargs)

    def grpc_embed(self, texts=(), ids=(), **fields):
        from mbserve.v1 import common_pb2, embed_pb2
        inputs = [embed_pb2.EmbedInput(text=t.encode()) for t in texts]
        inputs += [embed_pb2.EmbedInput(token_ids=common_pb2.TokenIds(ids=i)) for i in ids]
        response = self.embed.Embed(embed_pb2.EmbedRequest(inputs=inputs, **fields))
        return [list(e.values) for e in response.embeddings], response.usage.total_tokens

    # --- OpenAI ---------------------------------------------------------

    def test_openai_client_float_and_base64_equal_grpc(self):
        import openai
        client = openai.OpenAI(base_url=self.server.http_url + "/v1", api_key="unused",
                               max_retries=0)
        texts = ["hello from the openai client", "a second, longer input of several words"]
        expected, tokens = self.grpc_embed(texts)
        for encoding_format in ["float", "base64"]:
            with self.subTest(encoding_format=encoding_format):
                result = client.embeddings.create(model="any", input=texts,
                                                  encoding_format=encoding_format)
                self.assertEqual([d.index for d in result.data], [0, 1])
                # Asked for explicitly, base64 comes back as the server sent it.
                got = [float32(d.embedding) if encoding_format == "float"
                       else unpack_base64(d.embedding) for d in result.data]
                self.assertEqual(got, expected)  # bit for bit
                self.assertEqual(result.usage.prompt_tokens, tokens)
                self.assertEqual(result.usage.total_tokens, tokens)
        ids = [[1, 5, 9, 2], [1, 7, 2]]
        by_ids, _ = self.grpc_embed(ids=ids, dimensions=8)
        result = client.embeddings.create(model="any", input=ids, dimensions=8,
                                          encoding_format="float")
        self.assertEqual([float32(d.embedding) for d in result.data], by_ids)
        one = client.embeddings.create(model="any", input=ids[0], encoding_format="float")
        self.assertEqual(float32(one.data[0].embedding), self.grpc_embed(ids=ids[:1])[0][0])
        models = client.models.list()
        self.assertEqual([m.id for m in models.data], [self.served_name()])

    def served_name(self):
        status, info = call(self.http, "GET", "/info")
        self.assertEqual(status, 200)
        return info["model_id"]

    def test_raw_base64_is_little_endian_float32(self):
        status, body = self.post("/v1/embeddings", {"input": "raw", "encoding_format": "base64"})
        self.assertEqual(status, 200, body)
        self.assertEqual(unpack_base64(body["data"][0]["embedding"]),
                         self.grpc_embed(["raw"])[0][0])
        self.assertEqual(body["object"], "list")
        self.assertEqual(body["data"][0]["object"], "embedding")

    # --- TEI ------------------------------------------------------------

    def test_tei_embed_equals_grpc(self):
        status, vectors = self.post("/embed", {"inputs": ["tei one", "tei two"],
                                               "normalize": False, "dimensions": 16})
        self.assertEqual(status, 200, vectors)
        expected, _ = self.grpc_embed(["tei one", "tei two"], normalize=False, dimensions=16)
        self.assertEqual([float32(v) for v in vectors], expected)
        status, single = self.post("/embed", {"inputs": "tei one"})
        self.assertEqual(status, 200)
        self.assertEqual(float32(single[0]), self.grpc_embed(["tei one"])[0][0])

    def test_tei_embed_truncation(self):
        long_text = "word " * 5000
        status, body = self.post("/embed", {"inputs": long_text})
        self.assertEqual(status, 422)
        self.assertEqual(body["error_type"], "validation")
        self.assertIn("maximum input length", body["error"])
        status, vectors = self.post("/embed", {"inputs": long_text, "truncate": True,
                                               "truncation_direction": "Left"})
        self.assertEqual(status, 200, vectors)

    def grpc_classify(self, inputs, raw_scores=False):
        from mbserve.v1 import classify_pb2
        request = classify_pb2.ClassifyRequest(raw_scores=raw_scores)
        for item in inputs:
            if isinstance(item, str):
                request.inputs.add(text=item.encode())
            else:
                request.inputs.add(pair=classify_pb2.TextPair(first=item[0].encode(),
                                                              second=item[1].encode()))
        return self.classify.Classify(request)

    def test_tei_predict_equals_grpc(self):
        expected = self.grpc_classify(["a fine day", ("query", "document")], raw_scores=True)
        status, batch = self.post("/predict", {"inputs": ["a fine day", ["query", "document"]],
                                               "raw_scores": True})
        self.assertEqual(status, 200, batch)
        for got, want in zip(batch, expected.results):
            self.assertEqual([(s["label"], float32([s["score"]])[0]) for s in got],
                             [(s.label, s.score) for s in want.scores])
        status, single = self.post("/predict", {"inputs": ["query", "document"]})
        self.assertEqual(status, 200)
        pair = self.grpc_classify([("query", "document")]).results[0]
        self.assertEqual([s["label"] for s in single], [s.label for s in pair.scores])
        self.assertAlmostEqual(sum(s["score"] for s in single), 1.0, places=5)

    def test_tei_rerank_sorts_pairs_like_grpc_rerank_and_classify(self):
        from mbserve.v1 import classify_pb2
        texts = ["first document", "the second one is here", "third", "another text"]
        status, ranks = self.post("/rerank", {"query": "which document", "texts": texts,
                                              "return_text": True})
        self.assertEqual(status, 200, ranks)
        self.assertEqual(sorted(r["index"] for r in ranks), [0, 1, 2, 3])
        scores = [r["score"] for r in ranks]
        self.assertEqual(scores, sorted(scores, reverse=True))
        for r in ranks:
            self.assertEqual(r["text"], texts[r["index"]])
        # The score of a text is its pair's probability of the head's last class.
        classified = self.grpc_classify([("which document", t) for t in texts])
        last = len(classified.results[0].scores) - 1
        for r in ranks:
            by_index = {s.index: s.score for s in classified.results[r["index"]].scores}
            self.assertEqual(float32([r["score"]])[0], by_index[last])
        response = self.classify.Rerank(classify_pb2.RerankRequest(
            query=b"which document", texts=[t.encode() for t in texts]))
        self.assertEqual([(r.index, r.score) for r in response.results],
                         [(r["index"], float32([r["score"]])[0]) for r in ranks])
        self.assertFalse(any(r.text for r in response.results))

    def test_tei_tokenize_and_decode_equal_grpc(self):
        from mbserve.v1 import tokenize_pb2
        status, tokens = self.post("/tokenize", {"inputs": ["Hello world", "again"]})
        self.assertEqual(status, 200, tokens)
        expected = self.tokenize.Tokenize(tokenize_pb2.TokenizeRequest(texts=[b"Hello world",
                                                                              b"again"]))
        for got, want in zip(tokens, expected.results):
            self.assertEqual([(t["id"], t["text"], t["special"], t["start"], t["stop"])
                              for t in got],
                             [(t.id, t.text, t.special, t.start, t.end) for t in want.tokens])
        ids = [t["id"] for t in tokens[0]]
        status, texts = self.post("/decode", {"ids": ids})
        self.assertEqual(status, 200)
        want = self.tokenize.Detokenize(tokenize_pb2.DetokenizeRequest(ids=ids)).text
        self.assertEqual(texts, [want])
        status, texts = self.post("/decode", {"ids": [ids, ids], "skip_special_tokens": False})
        self.assertEqual(status, 200)
        self.assertEqual(len(texts), 2)

    def tokens(self, connection, body):
        """The (id, text, special, start, stop) of each token of /tokenize's
        first result."""
        status, results = call(connection, "POST", "/tokenize", body)
        self.assertEqual(status, 200, results)
        return [(t["id"], t["text"], t["special"], t["start"], t["stop"]) for t in results[0]]

    def test_tei_tokenize_prompt_name_puts_the_prompt_first(self):
        with open(f"{ARGS.model}/config_sentence_transformers.json") as f:
            prompt = json.load(f)["prompts"]["query"]
        named = self.tokens(self.http, {"inputs": "Hello world", "prompt_name": "query"})
        self.assertEqual(named, self.tokens(self.http, {"inputs": prompt + "Hello world"}))
        self.assertNotEqual(named, self.tokens(self.http, {"inputs": "Hello world"}))
        from mbserve.v1 import embed_pb2
        usage = self.embed.Embed(embed_pb2.EmbedRequest(
            inputs=[embed_pb2.EmbedInput(text=b"Hello world")], prompt_name="query")).usage
        self.assertEqual(len(named), usage.total_tokens)  # what /embed runs
        bad = {"inputs": "Hello world", "prompt_name": "nope"}
        status, error = self.post("/tokenize", bad)
        self.assertEqual((status, error), self.post("/embed", bad))  # /embed's error
        self.assertEqual(status, 422)
        self.assertIn('prompt_name "nope" is not a prompt of this model', error["error"])

    def test_tei_tokenize_applies_the_default_prompt_as_embed_does(self):
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model,
                                                "--default-prompt-name=document")
        connection = connect(server.http_url)
        try:
            self.assertEqual(
                self.tokens(connection, {"inputs": "Hello world"}),
                self.tokens(connection, {"inputs": "Hello world", "prompt_name": "document"}))
        finally:
            connection.close()
            server.close()

    def test_info_health_models(self):
        status, info = call(self.http, "GET", "/info")
        self.assertEqual(status, 200)
        self.assertIn("classifier", info["model_type"])
        self.assertEqual(info["max_client_batch_size"], 8)
        status, _ = call(self.http, "GET", "/health")
        self.assertEqual(status, 200)
        status, models = call(self.http, "GET", "/v1/models")
        self.assertEqual(status, 200)
        self.assertEqual(models["data"][0]["id"], info["model_id"])

    # --- errors ---------------------------------------------------------

    BAD_INPUTS = [
        # (route, body, status, error_type, words in the message)
        ("/v1/embeddings", {}, 422, "validation", "input is required"),
        ("/v1/embeddings", {"input": []}, 422, "validation", "input is empty"),
        ("/v1/embeddings", {"input": [""]}, 422, "validation", "inputs[0].text is empty"),
        ("/v1/embeddings", {"input": ["a"] * 9}, 422, "validation",
         "has 9 entries but --max-client-batch-size is 8"),
        ("/v1/embeddings", {"input": [[1, 2, 10**9]]}, 422, "validation",
         "inputs[0].token_ids[2] is 1000000000; ids must be below the vocabulary size"),
        ("/v1/embeddings", {"input": [1, -1]}, 422, "validation", "input[1] is -1"),
        ("/v1/embeddings", {"input": [2**70]}, 422, "validation", "input[0] must be an integer"),
        ("/v1/embeddings", {"input": "a", "dimensions": 0}, 422, "validation",
         "dimensions is 0; it must be between 1 and the hidden size"),
        ("/v1/embeddings", {"input": "a", "encoding_format": "int8"}, 422, "validation",
         "encoding_format"),
        ("/v1/embeddings", {"input": {"text": "a"}}, 422, "validation",
         "input must be a string, a list"),
        ("/embed", {"inputs": "a", "prompt_name": "nope"}, 422, "validation",
         "prompt_name \"nope\" is not a prompt of this model"),
        ("/embed", {"inputs": "a", "normalize": 1}, 422, "validation",
         "normalize must be true or false"),
        ("/predict", {"inputs": [["a", "b", "c"]]}, 422, "validation", "inputs[0] must be"),
        ("/rerank", {"query": "", "texts": ["a"]}, 422, "validation", "query is empty"),
        ("/rerank", {"query": "q", "texts": []}, 422, "validation", "texts is empty"),
        ("/rerank", {"query": "q", "texts": ["a", ""]}, 422, "validation", "texts[1] is empty"),
        ("/tokenize", {"inputs": ""}, 422, "validation", "texts[0] is empty"),
        ("/decode", {"ids": [10**9]}, 422, "validation", "ids must be below the vocabulary"),
    ]

    def test_bad_input_table(self):
        for route, body, status, error_type, words in self.BAD_INPUTS:
            with self.subTest(route=route, body=str(body)[:80]):
                got_status, got = self.post(route, body)
                self.assertEqual(got_status, status, got)
                self.assertEqual(got["error_type"], error_type)
                self.assertIn(words, got["error"])

    def test_bodies_that_are_not_requests(self):
        cases = [
            (b"{\"input\": ", 400, "not valid JSON"),
            (b"[1, 2]", 400, "must be a JSON object"),
            (b"{\"input\": \"\xff\"}", 400, "not valid JSON"),
            (b"{\"input\": " + b"[" * 20000 + b"]" * 20000 + b"}", 400, "deeper than"),
            (b"{\"input\": [1e400]}", 400, "beyond the range of a double"),
            (b"x" * 70000, 413, "larger than --max-message-bytes"),
        ]
        for raw, status, words in cases:
            with self.subTest(body=raw[:30]):
                got_status, got = self.post("/v1/embeddings", raw=raw,
                                            headers={"Content-Type": "application/json"})
                self.assertEqual(got_status, status, got)
                self.assertIn(words, got["error"])
                self.http.close()  # the server may close after a refused body
        status, body = call(self.http, "GET", "/no/such/route")
        self.assertEqual(status, 404)
        self.assertIn("no route", body["error"])

    def test_chunked_body(self):
        payload = json.dumps({"inputs": "sent in chunks"}).encode()
        self.http.putrequest("POST", "/embed")
        self.http.putheader("Content-Type", "application/json")
        self.http.putheader("Transfer-Encoding", "chunked")
        self.http.endheaders()
        for start in range(0, len(payload), 7):
            piece = payload[start:start + 7]
            self.http.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.http.send(b"0\r\n\r\n")
        response = self.http.getresponse()
        self.assertEqual(response.status, 200)
        self.assertEqual(float32(json.loads(response.read())[0]),
                         self.grpc_embed(["sent in chunks"])[0][0])

    def test_chunked_body_over_the_limit_is_refused(self):
        self.http.putrequest("POST", "/embed")
        self.http.putheader("Transfer-Encoding", "chunked")
        self.http.endheaders()
        piece = b"x" * 10000
        try:
            for _ in range(8):  # 80000 bytes > --max-message-bytes=65536
                self.http.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.http.send(b"0\r\n\r\n")
        except ConnectionError:
            pass  # the server may stop reading once it has refused the body
        response = self.http.getresponse()
        self.assertEqual(response.status, 413)
        self.assertIn("--max-message-bytes", json.loads(response.read())["error"])

    def test_stalled_and_vanishing_clients_do_not_disturb_others(self):
        parsed = urllib.parse.urlparse(self.server.http_url)
        stalled = socket.create_connection((parsed.hostname, parsed.port))
        stalled.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"in")
        for _ in range(5):  # a client that sends a request and leaves at once
            gone = socket.create_connection((parsed.hostname, parsed.port))
            gone.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n"
                         b"{\"inputs\": \"bye now\"}")
            gone.close()
        status, vectors = self.post("/embed", {"inputs": "still served"})
        self.assertEqual(status, 200)
        # The stalled request is dropped after the read timeout: the server
        # closes the connection, with at most an error status before.
        stalled.settimeout(30)
        received = b""
        while chunk := stalled.recv(4096):
            received += chunk
        stalled.close()
        self.assertTrue(received == b"" or received.startswith(b"HTTP/1.1 4"), received[:100])

    def test_keep_alive_reuses_one_connection(self):
        self.post("/embed", {"inputs": "first"})
        first_socket = self.http.sock
        self.assertIsNotNone(first_socket)
        for i in range(20):
            status, _ = self.post("/embed", {"inputs": f"request {i}"})
            self.assertEqual(status, 200)
            self.assertIs(self.http.sock, first_socket)  # http.client reconnects otherwise

    def test_kept_alive_connection_outlives_pauses_under_the_idle_timeout(self):
        self.http.request("GET", "/health")
        response = self.http.getresponse()
        response.read()
        self.assertEqual(response.getheader("Keep-Alive"), "timeout=5, max=100000")
        first_socket = self.http.sock
        for pause in (1.0, 3.5):  # under the 5 s the server announces
            time.sleep(pause)
            status, _ = self.post("/embed", {"inputs": "after a pause"})  # no resend
            self.assertEqual(status, 200)
            self.assertIs(self.http.sock, first_socket)

    def test_burst_of_connections_while_the_listener_cannot_run_is_served(self):
        # The kernel completes connections before the server accepts them,
        # up to the listen backlog. A burst larger than cpp-httplib's own
        # backlog (5), arriving while the listener thread cannot run (here:
        # the process is stopped), must wait in the queue: a dropped
        # handshake leaves the client's connect hanging, and one that
        # already sent its request may see it fail.
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model)
        body = b'{"inputs": "queued"}'
        request = (b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        clients = []
        try:
            os.kill(server.process.pid, signal.SIGSTOP)
            try:
                for i in range(32):
                    try:
                        client = socket.create_connection(("127.0.0.1", server.http_port),
                                                          timeout=2)
                    except TimeoutError:
                        self.fail(f"connection {i} of the burst was dropped: the listen "
                                  "backlog is too small")
                    client.sendall(request)
                    clients.append(client)
            finally:
                os.kill(server.process.pid, signal.SIGCONT)
            for client in clients:
                client.settimeout(30)
                self.assertTrue(client.recv(4096).startswith(b"HTTP/1.1 200"))
        finally:
            for client in clients:
                client.close()
            server.close()

    def test_metrics_label_is_the_route(self):
        self.post("/v1/embeddings", {"input": "counted"})
        metrics = connect(f"http://127.0.0.1:{self.server.metrics_port}")
        metrics.request("GET", "/metrics")
        text = metrics.getresponse().read().decode()
        metrics.close()
        self.assertRegex(text, r'mbserve_requests_total\{[^}]*rpc="/v1/embeddings"')

    def test_concurrent_http_and_grpc_clients_get_what_each_input_gets_alone(self):
        texts = [("input number %d " % i) * (1 + i % 7) for i in range(24)]
        alone = {t: self.grpc_embed([t])[0][0] for t in texts}
        errors = []

        def http_client(worker):
            connection = connect(self.server.http_url)
            try:
                for round_ in range(4):
                    text = texts[(worker + round_) % len(texts)]
                    status, body = call_keep_alive(connection, "POST", "/v1/embeddings",
                                                   {"input": [text], "encoding_format": "base64"})
                    if status != 200:
                        errors.append(f"HTTP client {worker}: status {status}: {body}")
                    elif unpack_base64(body["data"][0]["embedding"]) != alone[text]:
                        errors.append(f"HTTP client {worker}: {text!r} differs")
            finally:
                connection.close()

        def grpc_client(worker):
            for round_ in range(8):
                text = texts[(worker * 3 + round_) % len(texts)]
                if self.grpc_embed([text])[0][0] != alone[text]:
                    errors.append(f"gRPC client {worker}: {text!r} differs")

        with concurrent.futures.ThreadPoolExecutor(64 + 8) as pool:
            futures = [pool.submit(http_client, w) for w in range(64)]
            futures += [pool.submit(grpc_client, w) for w in range(8)]
            for future in futures:
                future.result()
        self.assertEqual(errors, [])


class HttpAuthTest(unittest.TestCase):

    def test_api_key_guards_every_route_but_health(self):
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model, f"--api-key={API_KEY}")
        try:
            connection = connect(server.http_url)
            status, body = call(connection, "POST", "/embed", {"inputs": "a"})
            self.assertEqual((status, body["error_type"]), (401, "unauthorized"))
            self.assertIn("missing API key", body["error"])
            status, body = call(connection, "POST", "/embed", {"inputs": "a"},
                                headers={"Authorization": "Bearer wrong"})
            self.assertEqual(status, 401)
            self.assertIn("wrong API key", body["error"])
            status, _ = call(connection, "GET", "/v1/models")
            self.assertEqual(status, 401)
            status, body = call(connection, "POST", "/embed", {"inputs": "a"},
                                headers={"Authorization": f"Bearer {API_KEY}"})
            self.assertEqual(status, 200, body)
            status, _ = call(connection, "GET", "/health")
            self.assertEqual(status, 200)
            import openai
            client = openai.OpenAI(base_url=server.http_url + "/v1", api_key=API_KEY,
                                   max_retries=0)
            self.assertEqual(len(client.embeddings.create(model="m", input="a").data), 1)
        finally:
            server.close()


class HttpsTest(unittest.TestCase):

    def test_tls_certificate_serves_https(self):
        import os
        import shutil
        import ssl
        import subprocess
        import tempfile
        work = tempfile.mkdtemp(prefix="mbserve_https_")
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        with open(cert, "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model, f"--tls-cert={cert}",
                                                f"--tls-key={key}", credentials=credentials)
        try:
            context = ssl.create_default_context(cafile=cert)
            secure = http.client.HTTPSConnection("localhost", server.http_port, context=context,
                                                 timeout=30)
            status, vectors = call(secure, "POST", "/embed", {"inputs": "over TLS"})
            self.assertEqual(status, 200)
            self.assertEqual(len(vectors), 1)
            secure.close()
            plaintext = connect(f"http://127.0.0.1:{server.http_port}")
            with self.assertRaises((ConnectionError, http.client.HTTPException)):
                call(plaintext, "POST", "/embed", {"inputs": "in the clear"})
            plaintext.close()
        finally:
            server.close()
            shutil.rmtree(work, ignore_errors=True)


class HttpDisconnectTest(unittest.TestCase):

    def cancelled_embed_calls(self, server):
        metrics = connect(f"http://127.0.0.1:{server.metrics_port}")
        metrics.request("GET", "/metrics")
        text = metrics.getresponse().read().decode()
        metrics.close()
        total = 0.0
        for line in text.splitlines():
            if (line.startswith("mbserve_requests_total{") and 'rpc="/embed"' in line
                    and 'code="CANCELLED"' in line):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def test_a_client_that_disconnects_cancels_its_call(self):
        # One sequence per batch and a queue kept full by gRPC callers: the
        # HTTP call waits in the queue long after its client has gone.
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model,
                                                "--max-batch-requests=1", "--num-threads=1")
        try:
            from mbserve.v1 import embed_pb2, embed_pb2_grpc
            stub = embed_pb2_grpc.EmbedServiceStub(server.channel)
            long_text = "word " * 400
            flood = embed_pb2.EmbedRequest(
                inputs=[embed_pb2.EmbedInput(text=long_text.encode())] * 8)
            parsed = urllib.parse.urlparse(server.http_url)
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                busy = [pool.submit(stub.Embed, flood, timeout=120) for _ in range(8)]
                time.sleep(0.2)
                self.assertEqual(self.cancelled_embed_calls(server), 0)
                body = json.dumps({"inputs": [long_text] * 8}).encode()
                gone = socket.create_connection((parsed.hostname, parsed.port))
                gone.sendall(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: "
                             b"application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                gone.close()
                deadline = time.monotonic() + 30
                while self.cancelled_embed_calls(server) < 1 and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.assertEqual(self.cancelled_embed_calls(server), 1, server.output())
                for call_future in busy:  # the others are not disturbed
                    self.assertEqual(len(call_future.result().embeddings), 8)
            after = connect(server.http_url)
            status, vectors = call(after, "POST", "/embed", {"inputs": "after"})
            after.close()
            self.assertEqual(status, 200)
            self.assertEqual(len(vectors), 1)
        finally:
            server.close()


class HttpShutdownTest(unittest.TestCase):

    def test_sigterm_answers_accepted_http_calls(self):
        server = mbserve_process.MbserveProcess(ARGS.binary, ARGS.model, "--max-batch-delay=20ms")
        try:
            body = {"inputs": ["word " * 200] * 4}

            def one_call(_):
                connection = connect(server.http_url)
                try:
                    return call(connection, "POST", "/embed", body)
                except (ConnectionError, http.client.HTTPException):
                    return None, None  # refused: never accepted
                finally:
                    connection.close()

            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                futures = [pool.submit(one_call, i) for i in range(32)]
                time.sleep(0.05)
                exit_code = server.terminate()
                outcomes = [f.result() for f in futures]
            self.assertEqual(exit_code, 0, server.output())
            answered = [vectors for status, vectors in outcomes if status == 200]
            self.assertTrue(answered, "no call was accepted before SIGTERM")
            self.assertTrue(all(len(v) == 4 for v in answered))
            for status, vectors in outcomes:
                # Accepted calls are answered; later ones are refused, never lost.
                self.assertIn(status, (200, 503, None), vectors)
        finally:
            server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--model", required=True, help="a checkpoint with a classification head")
    ARGS, rest = parser.parse_known_args()
    mbserve_process.generate_stubs()
    unittest.main(argv=[sys.argv[0]] + rest)
