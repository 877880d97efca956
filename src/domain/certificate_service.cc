#include "domain/certificate_service.h"

#include <algorithm>

#include "core/base64.h"
#include "core/ids.h"
#include "domain/certificate_policy.h"
#include "domain/certificate_service_internal.h"
#include "domain/key_record.h"
#include "domain/names.h"
#include "domain/secret_record.h"

namespace kh::domain {
namespace {

using namespace certificate_internal;  // NOLINT: this service's own helpers

constexpr ObjectKind kCertificateKind{"Certificate", "certificate", "CertificateNotFound",
                                      "KHCERTBACKUP1:", "backup/certificate/v1"};
constexpr std::string_view kInProgressDetails =
    "Pending certificate created. Certificate request is in progress. This may take some time "
    "based on the issuer provider. Please check again later.";

// The version a pending create will have, as reads show it before the merge.
CertificateVersion PendingVersion(const StoredOperation& op) {
  CertificateVersion c;
  c.name = op.operation.name;
  c.version = op.version;
  c.attributes.enabled = op.enabled.value_or(true);
  c.attributes.created = op.policy.updated;
  c.attributes.updated = op.policy.updated;
  c.tags = op.tags;
  c.preserve_cert_order = op.operation.preserve_cert_order;
  c.policy = op.policy;
  return c;
}

StoredOperation FinishedOperation(std::string_view name, const CertificatePolicy& policy,
                                  bool preserve_cert_order) {
  StoredOperation op;
  op.operation.name = std::string(name);
  op.operation.issuer_name = policy.issuer_name;
  op.operation.certificate_type = policy.certificate_type;
  op.operation.certificate_transparency = policy.certificate_transparency;
  op.operation.status = "completed";
  op.operation.request_id = NewVersionId();
  op.operation.preserve_cert_order = preserve_cert_order;
  op.operation.completed_target = true;
  op.policy = policy;
  return op;
}

}  // namespace

namespace certificate_internal {

Status PendingNotFound(std::string_view name) {
  return NotFound("PendingCertificateNotFound",
                  "Pending certificate not found: " + std::string(name.substr(0, 127)));
}

bool IsNotFound(const Status& st) { return st.code() == StatusCode::kNotFound; }

// The certificate in `chain` whose public key is `key`'s.
StatusOr<std::string> LeafOf(const std::vector<std::string>& chain,
                             const crypto::KeyMaterial& key) {
  for (const std::string& der : chain) {
    KH_ASSIGN_OR_RETURN(bool matches, crypto::CertificateMatchesKey(der, key));
    if (matches) return der;
  }
  return InvalidArgument("None of the certificates matches the certificate's private key.");
}

// Drops a pending key that lives in the HSM (software keys go with their record), unless it is
// the current version's own key (reuse_key).
void DestroyPendingKey(const StoredOperation& op, const std::shared_ptr<crypto::HsmToken>& hsm) {
  if (op.pending_key.empty() || op.pending_key_reused || !hsm) return;
  auto material = crypto::KeyMaterial::Deserialize(op.pending_key, hsm);
  if (material.ok() && material->is_hsm()) material->DestroyInHsm().IgnoreError();
}

}  // namespace certificate_internal

CertificateService::CertificateService(barrier::Barrier* barrier, const Clock* clock,
                                       KeyService* keys, SecretService* secrets,
                                       CertificateIssuers* issuers)
    : barrier_(barrier),
      clock_(clock),
      keys_(keys),
      secrets_(secrets),
      issuers_(issuers),
      objects_(barrier, "certificates"),
      lifecycle_(barrier, clock, &objects_, &locks_, kCertificateKind) {}

StatusOr<std::shared_ptr<const barrier::ScopeKey>> CertificateService::KeyFor(const Vault& vault) {
  return barrier_->VaultKey(Lower(vault.name));
}

StatusOr<CertificateVersion> CertificateService::ReadVersion(const barrier::ScopeKey& key,
                                                             const Vault& vault,
                                                             std::string_view name,
                                                             std::string_view version) {
  KH_ASSIGN_OR_RETURN(std::optional<Fields> fields,
                      objects_.Version(key, vault.name, name, version));
  if (!fields) return lifecycle_.NotFoundError(name, version);
  return CertificateFromFields(version, *fields);
}

StatusOr<std::optional<CertificateVersion>> CertificateService::ReadLatest(
    const barrier::ScopeKey& key, const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(key, vault.name, name));
  if (!head) return std::optional<CertificateVersion>();
  KH_ASSIGN_OR_RETURN(CertificateVersion c, ReadVersion(key, vault, name, head->latest_version));
  return std::optional<CertificateVersion>(std::move(c));
}

