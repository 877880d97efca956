#include "server/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "core/fields.h"
#include "core/ids.h"
#include "crypto/rng.h"
#include "storage/sqlite/sqlite_store.h"

namespace kh::server {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

constexpr int kCaValidityDays = 10 * 365;
constexpr char kIdentityPath[] = "sys/identity";
constexpr char kCaKeyPath[] = "sys/ca";
constexpr char kSigningKeyPath[] = "sys/token-signing-key";
constexpr char kAuditKeyPath[] = "sys/audit-signing-key";

// Writes `content` to `path` with `mode`, durably (temp file, fsync, rename, fsync dir).
Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Internal("cannot write " + path);
  fchmod(fd, mode);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Internal("cannot write " + path);
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Internal("cannot sync " + path);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Internal("cannot rename into " + path);
  int dir = ::open(fs::path(path).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("FileNotFound", "cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

StatusOr<SecretBytes> LoadOrCreateRootKey(const std::string& dir, bool create) {
  if (const char* env = std::getenv("KEYHAVEN_ROOT_KEY")) {
    auto decoded = Base64Decode(env);
    if (!decoded.ok() || decoded->size() != barrier::Barrier::kRootKeyBytes) {
      return InvalidArgument("KEYHAVEN_ROOT_KEY must be 32 bytes in base64");
    }
    return SecretBytes(std::string_view(*decoded));
  }
  std::string path = dir + "/root.key";
  if (create && !fs::exists(path)) {
    SecretBytes key = crypto::RandomSecret(barrier::Barrier::kRootKeyBytes);
    KH_RETURN_IF_ERROR(WriteFileAtomically(path, key.Reveal(), 0600));
  }
  KH_ASSIGN_OR_RETURN(std::string raw, ReadFile(path));
  SecretBytes key{std::string_view(raw)};
  std::fill(raw.begin(), raw.end(), '\0');
  if (key.size() != barrier::Barrier::kRootKeyBytes) {
    return Internal(path + " does not hold a 32-byte root key");
  }
  return key;
}

std::string AdminJson(const DataDir& dir, const std::string& client_secret,
                      const std::string& authority) {
  json::object o{{"tenantId", dir.identity.tenant_id},
                 {"clientId", dir.identity.admin_client_id},
                 {"clientSecret", client_secret},
                 {"authorityHost", authority},
                 {"subscriptionId", dir.identity.subscription_id},
                 {"caFile", fs::absolute(dir.CaFile()).string()}};
  return json::serialize(o) + "\n";
}

Status Initialize(DataDir& dir, const std::string& authority) {
  auto& barrier = *dir.barrier;
  storage::WriteBatch batch;
  dir.identity.tenant_id = NewGuid();
  dir.identity.subscription_id = NewGuid();

  KH_ASSIGN_OR_RETURN(dir.ca, crypto::CreateCertificateAuthority(
                                  "Keyhaven Local CA " + RandomHex(4), kCaValidityDays));
  Fields ca;
  ca.Set("certificate_pem", dir.ca.certificate_pem);
  ca.Set("private_key_pem", dir.ca.private_key_pem.Reveal());
  KH_RETURN_IF_ERROR(barrier.Write(barrier.system(), batch, kCaKeyPath, ca.Encode()));

  KH_ASSIGN_OR_RETURN(crypto::EcPrivateKey signing, crypto::EcPrivateKey::Generate());
  KH_RETURN_IF_ERROR(
      barrier.Write(barrier.system(), batch, kSigningKeyPath, signing.ToPem().Reveal()));
  dir.signing_key = std::make_unique<crypto::EcPrivateKey>(std::move(signing));

  SystemClock clock;
  authn::PrincipalStore principals(&barrier, &clock);
  KH_ASSIGN_OR_RETURN(auto admin, principals.Create("keyhaven-bootstrap-admin", true));
  dir.identity.admin_client_id = admin.first.client_id;
  dir.identity.admin_object_id = admin.first.object_id;

  Fields identity;
  identity.Set("tenant_id", dir.identity.tenant_id);
  identity.Set("subscription_id", dir.identity.subscription_id);
  identity.Set("admin_client_id", dir.identity.admin_client_id);
  identity.Set("admin_object_id", dir.identity.admin_object_id);
  batch.ExpectAbsent(kIdentityPath);
  KH_RETURN_IF_ERROR(barrier.Write(barrier.system(), batch, kIdentityPath, identity.Encode()));

  // Public files first; the identity record commits last, so a crash part-way leaves a data dir
  // that simply initializes again.
  KH_RETURN_IF_ERROR(WriteFileAtomically(dir.CaFile(), dir.ca.certificate_pem, 0644));
  KH_RETURN_IF_ERROR(WriteFileAtomically(
      dir.AdminFile(), AdminJson(dir, std::string(admin.second.Reveal()), authority), 0600));
  return barrier.store().Commit(batch);
}

Status Load(DataDir& dir, const SecretBytes& identity_bytes) {
  auto& barrier = *dir.barrier;
  KH_ASSIGN_OR_RETURN(Fields identity, Fields::Decode(identity_bytes.Reveal()));
  dir.identity.tenant_id = identity.GetOr("tenant_id", "");
  dir.identity.subscription_id = identity.GetOr("subscription_id", "");
  dir.identity.admin_client_id = identity.GetOr("admin_client_id", "");
  dir.identity.admin_object_id = identity.GetOr("admin_object_id", "");

  KH_ASSIGN_OR_RETURN(auto ca_bytes, barrier.Read(barrier.system(), kCaKeyPath));
  KH_ASSIGN_OR_RETURN(auto signing_bytes, barrier.Read(barrier.system(), kSigningKeyPath));
  if (!ca_bytes || !signing_bytes) return Internal("the data directory is incomplete");
  KH_ASSIGN_OR_RETURN(Fields ca, Fields::Decode(ca_bytes->Reveal()));
  dir.ca.certificate_pem = ca.GetOr("certificate_pem", "");
  dir.ca.private_key_pem = SecretBytes(std::string_view(ca.GetOr("private_key_pem", "")));
  KH_ASSIGN_OR_RETURN(crypto::EcPrivateKey signing, crypto::EcPrivateKey::FromPem(*signing_bytes));
  dir.signing_key = std::make_unique<crypto::EcPrivateKey>(std::move(signing));
  // ca.pem is derived data: rewrite it if someone removed it.
  if (!fs::exists(dir.CaFile())) {
    KH_RETURN_IF_ERROR(WriteFileAtomically(dir.CaFile(), dir.ca.certificate_pem, 0644));
  }
  return Status::Ok();
}

// The key that signs audit-log checkpoints: its own key, so that rotating the token-signing
// key never orphans the audit trail. Created on first need (data dirs older than the audit log).
Status LoadOrCreateAuditKey(DataDir& dir) {
  auto& barrier = *dir.barrier;
  KH_ASSIGN_OR_RETURN(auto stored, barrier.Read(barrier.system(), kAuditKeyPath));
  if (stored) {
    KH_ASSIGN_OR_RETURN(crypto::EcPrivateKey key, crypto::EcPrivateKey::FromPem(*stored));
    dir.audit_key = std::make_unique<crypto::EcPrivateKey>(std::move(key));
    return Status::Ok();
  }
  KH_ASSIGN_OR_RETURN(crypto::EcPrivateKey key, crypto::EcPrivateKey::Generate());
  storage::WriteBatch batch;
  batch.ExpectAbsent(kAuditKeyPath);
  KH_RETURN_IF_ERROR(barrier.Write(barrier.system(), batch, kAuditKeyPath, key.ToPem().Reveal()));
  KH_RETURN_IF_ERROR(barrier.store().Commit(batch));
  dir.audit_key = std::make_unique<crypto::EcPrivateKey>(std::move(key));
  return Status::Ok();
}

}  // namespace

StatusOr<DataDir> OpenDataDir(const std::string& path, const std::string& authority) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Internal("cannot create the data directory " + path);
  ::chmod(path.c_str(), 0700);
  DataDir dir;
  dir.path = fs::absolute(path).lexically_normal().string();
  bool fresh = !fs::exists(dir.path + "/keyhaven.db");
  KH_ASSIGN_OR_RETURN(SecretBytes root, LoadOrCreateRootKey(dir.path, fresh));
  storage::SqliteOptions options;
  options.path = dir.path + "/keyhaven.db";
  KH_ASSIGN_OR_RETURN(auto sqlite, storage::OpenSqliteStore(options));
  dir.store = std::make_unique<barrier::JournalingStore>(std::move(sqlite));
  ::chmod(options.path.c_str(), 0600);
  dir.barrier = std::make_unique<barrier::Barrier>(dir.store.get(), std::move(root));
  if (Status keys = dir.barrier->LoadBackupKeys(); !keys.ok()) {
    return Internal("Cannot read the imported backup key: " + keys.message());
  }
  auto identity = dir.barrier->Read(dir.barrier->system(), kIdentityPath);
  if (!identity.ok()) {
    return Internal(
        "cannot open the data directory's records: is root.key the one it was "
        "created with?");
  }
  if (*identity) {
    KH_RETURN_IF_ERROR(Load(dir, **identity));
  } else {
    KH_RETURN_IF_ERROR(Initialize(dir, authority));
    dir.initialized_now = true;
  }
  KH_RETURN_IF_ERROR(LoadOrCreateAuditKey(dir));
  return dir;
}

Status UpdateAdminAuthority(const DataDir& dir, const std::string& authority) {
  auto text = ReadFile(dir.AdminFile());
  if (!text.ok()) return Status::Ok();  // the operator may have moved it away: that is fine
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return Status::Ok();
  auto& o = v.as_object();
  auto it = o.find("authorityHost");
  if (it != o.end() && it->value().is_string() && it->value().as_string() == authority) {
    return Status::Ok();
  }
  o["authorityHost"] = authority;
  std::string out = json::serialize(v) + "\n";
  Status st = WriteFileAtomically(dir.AdminFile(), out, 0600);
  std::fill(out.begin(), out.end(), '\0');
  std::fill(text->begin(), text->end(), '\0');
  return st;
}

}  // namespace kh::server
