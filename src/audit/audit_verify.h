#pragma once
// Checking audit files (audit_chain.h): `keyhaven audit verify FILE...`.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status_or.h"
#include "crypto/ec_key.h"

namespace kh::audit {

struct VerifyReport {
  uint64_t files = 0;
  uint64_t records = 0;      // every chained line, audit events and chain records alike
  uint64_t checkpoints = 0;  // checkpoints whose signature verified
  uint64_t last_seq = 0;
  uint64_t last_signed_seq = 0;       // the newest record a verified checkpoint covers
  std::vector<std::string> problems;  // "FILE:LINE: what": tampering or damage
  std::vector<std::string> notes;     // worth knowing, not evidence of tampering
  bool ok() const { return problems.empty(); }
};

// Checks `paths` as consecutive files of one chain, in the order given. Without a key the
// checkpoints' signatures are not checked (said in a note).
VerifyReport VerifyAuditFiles(const std::vector<std::string>& paths,
                              const std::optional<crypto::EcPublicKey>& key);

// Reads the audit-public-key.json the server writes beside its audit files.
StatusOr<crypto::EcPublicKey> ReadAuditPublicKey(const std::string& path);

}  // namespace kh::audit
