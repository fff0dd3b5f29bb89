"""The channel options, credentials and call metadata Client and AsyncClient share."""
from typing import List, Optional, Tuple

import grpc

# round_robin: with a target such as "dns:///mbserve-headless.default.svc:50051"
# the channel connects to every address the name resolves to and spreads
# calls over them, which is how clients balance over Kubernetes replicas
# without a proxy. Embeddings of large batches exceed gRPC's 4 MiB default
# message size.
OPTIONS = [("grpc.lb_policy_name", "round_robin"), ("grpc.max_receive_message_length", -1)]


def options(tls_server_name: Optional[str]) -> List[Tuple[str, object]]:
    if tls_server_name:
        return OPTIONS + [("grpc.ssl_target_name_override", tls_server_name)]
    return list(OPTIONS)


def credentials(tls: bool, root_certificates: Optional[bytes]
                ) -> Optional[grpc.ChannelCredentials]:
    """TLS with the given PEM roots (or the system's when tls and none are
    given); None for plaintext."""
    if not tls and root_certificates is None:
        return None
    return grpc.ssl_channel_credentials(root_certificates=root_certificates)


def metadata(api_key: Optional[str]) -> Tuple[Tuple[str, str], ...]:
    return (("authorization", f"Bearer {api_key}"),) if api_key else ()
