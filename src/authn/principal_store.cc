#include "authn/principal_store.h"

#include <algorithm>

#include "core/base64.h"
#include "core/ids.h"
#include "crypto/hash.h"
#include "crypto/password_hash.h"
#include "crypto/rng.h"
#include "crypto/verifying_key.h"

namespace kh::authn {
namespace {

constexpr size_t kClientSecretBytes = 32;
constexpr size_t kMaxClientIdLength = 128;
constexpr size_t kHintLength = 3;
constexpr size_t kScanPage = 500;
constexpr std::string_view kPrincipalPrefix = "principals/";
constexpr std::string_view kIdentityPrefix = "identities/";

std::string PrincipalPath(std::string_view client_id) {
  return std::string(kPrincipalPrefix) + std::string(client_id);
}

std::string IdentityPath(const SecretBytes& secret) {
  return std::string(kIdentityPrefix) + Base64UrlEncode(crypto::Sha256(secret.Reveal()));
}

Status InvalidClient() {
  // One message for unknown ids, wrong or expired secrets: the caller learns nothing about which.
  return Unauthenticated("Invalid client secret provided, or the client does not exist.");
}

Status PrincipalNotFound() {
  return NotFound("PrincipalNotFound", "No principal has that client id.");
}

// A fresh client secret and the credential that recognizes it.
std::pair<Credential, SecretBytes> NewPassword(const PasswordCredentialRequest& request,
                                               int64_t now) {
  SecretBytes raw = crypto::RandomSecret(kClientSecretBytes);
  SecretBytes secret(Base64UrlEncode(raw.Reveal()));
  Credential c;
  c.key_id = NewGuid();
  c.type = std::string(kPasswordCredential);
  c.display_name = request.display_name;
  c.start = now;
  c.end = request.end;
  c.secret_hash = crypto::HashPassword(secret.Reveal());
  c.hint = std::string(secret.Reveal().substr(0, kHintLength));
  return {std::move(c), std::move(secret)};
}

Status CheckNewCredential(const Principal& p, std::string_view display_name, int64_t end,
                          int64_t now) {
  if (p.credentials.size() >= kMaxCredentialsPerPrincipal) {
    return InvalidArgument("A principal may hold at most " +
                               std::to_string(kMaxCredentialsPerPrincipal) +
                               " credentials; remove one first.",
                           "TooManyCredentials");
  }
  if (display_name.size() > kMaxCredentialDisplayNameLength) {
    return InvalidArgument("The credential's display name is longer than 256 characters.");
  }
  if (end != 0 && end <= now) {
    return InvalidArgument("The credential's end date must be in the future.");
  }
  return Status::Ok();
}

}  // namespace

Status PrincipalStore::Save(const Principal& p, bool must_be_new) {
  storage::WriteBatch batch;
  if (must_be_new) batch.ExpectAbsent(PrincipalPath(p.client_id));
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, PrincipalPath(p.client_id),
                                     p.ToFields().Encode()));
  return barrier_->store().Commit(batch);
}

StatusOr<std::pair<Principal, SecretBytes>> PrincipalStore::Create(
    std::string_view display_name, bool bootstrap_admin, PasswordCredentialRequest secret) {
  int64_t now = clock_->NowSeconds();
  Principal p;
  p.client_id = NewGuid();
  p.object_id = NewGuid();
  p.display_name = std::string(display_name);
  p.created = now;
  p.bootstrap_admin = bootstrap_admin;
  KH_RETURN_IF_ERROR(CheckNewCredential(p, secret.display_name, secret.end, now));
  auto [credential, plain] = NewPassword(secret, now);
  p.credentials.push_back(std::move(credential));
  std::lock_guard lock(write_mu_);
  if (!bootstrap_admin) {
    // Counting needs the keys only: the raw scan opens no record.
    KH_ASSIGN_OR_RETURN(auto existing,
                        barrier_->store().Scan(kPrincipalPrefix, "", kMaxPrincipals));
    if (existing.size() >= kMaxPrincipals) {
      return InvalidArgument("This server already holds " + std::to_string(kMaxPrincipals) +
                                 " principals; delete unused ones first.",
                             "TooManyPrincipals");
    }
  }
  KH_RETURN_IF_ERROR(Save(p, true));
  return std::make_pair(std::move(p), std::move(plain));
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

StatusOr<Principal> PrincipalStore::Get(std::string_view client_id) {
  KH_ASSIGN_OR_RETURN(std::optional<Principal> p, Find(client_id));
  if (!p) return PrincipalNotFound();
  return std::move(*p);
}

StatusOr<std::vector<Principal>> PrincipalStore::List() {
  std::vector<Principal> out;
  std::string after;
  while (true) {
    KH_ASSIGN_OR_RETURN(auto page,
                        barrier_->Scan(barrier_->system(), kPrincipalPrefix, after, kScanPage));
    for (const auto& record : page) {
      KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(record.plaintext.Reveal()));
      out.push_back(Principal::FromFields(f));
    }
    if (page.size() < kScanPage) break;
    after = page.back().path;
  }
  return out;
}

