#pragma once
// URL building for the CLI: the server origin, vault (data-plane) URLs, ARM resource URLs, the
// token endpoint and form bodies. Pure functions, no I/O; thread-safe.
//
// Names that go into a path are percent-encoded, so no user input can add a path segment, a
// query or a fragment. Errors are InvalidArgument with a message safe to print.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::cli {

inline constexpr std::string_view kDataPlaneApiVersion = "2025-07-01";
inline constexpr std::string_view kArmApiVersion = "2026-02-01";

// An https origin: the server URL given by --server or the credentials' authorityHost.
struct ServerUrl {
  std::string host;  // lower-case; IPv6 literals keep their brackets
  int port = 443;

  // "https://host" or "https://host:port"; port 443 is left out, as the server's challenge does.
  std::string Origin() const;
  // The OAuth2 scope for tokens the server accepts: Origin() + "/.default".
  std::string Scope() const { return Origin() + "/.default"; }
  bool operator==(const ServerUrl&) const = default;
};

// Accepts "https://host[:port][/]" (an optional trailing slash, no other path, query or user info).
StatusOr<ServerUrl> ParseServerUrl(std::string_view url);

// The origin of any absolute https URL (path and query ignored); used to check that a nextLink
// stays on the server the token was meant for.
StatusOr<ServerUrl> OriginOf(std::string_view url);

// RFC 3986 percent-encoding: everything except ALPHA / DIGIT / "-" / "." / "_" / "~" is encoded.
std::string PercentEncode(std::string_view text);

// application/x-www-form-urlencoded body from name/value pairs, in order.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

// The client-credentials token request body. The result holds the client secret, so it is
// SecretBytes; no intermediate copy of the secret is left in freed memory.
SecretBytes TokenRequestBody(std::string_view client_id, const SecretBytes& client_secret,
                             std::string_view scope);

// POST target of the token request: {authority}/{tenant}/oauth2/v2.0/token.
std::string TokenUrl(const ServerUrl& authority, std::string_view tenant_id);

// https://{vault}.{host}[:port]. The vault name must be a DNS label ([A-Za-z0-9-], 1..63, no
// leading or trailing '-'), and the server host must be a name, not an IP address.
StatusOr<std::string> VaultUrl(const ServerUrl& server, std::string_view vault_name);

// {vault_url}/{segments, each percent-encoded, joined by '/'}?api-version=2025-07-01.
// An empty last segment gives a trailing slash ("latest version"). Segments "." and ".." are
// rejected.
StatusOr<std::string> DataPlaneUrl(std::string_view vault_url,
                                   const std::vector<std::string_view>& segments);

// {server}/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{name}
// ?api-version=2026-02-01
StatusOr<std::string> ArmVaultUrl(const ServerUrl& server, std::string_view subscription_id,
                                  std::string_view resource_group, std::string_view vault_name);

// {server}/subscriptions/{sub}/providers/Microsoft.KeyVault/vaults?api-version=2026-02-01
StatusOr<std::string> ArmVaultListUrl(const ServerUrl& server, std::string_view subscription_id);

// {server}{resource_id}?api-version=2026-02-01 for an ARM id returned by the server (it must
// start with "/subscriptions/").
StatusOr<std::string> ArmResourceUrl(const ServerUrl& server, std::string_view resource_id);

}  // namespace kh::cli
