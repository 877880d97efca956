#include "cli/backup_commands.h"

#include <boost/json.hpp>

#include "cli/files.h"
#include "cli/json_util.h"
#include "cli/output.h"
#include "cli/wipe.h"

namespace kh::cli {
namespace {

std::string AdminUrl(const Session& session, std::string_view path) {
  return session.api.server().Origin() + "/admin/vault-backup" + std::string(path);
}

// Vault and resource-group names are [0-9A-Za-z-._()]: safe in a query string as they are, and
// anything else is refused here rather than sent.
Status CheckQueryValue(std::string_view what, std::string_view value) {
  for (char c : value) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_' || c == '.' || c == '(' || c == ')';
    if (!ok) return InvalidArgument(std::string(what) + " contains a character that is not allowed.");
  }
  return Status::Ok();
}

void PrintSummary(const Session& session, const boost::json::value& summary) {
  if (session.format == OutputFormat::kJson) {
    session.out << PrettyJson(summary) << "\n";
    return;
  }
  auto number = [&](const char* name) {
    const boost::json::value* v = GetMember(summary, name);
    return v && v->is_number() ? std::to_string(v->to_number<int64_t>()) : std::string("?");
  };
  session.out << "vault " << GetString(summary, "vault").value_or("?") << " (resource group "
              << GetString(summary, "resourceGroup").value_or("?") << "), backed up "
              << GetString(summary, "created").value_or("?") << ": " << number("secrets")
              << " secrets, " << number("keys") << " keys (" << number("deletedObjects")
              << " deleted), " << number("records") << " records\n";
}

StatusOr<SecretBytes> ReadBackupFile(const std::string& path) {
  return ReadFileBytes(path, kMaxBackupFileBytes);
}

}  // namespace

Status CreateVaultBackup(const Session& session, const std::string& vault,
                         const std::string& out_path) {
  KH_RETURN_IF_ERROR(CheckQueryValue("The vault name", vault));
  KH_ASSIGN_OR_RETURN(std::string file,
                      session.api.CallBytes("POST", AdminUrl(session, "?vault=" + vault)));
  Status written = WritePrivateFile(out_path, file);
  WipeString(file);
  KH_RETURN_IF_ERROR(written);
  return VerifyVaultBackup(session, out_path);
}

Status VerifyVaultBackup(const Session& session, const std::string& path) {
  KH_ASSIGN_OR_RETURN(SecretBytes file, ReadBackupFile(path));
  KH_ASSIGN_OR_RETURN(std::string body,
                      session.api.CallBytes("POST", AdminUrl(session, "/verify"), file.Reveal()));
  KH_ASSIGN_OR_RETURN(boost::json::value summary, ParseJson(body, "verify response"));
  PrintSummary(session, summary);
  return Status::Ok();
}

Status RestoreVaultBackup(const Session& session, const std::string& path,
                          const std::string& new_vault,
                          const std::optional<std::string>& resource_group) {
  KH_RETURN_IF_ERROR(CheckQueryValue("The vault name", new_vault));
  std::string query = "/restore?vault=" + new_vault;
  if (resource_group) {
    KH_RETURN_IF_ERROR(CheckQueryValue("The resource group", *resource_group));
    query += "&resourceGroup=" + *resource_group;
  }
  KH_ASSIGN_OR_RETURN(SecretBytes file, ReadBackupFile(path));
  KH_ASSIGN_OR_RETURN(std::string body,
                      session.api.CallBytes("POST", AdminUrl(session, query), file.Reveal()));
  KH_ASSIGN_OR_RETURN(boost::json::value summary, ParseJson(body, "restore response"));
  PrintSummary(session, summary);
  return Status::Ok();
}

}  // namespace kh::cli
