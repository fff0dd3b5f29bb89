// The operations the server counts in its metrics, whatever the transport
// carries them: the gRPC methods and the HTTP routes. Metrics creates every
// labelled series of each one at start.
#pragma once

#include <array>
#include <string_view>

namespace mbserve::server {

enum class Rpc {
  kEmbed,
  kEmbedStream,
  kClassify,
  kRerank,
  kTokenize,
  kDetokenize,
  kGetInfo,
  // HTTP routes (docs/HTTP.md).
  kHttpEmbeddings,
  kHttpModels,
  kHttpEmbed,
  kHttpPredict,
  kHttpRerank,
  kHttpTokenize,
  kHttpDecode,
  kHttpInfo,
  kHttpHealth,
};

inline constexpr std::array<Rpc, 16> kAllRpcs = {
    Rpc::kEmbed,        Rpc::kEmbedStream, Rpc::kClassify,    Rpc::kRerank,
    Rpc::kTokenize,     Rpc::kDetokenize,  Rpc::kGetInfo,     Rpc::kHttpEmbeddings,
    Rpc::kHttpModels,   Rpc::kHttpEmbed,   Rpc::kHttpPredict, Rpc::kHttpRerank,
    Rpc::kHttpTokenize, Rpc::kHttpDecode,  Rpc::kHttpInfo,    Rpc::kHttpHealth};

// The `rpc` label: the gRPC method name, or the HTTP route.
constexpr std::string_view RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kEmbed:
      return "Embed";
    case Rpc::kEmbedStream:
      return "EmbedStream";
    case Rpc::kClassify:
      return "Classify";
    case Rpc::kRerank:
      return "Rerank";
    case Rpc::kTokenize:
      return "Tokenize";
    case Rpc::kDetokenize:
      return "Detokenize";
    case Rpc::kGetInfo:
      return "GetInfo";
    case Rpc::kHttpEmbeddings:
      return "/v1/embeddings";
    case Rpc::kHttpModels:
      return "/v1/models";
    case Rpc::kHttpEmbed:
      return "/embed";
    case Rpc::kHttpPredict:
      return "/predict";
    case Rpc::kHttpRerank:
      return "/rerank";
    case Rpc::kHttpTokenize:
      return "/tokenize";
    case Rpc::kHttpDecode:
      return "/decode";
    case Rpc::kHttpInfo:
      return "/info";
    case Rpc::kHttpHealth:
      return "/health";
  }
  return "";
}

// Whether the operation's inputs run through the engine (and so have phase
// and input metrics).
constexpr bool ReachesEngine(Rpc rpc) {
  switch (rpc) {
    case Rpc::kEmbed:
    case Rpc::kEmbedStream:
    case Rpc::kClassify:
    case Rpc::kRerank:
    case Rpc::kHttpEmbeddings:
    case Rpc::kHttpEmbed:
    case Rpc::kHttpPredict:
    case Rpc::kHttpRerank:
      return true;
    default:
      return false;
  }
}

}  // namespace mbserve::server
