#include "server/audit_command.h"

#include <iostream>

#include "audit/audit_verify.h"

namespace kh::server {

int VerifyAudit(const std::vector<std::string>& files, std::string public_key_file) {
  if (public_key_file.empty()) {
    // The server writes its public key beside the files.
    const size_t slash = files.front().rfind('/');
    const std::string dir = slash == std::string::npos ? "." : files.front().substr(0, slash);
    public_key_file = dir + "/audit-public-key.json";
  }
  auto key = audit::ReadAuditPublicKey(public_key_file);
  if (!key.ok()) {
    std::cerr << "keyhaven: " << key.status().message() << " (give the key with --public-key)\n";
    return 2;
  }
  audit::VerifyReport report = audit::VerifyAuditFiles(files, *key);
  for (const auto& note : report.notes) std::cout << "note: " << note << "\n";
  for (const auto& problem : report.problems) std::cout << "TAMPERED: " << problem << "\n";
  std::cout << (report.ok() ? "OK: " : "FAILED: ") << report.records << " records in "
            << report.files << " files, " << report.checkpoints
            << " signed checkpoints verified, chain up to seq " << report.last_seq << "\n";
  return report.ok() ? 0 : 1;
}

}  // namespace kh::server
