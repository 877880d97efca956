#pragma once
// Internal to the keys handlers: the cryptographic operations on one key version
// (key_operations_handlers.cc), routed by HandleKeys (key_handlers.cc).
#include <optional>
#include <string>
#include <string_view>

#include "api/call.h"
#include "domain/key.h"

namespace kh::api {

// The last path segment of POST /keys/{name}/{version}/{op}: encrypt, decrypt, wrapkey,
// unwrapkey, sign, verify (the SDKs send the key-wrap ones in lower case; wrapKey is accepted).
std::optional<domain::KeyOperation> ParseKeyOperationPath(std::string_view segment);

// Authorizes (keys/<op>/action), parses KeyOperationsParameters or KeyVerifyParameters, runs
// the operation; `version` empty means the latest version.
Response KeyOperation(const Call& call, const std::string& name, const std::string& version,
                      domain::KeyOperation op);

}  // namespace kh::api