StatusOr<std::optional<StoredOperation>> CertificateService::ReadOperation(
    const barrier::ScopeKey& key, const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(key, CertificateOperationPath(vault.name, name)));
  if (!bytes) return std::optional<StoredOperation>();
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes->Reveal()));
  return std::optional<StoredOperation>(OperationFromFields(f));
}

Status CertificateService::WriteOperation(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                                          const Vault& vault, const StoredOperation& op) {
  return barrier_->Write(key, batch, CertificateOperationPath(vault.name, op.operation.name),
                         OperationToFields(op).Encode());
}

Status CertificateService::CheckIssuer(const Vault& vault, const CertificatePolicy& policy) {
  if (IsSelfIssuer(policy.issuer_name) || IsUnknownIssuer(policy.issuer_name)) {
    return Status::Ok();
  }
  auto issuer = issuers_->Get(vault, policy.issuer_name);
  if (!issuer.ok() && IsNotFound(issuer.status())) {
    return InvalidArgument("The issuer " + policy.issuer_name.substr(0, 127) +
                           " does not exist in this vault. Use Self, Unknown or an issuer set "
                           "with PUT /certificates/issuers/{name}.");
  }
  return issuer.status();
}

StatusOr<CertificateService::NewKey> CertificateService::KeyForNewVersion(
    const Vault& vault, std::string_view name, const CertificatePolicy& policy) {
  if (policy.reuse_key) {
    std::optional<crypto::EcCurve> curve;
    if (policy.curve) {
      auto parsed = crypto::ParseCurve(*policy.curve);
      if (parsed.ok()) curve = *parsed;
    }
    auto latest = keys_->Get(vault, name, "");
    if (latest.ok() && latest->managed && latest->kty == policy.kty &&
        latest->material->size_bits() == policy.key_size.value_or(0) &&
        latest->material->curve() == curve) {
      return NewKey{latest->material, true};
    }
    if (!latest.ok() && !IsNotFound(latest.status())) return latest.status();
  }
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial material,
                      keys_->GenerateForCertificate(policy.kty, policy.key_size, policy.curve));
  return NewKey{std::make_shared<const crypto::KeyMaterial>(std::move(material)), false};
}

StatusOr<CertificateService::CaSigner> CertificateService::SignerFor(
    const Vault& vault, const CertificateIssuer& issuer, int64_t now) {
  if (issuer.provider != kKeyhavenProvider) {
    return InvalidArgument("The issuer " + issuer.name + " has provider " +
                           issuer.provider.substr(0, 64) +
                           ", which this server cannot reach. Issuers of provider Keyhaven issue "
                           "from a CA certificate of this vault.");
  }
  if (!issuer.enabled) return InvalidArgument("The issuer " + issuer.name + " is disabled.");
  const std::string ca_name = issuer.account_id.value_or("");
  auto ca = Get(vault, ca_name, "");
  if (!ca.ok()) {
    if (!IsNotFound(ca.status())) return ca.status();
    return InvalidArgument("The CA certificate " + ca_name + " of issuer " + issuer.name +
                           " does not exist in this vault.");
  }
  const std::string prefix = "The CA certificate " + ca->name + " of issuer " + issuer.name;
  if (!ca->attributes.enabled) return InvalidArgument(prefix + " is disabled.");
  if (ca->attributes.expires && *ca->attributes.expires <= now) {
    return InvalidArgument(prefix + " has expired.");
  }
  KH_ASSIGN_OR_RETURN(crypto::CertificateDetails info, crypto::InspectCertificate(ca->cer));
  if (!info.is_ca) {
    return InvalidArgument(prefix +
                           " is not a CA certificate (its policy needs the keyCertSign usage).");
  }
  KH_ASSIGN_OR_RETURN(KeyVersion key, keys_->Get(vault, ca->name, ca->version));
  if (!key.attributes.enabled) return InvalidArgument(prefix + " has a disabled key.");
  return CaSigner{ca->cer, key.material, info.not_after};
}

