// The HTTP/JSON routes: OpenAI's /v1/embeddings and /v1/models, and TEI's
// /embed, /predict, /rerank, /tokenize, /decode, /info and /health. Each
// turns its JSON into the request of the matching gRPC call and runs the
// same code (RunEmbed, RunClassify, RunRerank, ...).
#pragma once

#include <atomic>

#include "httplib.h"
#include "server/serving_context.h"

namespace mbserve::server::http {

// `accepting` is false while the server starts or drains: every route
// answers 503 then (/health included, which is what load balancers watch).
void RegisterRoutes(httplib::Server& server, ServingContext& serving,
                    const std::atomic<bool>& accepting);

}  // namespace mbserve::server::http
