#pragma once
// Everything one handler needs to serve one request.
#include <functional>

#include "api/api.h"
#include "api/target.h"

namespace kh::api {

struct Call {
  const Request& request;
  const Target& target;
  const Admission& admission;
  const ApiConfig& config;
  const ApiServices& services;
  const Api& api;
};

// Surface handlers, one file each. Each returns the full Response (errors included).
Response HandleIdentity(const Call& call);
Response HandleManagement(const Call& call);
// Soft-deleted vaults (list, get, purge) and checkNameAvailability, under a subscription's
// provider path; nullopt when the path is not one.
std::optional<Response> HandleDeletedVaults(const Call& call);
// Role assignments and definitions under any ARM scope; nullopt when the path is not one.
std::optional<Response> HandleAuthorization(const Call& call);
Response HandleAdmin(const Call& call);
Response HandlePrincipals(const Call& call);          // /admin/principals...
Response HandleAccessReview(const Call& call);        // /admin/access-review
Response HandleVaultBackup(const Call& call);         // /admin/vault-backup[/verify|/restore]
Response HandleBackupKey(const Call& call);           // /admin/backup-key[/export|/import]
Response HandleEventSubscriptions(const Call& call);  // /admin/event-subscriptions[/{name}]
Response HandleAlerts(const Call& call);              // /admin/alert-rules[/{name}], /admin/alerts
// {vault id}/providers/Microsoft.Insights/diagnosticSettings[/{setting}]
Response HandleDiagnosticSettings(const Call& call, const domain::Vault& vault,
                                  const std::string* setting);
Response HandleSecrets(const Call& call);
Response HandleKeys(const Call& call);                 // /keys, /deletedkeys, /rng
Response HandleCertificates(const Call& call);         // /certificates, /deletedcertificates
Response HandleCertificateIssuers(const Call& call);   // /certificates/issuers[/{name}]
Response HandleCertificateContacts(const Call& call);  // /certificates/contacts

// Writes that can complete without blocking a thread on their commit. Each returns false,
// having replied nothing, when it does not apply (the caller then uses the blocking path).
bool TrySetSecretAsync(const Call& call, Deferred reply);

// Runs a handler body written with KH_ASSIGN_OR_RETURN, turning its error into Azure's response.
Response Respond(const std::function<StatusOr<Response>()>& body);

// Authorization (Azure's action names); nullopt when allowed, else the 403 ForbiddenByRbac.
// A data action on the request's vault, or on one object of it ("secrets/{name}").
std::optional<Response> DenyData(const Call& call, std::string_view action,
                                 std::string_view object);
// A management action on an ARM scope ("/subscriptions/{sub}/resourceGroups/{rg}/...").
std::optional<Response> DenyManagement(const Call& call, std::string_view action,
                                       std::string_view scope);
// The ARM id of a vault: the scope its role assignments name.
std::string VaultResourceId(const Call& call, const domain::Vault& vault);

Response MethodNotAllowed(const Request& request);
Response UnknownRoute(const Request& request);

// Azure's data-plane api-versions this server accepts.
bool IsSupportedDataPlaneVersion(std::string_view version);
// Management (ARM) api-versions look like 2026-02-01 or 2026-03-01-preview.
bool IsWellFormedArmVersion(std::string_view version);

}  // namespace kh::api
