#pragma once
// Opens the PKCS#11 token named by --pkcs11-token at server start.
#include <memory>

#include "core/status_or.h"
#include "crypto/hsm_token.h"
#include "server/config.h"

namespace kh::server {

// Null when no token is configured; an error (for the operator) when the PIN cannot be read or
// the module, token or PIN is wrong.
StatusOr<std::shared_ptr<crypto::HsmToken>> OpenConfiguredHsm(const ServerConfig& config);

}  // namespace kh::server