Status PrincipalStore::Delete(std::string_view client_id) {
  std::lock_guard lock(write_mu_);
  KH_ASSIGN_OR_RETURN(Principal p, Get(client_id));
  if (p.bootstrap_admin) {
    return Conflict("The bootstrap administrator cannot be deleted.");
  }
  storage::WriteBatch batch;
  batch.Delete(PrincipalPath(p.client_id));
  std::string after;
  while (true) {
    KH_ASSIGN_OR_RETURN(auto page,
                        barrier_->Scan(barrier_->system(), kIdentityPrefix, after, kScanPage));
    for (const auto& record : page) {
      if (record.plaintext.Reveal() == p.client_id) batch.Delete(record.path);
    }
    if (page.size() < kScanPage) break;
    after = page.back().path;
  }
  return barrier_->store().Commit(batch);
}

StatusOr<std::pair<Credential, SecretBytes>> PrincipalStore::AddPassword(
    std::string_view client_id, PasswordCredentialRequest request) {
  int64_t now = clock_->NowSeconds();
  std::lock_guard lock(write_mu_);
  KH_ASSIGN_OR_RETURN(Principal p, Get(client_id));
  KH_RETURN_IF_ERROR(CheckNewCredential(p, request.display_name, request.end, now));
  auto added = NewPassword(request, now);
  p.credentials.push_back(added.first);
  KH_RETURN_IF_ERROR(Save(p, false));
  return added;
}

StatusOr<Credential> PrincipalStore::AddCertificate(std::string_view client_id,
                                                    std::string_view pem,
                                                    std::string_view display_name) {
  if (pem.size() > 64 * 1024) return InvalidArgument("The certificate is larger than 64 KiB.");
  crypto::CertificateInfo info;
  KH_RETURN_IF_ERROR(crypto::VerifyingKey::FromCertificatePem(pem, &info).status());
  int64_t now = clock_->NowSeconds();
  std::lock_guard lock(write_mu_);
  KH_ASSIGN_OR_RETURN(Principal p, Get(client_id));
  KH_RETURN_IF_ERROR(CheckNewCredential(p, display_name, info.not_after, now));
  Credential c;
  c.key_id = NewGuid();
  c.type = std::string(kCertificateCredential);
  c.display_name = display_name.empty() ? info.subject : std::string(display_name);
  c.start = info.not_before;
  c.end = info.not_after;
  c.thumbprint_sha1 = Base64UrlEncode(crypto::Sha1(info.der));
  c.thumbprint_sha256 = Base64UrlEncode(crypto::Sha256(info.der));
  c.certificate_subject = info.subject;
  c.certificate_pem = std::string(pem);
  for (const Credential& other : p.credentials) {
    if (other.thumbprint_sha256 == c.thumbprint_sha256) {
      return Conflict("The principal already holds this certificate.");
    }
  }
  p.credentials.push_back(c);
  KH_RETURN_IF_ERROR(Save(p, false));
  return c;
}

StatusOr<Credential> PrincipalStore::RemoveCredential(std::string_view client_id,
                                                      std::string_view key_id) {
  std::lock_guard lock(write_mu_);
  KH_ASSIGN_OR_RETURN(Principal p, Get(client_id));
  auto it = std::find_if(p.credentials.begin(), p.credentials.end(),
                         [&](const Credential& c) { return c.key_id == key_id; });
  if (it == p.credentials.end()) {
    return NotFound("CredentialNotFound", "The principal has no credential with that key id.");
  }
  Credential removed = *it;
  p.credentials.erase(it);
  KH_RETURN_IF_ERROR(Save(p, false));
  return removed;
}

StatusOr<SecretBytes> PrincipalStore::CreateIdentitySecret(std::string_view client_id) {
  KH_ASSIGN_OR_RETURN(Principal p, Get(client_id));
  SecretBytes raw = crypto::RandomSecret(kClientSecretBytes);
  SecretBytes secret(Base64UrlEncode(raw.Reveal()));
  storage::WriteBatch batch;
  std::string path = IdentityPath(secret);
  batch.ExpectAbsent(path);
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, path, p.client_id));
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

StatusOr<Principal> PrincipalStore::Authenticate(std::string_view client_id,
                                                 const SecretBytes& secret) {
  KH_ASSIGN_OR_RETURN(std::optional<Principal> p, Find(client_id));
  int64_t now = clock_->NowSeconds();
  bool checked = false;
  if (p) {
    std::string_view hint = secret.Reveal().substr(0, kHintLength);
    for (const Credential& c : p->credentials) {
      if (c.type != kPasswordCredential) continue;
      if (!c.hint.empty() && c.hint != hint) continue;
      checked = true;
      if (crypto::VerifyPassword(secret.Reveal(), c.secret_hash) && c.ValidAt(now)) {
        return std::move(*p);
      }
    }
  }
  if (!checked) {
    // Spend the time of a real check so unknown ids are not revealed by timing.
    static const std::string dummy_hash = crypto::HashPassword("keyhaven-dummy");
    crypto::VerifyPassword(secret.Reveal(), dummy_hash);
  }
  return InvalidClient();
}

}  // namespace kh::authn
