#pragma once
// Where a trusted external issuer's JWKS comes from: a local file, or an https URL (fetched with
// the system trust store, or the issuer's `ca=` bundle). Used by authn::ExternalIssuers, which
// does no I/O of its own.
#include <string>

#include "authn/external_issuers.h"
#include "core/status_or.h"

namespace kh::server {

StatusOr<std::string> FetchJwks(const authn::ExternalIssuerConfig& issuer);

}  // namespace kh::server
