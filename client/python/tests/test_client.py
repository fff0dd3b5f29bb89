#!/usr/bin/env python3
"""Tests of the installed mbserve package against a running server:

    MBSERVE_TEST_ADDRESS=localhost:50051 MBSERVE_TEST_MODEL=/path/to/model \\
        [MBSERVE_TEST_API_KEY=...] python client/python/tests/test_client.py

The model folder serves as the independent reference for tokenization (the
Hugging Face tokenizers library reads its tokenizer.json). The model needs a
classification head. tests/client/e2e_test.py starts a server on the
repository's tiny model, installs the package and runs this file.
"""
import asyncio
import os
import socket
import time
import unittest

import grpc
import numpy as np
from tokenizers import Tokenizer

import mbserve
from mbserve import AsyncClient, Client, RetryPolicy
from mbserve.v1 import classify_pb2, classify_pb2_grpc, embed_pb2, embed_pb2_grpc

ADDRESS = os.environ.get("MBSERVE_TEST_ADDRESS", "localhost:50051")
MODEL = os.environ["MBSERVE_TEST_MODEL"]
API_KEY = os.environ.get("MBSERVE_TEST_API_KEY") or None
TEXTS = ["hello world", "the quick brown fox jumps over the lazy dog", "a"]


def unused_address():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


class ClientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.client = Client(ADDRESS, api_key=API_KEY)
        cls.info = cls.client.info()
        channel = grpc.insecure_channel(ADDRESS)
        cls.addClassCleanup(channel.close)
        cls.metadata = (("authorization", f"Bearer {API_KEY}"),) if API_KEY else ()
        cls.raw_embed = embed_pb2_grpc.EmbedServiceStub(channel).Embed
        cls.raw_classify = classify_pb2_grpc.ClassifyServiceStub(channel).Classify

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def test_info_describes_the_model(self):
        self.assertTrue(self.info.model_id)
        self.assertGreater(self.info.hidden_size, 0)
        self.assertTrue(self.info.labels, "these tests need a model with a classification head")

    def test_embed_gives_the_servers_vectors_as_a_float32_matrix(self):
        vectors = self.client.embed(TEXTS)
        self.assertEqual(vectors.dtype, np.float32)
        self.assertEqual(vectors.shape, (len(TEXTS), self.info.hidden_size))
        raw = self.raw_embed(embed_pb2.EmbedRequest(
            inputs=[embed_pb2.EmbedInput(text=t.encode()) for t in TEXTS]), metadata=self.metadata)
        np.testing.assert_array_equal(vectors, [list(e.values) for e in raw.embeddings])
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_a_single_string_is_one_text(self):
        vector = self.client.embed(TEXTS[0])
        self.assertEqual(vector.shape, (1, self.info.hidden_size))
        np.testing.assert_allclose(vector[0], self.client.embed(TEXTS)[0], atol=1e-5)

    def test_embed_options_reach_the_server(self):
        cut = self.client.embed(TEXTS[:1], dimensions=8)
        self.assertEqual(cut.shape, (1, 8))
        self.assertAlmostEqual(float(np.linalg.norm(cut)), 1.0, places=5)
        raw = self.client.embed(TEXTS[:1], normalize=False)
        self.assertNotAlmostEqual(float(np.linalg.norm(raw)), 1.0, places=3)
        prompted = self.client.embed(TEXTS[:1], prompt_name=self.info.prompt_names[0])
        literal = self.client.embed(TEXTS[:1], prompt="search_query: ")
        self.assertFalse(np.allclose(prompted, self.client.embed(TEXTS[:1])))
        self.assertEqual(prompted.shape, literal.shape)
        with self.assertRaises(ValueError):
            self.client.embed(TEXTS[:1], prompt_name="query", prompt="x")
        with self.assertRaises(ValueError):
            self.client.embed(TEXTS[:1], pooling="max")

    def test_server_errors_are_rpc_errors_naming_the_field(self):
        with self.assertRaises(grpc.RpcError) as raised:
            self.client.embed(TEXTS[:1], dimensions=self.info.hidden_size + 1)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("dimensions", raised.exception.details())

    def test_classify_gives_every_label_in_model_order(self):
        result = self.client.classify(TEXTS[:2], pairs=[("query", "document")])
        self.assertEqual(result.labels, tuple(self.info.labels))
        self.assertEqual(result.scores.shape, (3, len(self.info.labels)))
        np.testing.assert_allclose(result.scores.sum(axis=1), 1.0, atol=1e-5)  # softmax
        raw = self.raw_classify(classify_pb2.ClassifyRequest(
            inputs=[classify_pb2.ClassifyInput(text=TEXTS[0].encode())]), metadata=self.metadata)
        for score in raw.results[0].scores:
            self.assertAlmostEqual(float(result.scores[0, score.index]), score.score, places=6)
        best = raw.results[0].scores[0].label  # the server sorts best first
        self.assertEqual(result.best()[0], best)
        logits = self.client.classify(TEXTS[:1], raw_scores=True).scores
        self.assertFalse(np.allclose(logits.sum(), 1.0))

    def test_rerank_sorts_the_pairs_classify_scores(self):
        query = "which animal jumps"
        label = self.info.labels[-1]
        ranking = self.client.rerank(query, TEXTS, label=label)
        pair_scores = self.client.classify(pairs=[(query, t) for t in TEXTS]).scores[:, -1]
        self.assertEqual(sorted(ranking.indices.tolist()), [0, 1, 2])
        np.testing.assert_allclose(ranking.scores, pair_scores[ranking.indices], atol=1e-6)
        self.assertTrue(np.all(np.diff(ranking.scores) <= 0), ranking.scores)
        top = self.client.rerank(query, TEXTS, label=len(self.info.labels) - 1, top_k=1)
        self.assertEqual(top.indices.tolist(), ranking.indices[:1].tolist())
        self.assertEqual(len(self.client.rerank(query, [], label=label).indices), 0)

    def test_rerank_wants_the_relevant_label_of_a_multi_class_model(self):
        with self.assertRaisesRegex(ValueError, "label="):
            self.client.rerank("q", TEXTS)
        with self.assertRaisesRegex(ValueError, "not among"):
            self.client.rerank("q", TEXTS, label="no-such-label")

    def test_tokenize_matches_the_tokenizers_library(self):
        reference = Tokenizer.from_file(os.path.join(MODEL, "tokenizer.json"))
        texts = TEXTS + ["naïve café: ünïcödé"]
        for text, tokens in zip(texts, self.client.tokenize(texts)):
            expected = reference.encode(text)
            self.assertEqual(tokens.ids.tolist(), expected.ids, text)
            self.assertEqual(list(tokens.tokens), expected.tokens, text)
            self.assertEqual(tokens.special.tolist(), [bool(m) for m in expected.special_tokens_mask])
        # ASCII: the server's byte offsets equal the library's character offsets.
        plain = self.client.tokenize(TEXTS[1], add_special_tokens=False)[0]
        expected = reference.encode(TEXTS[1], add_special_tokens=False)
        self.assertEqual(plain.ids.tolist(), expected.ids)
        self.assertEqual([tuple(o) for o in plain.offsets.tolist()], expected.offsets)

    @unittest.skipUnless(API_KEY, "the server under test requires no API key")
    def test_calls_without_the_api_key_are_refused(self):
        with Client(ADDRESS) as anonymous:
            with self.assertRaises(grpc.RpcError) as raised:
                anonymous.info()
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAUTHENTICATED)


