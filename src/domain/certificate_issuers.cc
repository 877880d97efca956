#include "domain/certificate_issuers.h"

#include "domain/certificate_policy.h"
#include "domain/certificate_record.h"
#include "domain/names.h"

namespace kh::domain {
namespace {

constexpr size_t kMaxIssuerFieldLength = 256;

Status IssuerNotFound(std::string_view name) {
  return NotFound("CertificateIssuerNotFound",
                  "Issuer not found: " + std::string(name.substr(0, 127)));
}

Status ContactsNotFound() { return NotFound("ContactsNotFound", "Contacts not found"); }

Status CheckLength(std::string_view field, std::string_view value) {
  if (value.size() > kMaxIssuerFieldLength) {
    return InvalidArgument("The property '" + std::string(field) + "' is longer than " +
                           std::to_string(kMaxIssuerFieldLength) + " characters.");
  }
  return Status::Ok();
}

Status ValidateIssuerName(std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Issuer"));
  if (IsSelfIssuer(name) || IsUnknownIssuer(name)) {
    return InvalidArgument("The issuer names Self and Unknown are reserved.");
  }
  return Status::Ok();
}

void Apply(CertificateIssuer& issuer, const IssuerUpdate& u) {
  if (u.provider) issuer.provider = *u.provider;
  if (u.account_id) issuer.account_id = *u.account_id;
  if (u.password) issuer.password = *u.password;
  if (u.organization_id) issuer.organization_id = *u.organization_id;
  if (u.administrators) issuer.administrators = *u.administrators;
  if (u.enabled) issuer.enabled = *u.enabled;
}

Status ValidateIssuer(const CertificateIssuer& issuer) {
  if (issuer.provider.empty()) return InvalidArgument("The property 'provider' is required.");
  KH_RETURN_IF_ERROR(CheckLength("provider", issuer.provider));
  if (issuer.account_id) KH_RETURN_IF_ERROR(CheckLength("account_id", *issuer.account_id));
  if (issuer.organization_id)
    KH_RETURN_IF_ERROR(CheckLength("org_details.id", *issuer.organization_id));
  if (issuer.password.size() > kMaxIssuerFieldLength) {
    return InvalidArgument("The issuer password is too long.");
  }
  if (issuer.administrators.size() > kMaxContacts) {
    return InvalidArgument("Too many administrators: at most " + std::to_string(kMaxContacts) +
                           ".");
  }
  for (const auto& a : issuer.administrators) {
    for (const std::string* v : {&a.first_name, &a.last_name, &a.email, &a.phone}) {
      KH_RETURN_IF_ERROR(CheckLength("admin_details", *v));
    }
  }
  if (issuer.provider == kKeyhavenProvider) {
    if (!issuer.account_id || issuer.account_id->empty()) {
      return InvalidArgument(
          "An issuer of provider Keyhaven names its CA certificate (a certificate of this vault) "
          "in credentials.account_id.");
    }
    KH_RETURN_IF_ERROR(ValidateObjectName(*issuer.account_id, "Certificate"));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::shared_ptr<const barrier::ScopeKey>> CertificateIssuers::KeyFor(const Vault& vault) {
  return barrier_->VaultKey(Lower(vault.name));
}

StatusOr<std::optional<CertificateIssuer>> CertificateIssuers::Read(const Vault& vault,
                                                                    std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(*key, CertificateIssuerPath(vault.name, name)));
  if (!bytes) return std::optional<CertificateIssuer>();
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes->Reveal()));
  return std::optional<CertificateIssuer>(IssuerFromFields(f));
}

StatusOr<CertificateIssuer> CertificateIssuers::Write(const Vault& vault,
                                                      CertificateIssuer issuer) {
  KH_RETURN_IF_ERROR(ValidateIssuer(issuer));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  issuer.updated = clock_->NowSeconds();
  if (issuer.created == 0) issuer.created = issuer.updated;
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(barrier_->Write(*key, batch, CertificateIssuerPath(vault.name, issuer.name),
                                     IssuerToFields(issuer).Encode()));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return issuer;
}

StatusOr<CertificateIssuer> CertificateIssuers::Set(const Vault& vault, std::string_view name,
                                                    const IssuerUpdate& update) {
  KH_RETURN_IF_ERROR(ValidateIssuerName(name));
  KH_ASSIGN_OR_RETURN(auto existing, Read(vault, name));
  CertificateIssuer issuer;
  issuer.name = existing ? existing->name : std::string(name);
  if (existing) issuer.created = existing->created;
  Apply(issuer, update);
  return Write(vault, std::move(issuer));
}

StatusOr<CertificateIssuer> CertificateIssuers::Update(const Vault& vault, std::string_view name,
                                                       const IssuerUpdate& update) {
  KH_RETURN_IF_ERROR(ValidateIssuerName(name));
  KH_ASSIGN_OR_RETURN(auto existing, Read(vault, name));
  if (!existing) return IssuerNotFound(name);
  Apply(*existing, update);
  return Write(vault, std::move(*existing));
}

StatusOr<CertificateIssuer> CertificateIssuers::Get(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Issuer"));
  KH_ASSIGN_OR_RETURN(auto existing, Read(vault, name));
  if (!existing) return IssuerNotFound(name);
  return std::move(*existing);
}

StatusOr<CertificateIssuer> CertificateIssuers::Delete(const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(CertificateIssuer issuer, Get(vault, name));
  storage::WriteBatch batch;
  batch.Delete(CertificateIssuerPath(vault.name, name));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return issuer;
}

StatusOr<Page<CertificateIssuer>> CertificateIssuers::List(const Vault& vault,
                                                           std::string_view marker, size_t max) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  const std::string prefix = CertificateIssuerPrefix(vault.name);
  std::string after = marker.empty() ? std::string() : prefix + Lower(marker);
  KH_ASSIGN_OR_RETURN(auto rows, barrier_->Scan(*key, prefix, after, max + 1));
  Page<CertificateIssuer> page;
  for (size_t i = 0; i < rows.size() && i < max; ++i) {
    KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(rows[i].plaintext.Reveal()));
    page.items.push_back(IssuerFromFields(f));
  }
  if (rows.size() > max) page.next_marker = rows[max - 1].path.substr(prefix.size());
  return page;
}

