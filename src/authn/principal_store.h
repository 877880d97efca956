#pragma once
// PrincipalStore: service principals in the barrier's system scope (`principals/{client id}`).
// Thread-safe.
#include <optional>
#include <string_view>

#include "authn/principal.h"
#include "barrier/barrier.h"

namespace kh::authn {

class PrincipalStore {
 public:
  explicit PrincipalStore(barrier::Barrier* barrier) : barrier_(barrier) {}

  // Creates a principal with a fresh random secret; returns the principal and the secret
  // (shown once, never stored in clear).
  StatusOr<std::pair<Principal, SecretBytes>> Create(std::string_view display_name,
                                                     bool bootstrap_admin);
  StatusOr<std::optional<Principal>> Find(std::string_view client_id);
  // A managed-identity secret for the principal (what an App-Service-style host hands its app
  // as IDENTITY_HEADER); several may exist. Stored only as a SHA-256 (it is 256 random bits).
  StatusOr<SecretBytes> CreateIdentitySecret(std::string_view client_id);
  StatusOr<Principal> AuthenticateIdentity(const SecretBytes& secret);
  // Checks a client secret in constant time against the stored hash.
  StatusOr<Principal> Authenticate(std::string_view client_id, const SecretBytes& secret);

 private:
  barrier::Barrier* barrier_;
};

}  // namespace kh::authn
