#!/usr/bin/env python3
"""Tests of the Python example client against a running mbserve server.

    MBSERVE_TEST_ADDRESS=localhost:50051 [MBSERVE_TEST_API_KEY=...] \
        .venv/bin/python client/python/test_example.py

tests/client/e2e_test.py starts a server on a tiny model and runs this file.
"""

import math
import os
import unittest

import grpc

from mbserve_example import MbserveClient

ADDRESS = os.environ.get("MBSERVE_TEST_ADDRESS", "localhost:50051")
API_KEY = os.environ.get("MBSERVE_TEST_API_KEY") or None
TEXTS = ["hello world", "the quick brown fox jumps over the lazy dog", "a"]


def norm(values):
    return math.sqrt(sum(v * v for v in values))


class ExampleClientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.client = MbserveClient(ADDRESS, api_key=API_KEY)
        cls.info = cls.client.info()

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def test_info_describes_the_model(self):
        self.assertTrue(self.info.model_id)
        self.assertGreater(self.info.hidden_size, 0)
        self.assertGreater(self.info.max_input_length, 2)

    def test_embed_returns_one_unit_vector_per_text_in_order(self):
        response = self.client.embed(TEXTS)
        self.assertEqual(len(response.embeddings), len(TEXTS))
        for embedding in response.embeddings:
            self.assertEqual(len(embedding.values), self.info.hidden_size)
            self.assertAlmostEqual(norm(embedding.values), 1.0, places=4)
            self.assertGreater(embedding.num_tokens, 2)  # [CLS] text [SEP]
        self.assertEqual(response.usage.total_tokens,
                         sum(e.num_tokens for e in response.embeddings))
        # Longer text, more tokens: the order is the request's.
        self.assertGreater(response.embeddings[1].num_tokens, response.embeddings[0].num_tokens)

    def test_a_text_embeds_the_same_alone_and_in_a_batch(self):
        alone = self.client.embed([TEXTS[1]]).embeddings[0].values
        batched = self.client.embed(TEXTS).embeddings[1].values
        for a, b in zip(alone, batched):
            self.assertAlmostEqual(a, b, delta=1e-5)

    def test_dimensions_and_normalize_options(self):
        dims = min(8, self.info.hidden_size)
        cut = self.client.embed(TEXTS[:1], dimensions=dims).embeddings[0].values
        self.assertEqual(len(cut), dims)
        self.assertAlmostEqual(norm(cut), 1.0, places=4)
        raw = self.client.embed(TEXTS[:1], normalize=False).embeddings[0].values
        self.assertNotAlmostEqual(norm(raw), 1.0, places=3)

    def test_invalid_request_names_the_field(self):
        with self.assertRaises(grpc.RpcError) as raised:
            self.client.embed(TEXTS[:1], dimensions=0)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("dimensions", raised.exception.details())

    def test_classify_follows_the_model_head(self):
        if not self.info.labels:
            with self.assertRaises(grpc.RpcError) as raised:
                self.client.classify(TEXTS[:1])
            self.assertEqual(raised.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
            return
        response = self.client.classify(TEXTS[:2], pairs=[("query", "document")])
        self.assertEqual(len(response.results), 3)
        for result in response.results:
            scores = [s.score for s in result.scores]
            self.assertEqual(len(scores), len(self.info.labels))
            self.assertEqual(scores, sorted(scores, reverse=True))
            if len(scores) > 1:  # softmax
                self.assertAlmostEqual(sum(scores), 1.0, places=4)
            self.assertEqual({s.label for s in result.scores}, set(self.info.labels))
        top = self.client.classify(TEXTS[:1], top_k=1).results[0]
        self.assertEqual(len(top.scores), 1)

    def test_stream_answers_every_request_once_like_unary_calls(self):
        batches = [[text] for text in TEXTS] * 3
        answers = {}
        for message in self.client.embed_stream(batches):
            self.assertFalse(message.HasField("error"), message.error.message)
            self.assertNotIn(message.id, answers)
            answers[message.id] = message.response
        self.assertEqual(set(answers), {str(i) for i in range(len(batches))})
        unary = self.client.embed(TEXTS).embeddings
        for i, batch in enumerate(batches):
            streamed = answers[str(i)].embeddings[0].values
            for a, b in zip(streamed, unary[TEXTS.index(batch[0])].values):
                self.assertAlmostEqual(a, b, delta=1e-5)

    def test_stream_reports_a_bad_message_and_stays_open(self):
        messages = list(self.client.embed_stream([["fine"], [], ["also fine"]]))
        by_id = {m.id: m for m in messages}
        self.assertEqual(set(by_id), {"0", "1", "2"})
        self.assertTrue(by_id["1"].HasField("error"))
        self.assertEqual(by_id["1"].error.code, grpc.StatusCode.INVALID_ARGUMENT.value[0])
        self.assertTrue(by_id["2"].HasField("response"))

    @unittest.skipUnless(API_KEY, "the server under test requires no API key")
    def test_calls_without_the_api_key_are_refused(self):
        anonymous = MbserveClient(ADDRESS)
        with self.assertRaises(grpc.RpcError) as raised:
            anonymous.info()
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        anonymous.close()


if __name__ == "__main__":
    unittest.main()
