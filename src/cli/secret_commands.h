#pragma once
// `keyhaven secret ...`: secrets through the data plane of one vault
// (https://{vault}.{host}:{port}/secrets/..., api-version 2025-07-01).
// Each command prints its result through the session and returns the first error. The value of
// `secret set` stays in SecretBytes up to the request body; its response is printed without the
// value (the caller already has it). Not thread-safe (uses the session's client).
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/session.h"
#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::cli {

// Azure's limit on a secret value; larger --file / stdin input is refused before sending.
inline constexpr size_t kMaxSecretValueBytes = 25 * 1024;
// Largest backup file `secret restore` reads.
inline constexpr size_t kMaxBackupFileBytes = 16 * 1024 * 1024;

struct SecretSetArgs {
  std::string vault;
  std::string name;
  SecretBytes value;
  std::optional<std::string> content_type;
  std::optional<std::map<std::string, std::string>> tags;
  bool disabled = false;
  std::optional<int64_t> expires;     // Unix seconds
  std::optional<int64_t> not_before;  // Unix seconds
};

struct SecretUpdateArgs {
  std::string vault;
  std::string name;
  std::string version;  // empty = latest
  std::optional<bool> enabled;
  std::optional<std::string> content_type;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<int64_t> expires;
  std::optional<int64_t> not_before;
};

// "k=v" strings to a map. InvalidArgument on a missing '=' or an empty key.
StatusOr<std::map<std::string, std::string>> ParseTags(const std::vector<std::string>& tags);

// The value of `secret set`: exactly one of `value` ("-" = standard input, one trailing newline
// removed) or `file` (bytes as they are). Must be UTF-8 and at most kMaxSecretValueBytes.
StatusOr<SecretBytes> ReadSecretValue(const std::optional<std::string>& value,
                                      const std::optional<std::string>& file, std::istream& in);

// The PUT body, e.g. {"value":"v","contentType":"t","tags":{},"attributes":{"enabled":false}}.
SecretBytes SecretSetBody(const SecretSetArgs& args);
// The PATCH body with only the given fields.
boost::json::value SecretUpdateBody(const SecretUpdateArgs& args);

Status SetSecret(const Session& session, const SecretSetArgs& args);
Status ShowSecret(const Session& session, std::string_view vault, std::string_view name,
                  std::string_view version);
Status ListSecrets(const Session& session, std::string_view vault);
Status ListSecretVersions(const Session& session, std::string_view vault, std::string_view name);
Status UpdateSecret(const Session& session, const SecretUpdateArgs& args);
Status DeleteSecret(const Session& session, std::string_view vault, std::string_view name);
Status ShowDeletedSecret(const Session& session, std::string_view vault, std::string_view name);
Status ListDeletedSecrets(const Session& session, std::string_view vault);
Status RecoverSecret(const Session& session, std::string_view vault, std::string_view name);
Status PurgeSecret(const Session& session, std::string_view vault, std::string_view name);
// Writes the decoded backup blob to `file` (mode 0600).
Status BackupSecret(const Session& session, std::string_view vault, std::string_view name,
                    const std::string& file);
Status RestoreSecret(const Session& session, std::string_view vault, const std::string& file);

}  // namespace kh::cli
