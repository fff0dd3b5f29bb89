"""Client: blocking calls to an mbserve server."""
import time
from typing import List, Optional, Sequence, Tuple, Union

import grpc
import numpy as np

from mbserve import _channel, _messages
from mbserve._messages import Classification, Ranking, Text, Tokens
from mbserve._retry import RetryPolicy, retryable
from mbserve.v1 import (classify_pb2_grpc, embed_pb2_grpc, info_pb2, info_pb2_grpc,
                        tokenize_pb2_grpc)


class Client:
    """One channel to an mbserve server, or to every replica behind a name.

    address: "host:port" or a gRPC target ("dns:///mbserve-headless.default.svc:50051").
    api_key: sent as "authorization: Bearer <key>" when the server wants one.
    tls: TLS with the system's root certificates; root_certificates (PEM
    bytes) trusts those instead and implies TLS; tls_server_name checks the
    certificate against that name rather than the address's host.
    timeout: the deadline of each attempt, in seconds.
    retry: how often and how patiently calls failing with UNAVAILABLE are
    sent again (RetryPolicy(attempts=1) never retries).
    Unset request options keep the server's defaults. Errors are
    grpc.RpcError with the server's status code and message.
    """

    def __init__(self, address: str = "localhost:50051", *, api_key: Optional[str] = None,
                 tls: bool = False, root_certificates: Optional[bytes] = None,
                 tls_server_name: Optional[str] = None, timeout: float = 30.0,
                 retry: RetryPolicy = RetryPolicy()):
        credentials = _channel.credentials(tls, root_certificates)
        options = _channel.options(tls_server_name)
        self._channel = (grpc.insecure_channel(address, options) if credentials is None
                         else grpc.secure_channel(address, credentials, options))
        self._metadata = _channel.metadata(api_key)
        self._timeout = timeout
        self._retry = retry
        self._info = info_pb2_grpc.InfoServiceStub(self._channel)
        self._embed = embed_pb2_grpc.EmbedServiceStub(self._channel)
        self._classify = classify_pb2_grpc.ClassifyServiceStub(self._channel)
        self._tokenize = tokenize_pb2_grpc.TokenizeServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, method, request):
        for pause in self._retry.pauses():
            try:
                return method(request, metadata=self._metadata, timeout=self._timeout)
            except grpc.RpcError as error:
                if not retryable(error):
                    raise
            time.sleep(pause)
        return method(request, metadata=self._metadata, timeout=self._timeout)

    def info(self) -> info_pb2.GetInfoResponse:
        """The served model (name, architecture, sizes, labels, prompts) and the server's limits."""
        return self._call(self._info.GetInfo, info_pb2.GetInfoRequest())

    def embed(self, texts: Union[Text, Sequence[Text]], *, normalize: Optional[bool] = None,
              dimensions: Optional[int] = None, truncate: Optional[bool] = None,
              prompt_name: Optional[str] = None, prompt: Optional[Text] = None,
              pooling: Optional[str] = None) -> np.ndarray:
        """Embeddings as a float32 array [len(texts), dimensions], in order.

        normalize: L2-normalize (server default: yes). dimensions: keep the
        first n components (Matryoshka). truncate: cut over-long inputs
        instead of refusing them. prompt_name (a key of the model's prompts)
        or prompt (literal text) is prepended. pooling: "cls" or "mean".
        """
        request = _messages.embed_request(_messages.texts_list(texts), normalize, dimensions,
                                          truncate, prompt_name, prompt, pooling)
        return _messages.embeddings(self._call(self._embed.Embed, request))

    def classify(self, texts: Union[Text, Sequence[Text]] = (), *,
                 pairs: Sequence[Tuple[Text, Text]] = (), raw_scores: bool = False,
                 truncate: Optional[bool] = None) -> Classification:
        """Class scores of each text, then of each (first, second) pair, as
        Classification(scores [inputs, labels], labels). Needs a model with a
        classification head (FAILED_PRECONDITION otherwise)."""
        request = _messages.classify_request(_messages.texts_list(texts), pairs, raw_scores,
                                             truncate)
        return _messages.classification(self._call(self._classify.Classify, request))

    def rerank(self, query: Text, texts: Sequence[Text], *, label: Union[str, int, None] = None,
               top_k: Optional[int] = None, truncate: Optional[bool] = None) -> Ranking:
        """The texts ordered by relevance to the query, best first.

        mbserve has no Rerank RPC: this scores every (query, text) pair with
        one Classify call, as a cross-encoder reranker is meant to be used,
        and sorts by the score of `label` (name or index; by default the
        model's only output, which single-logit rerankers have). Scores are
        probabilities (sigmoid of a single logit); top_k keeps the k best.
        """
        texts = _messages.texts_list(texts)
        if not texts:
            return _messages.ranking(np.zeros(0, dtype=np.float32), top_k)
        result = self.classify(pairs=[(query, text) for text in texts], truncate=truncate)
        column = _messages.label_index(result.labels, label)
        return _messages.ranking(result.scores[:, column], top_k)

    def tokenize(self, texts: Union[Text, Sequence[Text]], *,
                 add_special_tokens: Optional[bool] = None) -> List[Tokens]:
        """The model's tokenization of each text (ids, tokens, byte offsets,
        special flags). add_special_tokens: [CLS]/[SEP] as Embed adds them
        (server default: yes). Texts are not truncated."""
        request = _messages.tokenize_request(_messages.texts_list(texts), add_special_tokens)
        return _messages.tokens(self._call(self._tokenize.Tokenize, request))