class RetryTest(unittest.TestCase):

    def test_unavailable_is_retried_with_growing_pauses(self):
        policy = RetryPolicy(attempts=3, initial_backoff=0.2, max_backoff=0.4)
        start = time.monotonic()
        with Client(unused_address(), retry=policy, timeout=5) as client:
            with self.assertRaises(grpc.RpcError) as raised:
                client.info()
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)
        # Two pauses, of at least 0.1 and 0.2 s.
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_other_errors_and_no_retries_fail_at_once(self):
        with Client(unused_address(), retry=mbserve.NO_RETRIES, timeout=5) as client:
            start = time.monotonic()
            with self.assertRaises(grpc.RpcError):
                client.info()
            self.assertLess(time.monotonic() - start, 0.3)
        with Client(ADDRESS, api_key=API_KEY,
                    retry=RetryPolicy(attempts=5, initial_backoff=1, max_backoff=1)) as client:
            start = time.monotonic()
            with self.assertRaises(grpc.RpcError) as raised:
                client.embed(TEXTS[:1], dimensions=0)
            self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertLess(time.monotonic() - start, 0.5)

    def test_policy_rejects_nonsense(self):
        with self.assertRaises(ValueError):
            RetryPolicy(attempts=0)
        with self.assertRaises(ValueError):
            RetryPolicy(initial_backoff=2, max_backoff=1)


class AsyncClientTest(unittest.TestCase):

    def test_same_answers_as_the_blocking_client(self):
        with Client(ADDRESS, api_key=API_KEY) as client:
            vectors = client.embed(TEXTS)
            scores = client.classify(TEXTS).scores
            ids = [t.ids.tolist() for t in client.tokenize(TEXTS)]
            ranking = client.rerank("q", TEXTS, label=0)

        async def run():
            async with AsyncClient(ADDRESS, api_key=API_KEY) as client:
                info = await client.info()
                # Many calls in flight at once over one channel.
                many = await asyncio.gather(*[client.embed([t]) for t in TEXTS * 4])
                return (info, await client.embed(TEXTS), await client.classify(TEXTS),
                        await client.tokenize(TEXTS), await client.rerank("q", TEXTS, label=0),
                        many)

        info, async_vectors, classification, tokens, async_ranking, many = asyncio.run(run())
        self.assertTrue(info.model_id)
        np.testing.assert_allclose(async_vectors, vectors, atol=1e-5)
        np.testing.assert_allclose(classification.scores, scores, atol=1e-5)
        self.assertEqual([t.ids.tolist() for t in tokens], ids)
        self.assertEqual(async_ranking.indices.tolist(), ranking.indices.tolist())
        for i, single in enumerate(many):
            np.testing.assert_allclose(single[0], vectors[i % len(TEXTS)], atol=1e-5)

    def test_unavailable_is_retried(self):
        async def run():
            policy = RetryPolicy(attempts=3, initial_backoff=0.2, max_backoff=0.4)
            async with AsyncClient(unused_address(), retry=policy, timeout=5) as client:
                start = time.monotonic()
                try:
                    await client.info()
                except grpc.RpcError as error:
                    return error.code(), time.monotonic() - start

        code, elapsed = asyncio.run(run())
        self.assertEqual(code, grpc.StatusCode.UNAVAILABLE)
        self.assertGreaterEqual(elapsed, 0.3)


if __name__ == "__main__":
    unittest.main()
