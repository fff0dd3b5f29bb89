// Everything a handler needs, owned by Server and passed by reference.
#pragma once

#include "server/admission.h"
#include "server/auth.h"
#include "server/batcher.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/served_model.h"
#include "server/task_pool.h"
#include "tokenizer/tokenizer.h"

namespace mbserve::server {

struct ServingContext {
  const ServerConfig& config;
  const ServedModel& model;
  const Tokenizer& tokenizer;
  TaskPool& tokenization_pool;
  Batcher& batcher;
  Metrics& metrics;
  Admission& admission;
  const Authenticator& auth;
};

}  // namespace mbserve::server
