#pragma once
// `keyhaven serve` and `keyhaven init`: the composition root. Only this module names concrete
// classes (SqliteStore, the Beast server ...).
#include "core/status.h"
#include "server/config.h"

namespace kh::server {

// Runs until SIGINT/SIGTERM; returns the process exit code.
int Serve(const ServerConfig& config);
// Initializes the data directory (if needed) and exits.
int Init(const ServerConfig& config);

}  // namespace kh::server
