#pragma once
// CertificateIssuers: a vault's certificate issuers (/certificates/issuers/{name}) and its
// certificate contacts (/certificates/contacts), stored sealed under the vault key. An issuer's
// password is kept but never returned. Issuers of provider "Keyhaven" name in account_id the
// CA certificate of the same vault that signs for them. Thread-safe (writers of one name
// serialize on the store's batch; the last write wins, as in Azure).
#include <string>
#include <string_view>
#include <vector>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "domain/certificate.h"
#include "domain/secret.h"
#include "domain/vault.h"

namespace kh::domain {

class CertificateIssuers {
 public:
  CertificateIssuers(barrier::Barrier* barrier, const Clock* clock)
      : barrier_(barrier), clock_(clock) {}

  // PUT: creates or replaces (provider required). PATCH: changes the present members of an
  // existing issuer (404 CertificateIssuerNotFound otherwise).
  StatusOr<CertificateIssuer> Set(const Vault& vault, std::string_view name,
                                  const IssuerUpdate& update);
  StatusOr<CertificateIssuer> Update(const Vault& vault, std::string_view name,
                                     const IssuerUpdate& update);
  StatusOr<CertificateIssuer> Get(const Vault& vault, std::string_view name);
  StatusOr<CertificateIssuer> Delete(const Vault& vault, std::string_view name);
  StatusOr<Page<CertificateIssuer>> List(const Vault& vault, std::string_view marker, size_t max);

  StatusOr<std::vector<CertificateContact>> SetContacts(const Vault& vault,
                                                        std::vector<CertificateContact> contacts);
  // 404 ContactsNotFound when none are set.
  StatusOr<std::vector<CertificateContact>> GetContacts(const Vault& vault);
  StatusOr<std::vector<CertificateContact>> DeleteContacts(const Vault& vault);

 private:
  StatusOr<std::shared_ptr<const barrier::ScopeKey>> KeyFor(const Vault& vault);
  StatusOr<std::optional<CertificateIssuer>> Read(const Vault& vault, std::string_view name);
  StatusOr<CertificateIssuer> Write(const Vault& vault, CertificateIssuer issuer);

  barrier::Barrier* barrier_;
  const Clock* clock_;
};

}  // namespace kh::domain
