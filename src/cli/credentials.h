#pragma once
// Credentials: who the CLI authenticates as, and where.
//
// Sources, in order of precedence:
// 1. The environment, when AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are all set
//    and non-empty. Then these three come from the environment, and AZURE_AUTHORITY_HOST,
//    KEYHAVEN_SUBSCRIPTION_ID and KEYHAVEN_CA_FILE (each optional) override the file's
//    authorityHost / subscriptionId / caFile. The file is read if it exists (to fill fields the
//    environment leaves out) but is not required.
// 2. Otherwise the credentials file (admin.json, written by `keyhaven init`):
//    {"tenantId","clientId","clientSecret","authorityHost","subscriptionId","caFile"}; the
//    environment is ignored, so a partial AZURE_* set never mixes with the file's secret.
// A relative caFile from the file is taken relative to the working directory if it exists
// there, else relative to the file's directory.
//
// Errors: InvalidArgument (azure code "CredentialsError") naming the file or variable that is
// missing or malformed; never the secret. The client secret lives only in SecretBytes.
#include <functional>
#include <optional>
#include <string>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::cli {

inline constexpr char kDefaultCredentialsFile[] = "./keyhaven-data/admin.json";
// admin.json is tiny; anything much larger is not a credentials file.
inline constexpr size_t kMaxCredentialsFileBytes = 64 * 1024;

struct Credentials {
  std::string tenant_id;
  std::string client_id;
  SecretBytes client_secret;
  std::string authority_host;   // may be empty when neither file nor environment names one
  std::string subscription_id;  // may be empty (only vault commands need it)
  std::string ca_file;          // may be empty (system trust store)
  std::string source;           // "environment" or the file path, for messages
};

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process environment (getenv).
EnvLookup ProcessEnvironment();

StatusOr<Credentials> LoadCredentials(const std::string& file_path, const EnvLookup& env);

// Parses the JSON text of a credentials file. `file_path` is used for messages and to resolve a
// relative caFile. Exposed for tests.
StatusOr<Credentials> ParseCredentialsFile(std::string_view json_text,
                                           const std::string& file_path);

}  // namespace kh::cli