StatusOr<std::vector<CertificateContact>> CertificateIssuers::SetContacts(
    const Vault& vault, std::vector<CertificateContact> contacts) {
  if (contacts.size() > kMaxContacts) {
    return InvalidArgument("Too many contacts: at most " + std::to_string(kMaxContacts) + ".");
  }
  for (const CertificateContact& c : contacts) {
    if (c.email.empty() && c.name.empty() && c.phone.empty()) {
      return InvalidArgument("A contact needs an email, a name or a phone number.");
    }
    if (!c.email.empty() && c.email.find('@') == std::string::npos) {
      return InvalidArgument("Invalid contact email address.");
    }
    for (const std::string* v : {&c.email, &c.name, &c.phone}) {
      KH_RETURN_IF_ERROR(CheckLength("contacts", *v));
    }
  }
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(barrier_->Write(*key, batch, CertificateContactsPath(vault.name),
                                     ContactsToFields(contacts).Encode()));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return contacts;
}

StatusOr<std::vector<CertificateContact>> CertificateIssuers::GetContacts(const Vault& vault) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(*key, CertificateContactsPath(vault.name)));
  if (!bytes) return ContactsNotFound();
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes->Reveal()));
  return ContactsFromFields(f);
}

StatusOr<std::vector<CertificateContact>> CertificateIssuers::DeleteContacts(const Vault& vault) {
  KH_ASSIGN_OR_RETURN(auto contacts, GetContacts(vault));
  storage::WriteBatch batch;
  batch.Delete(CertificateContactsPath(vault.name));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return contacts;
}

}  // namespace kh::domain
