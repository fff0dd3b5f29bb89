"""mbserve's Python client: embeddings, classification, reranking and
tokenization from an mbserve server over gRPC, as numpy arrays.

    from mbserve import Client
    with Client("localhost:50051") as client:
        vectors = client.embed(["first text", "second text"])   # float32 [2, hidden]

AsyncClient offers the same calls on asyncio (grpc.aio). The generated
messages and stubs of the API are in mbserve.v1.
"""
from mbserve._messages import Classification, Ranking, Tokens
from mbserve._retry import NO_RETRIES, RetryPolicy
from mbserve.aio import AsyncClient
from mbserve.client import Client

__all__ = ["AsyncClient", "Classification", "Client", "NO_RETRIES", "Ranking", "RetryPolicy",
           "Tokens"]
