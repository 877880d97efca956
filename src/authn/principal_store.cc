#include "authn/principal_store.h"

#include "core/base64.h"
#include "core/ids.h"
#include "crypto/hash.h"
#include "crypto/password_hash.h"
#include "crypto/rng.h"

namespace kh::authn {
namespace {

constexpr size_t kClientSecretBytes = 32;
constexpr size_t kMaxClientIdLength = 128;

std::string PrincipalPath(std::string_view client_id) {
  return "principals/" + std::string(client_id);
}

Status InvalidClient() {
  // One message for unknown ids and wrong secrets: the caller learns nothing about which.
  return Unauthenticated("Invalid client secret provided, or the client does not exist.");
}

}  // namespace

StatusOr<std::pair<Principal, SecretBytes>> PrincipalStore::Create(std::string_view display_name,
                                                                   bool bootstrap_admin) {
  Principal p;
  p.client_id = NewGuid();
  p.object_id = NewGuid();
  p.display_name = std::string(display_name);
  p.bootstrap_admin = bootstrap_admin;
  SecretBytes raw = crypto::RandomSecret(kClientSecretBytes);
  SecretBytes secret(Base64UrlEncode(raw.Reveal()));
  p.secret_hash = crypto::HashPassword(secret.Reveal());
  storage::WriteBatch batch;
  batch.ExpectAbsent(PrincipalPath(p.client_id));
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, PrincipalPath(p.client_id),
                                     p.ToFields().Encode()));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return std::make_pair(std::move(p), std::move(secret));
}

namespace {

std::string IdentityPath(const SecretBytes& secret) {
  std::string digest = crypto::Sha256(secret.Reveal());
  return "identities/" + Base64UrlEncode(digest);
}

}  // namespace

StatusOr<SecretBytes> PrincipalStore::CreateIdentitySecret(std::string_view client_id) {
  KH_ASSIGN_OR_RETURN(std::optional<Principal> p, Find(client_id));
  if (!p) return NotFound("PrincipalNotFound", "No principal has that client id.");
  SecretBytes raw = crypto::RandomSecret(kClientSecretBytes);
  SecretBytes secret(Base64UrlEncode(raw.Reveal()));
  storage::WriteBatch batch;
  std::string path = IdentityPath(secret);
  batch.ExpectAbsent(path);
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, path, p->client_id));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return secret;
}

StatusOr<Principal> PrincipalStore::AuthenticateIdentity(const SecretBytes& secret) {
  KH_ASSIGN_OR_RETURN(auto client_id, barrier_->Read(barrier_->system(), IdentityPath(secret)));
  if (!client_id) return Unauthenticated("The identity header is not valid.");
  KH_ASSIGN_OR_RETURN(std::optional<Principal> p, Find(client_id->Reveal()));
  if (!p) return Unauthenticated("The identity header is not valid.");
  return std::move(*p);
}

StatusOr<std::optional<Principal>> PrincipalStore::Find(std::string_view client_id) {
  if (client_id.empty() || client_id.size() > kMaxClientIdLength ||
      client_id.find('/') != std::string_view::npos) {
    return std::optional<Principal>();
  }
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(barrier_->system(), PrincipalPath(client_id)));
  if (!bytes) return std::optional<Principal>();
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes->Reveal()));
  return std::optional<Principal>(Principal::FromFields(f));
}

StatusOr<Principal> PrincipalStore::Authenticate(std::string_view client_id,
                                                 const SecretBytes& secret) {
  KH_ASSIGN_OR_RETURN(std::optional<Principal> p, Find(client_id));
  if (!p) {
    // Spend the same time as a real check so unknown ids are not revealed by timing.
    static const std::string dummy_hash = crypto::HashPassword("keyhaven-dummy");
    crypto::VerifyPassword(secret.Reveal(), dummy_hash);
    return InvalidClient();
  }
  if (!crypto::VerifyPassword(secret.Reveal(), p->secret_hash)) return InvalidClient();
  return std::move(*p);
}

}  // namespace kh::authn