StatusOr<CertificateVersion> CertificateService::WriteVersion(const Vault& vault,
                                                              std::string_view name,
                                                              NewVersion nv) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(crypto::CertificateDetails info, crypto::InspectCertificate(nv.leaf));
  const int64_t now = clock_->NowSeconds();
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) head = ObjectHead{std::string(name), "", std::nullopt};

  CertificateVersion c;
  c.name = head->name;
  c.version = nv.version;
  c.cer = nv.leaf;
  c.x5t = info.sha1_thumbprint;
  c.attributes.enabled = nv.enabled.value_or(true);
  c.attributes.not_before = info.not_before;
  c.attributes.expires = info.not_after;
  c.attributes.created = now;
  c.attributes.updated = now;
  c.tags = std::move(nv.tags);
  c.preserve_cert_order = nv.preserve_cert_order;
  c.policy = nv.policy;

  KeyVersion k;
  k.version = nv.version;
  k.kty = KtyOf(*nv.key);
  k.key_ops = KeyOpsFor(nv.policy);
  k.material = nv.key;
  k.attributes = c.attributes;

  // The secret holds the private key only when the policy lets it be exported (never an HSM
  // key's: it cannot leave the token).
  const crypto::KeyMaterial* exported =
      nv.policy.exportable && crypto::CanExportPrivateKey(*nv.key) ? nv.key.get() : nullptr;
  SecretVersion s;
  s.version = nv.version;
  if (nv.policy.content_type == kPemContentType) {
    KH_ASSIGN_OR_RETURN(s.value, crypto::EncodePem(nv.chain, exported));
  } else {
    KH_ASSIGN_OR_RETURN(SecretBytes pfx, crypto::EncodePkcs12(nv.chain, exported));
    std::string text = Base64Encode(pfx.Reveal());
    s.value = SecretBytes(std::string_view(text));
    std::fill(text.begin(), text.end(), '\0');
  }
  s.content_type = nv.policy.content_type;
  s.attributes = c.attributes;
  s.key_id = head->name + "/" + nv.version;

  storage::WriteBatch batch;
  if (nv.expected_head) batch.ExpectValue(objects_.LivePath(vault.name, name), *nv.expected_head);
  KH_RETURN_IF_ERROR(
      objects_.PutVersion(*key, batch, vault.name, name, c.version, CertificateToFields(c)));
  head->latest_version = c.version;
  KH_RETURN_IF_ERROR(objects_.PutLiveHead(*key, batch, vault.name, *head));
  // Key, then secret: the order every certificate write takes their locks in.
  KH_ASSIGN_OR_RETURN(NameLocks::Held key_lock,
                      keys_->PrepareManagedVersion(vault, name, k, batch));
  KH_ASSIGN_OR_RETURN(NameLocks::Held secret_lock,
                      secrets_->PrepareManagedVersion(vault, name, s, batch));
  if (nv.operation) {
    nv.operation->operation.name = head->name;
    KH_RETURN_IF_ERROR(WriteOperation(*key, batch, vault, *nv.operation));
  }
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return c;
}

