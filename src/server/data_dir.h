#pragma once
// The data directory: created on first start, reused afterwards (DESIGN.md section 1).
//
//   keyhaven.db (+ -wal, -shm)  the SQLite store; every record in it is ciphertext
//   root.key                    256-bit root key (0600); or $KEYHAVEN_ROOT_KEY (base64)
//   ca.pem                      the internal CA's certificate: what clients trust
//   admin.json                  bootstrap administrator credential (0600), written once
//
// The CA's private key, the token-signing key, the audit-signing key, the tenant and subscription ids and the
// principals live in the store, sealed under the root key.
#include <memory>
#include <string>

#include "authn/principal_store.h"
#include "barrier/barrier.h"
#include "core/status_or.h"
#include "crypto/ec_key.h"
#include "crypto/x509.h"
#include "barrier/backup_journal.h"
#include "storage/store.h"

namespace kh::server {

struct Identity {
  std::string tenant_id;
  std::string subscription_id;
  std::string admin_client_id;
  std::string admin_object_id;
};

struct DataDir {
  std::string path;
  bool initialized_now = false;
  // The SQLite store behind a JournalingStore (automatic backups; attached by serve).
  std::unique_ptr<barrier::JournalingStore> store;
  std::unique_ptr<barrier::Barrier> barrier;
  Identity identity;
  crypto::CertificateAndKey ca;
  std::unique_ptr<crypto::EcPrivateKey> signing_key;
  std::unique_ptr<crypto::EcPrivateKey> audit_key;  // signs audit-log checkpoints

  std::string CaFile() const { return path + "/ca.pem"; }
  std::string AdminFile() const { return path + "/admin.json"; }
};

// Opens `path`, initializing it if it holds no store yet. `authority` (https://host:port) is
// written into admin.json on initialization.
StatusOr<DataDir> OpenDataDir(const std::string& path, const std::string& authority);

// Points admin.json's authorityHost at `authority` (the port may differ between starts).
Status UpdateAdminAuthority(const DataDir& dir, const std::string& authority);

}  // namespace kh::server
