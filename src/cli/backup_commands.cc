#include "cli/backup_commands.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <iostream>

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
              << " deleted), " << number("records") << " records, "
              << number("roleAssignments") << " role assignments\n";
}

StatusOr<SecretBytes> ReadBackupFile(const std::string& path) {
  return ReadFileBytes(path, kMaxBackupFileBytes);
}

constexpr size_t kMaxPassphraseFileBytes = 4096;

// Progress on a terminal (stderr), nothing otherwise: each step says what it waits for, then
// how long it took and how much it moved.
class Progress {
 public:
  explicit Progress(std::string step) : tty_(::isatty(STDERR_FILENO) == 1) {
    if (tty_) std::cerr << "keyhaven: " << step << " ..." << std::flush;
    start_ = std::chrono::steady_clock::now();
  }
  void Done(size_t bytes = 0) {
    done_ = true;
    if (!tty_) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::cerr << " done";
    if (bytes >= 1024 * 1024) {
      std::cerr << ", " << (bytes + 512 * 1024) / (1024 * 1024) << " MB";
    } else if (bytes) {
      std::cerr << ", " << (bytes + 512) / 1024 << " KB";
    }
    std::cerr << " in " << static_cast<int>(seconds * 10) / 10.0 << " s\n";
  }
  ~Progress() {
    if (tty_ && !done_) std::cerr << "\n";
  }

 private:
  bool tty_;
  bool done_ = false;
  std::chrono::steady_clock::time_point start_;
};

// The first line of the passphrase file (or of standard input for "-").
StatusOr<SecretBytes> ReadPassphrase(const Session& session, const std::string& path) {
  KH_ASSIGN_OR_RETURN(SecretBytes raw,
                      path == "-" ? ReadStreamBytes(session.in, kMaxPassphraseFileBytes,
                                                    "standard input")
                                  : ReadFileBytes(path, kMaxPassphraseFileBytes));
  std::string_view text = raw.Reveal();
  text = text.substr(0, text.find('\n'));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return SecretBytes(text);
}

// {"passphrase": ..., "key"?: ...} as JSON text, in a buffer the caller wipes.
std::string PassphraseBody(const SecretBytes& passphrase, std::string_view key = {}) {
  boost::json::object body;
  body["passphrase"] = passphrase.Reveal();
  if (!key.empty()) body["key"] = key;
  std::string text = boost::json::serialize(body);
  boost::json::string& copy = body["passphrase"].as_string();
  std::fill(copy.begin(), copy.end(), '\0');
  return text;
}

}  // namespace

Status ExportBackupKey(const Session& session, const std::string& out_path,
                       const std::string& passphrase_file) {
  KH_ASSIGN_OR_RETURN(SecretBytes passphrase, ReadPassphrase(session, passphrase_file));
  std::string body = PassphraseBody(passphrase);
  StatusOr<boost::json::value> exported = session.api.Call(
      "POST", session.api.server().Origin() + "/admin/backup-key/export", body);
  WipeString(body);
  KH_RETURN_IF_ERROR(exported.status());
  KH_RETURN_IF_ERROR(WritePrivateFile(out_path, GetString(*exported, "key").value_or("") + "\n"));
  session.out << "backup key " << GetString(*exported, "fingerprint").value_or("?")
              << " written to " << out_path << "\n";
  return Status::Ok();
}

Status ImportBackupKey(const Session& session, const std::string& key_path,
                       const std::string& passphrase_file) {
  KH_ASSIGN_OR_RETURN(SecretBytes key, ReadFileBytes(key_path, kMaxPassphraseFileBytes));
  KH_ASSIGN_OR_RETURN(SecretBytes passphrase, ReadPassphrase(session, passphrase_file));
  std::string_view key_text = key.Reveal();
  while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r')) {
    key_text.remove_suffix(1);
  }
  std::string body = PassphraseBody(passphrase, key_text);
  StatusOr<boost::json::value> imported = session.api.Call(
      "POST", session.api.server().Origin() + "/admin/backup-key/import", body);
  WipeString(body);
  KH_RETURN_IF_ERROR(imported.status());
  session.out << "backup key " << GetString(*imported, "fingerprint").value_or("?")
              << " is now this deployment's backup key\n";
  return Status::Ok();
}

Status RebuildVault(const Session& session, const std::string& dir, const std::string& vault,
                    const std::string& new_vault, const std::optional<std::string>& at,
                    const std::optional<std::string>& resource_group) {
  boost::json::object body{{"dir", dir}, {"vault", vault}, {"newVault", new_vault}};
  if (at) body["at"] = *at;
  if (resource_group) body["resourceGroup"] = *resource_group;
  Progress rebuilding("rebuilding vault '" + vault + "' from " + dir);
  KH_ASSIGN_OR_RETURN(boost::json::value summary,
                      session.api.CallWithJson("POST", AdminUrl(session, "/rebuild"), body));
  rebuilding.Done();
  PrintSummary(session, summary);
  return Status::Ok();
}

Status CreateVaultBackup(const Session& session, const std::string& vault,
                         const std::string& out_path, bool with_role_assignments) {
  KH_RETURN_IF_ERROR(CheckQueryValue("The vault name", vault));
  const std::string query =
      "?vault=" + vault + (with_role_assignments ? "&roleAssignments=true" : "");
  Progress sealing("sealing vault '" + vault + "' into a backup file");
  KH_ASSIGN_OR_RETURN(std::string file, session.api.CallBytes("POST", AdminUrl(session, query)));
  sealing.Done(file.size());
  Status written = WritePrivateFile(out_path, file);
  WipeString(file);
  KH_RETURN_IF_ERROR(written);
  return VerifyVaultBackup(session, out_path);
}

Status VerifyVaultBackup(const Session& session, const std::string& path) {
  KH_ASSIGN_OR_RETURN(SecretBytes file, ReadBackupFile(path));
  Progress verifying("verifying " + path);
  KH_ASSIGN_OR_RETURN(std::string body,
                      session.api.CallBytes("POST", AdminUrl(session, "/verify"), file.Reveal()));
  verifying.Done(file.size());
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
  Progress restoring("restoring " + path + " into vault '" + new_vault + "'");
  KH_ASSIGN_OR_RETURN(std::string body,
                      session.api.CallBytes("POST", AdminUrl(session, query), file.Reveal()));
  restoring.Done(file.size());
  KH_ASSIGN_OR_RETURN(boost::json::value summary, ParseJson(body, "restore response"));
  PrintSummary(session, summary);
  return Status::Ok();
}

}  // namespace kh::cli