StatusOr<CertificateOperation> CertificateService::Issue(
    const Vault& vault, std::string_view name, const CertificatePolicy& policy,
    std::map<std::string, std::string> tags, std::optional<bool> enabled, bool preserve_cert_order,
    std::optional<std::string> expected_head, std::optional<int64_t> must_outlive) {
  const int64_t now = clock_->NowSeconds();
  const crypto::CertificateSubject subject = SubjectFor(policy);
  crypto::CertificateValidity validity = ValidityFor(policy, now);
  // The signer first: a refusal must not cost a (slow, or HSM) key generation.
  std::optional<CaSigner> ca;
  if (!IsSelfIssuer(policy.issuer_name)) {
    KH_ASSIGN_OR_RETURN(CertificateIssuer issuer, issuers_->Get(vault, policy.issuer_name));
    KH_ASSIGN_OR_RETURN(ca, SignerFor(vault, issuer, now));
    // A CA does not vouch beyond its own lifetime.
    validity.not_after = std::min(validity.not_after, ca->not_after);
  }
  if (must_outlive && validity.not_after <= *must_outlive) {
    return InvalidArgument("The certificate " + std::string(name) +
                           " cannot be renewed: its issuer's CA certificate expires before the "
                           "current version does.");
  }
  KH_ASSIGN_OR_RETURN(NewKey key, KeyForNewVersion(vault, name, policy));
  const crypto::KeyMaterial& material = *key.material;
  NewVersion nv;
  nv.version = NewVersionId();
  nv.policy = policy;
  nv.key = key.material;
  auto issued = [&]() -> Status {
    crypto::CertificateSigner signer;
    if (ca) signer = crypto::CertificateSigner{ca->key.get(), ca->certificate_der};
    KH_ASSIGN_OR_RETURN(nv.leaf, crypto::IssueCertificate(subject, material, validity, signer));
    nv.chain = {nv.leaf};
    if (ca) nv.chain.push_back(ca->certificate_der);
    nv.tags = std::move(tags);
    nv.enabled = enabled;
    nv.preserve_cert_order = preserve_cert_order;
    nv.expected_head = std::move(expected_head);
    nv.operation = FinishedOperation(name, policy, preserve_cert_order);
    KH_ASSIGN_OR_RETURN(nv.operation->operation.csr,
                        crypto::CreateCertificateRequest(subject, material));
    return WriteVersion(vault, name, nv).status();
  }();
  if (!issued.ok()) {
    // A new HSM key that no version came to use would stay in the token for good.
    if (!key.reused) material.DestroyInHsm().IgnoreError();
    return issued;
  }
  return nv.operation->operation;
}

StatusOr<CertificateOperation> CertificateService::Create(const Vault& vault, std::string_view name,
                                                          CreateCertificateParams params) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_RETURN_IF_ERROR(ValidateTags(params.tags));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_RETURN_IF_ERROR(lifecycle_.CheckNameFree(*key, vault.name, name));
  KH_ASSIGN_OR_RETURN(auto latest, ReadLatest(*key, vault, name));
  KH_ASSIGN_OR_RETURN(auto pending, ReadOperation(*key, vault, name));
  if (pending && pending->operation.status == "inProgress") {
    return Conflict("The certificate " + pending->operation.name +
                    " has a pending operation in progress; merge, cancel or delete it first.");
  }
  const CertificatePolicy* base = latest ? &latest->policy : (pending ? &pending->policy : nullptr);
  if (!base && !params.policy) {
    return InvalidArgument("A policy is required to create the first version of a certificate.");
  }
  const int64_t now = clock_->NowSeconds();
  CertificatePolicy policy = base ? *base : CertificatePolicy{};
  if (params.policy) {
    KH_ASSIGN_OR_RETURN(policy, ApplyPolicyPatch(base, *params.policy, now));
  }
  KH_RETURN_IF_ERROR(CheckIssuer(vault, policy));
  KH_RETURN_IF_ERROR(keys_->CheckFreeForCertificate(vault, name));
  KH_RETURN_IF_ERROR(secrets_->CheckFreeForCertificate(vault, name));
  if (!IsUnknownIssuer(policy.issuer_name)) {
    return Issue(vault, name, policy, std::move(params.tags), params.enabled,
                 params.preserve_cert_order);
  }
  // Unknown: the CSR waits for the owner to have it signed and merge the result.
  KH_ASSIGN_OR_RETURN(NewKey pending_key, KeyForNewVersion(vault, name, policy));
  const std::shared_ptr<const crypto::KeyMaterial>& material = pending_key.material;
  StoredOperation op;
  op.operation.name = latest ? latest->name : std::string(name);
  op.operation.issuer_name = policy.issuer_name;
  op.operation.certificate_type = policy.certificate_type;
  op.operation.certificate_transparency = policy.certificate_transparency;
  KH_ASSIGN_OR_RETURN(op.operation.csr,
                      crypto::CreateCertificateRequest(SubjectFor(policy), *material));
  op.operation.status = "inProgress";
  op.operation.status_details = std::string(kInProgressDetails);
  op.operation.request_id = NewVersionId();
  op.operation.preserve_cert_order = params.preserve_cert_order;
  op.policy = std::move(policy);
  op.version = NewVersionId();
  op.pending_key = material->Serialize();
  op.pending_key_reused = pending_key.reused;
  op.tags = std::move(params.tags);
  op.enabled = params.enabled;
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(WriteOperation(*key, batch, vault, op));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return op.operation;
}

