#!/usr/bin/env python3
"""An mbserve client in Python (grpcio): GetInfo, Embed, Classify and EmbedStream.

Generate the stubs once, then run it against a server:

    client/python/generate_stubs.sh            # writes client/python/generated
    .venv/bin/python client/python/mbserve_example.py --address localhost:50051

MBSERVE_STUBS names another stub directory. `MbserveClient` is meant to be
copied into applications; `main` shows each call once.
"""

import argparse
import math
import os
import sys
from typing import Iterable, Iterator, Optional, Sequence

sys.path.insert(
    0, os.environ.get("MBSERVE_STUBS", os.path.join(os.path.dirname(__file__), "generated")))

import grpc  # noqa: E402
from mbserve.v1 import classify_pb2, classify_pb2_grpc  # noqa: E402
from mbserve.v1 import common_pb2  # noqa: E402
from mbserve.v1 import embed_pb2, embed_pb2_grpc  # noqa: E402
from mbserve.v1 import info_pb2, info_pb2_grpc  # noqa: E402


class MbserveClient:
    """One channel to an mbserve server (or to every replica behind a name).

    With a target such as "dns:///mbserve-headless.default.svc:50051" the
    round_robin policy opens a connection to every address the name resolves
    to and spreads calls over them: how clients balance over Kubernetes
    replicas without a proxy.
    """

    def __init__(self, target: str, api_key: Optional[str] = None, tls: bool = False,
                 root_certificates: Optional[bytes] = None, timeout_s: float = 30.0):
        options = [
            ("grpc.lb_policy_name", "round_robin"),
            # Embeddings of large batches exceed gRPC's 4 MiB default.
            ("grpc.max_receive_message_length", -1),
        ]
        if tls or root_certificates:
            credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self._channel = grpc.secure_channel(target, credentials, options)
        else:
            self._channel = grpc.insecure_channel(target, options)
        self._metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
        self._timeout_s = timeout_s
        self._info = info_pb2_grpc.InfoServiceStub(self._channel)
        self._embed = embed_pb2_grpc.EmbedServiceStub(self._channel)
        self._classify = classify_pb2_grpc.ClassifyServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def info(self) -> info_pb2.GetInfoResponse:
        return self._info.GetInfo(info_pb2.GetInfoRequest(), metadata=self._metadata,
                                  timeout=self._timeout_s)

    @staticmethod
    def embed_request(texts: Sequence[str], normalize: Optional[bool] = None,
                      dimensions: Optional[int] = None,
                      truncate: Optional[bool] = None) -> embed_pb2.EmbedRequest:
        request = embed_pb2.EmbedRequest(
            inputs=[embed_pb2.EmbedInput(text=utf8(text)) for text in texts])
        # Unset fields keep the server's defaults (normalize, full size, --auto-truncate).
        if normalize is not None:
            request.normalize = normalize
        if dimensions is not None:
            request.dimensions = dimensions
        if truncate is not None:
            request.truncation.CopyFrom(common_pb2.Truncation(enabled=truncate))
        return request

    def embed(self, texts: Sequence[str], **options) -> embed_pb2.EmbedResponse:
        """One vector per text, in order; options as in embed_request."""
        return self._embed.Embed(self.embed_request(texts, **options), metadata=self._metadata,
                                 timeout=self._timeout_s)

    def classify(self, texts: Sequence[str] = (), pairs: Sequence[tuple] = (), top_k: int = 0,
                 raw_scores: bool = False) -> classify_pb2.ClassifyResponse:
        """Class scores (best first) of each text, or of each (first, second) pair."""
        inputs = [classify_pb2.ClassifyInput(text=utf8(text)) for text in texts]
        inputs += [
            classify_pb2.ClassifyInput(pair=classify_pb2.TextPair(first=utf8(a), second=utf8(b)))
            for a, b in pairs
        ]
        request = classify_pb2.ClassifyRequest(inputs=inputs, top_k=top_k, raw_scores=raw_scores)
        return self._classify.Classify(request, metadata=self._metadata, timeout=self._timeout_s)

    def embed_stream(self, batches: Iterable[Sequence[str]]
                     ) -> Iterator[embed_pb2.EmbedStreamResponse]:
        """Sends each batch as one message of one EmbedStream.

        Responses carry the id of their request ("0", "1", ...) and may
        arrive in any order; a bad message gets a response with `error` set
        and the stream goes on.
        """
        requests = (
            embed_pb2.EmbedStreamRequest(id=str(i), request=self.embed_request(batch))
            for i, batch in enumerate(batches))
        # No deadline: a stream lives as long as its requests keep coming.
        return self._embed.EmbedStream(requests, metadata=self._metadata)


def utf8(text) -> bytes:
    """Texts travel as bytes fields, so that the server, not the protobuf
    parser, reports invalid UTF-8 (naming the input and byte offset)."""
    return text.encode() if isinstance(text, str) else text


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=os.environ.get("MBSERVE_CLI_ADDRESS",
                                                            "localhost:50051"))
    parser.add_argument("--api-key", default=os.environ.get("MBSERVE_API_KEY"))
    parser.add_argument("--ca-cert", help="PEM roots; enables TLS")
    args = parser.parse_args()
    roots = open(args.ca_cert, "rb").read() if args.ca_cert else None
    client = MbserveClient(args.address, api_key=args.api_key, root_certificates=roots)

    info = client.info()
    print(f"model {info.model_id} ({info.architecture}), hidden size {info.hidden_size}, "
          f"max input {info.max_input_length} tokens, on {info.device}")

    sentences = ["The cat sat on the mat.", "A cat was sitting on a rug.",
                 "Quarterly revenue grew by eight percent."]
    response = client.embed(sentences)
    vectors = [list(e.values) for e in response.embeddings]
    print(f"Embed: {len(vectors)} vectors of {len(vectors[0])} floats, "
          f"{response.usage.total_tokens} tokens, {response.timing.total_us} us on the server")
    print(f"  cosine(0, 1) = {cosine(vectors[0], vectors[1]):.4f}, "
          f"cosine(0, 2) = {cosine(vectors[0], vectors[2]):.4f}")

    if info.labels:
        result = client.classify(sentences[:2], top_k=1)
        for text, classification in zip(sentences, result.results):
            best = classification.scores[0]
            print(f"Classify: {text!r} -> {best.label} ({best.score:.4f})")
    else:
        print("Classify: the model has no classification head (GetInfo lists no labels)")

    batches = [[s] for s in sentences] * 2
    arrived = []
    for message in client.embed_stream(batches):
        if message.HasField("error"):
            print(f"EmbedStream: request {message.id} failed: {message.error.message}")
            return 1
        arrived.append(message.id)
    print(f"EmbedStream: {len(arrived)} responses, in arrival order {', '.join(arrived)}")
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
