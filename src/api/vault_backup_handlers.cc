// Whole-vault backups (Keyhaven's own admin endpoints; not part of Azure's API):
//   POST /admin/vault-backup?vault=NAME[&roleAssignments=true] -> 200, the backup file
//        (application/octet-stream); with roleAssignments, the vault's role assignments too
//   POST /admin/vault-backup/verify  (body: file) -> 200 {"vault","resourceGroup","created",...}
//   POST /admin/vault-backup/restore?vault=NEW[&resourceGroup=RG]  (body: file) -> 201 {...}
//   POST /admin/vault-backup/rebuild {"dir","vault","newVault","at"?,"resourceGroup"?} -> 201
//   GET  /admin/backup-key                         -> 200 {"fingerprint"}
//   POST /admin/backup-key/export {"passphrase"}   -> 200 {"key":"KHBACKUPKEY1:...","fingerprint"}
//   POST /admin/backup-key/import {"key","passphrase"} -> 200 {"fingerprint"}
// The file format is in docs/backup-format.md. Authorization: Keyhaven's own actions at the
// deployment scope ("/"), which only the bootstrap administrator (or a custom role naming them)
// holds, since a backup carries every secret of the vault.
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "core/time_format.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionBackup = "Keyhaven/vaultBackups/write";
constexpr std::string_view kActionVerify = "Keyhaven/vaultBackups/read";
constexpr std::string_view kActionRestore = "Keyhaven/vaultBackups/restore/action";
constexpr std::string_view kActionKeyRead = "Keyhaven/backupKey/read";
constexpr std::string_view kActionKeyExport = "Keyhaven/backupKey/export/action";
constexpr std::string_view kActionKeyImport = "Keyhaven/backupKey/import/action";

json::object SummaryToJson(const domain::VaultBackupSummary& s) {
  return json::object{{"vault", s.vault},
                      {"resourceGroup", s.resource_group},
                      {"created", FormatIso8601(s.created)},
                      {"records", s.records},
                      {"secrets", s.secrets},
                      {"keys", s.keys},
                      {"deletedObjects", s.deleted_objects},
                      {"roleAssignments", s.role_assignments},
                      {"roleAssignmentsSkipped", s.role_assignments_skipped}};
}

Response CreateBackup(const Call& call, domain::VaultBackupService& backups) {
  if (auto denied = DenyManagement(call, kActionBackup, "/")) return *denied;
  const std::string vault = call.target.Query("vault");
  if (vault.empty()) return ErrorResponse(InvalidArgument("The query parameter 'vault' is required."));
  auto file = backups.Create(vault, call.target.Query("roleAssignments") == "true");
  if (!file.ok()) return ErrorResponse(file.status());
  Response r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  r.body = std::move(*file);
  return r;
}

Response Verify(const Call& call, domain::VaultBackupService& backups) {
  if (auto denied = DenyManagement(call, kActionVerify, "/")) return *denied;
  auto summary = backups.Verify(call.request.body);
  if (!summary.ok()) return ErrorResponse(summary.status());
  return JsonResponse(200, SummaryToJson(*summary));
}

Response Restore(const Call& call, domain::VaultBackupService& backups) {
  if (auto denied = DenyManagement(call, kActionRestore, "/")) return *denied;
  const std::string vault = call.target.Query("vault");
  if (vault.empty()) return ErrorResponse(InvalidArgument("The query parameter 'vault' is required."));
  std::optional<std::string> group;
  if (call.target.HasQuery("resourceGroup")) group = call.target.Query("resourceGroup");
  auto summary =
      backups.Restore(call.request.body, vault, group, call.admission.caller->client_id);
  if (!summary.ok()) return ErrorResponse(summary.status());
  json::object out = SummaryToJson(*summary);
  out["restoredAs"] = vault;
  return JsonResponse(201, std::move(out));
}

StatusOr<SecretBytes> Passphrase(const json::object& body) {
  KH_ASSIGN_OR_RETURN(std::optional<std::string> passphrase, OptString(body, "passphrase"));
  if (!passphrase) return InvalidArgument("The property 'passphrase' is required.");
  SecretBytes secret{std::string_view(*passphrase)};
  std::fill(passphrase->begin(), passphrase->end(), '\0');
  return secret;
}

}  // namespace

Response HandleBackupKey(const Call& call) {
  auto* backups = call.services.vault_backups;
  if (!backups) return UnknownRoute(call.request);
  const auto& s = call.target.segments;
  if (s.size() == 2) {
    if (call.request.method != "GET") return MethodNotAllowed(call.request);
    if (auto denied = DenyManagement(call, kActionKeyRead, "/")) return *denied;
    return JsonResponse(200, json::object{{"fingerprint", backups->BackupKeyFingerprint()}});
  }
  if (s.size() != 3 || (s[2] != "export" && s[2] != "import")) return UnknownRoute(call.request);
  if (call.request.method != "POST") return MethodNotAllowed(call.request);
  const bool exporting = s[2] == "export";
  if (auto denied = DenyManagement(call, exporting ? kActionKeyExport : kActionKeyImport, "/")) {
    return *denied;
  }
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(SecretBytes passphrase, Passphrase(body));
    if (exporting) {
      KH_ASSIGN_OR_RETURN(std::string key, backups->ExportBackupKey(passphrase));
      return JsonResponse(200, json::object{{"key", key},
                                            {"fingerprint", backups->BackupKeyFingerprint()}});
    }
    KH_ASSIGN_OR_RETURN(std::optional<std::string> key, OptString(body, "key"));
    if (!key) return InvalidArgument("The property 'key' is required.");
    KH_ASSIGN_OR_RETURN(std::string fingerprint, backups->ImportBackupKey(*key, passphrase));
    return JsonResponse(200, json::object{{"fingerprint", fingerprint}});
  });
}

// {"dir", "vault", "newVault", "at"?: ISO-8601, "resourceGroup"?}: the vault rebuilt from the
// automatic-backup journal in `dir` (a directory on the server's machine).
Response Rebuild(const Call& call, domain::VaultBackupService& backups) {
  if (auto denied = DenyManagement(call, kActionRestore, "/")) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> dir, OptString(body, "dir"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> vault, OptString(body, "vault"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> new_vault, OptString(body, "newVault"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> at_text, OptString(body, "at"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> group, OptString(body, "resourceGroup"));
    if (!dir || !vault || !new_vault) {
      return InvalidArgument("The properties 'dir', 'vault' and 'newVault' are required.");
    }
    std::optional<int64_t> at;
    if (at_text) {
      at = ParseIso8601(*at_text);
      if (!at) return InvalidArgument("'at' must be an ISO-8601 time, e.g. 2026-11-30T06:00:00Z.");
    }
    KH_ASSIGN_OR_RETURN(auto summary, backups.Rebuild(*dir, *vault, at, *new_vault, group,
                                                      call.admission.caller->client_id));
    json::object out = SummaryToJson(summary);
    out["restoredAs"] = *new_vault;
    return JsonResponse(201, std::move(out));
  });
}

Response HandleVaultBackup(const Call& call) {
  if (call.request.method != "POST") return MethodNotAllowed(call.request);
  auto* backups = call.services.vault_backups;
  if (!backups) return UnknownRoute(call.request);
  const auto& s = call.target.segments;
  if (s.size() == 2) return CreateBackup(call, *backups);
  if (s.size() == 3 && s[2] == "verify") return Verify(call, *backups);
  if (s.size() == 3 && s[2] == "restore") return Restore(call, *backups);
  if (s.size() == 3 && s[2] == "rebuild") return Rebuild(call, *backups);
  return UnknownRoute(call.request);
}

}  // namespace kh::api