StatusOr<CertificateVersion> CertificateService::Import(const Vault& vault, std::string_view name,
                                                        ImportCertificateParams params) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_RETURN_IF_ERROR(ValidateTags(params.tags));
  if (params.value.size() > crypto::kMaxImportBytes) {
    return InvalidArgument("The certificate to import is larger than " +
                           std::to_string(crypto::kMaxImportBytes) + " bytes.");
  }
  auto parsed = params.is_pem ? crypto::ParsePem(params.value.Reveal(), params.preserve_cert_order)
                              : crypto::ParsePkcs12(params.value.Reveal(), params.password,
                                                    params.preserve_cert_order);
  if (!parsed.ok()) return parsed.status();
  auto material = std::make_shared<const crypto::KeyMaterial>(std::move(parsed->key));
  KH_ASSIGN_OR_RETURN(std::string leaf, LeafOf(parsed->chain_der, *material));
  KH_ASSIGN_OR_RETURN(crypto::CertificateDetails info, crypto::InspectCertificate(leaf));

  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_RETURN_IF_ERROR(lifecycle_.CheckNameFree(*key, vault.name, name));
  KH_ASSIGN_OR_RETURN(auto latest, ReadLatest(*key, vault, name));
  const int64_t now = clock_->NowSeconds();
  CertificatePolicy policy =
      latest ? latest->policy : PolicyFromCertificate(info, params.is_pem, now);
  if (params.policy) {
    KH_ASSIGN_OR_RETURN(policy, ApplyPolicyPatch(&policy, *params.policy, now));
  }
  // The key is what it is: the policy describes it (software: imports stay out of the HSM).
  policy.kty = info.key_type == crypto::KeyType::kEc ? "EC" : "RSA";
  policy.key_size = info.key_bits;
  policy.curve.reset();
  if (info.curve) policy.curve = std::string(crypto::CurveName(*info.curve));
  KH_RETURN_IF_ERROR(CheckIssuer(vault, policy));
  KH_RETURN_IF_ERROR(keys_->CheckFreeForCertificate(vault, name));
  KH_RETURN_IF_ERROR(secrets_->CheckFreeForCertificate(vault, name));
  NewVersion nv;
  nv.version = NewVersionId();
  nv.policy = std::move(policy);
  nv.key = std::move(material);
  nv.leaf = std::move(leaf);
  nv.chain = std::move(parsed->chain_der);
  nv.tags = std::move(params.tags);
  nv.enabled = params.enabled;
  nv.preserve_cert_order = params.preserve_cert_order;
  return WriteVersion(vault, name, std::move(nv));
}

StatusOr<CertificateVersion> CertificateService::Get(const Vault& vault, std::string_view name,
                                                     std::string_view version) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) {
    KH_ASSIGN_OR_RETURN(auto pending, ReadOperation(*key, vault, name));
    if (pending && pending->operation.status == "inProgress" &&
        (version.empty() || version == pending->version)) {
      return PendingVersion(*pending);
    }
    return lifecycle_.NotFoundError(name, version);
  }
  KH_ASSIGN_OR_RETURN(CertificateVersion latest,
                      ReadVersion(*key, vault, name, head->latest_version));
  if (version.empty() || version == latest.version) return latest;
  KH_ASSIGN_OR_RETURN(CertificateVersion c, ReadVersion(*key, vault, name, version));
  c.policy = std::move(latest.policy);
  return c;
}

