#pragma once
// PrincipalStore: service principals and their credentials in the barrier's system scope
// (`principals/{client id}`), and managed-identity secrets (`identities/{sha256}` → client id).
// Thread-safe; changes to one server's principals are serialized by a mutex.
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "authn/principal.h"
#include "barrier/barrier.h"
#include "core/clock.h"

namespace kh::authn {

constexpr size_t kMaxCredentialsPerPrincipal = 20;
constexpr size_t kMaxPrincipals = 10000;
constexpr size_t kMaxCredentialDisplayNameLength = 256;

struct PasswordCredentialRequest {
  std::string display_name;
  int64_t end = 0;  // 0 = never expires
};

class PrincipalStore {
 public:
  PrincipalStore(barrier::Barrier* barrier, const Clock* clock)
      : barrier_(barrier), clock_(clock) {}

  // Creates a principal with a fresh random client secret; returns the principal and the
  // secret (shown once, never stored in clear).
  StatusOr<std::pair<Principal, SecretBytes>> Create(std::string_view display_name,
                                                     bool bootstrap_admin,
                                                     PasswordCredentialRequest secret = {});
  StatusOr<std::optional<Principal>> Find(std::string_view client_id);
  // NotFound ("PrincipalNotFound") when there is none.
  StatusOr<Principal> Get(std::string_view client_id);
  StatusOr<std::vector<Principal>> List();
  // Removes the principal and its managed-identity secrets. The bootstrap administrator cannot
  // be deleted (it is how an operator gets back in).
  Status Delete(std::string_view client_id);

  // Adds a client secret (returned once) or a certificate (PEM; its validity bounds the
  // credential's). Credentials are capped at kMaxCredentialsPerPrincipal.
  StatusOr<std::pair<Credential, SecretBytes>> AddPassword(std::string_view client_id,
                                                           PasswordCredentialRequest request);
  StatusOr<Credential> AddCertificate(std::string_view client_id, std::string_view pem,
                                      std::string_view display_name);
  StatusOr<Credential> RemoveCredential(std::string_view client_id, std::string_view key_id);

  // A managed-identity secret for the principal (what an App-Service-style host hands its app
  // as IDENTITY_HEADER); several may exist. Stored only as a SHA-256 (it is 256 random bits).
  StatusOr<SecretBytes> CreateIdentitySecret(std::string_view client_id);
  StatusOr<Principal> AuthenticateIdentity(const SecretBytes& secret);
  // Checks a client secret against the principal's current password credentials (slow hash,
  // constant time per candidate). One error for every failure.
  StatusOr<Principal> Authenticate(std::string_view client_id, const SecretBytes& secret);

  const Clock& clock() const { return *clock_; }

 private:
  Status Save(const Principal& p, bool must_be_new);

  barrier::Barrier* barrier_;
  const Clock* clock_;
  std::mutex write_mu_;
};

}  // namespace kh::authn
