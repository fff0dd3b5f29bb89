// The operations the server counts in its metrics, whatever the transport
// carries them. Metrics creates every labelled series of each one at start.
#pragma once

#include <array>
#include <string_view>

namespace mbserve::server {

enum class Rpc { kEmbed, kEmbedStream, kClassify, kTokenize, kDetokenize, kGetInfo };

inline constexpr std::array<Rpc, 6> kAllRpcs = {Rpc::kEmbed,    Rpc::kEmbedStream, Rpc::kClassify,
                                                Rpc::kTokenize, Rpc::kDetokenize,  Rpc::kGetInfo};

// The `rpc` label: the gRPC method name.
constexpr std::string_view RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kEmbed:
      return "Embed";
    case Rpc::kEmbedStream:
      return "EmbedStream";
    case Rpc::kClassify:
      return "Classify";
    case Rpc::kTokenize:
      return "Tokenize";
    case Rpc::kDetokenize:
      return "Detokenize";
    case Rpc::kGetInfo:
      return "GetInfo";
  }
  return "";
}

// Whether the operation's inputs run through the engine (and so have phase
// and input metrics).
constexpr bool ReachesEngine(Rpc rpc) {
  return rpc == Rpc::kEmbed || rpc == Rpc::kEmbedStream || rpc == Rpc::kClassify;
}

}  // namespace mbserve::server
