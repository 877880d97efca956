#pragma once
// `keyhaven key ...`: keys through the data plane of one vault
// (https://{vault}.{host}:{port}/keys/..., api-version 2025-07-01). Results print as JSON.
// Binary inputs and outputs of the cryptographic commands (digests, plaintexts, ciphertexts,
// signatures) are base64url, as on the wire, so they compose with shell scripts.
// Not thread-safe (uses the session's client).
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/session.h"
#include "core/status_or.h"

namespace kh::cli {

struct KeyCreateArgs {
  std::string vault;
  std::string name;
  std::string kty;  // RSA | EC | oct
  std::optional<int> size;
  std::optional<std::string> curve;
  std::vector<std::string> ops;
  bool disabled = false;
};
// {"kty":..,"key_size":..,"crv":..,"key_ops":[..],"attributes":{..}}
boost::json::value KeyCreateBody(const KeyCreateArgs& args);
Status CreateKey(const Session& session, const KeyCreateArgs& args);

Status ShowKey(const Session& session, std::string_view vault, std::string_view name,
               std::string_view version);
Status ListKeys(const Session& session, std::string_view vault);
Status ListKeyVersions(const Session& session, std::string_view vault, std::string_view name);
Status DeleteKey(const Session& session, std::string_view vault, std::string_view name);
Status ListDeletedKeys(const Session& session, std::string_view vault);
// A new version now, of the same type, size and operations (POST /keys/{name}/rotate).
Status RotateKey(const Session& session, std::string_view vault, std::string_view name);
Status RecoverKey(const Session& session, std::string_view vault, std::string_view name);
Status PurgeKey(const Session& session, std::string_view vault, std::string_view name);
Status BackupKey(const Session& session, std::string_view vault, std::string_view name,
                 const std::string& file);
Status RestoreKey(const Session& session, std::string_view vault, const std::string& file);

// sign | verify | encrypt | decrypt | wrapkey | unwrapkey with Azure's algorithm names.
struct KeyOperationArgs {
  std::string vault;
  std::string name;
  std::string version;    // empty = latest
  std::string operation;  // as in the URL
  std::string algorithm;
  std::string value;  // base64url: digest (sign/verify), plaintext, ciphertext or key
  std::optional<std::string> signature;  // verify
  std::optional<std::string> iv, aad, tag;
};
// The POST body; InvalidArgument when a base64url input is malformed or a verify lacks its
// signature.
StatusOr<boost::json::value> KeyOperationBody(const KeyOperationArgs& args);
Status RunKeyOperation(const Session& session, const KeyOperationArgs& args);

}  // namespace kh::cli
