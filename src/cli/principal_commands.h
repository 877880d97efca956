#pragma once
// `keyhaven principal ...`: service principals and their credentials, through the server's
// admin API (bootstrap administrator only). Output is JSON; secrets are printed once, on
// creation, and never again.
#include <optional>
#include <string>

#include "cli/session.h"
#include "core/status.h"

namespace kh::cli {

struct PrincipalCreateArgs {
  std::string display_name;
  bool managed_identity = false;
  std::optional<std::string> secret_end;  // ISO-8601; absent = never expires
};
// Prints {clientId, objectId, tenantId, clientSecret[, identityEndpoint, identityHeader], ...}.
Status CreatePrincipal(const Session& session, const PrincipalCreateArgs& args);
Status ListPrincipals(const Session& session);
Status ShowPrincipal(const Session& session, const std::string& client_id);
Status DeletePrincipal(const Session& session, const std::string& client_id);

struct CredentialAddArgs {
  std::string client_id;
  std::string display_name;
  std::optional<std::string> end;               // client secret: ISO-8601 end date
  std::optional<std::string> certificate_file;  // a PEM certificate instead of a secret
};
Status AddCredential(const Session& session, const CredentialAddArgs& args);
Status ListCredentials(const Session& session, const std::string& client_id);
Status RemoveCredential(const Session& session, const std::string& client_id,
                        const std::string& key_id);

// "2027-01-31T00:00:00Z", or "90d" meaning 90 days from `now`.
StatusOr<std::string> ResolveEndDate(const std::string& text, int64_t now);

}  // namespace kh::cli
