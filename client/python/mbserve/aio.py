"""AsyncClient: Client's calls on grpc.aio, for asyncio applications."""
import asyncio
from typing import List, Optional, Sequence, Tuple, Union

import grpc
import numpy as np

from mbserve import _channel, _messages
from mbserve._messages import Classification, Ranking, Text, Tokens
from mbserve._retry import RetryPolicy, retryable
from mbserve.v1 import (classify_pb2_grpc, embed_pb2_grpc, info_pb2, info_pb2_grpc,
                        tokenize_pb2_grpc)


class AsyncClient:
    """Client with coroutines: the same arguments, methods and results (see
    mbserve.Client). Create it inside the event loop that uses it; close it
    with `await client.close()` or `async with`."""

    def __init__(self, address: str = "localhost:50051", *, api_key: Optional[str] = None,
                 tls: bool = False, root_certificates: Optional[bytes] = None,
                 tls_server_name: Optional[str] = None, timeout: float = 30.0,
                 retry: RetryPolicy = RetryPolicy()):
        credentials = _channel.credentials(tls, root_certificates)
        options = _channel.options(tls_server_name)
        self._channel = (grpc.aio.insecure_channel(address, options) if credentials is None
                         else grpc.aio.secure_channel(address, credentials, options))
        self._metadata = _channel.metadata(api_key)
        self._timeout = timeout
        self._retry = retry
        self._info = info_pb2_grpc.InfoServiceStub(self._channel)
        self._embed = embed_pb2_grpc.EmbedServiceStub(self._channel)
        self._classify = classify_pb2_grpc.ClassifyServiceStub(self._channel)
        self._tokenize = tokenize_pb2_grpc.TokenizeServiceStub(self._channel)

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def _call(self, method, request):
        for pause in self._retry.pauses():
            try:
                return await method(request, metadata=self._metadata, timeout=self._timeout)
            except grpc.RpcError as error:
                if not retryable(error):
                    raise
            await asyncio.sleep(pause)
        return await method(request, metadata=self._metadata, timeout=self._timeout)

    async def info(self) -> info_pb2.GetInfoResponse:
        return await self._call(self._info.GetInfo, info_pb2.GetInfoRequest())

    async def embed(self, texts: Union[Text, Sequence[Text]], *, normalize: Optional[bool] = None,
                    dimensions: Optional[int] = None, truncate: Optional[bool] = None,
                    prompt_name: Optional[str] = None, prompt: Optional[Text] = None,
                    pooling: Optional[str] = None) -> np.ndarray:
        request = _messages.embed_request(_messages.texts_list(texts), normalize, dimensions,
                                          truncate, prompt_name, prompt, pooling)
        return _messages.embeddings(await self._call(self._embed.Embed, request))

    async def classify(self, texts: Union[Text, Sequence[Text]] = (), *,
                       pairs: Sequence[Tuple[Text, Text]] = (), raw_scores: bool = False,
                       truncate: Optional[bool] = None) -> Classification:
        request = _messages.classify_request(_messages.texts_list(texts), pairs, raw_scores,
                                             truncate)
        return _messages.classification(await self._call(self._classify.Classify, request))

    async def rerank(self, query: Text, texts: Sequence[Text], *,
                     label: Union[str, int, None] = None, top_k: Optional[int] = None,
                     truncate: Optional[bool] = None) -> Ranking:
        """See Client.rerank: one Classify call over the (query, text) pairs, sorted."""
        texts = _messages.texts_list(texts)
        if not texts:
            return _messages.ranking(np.zeros(0, dtype=np.float32), top_k)
        result = await self.classify(pairs=[(query, text) for text in texts], truncate=truncate)
        column = _messages.label_index(result.labels, label)
        return _messages.ranking(result.scores[:, column], top_k)

    async def tokenize(self, texts: Union[Text, Sequence[Text]], *,
                       add_special_tokens: Optional[bool] = None) -> List[Tokens]:
        request = _messages.tokenize_request(_messages.texts_list(texts), add_special_tokens)
        return _messages.tokens(await self._call(self._tokenize.Tokenize, request))
