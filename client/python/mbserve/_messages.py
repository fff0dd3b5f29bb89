"""Requests built from Python values and responses turned into numpy arrays:
what Client and AsyncClient share."""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from mbserve.v1 import classify_pb2, common_pb2, embed_pb2, tokenize_pb2

Text = Union[str, bytes]
POOLINGS = {"cls": common_pb2.POOLING_CLS, "mean": common_pb2.POOLING_MEAN}


def utf8(text: Text) -> bytes:
    """Texts travel as bytes fields, so that the server, not the protobuf
    parser, reports invalid UTF-8 (naming the input and the byte offset)."""
    return text.encode() if isinstance(text, str) else bytes(text)


def texts_list(texts: Union[Text, Sequence[Text]]) -> List[Text]:
    """One text or a sequence of them; a lone string is one text, not its characters."""
    return [texts] if isinstance(texts, (str, bytes)) else list(texts)


def truncation(truncate: Optional[bool]) -> Optional[common_pb2.Truncation]:
    return None if truncate is None else common_pb2.Truncation(enabled=truncate)


def embed_request(texts, normalize, dimensions, truncate, prompt_name, prompt, pooling
                  ) -> embed_pb2.EmbedRequest:
    request = embed_pb2.EmbedRequest(inputs=[embed_pb2.EmbedInput(text=utf8(t)) for t in texts])
    # Unset fields keep the server's defaults.
    if normalize is not None:
        request.normalize = normalize
    if dimensions is not None:
        request.dimensions = dimensions
    if truncate is not None:
        request.truncation.CopyFrom(truncation(truncate))
    if prompt_name is not None and prompt is not None:
        raise ValueError("embed: give prompt_name or prompt, not both")
    if prompt_name is not None:
        request.prompt_name = prompt_name
    if prompt is not None:
        request.prompt_text = utf8(prompt)
    if pooling is not None:
        if pooling not in POOLINGS:
            raise ValueError(f"embed: pooling must be one of {sorted(POOLINGS)}, got {pooling!r}")
        request.pooling = POOLINGS[pooling]
    return request


def embeddings(response: embed_pb2.EmbedResponse) -> np.ndarray:
    """[inputs, dimensions] float32, one row per input in request order."""
    if not response.embeddings:
        return np.zeros((0, 0), dtype=np.float32)
    return np.array([e.values for e in response.embeddings], dtype=np.float32)


@dataclass(frozen=True)
class Classification:
    """scores[i, j]: the score of labels[j] for input i (labels in the model's
    id2label order, not sorted by score). Probabilities unless raw_scores:
    softmax over several classes, sigmoid for a single one."""
    scores: np.ndarray
    labels: Tuple[str, ...]

    def best(self) -> List[str]:
        """The best label of each input."""
        return [self.labels[j] for j in np.argmax(self.scores, axis=1)]


def classify_request(texts, pairs, raw_scores, truncate) -> classify_pb2.ClassifyRequest:
    inputs = [classify_pb2.ClassifyInput(text=utf8(t)) for t in texts]
    for pair in pairs:
        first, second = pair
        inputs.append(classify_pb2.ClassifyInput(
            pair=classify_pb2.TextPair(first=utf8(first), second=utf8(second))))
    if not inputs:
        raise ValueError("classify: give texts or pairs")
    request = classify_pb2.ClassifyRequest(inputs=inputs, raw_scores=raw_scores)
    if truncate is not None:
        request.truncation.CopyFrom(truncation(truncate))
    return request


def classification(response: classify_pb2.ClassifyResponse) -> Classification:
    """Requests never set top_k, so every result lists every class with its
    index: the labels come with the scores."""
    by_index = {s.index: s.label for s in response.results[0].scores}
    labels = tuple(by_index[i] for i in range(len(by_index)))
    scores = np.zeros((len(response.results), len(labels)), dtype=np.float32)
    for i, result in enumerate(response.results):
        for score in result.scores:
            scores[i, score.index] = score.score
    return Classification(scores=scores, labels=labels)


@dataclass(frozen=True)
class Ranking:
    """The texts reranked for a query: indices into the given texts, best
    first, and their scores in the same order."""
    indices: np.ndarray
    scores: np.ndarray


def label_index(labels: Sequence[str], label: Optional[Union[str, int]]) -> int:
    """The class whose score ranks the texts: the given label (name or
    index), else the only one a single-output reranker has."""
    if label is None:
        if len(labels) != 1:
            raise ValueError(f"rerank: the model has {len(labels)} labels {list(labels)}; name "
                             "the one that means relevant with label=")
        return 0
    if isinstance(label, int):
        if not 0 <= label < len(labels):
            raise ValueError(f"rerank: label index {label} is not below {len(labels)}")
        return label
    if label not in labels:
        raise ValueError(f"rerank: label {label!r} is not among the model's {list(labels)}")
    return list(labels).index(label)


def ranking(scores: np.ndarray, top_k: Optional[int]) -> Ranking:
    order = np.argsort(-scores, kind="stable")
    if top_k is not None:
        order = order[:top_k]
    return Ranking(indices=order, scores=scores[order])


def tokenize_request(texts, add_special_tokens) -> tokenize_pb2.TokenizeRequest:
    request = tokenize_pb2.TokenizeRequest(texts=[utf8(t) for t in texts])
    if add_special_tokens is not None:
        request.add_special_tokens = add_special_tokens
    return request


@dataclass(frozen=True)
class Tokens:
    """One text as the model sees it: ids (uint32), each token's vocabulary
    entry, its byte offsets [start, end) in the UTF-8 text ((0, 0) for
    special tokens the template adds) and whether it is special."""
    ids: np.ndarray
    tokens: Tuple[str, ...]
    offsets: np.ndarray
    special: np.ndarray


def tokens(response: tokenize_pb2.TokenizeResponse) -> List[Tokens]:
    return [Tokens(ids=np.array([t.id for t in r.tokens], dtype=np.uint32),
                   tokens=tuple(t.text for t in r.tokens),
                   offsets=np.array([(t.start, t.end) for t in r.tokens],
                                    dtype=np.uint32).reshape(-1, 2),
                   special=np.array([t.special for t in r.tokens], dtype=bool))
            for r in response.results]