StatusOr<CertificateVersion> CertificateService::Update(const Vault& vault, std::string_view name,
                                                        std::string_view version,
                                                        const CertificateUpdate& update) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  if (update.tags) KH_RETURN_IF_ERROR(ValidateTags(*update.tags));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  CertificateVersion c;
  {
    NameLocks::Held held = locks_.Lock(vault.name, name);
    KH_ASSIGN_OR_RETURN(auto latest, ReadLatest(*key, vault, name));
    if (!latest) return lifecycle_.NotFoundError(name, version);
    const int64_t now = clock_->NowSeconds();
    storage::WriteBatch batch;
    if (update.policy) {
      KH_ASSIGN_OR_RETURN(latest->policy, ApplyPolicyPatch(&latest->policy, *update.policy, now));
      KH_RETURN_IF_ERROR(CheckIssuer(vault, latest->policy));
    }
    const bool is_latest = version.empty() || version == latest->version;
    if (is_latest) {
      c = std::move(*latest);
    } else {
      KH_ASSIGN_OR_RETURN(c, ReadVersion(*key, vault, name, version));
      c.policy = latest->policy;
      if (update.policy) {
        KH_RETURN_IF_ERROR(objects_.PutVersion(*key, batch, vault.name, name, latest->version,
                                               CertificateToFields(*latest)));
      }
    }
    if (update.tags) c.tags = *update.tags;
    if (update.enabled) c.attributes.enabled = *update.enabled;
    c.attributes.updated = now;
    Fields record = CertificateToFields(c);
    if (!is_latest) {
      // An older version keeps the policy it was issued with; the current one is the latest's.
      KH_ASSIGN_OR_RETURN(auto stored, objects_.Version(*key, vault.name, name, c.version));
      if (stored && stored->Get("policy")) record.Set("policy", *stored->Get("policy"));
    }
    KH_RETURN_IF_ERROR(objects_.PutVersion(*key, batch, vault.name, name, c.version, record));
    // A disabled certificate's key and secret are disabled with it, in the same commit (key
    // lock, then secret lock, as every certificate write takes them).
    std::optional<NameLocks::Held> key_lock, secret_lock;
    if (update.enabled) {
      KH_ASSIGN_OR_RETURN(
          key_lock, keys_->PrepareManagedEnabled(vault, name, c.version, *update.enabled, batch));
      KH_ASSIGN_OR_RETURN(secret_lock, secrets_->PrepareManagedEnabled(vault, name, c.version,
                                                                       *update.enabled, batch));
    }
    KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  }
  return c;
}

StatusOr<Page<CertificateVersion>> CertificateService::List(const Vault& vault,
                                                            std::string_view marker, size_t max,
                                                            bool include_pending) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto heads, objects_.Heads(*key, vault.name, false, marker, max + 1));
  Page<CertificateVersion> page;
  for (size_t i = 0; i < heads.size() && i < max; ++i) {
    KH_ASSIGN_OR_RETURN(CertificateVersion c,
                        ReadVersion(*key, vault, heads[i].name, heads[i].latest_version));
    page.items.push_back(std::move(c));
  }
  if (heads.size() > max) page.next_marker = Lower(heads[max - 1].name);
  if (include_pending && !page.next_marker) {
    const std::string prefix = CertificateOperationPath(vault.name, "");
    KH_ASSIGN_OR_RETURN(auto rows, barrier_->Scan(*key, prefix, "", 0));
    for (const auto& row : rows) {
      KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(row.plaintext.Reveal()));
      StoredOperation op = OperationFromFields(f);
      if (op.operation.status != "inProgress") continue;
      KH_ASSIGN_OR_RETURN(auto live, objects_.LiveHead(*key, vault.name, op.operation.name));
      // The page stays within its size; more pending certificates than fit are not listed.
      if (!live && page.items.size() < max) page.items.push_back(PendingVersion(op));
    }
  }
  return page;
}

StatusOr<Page<CertificateVersion>> CertificateService::ListVersions(const Vault& vault,
                                                                    std::string_view name,
                                                                    std::string_view marker,
                                                                    size_t max) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  Page<CertificateVersion> page;
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return page;
  KH_ASSIGN_OR_RETURN(auto rows, objects_.Versions(*key, vault.name, name, marker, max + 1));
  for (size_t i = 0; i < rows.size() && i < max; ++i) {
    page.items.push_back(CertificateFromFields(rows[i].version, rows[i].fields));
  }
  if (rows.size() > max) page.next_marker = rows[max - 1].version;
  return page;
}

StatusOr<CertificatePolicy> CertificateService::GetPolicy(const Vault& vault,
                                                          std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto latest, ReadLatest(*key, vault, name));
  if (latest) return latest->policy;
  KH_ASSIGN_OR_RETURN(auto pending, ReadOperation(*key, vault, name));
  if (pending) return pending->policy;
  return lifecycle_.NotFoundError(name);
}

StatusOr<CertificatePolicy> CertificateService::UpdatePolicy(const Vault& vault,
                                                             std::string_view name,
                                                             const CertificatePolicyPatch& patch) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  const int64_t now = clock_->NowSeconds();
  storage::WriteBatch batch;
  KH_ASSIGN_OR_RETURN(auto latest, ReadLatest(*key, vault, name));
  CertificatePolicy policy;
  if (latest) {
    KH_ASSIGN_OR_RETURN(policy, ApplyPolicyPatch(&latest->policy, patch, now));
    KH_RETURN_IF_ERROR(CheckIssuer(vault, policy));
    latest->policy = policy;
    KH_RETURN_IF_ERROR(objects_.PutVersion(*key, batch, vault.name, name, latest->version,
                                           CertificateToFields(*latest)));
  } else {
    KH_ASSIGN_OR_RETURN(auto pending, ReadOperation(*key, vault, name));
    if (!pending) return lifecycle_.NotFoundError(name);
    KH_ASSIGN_OR_RETURN(policy, ApplyPolicyPatch(&pending->policy, patch, now));
    KH_RETURN_IF_ERROR(CheckIssuer(vault, policy));
    pending->policy = policy;
    KH_RETURN_IF_ERROR(WriteOperation(*key, batch, vault, *pending));
  }
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return policy;
}

StatusOr<bool> CertificateService::RenewIfDue(const Vault& vault, std::string_view name,
                                              int64_t now) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(auto latest, ReadLatest(*key, vault, name));
  if (!latest || !AutoRenewDue(*latest, now)) return false;
  KH_ASSIGN_OR_RETURN(std::optional<std::string> head_bytes,
                      barrier_->store().Get(objects_.LivePath(vault.name, name)));
  if (!head_bytes) return false;
  auto issued =
      Issue(vault, latest->name, latest->policy, latest->tags, std::nullopt,
            latest->preserve_cert_order, std::move(head_bytes), latest->attributes.expires);
  if (!issued.ok()) {
    // Renewed by another node meanwhile: nothing to do.
    if (storage::IsPreconditionFailed(issued.status())) return false;
    return issued.status();
  }
  return true;
}

StatusOr<SecretBytes> CertificateService::ConvertSecretValue(const SecretBytes& value,
                                                             std::string_view from,
                                                             std::string_view to) {
  if (from == to) return value;
  const bool from_pem = from == kPemContentType;
  if ((!from_pem && from != kPkcs12ContentType) ||
      (to != kPemContentType && to != kPkcs12ContentType)) {
    return InvalidArgument(
        "outContentType must be application/x-pkcs12 or "
        "application/x-pem-file, and the secret must back a certificate.");
  }
  std::string pfx;
  if (!from_pem) {
    KH_ASSIGN_OR_RETURN(pfx, Base64Decode(value.Reveal()));
  }
  auto parsed = crypto::ParseSecretContent(from_pem ? value.Reveal() : pfx, from_pem);
  std::fill(pfx.begin(), pfx.end(), '\0');
  if (!parsed.ok()) return parsed.status();
  const crypto::KeyMaterial* key = parsed->key ? &*parsed->key : nullptr;
  if (to == kPemContentType) return crypto::EncodePem(parsed->chain_der, key);
  KH_ASSIGN_OR_RETURN(SecretBytes encoded, crypto::EncodePkcs12(parsed->chain_der, key));
  std::string text = Base64Encode(encoded.Reveal());
  SecretBytes out{std::string_view(text)};
  std::fill(text.begin(), text.end(), '\0');
  return out;
}

}  // namespace kh::domain
