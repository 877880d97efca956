// The formats of a certificate's secret: PKCS#12 and PEM, imported (with the key checked and the
// leaf found) and exported; and chain ordering.
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/internal/certificate_util.h"
#include "crypto/internal/key_material_state.h"

namespace kh::crypto {
namespace {

using internal::BadParameter;
using internal::KeyMaterialAccess;
using internal::OpenSslError;
using internal::OsslPtr;
using internal::PkeyPtr;
using internal::UBytes;
using internal::X509Ptr;
using BioPtr = OsslPtr<BIO, BIO_free>;
using P8InfoPtr = OsslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;
using Pkcs12Ptr = OsslPtr<PKCS12, PKCS12_free>;
using PkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;

struct Pkcs7StackFree {
  void operator()(STACK_OF(PKCS7) * stack) const { sk_PKCS7_pop_free(stack, PKCS7_free); }
};
using Pkcs7StackPtr = std::unique_ptr<STACK_OF(PKCS7), Pkcs7StackFree>;
struct SafeBagsFree {
  void operator()(STACK_OF(PKCS12_SAFEBAG) * bags) const {
    sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
  }
};
using SafeBagsPtr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), SafeBagsFree>;
// A stack that borrows its certificates.
struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

constexpr char kPkcs12Unreadable[] =
    "The specified PKCS#12 X509 certificate content can not be read. Please check if certificate "
    "is in valid PKCS#12 format.";
// Nesting of safeContentsBags that a PFX may use (real files use none).
constexpr int kMaxBagDepth = 3;

// The keys and certificates of an imported PFX or PEM, in the order found.
struct Found {
  std::vector<PkeyPtr> keys;
  std::vector<X509Ptr> certificates;
};

// PFX files from Windows and from OpenSSL 1.x encrypt certificates with RC2-40, which OpenSSL 3
// keeps in its legacy provider. Only PKCS#12 decryption uses this context, so the legacy
// algorithms stay out of reach of everything else. Lives as long as the process.
OSSL_LIB_CTX* Pkcs12Context() {
  static OSSL_LIB_CTX* const context = [] {
    OSSL_LIB_CTX* created = OSSL_LIB_CTX_new();
    if (created != nullptr) {
      OSSL_PROVIDER_load(created, "default");
      OSSL_PROVIDER_load(created, "legacy");  // optional: without it only RC2 PFX fail
    }
    ERR_clear_error();
    return created;
  }();
  return context;
}

// A PKCS#12 password as OpenSSL takes it. data null: no password, which differs from the empty
// password (two zero bytes once converted to BMPString).
struct Pkcs12Password {
  const char* data = nullptr;
  int size = 0;
};

std::string Plural(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

Status KeyNotValid() { return BadParameter("The private key is not a valid RSA or EC key."); }

// The software KeyMaterial for an imported private key, after Key Vault's type, size and curve
// rules and the full key-pair check KeyMaterial::Import runs (so a key with a tampered private
// part is refused here rather than producing bad signatures later).
StatusOr<KeyMaterial> KeyFromPkey(PkeyPtr pkey) {
  KeyType type = KeyType::kRsa;
  if (EVP_PKEY_is_a(pkey.get(), "RSA") == 1) {
    type = KeyType::kRsa;
  } else if (EVP_PKEY_is_a(pkey.get(), "EC") == 1) {
    type = KeyType::kEc;
  } else {
    return BadParameter("The private key's type is not supported: only RSA and EC keys are.");
  }
  KH_ASSIGN_OR_RETURN(auto state, internal::StateFromPkey(std::move(pkey), type));
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, state->pkey.get(), nullptr));
  if (!check || EVP_PKEY_check(check.get()) != 1) return KeyNotValid();
  return KeyMaterialAccess::FromState(std::move(state));
}

Status AddKey(const PKCS8_PRIV_KEY_INFO* p8, Found* found) {
  if (!found->keys.empty()) return BadParameter("The content holds more than one private key.");
  PkeyPtr pkey(EVP_PKCS82PKEY(p8));
  if (!pkey) return KeyNotValid();
  found->keys.push_back(std::move(pkey));
  return Status::Ok();
}

Status AddCertificate(X509Ptr cert, Found* found) {
  if (!cert) return BadParameter("The content holds a certificate that does not parse.");
  if (found->certificates.size() == kMaxCertificateChainLength) {
    return BadParameter("The content holds more than " +
                        Plural(kMaxCertificateChainLength, "certificate") + ".");
  }
  found->certificates.push_back(std::move(cert));
  return Status::Ok();
}

Status CollectBags(const STACK_OF(PKCS12_SAFEBAG) * bags, Pkcs12Password password, int depth,
                   Found* found) {
  for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
    const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
    switch (PKCS12_SAFEBAG_get_nid(bag)) {
      case NID_keyBag:
        KH_RETURN_IF_ERROR(AddKey(PKCS12_SAFEBAG_get0_p8inf(bag), found));
        break;
      case NID_pkcs8ShroudedKeyBag: {
        P8InfoPtr p8(
            PKCS12_decrypt_skey_ex(bag, password.data, password.size, Pkcs12Context(), nullptr));
        if (!p8) return BadParameter(kPkcs12Unreadable);
        KH_RETURN_IF_ERROR(AddKey(p8.get(), found));
        break;
      }
      case NID_certBag:
        if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate) break;  // e.g. SDSI
        KH_RETURN_IF_ERROR(AddCertificate(X509Ptr(PKCS12_SAFEBAG_get1_cert(bag)), found));
        break;
      case NID_safeContentsBag:
        if (depth == kMaxBagDepth) return BadParameter(kPkcs12Unreadable);
        KH_RETURN_IF_ERROR(CollectBags(PKCS12_SAFEBAG_get0_safes(bag), password, depth + 1, found));
        break;
      default:
        break;  // CRL and secret bags: nothing Key Vault keeps
    }
  }
  return Status::Ok();
}

// PKCS12_unpack_p7encdata, but decrypting in Pkcs12Context().
SafeBagsPtr DecryptSafeContents(PKCS7* p7, Pkcs12Password password) {
  if (p7->d.encrypted == nullptr || p7->d.encrypted->enc_data == nullptr ||
      p7->d.encrypted->enc_data->enc_data == nullptr) {
    return nullptr;
  }
  const PKCS7_ENC_CONTENT* content = p7->d.encrypted->enc_data;
  return SafeBagsPtr(static_cast<STACK_OF(PKCS12_SAFEBAG)*>(PKCS12_item_decrypt_d2i_ex(
      content->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), password.data, password.size,
      content->enc_data, /*zbuf=*/1, Pkcs12Context(), nullptr)));
}

Status CollectPkcs12(PKCS12* p12, Pkcs12Password password, Found* found) {
  Pkcs7StackPtr safes(PKCS12_unpack_authsafes(p12));
  if (!safes) return BadParameter(kPkcs12Unreadable);
  for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
    SafeBagsPtr bags;
    switch (OBJ_obj2nid(p7->type)) {
      case NID_pkcs7_data:
        bags.reset(PKCS12_unpack_p7data(p7));
        break;
      case NID_pkcs7_encrypted:
        bags = DecryptSafeContents(p7, password);
        break;
      default:
        continue;  // public-key privacy mode (enveloped data): not supported, like OpenSSL
    }
    if (!bags) return BadParameter(kPkcs12Unreadable);
    KH_RETURN_IF_ERROR(CollectBags(bags.get(), password, 0, found));
  }
  return Status::Ok();
}

constexpr long kMaxPkcs12Iterations = 10'000'000;

// The passwords to try, as PKCS12_parse does: with a MAC, the one that verifies it; without, the
// caller's, or both "no password" and the empty one when the caller gave none.
StatusOr<std::vector<Pkcs12Password>> Pkcs12Passwords(PKCS12* p12, const SecretBytes& password) {
  if (password.size() > INT_MAX) return BadParameter(kPkcs12Unreadable);
  const Pkcs12Password given{reinterpret_cast<const char*>(password.RevealData()),
                             static_cast<int>(password.size())};
  const Pkcs12Password none{nullptr, 0};
  const Pkcs12Password empty{"", 0};
  std::vector<Pkcs12Password> candidates =
      password.empty() ? std::vector<Pkcs12Password>{none, empty} : std::vector{given};
  if (PKCS12_mac_present(p12) != 1) return candidates;
  // Each MAC check runs the file's iteration count: a huge one would hold a worker for minutes.
  const ASN1_INTEGER* iterations = nullptr;
  PKCS12_get0_mac(nullptr, nullptr, nullptr, &iterations, p12);
  if (iterations != nullptr && ASN1_INTEGER_get(iterations) > kMaxPkcs12Iterations) {
    return BadParameter("The PKCS#12 content asks for more than " +
                        std::to_string(kMaxPkcs12Iterations) + " MAC iterations.");
  }
  for (const Pkcs12Password& candidate : candidates) {
    if (PKCS12_verify_mac(p12, candidate.data, candidate.size) == 1) {
      return std::vector{candidate};
    }
  }
  return BadParameter(kPkcs12Unreadable);
}

// `chain` with entry `leaf` moved to the front unless preserve_order.
std::vector<std::string> LeafFirst(std::vector<std::string> chain, size_t leaf,
                                   bool preserve_order) {
  if (preserve_order || leaf == 0) return chain;
  std::vector<std::string> out;
  out.reserve(chain.size());
  out.push_back(std::move(chain[leaf]));
  for (size_t i = 0; i < chain.size(); ++i) {
    if (i != leaf) out.push_back(std::move(chain[i]));
  }
  return out;
}

std::optional<size_t> FindLeaf(const std::vector<X509Ptr>& certificates, const EVP_PKEY* key) {
  for (size_t i = 0; i < certificates.size(); ++i) {
    if (internal::CertificateHasKey(certificates[i].get(), key)) return i;
  }
  return std::nullopt;
}

StatusOr<CertificateWithKey> Assemble(Found found, bool preserve_order) {
  if (found.keys.empty()) return BadParameter("The content holds no private key.");
  if (found.certificates.empty()) return BadParameter("The content holds no certificate.");
  const std::optional<size_t> leaf = FindLeaf(found.certificates, found.keys.front().get());
  if (!leaf) return BadParameter("The private key does not match any of the certificates.");
  std::vector<std::string> chain;
  for (const X509Ptr& cert : found.certificates) {
    chain.push_back(internal::CertificateToDer(cert.get()));
    if (chain.back().empty()) return OpenSslError("Encoding a certificate failed");
  }
  KH_ASSIGN_OR_RETURN(KeyMaterial key, KeyFromPkey(std::move(found.keys.front())));
  return CertificateWithKey{std::move(key), LeafFirst(std::move(chain), *leaf, preserve_order)};
}

// Releases what PEM_read_bio_ex allocated (in the secure heap, wiped on free).
struct PemBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  ~PemBlock() {
    OPENSSL_secure_clear_free(data, static_cast<size_t>(size));
    OPENSSL_secure_free(header);
    OPENSSL_secure_free(name);
  }
};

Status AddPemBlock(const PemBlock& block, Found* found) {
  const std::string_view name(block.name);
  if (block.header != nullptr && block.header[0] != '\0') {
    return BadParameter("Encrypted PEM blocks are not supported.");
  }
  const unsigned char* cursor = block.data;
  const unsigned char* end = block.data + block.size;
  if (name == PEM_STRING_X509) {
    X509Ptr cert(d2i_X509(nullptr, &cursor, block.size));
    if (cert && cursor != end) cert.reset();
    return AddCertificate(std::move(cert), found);
  }
  if (name == PEM_STRING_PKCS8INF) {
    P8InfoPtr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &cursor, block.size));
    if (!p8 || cursor != end) return KeyNotValid();
    return AddKey(p8.get(), found);
  }
  if (name == PEM_STRING_RSA || name == PEM_STRING_ECPRIVATEKEY || name == PEM_STRING_PKCS8) {
    return BadParameter(
        "Only unencrypted PKCS#8 private keys (\"-----BEGIN PRIVATE KEY-----\") are supported.");
  }
  return BadParameter("The PEM content holds an unsupported block type.");
}

StatusOr<std::vector<X509Ptr>> ParseChain(const std::vector<std::string>& chain_der) {
  if (chain_der.empty()) return BadParameter("The certificate chain is empty.");
  if (chain_der.size() > kMaxCertificateChainLength) {
    return BadParameter("The certificate chain has more than " +
                        Plural(kMaxCertificateChainLength, "certificate") + ".");
  }
  std::vector<X509Ptr> certificates;
  for (const std::string& der : chain_der) {
    KH_ASSIGN_OR_RETURN(X509Ptr cert, internal::ParseCertificateDer(der));
    certificates.push_back(std::move(cert));
  }
  return certificates;
}

// The exportable private key of `key` and the index of its certificate in `certificates` (the
// leaf, first unless the chain keeps an imported order).
struct ExportableKeyOf {
  EVP_PKEY* pkey = nullptr;
  size_t leaf = 0;
};
StatusOr<ExportableKeyOf> ExportableKey(const KeyMaterial& key,
                                        const std::vector<X509Ptr>& certificates) {
  if (!CanExportPrivateKey(key)) {
    return BadParameter("The key cannot be exported: it is not a software RSA or EC key.");
  }
  EVP_PKEY* pkey = KeyMaterialAccess::State(key).pkey.get();
  const std::optional<size_t> leaf = FindLeaf(certificates, pkey);
  if (!leaf) return BadParameter("The key does not match any certificate of the chain.");
  return ExportableKeyOf{pkey, *leaf};
}

SecretBytes Pkcs12Der(PKCS12* p12) {
  unsigned char* der = nullptr;
  const int size = i2d_PKCS12(p12, &der);
  if (size <= 0 || der == nullptr) return SecretBytes();
  SecretBytes out(der, static_cast<size_t>(size));
  OPENSSL_clear_free(der, static_cast<size_t>(size));
  return out;
}

}  // namespace

namespace {

StatusOr<Found> ReadPkcs12(std::string_view pfx, const SecretBytes& password) {
  if (pfx.size() > kMaxImportBytes) {
    return BadParameter("The PKCS#12 content is larger than " + std::to_string(kMaxImportBytes) +
                        " bytes.");
  }
  const unsigned char* cursor = UBytes(pfx);
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(pfx.size())));
  if (!p12 || cursor != UBytes(pfx) + pfx.size()) return BadParameter(kPkcs12Unreadable);
  KH_ASSIGN_OR_RETURN(std::vector<Pkcs12Password> passwords, Pkcs12Passwords(p12.get(), password));
  Status status = BadParameter(kPkcs12Unreadable);
  for (const Pkcs12Password& candidate : passwords) {
    Found found;
    status = CollectPkcs12(p12.get(), candidate, &found);
    if (status.ok()) {
      ERR_clear_error();  // what failed with an earlier candidate
      return found;
    }
  }
  return status;
}

StatusOr<Found> ReadPem(std::string_view pem) {
  if (pem.size() > kMaxImportBytes) {
    return BadParameter("The PEM content is larger than " + std::to_string(kMaxImportBytes) +
                        " bytes.");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf failed");
  Found found;
  for (;;) {
    PemBlock block;
    if (PEM_read_bio_ex(bio.get(), &block.name, &block.header, &block.data, &block.size,
                        PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1) {
      const unsigned long error = ERR_peek_last_error();
      ERR_clear_error();
      if (ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE) {
        break;  // no further block
      }
      return BadParameter("The PEM content is malformed.");
    }
    KH_RETURN_IF_ERROR(AddPemBlock(block, &found));
  }
  return found;
}

}  // namespace

StatusOr<CertificateWithKey> ParsePkcs12(std::string_view pfx, const SecretBytes& password,
                                         bool preserve_order) {
  KH_ASSIGN_OR_RETURN(Found found, ReadPkcs12(pfx, password));
  return Assemble(std::move(found), preserve_order);
}

StatusOr<CertificateWithKey> ParsePem(std::string_view pem, bool preserve_order) {
  KH_ASSIGN_OR_RETURN(Found found, ReadPem(pem));
  return Assemble(std::move(found), preserve_order);
}

StatusOr<SecretContent> ParseSecretContent(std::string_view content, bool pem) {
  KH_ASSIGN_OR_RETURN(Found found, pem ? ReadPem(content) : ReadPkcs12(content, SecretBytes()));
  if (!found.keys.empty()) {
    KH_ASSIGN_OR_RETURN(CertificateWithKey with_key, Assemble(std::move(found), true));
    return SecretContent{std::move(with_key.key), std::move(with_key.chain_der)};
  }
  if (found.certificates.empty()) return BadParameter("The content holds no certificate.");
  SecretContent out;
  for (const X509Ptr& cert : found.certificates) {
    out.chain_der.push_back(internal::CertificateToDer(cert.get()));
    if (out.chain_der.back().empty()) return OpenSslError("Encoding a certificate failed");
  }
  return out;
}

StatusOr<std::vector<std::string>> OrderChain(const std::vector<std::string>& chain_der,
                                              const KeyMaterial& leaf_key, bool preserve_order) {
  KH_ASSIGN_OR_RETURN(std::vector<X509Ptr> certificates, ParseChain(chain_der));
  const std::optional<size_t> leaf =
      FindLeaf(certificates, KeyMaterialAccess::State(leaf_key).pkey.get());
  if (!leaf) return BadParameter("The key does not match any of the certificates.");
  return LeafFirst(chain_der, *leaf, preserve_order);
}

StatusOr<SecretBytes> EncodePkcs12(const std::vector<std::string>& chain_der,
                                   const KeyMaterial* key) {
  KH_ASSIGN_OR_RETURN(std::vector<X509Ptr> certificates, ParseChain(chain_der));
  EVP_PKEY* pkey = nullptr;
  X509* leaf = nullptr;
  if (key != nullptr) {
    KH_ASSIGN_OR_RETURN(ExportableKeyOf exported, ExportableKey(*key, certificates));
    pkey = exported.pkey;
    leaf = certificates[exported.leaf].get();
  }
  // With a key, its certificate is its pair (PKCS12_create gives both the localKeyId); the
  // others, and without a key every certificate, go in as plain certificate bags.
  X509StackPtr others(sk_X509_new_null());
  if (!others) return OpenSslError("Allocation failed");
  for (size_t i = 0; i < certificates.size(); ++i) {
    if (certificates[i].get() == leaf) continue;
    if (sk_X509_push(others.get(), certificates[i].get()) <= 0) {
      return OpenSslError("Allocation failed");
    }
  }
  // The empty password throughout; mac_iter -1 leaves the MAC to PKCS12_set_mac, which lets us
  // pick SHA-256 (as the openssl pkcs12 command does) instead of the library's SHA-1 default.
  Pkcs12Ptr p12(PKCS12_create("", nullptr, pkey, leaf, others.get(), NID_aes_256_cbc,
                              NID_aes_256_cbc, PKCS12_DEFAULT_ITER, -1, 0));
  if (!p12 ||
      PKCS12_set_mac(p12.get(), "", 0, nullptr, 0, PKCS12_DEFAULT_ITER, EVP_sha256()) != 1) {
    return OpenSslError("Building the PKCS#12 content failed");
  }
  SecretBytes out = Pkcs12Der(p12.get());
  if (out.empty()) return OpenSslError("Encoding the PKCS#12 content failed");
  return out;
}

StatusOr<SecretBytes> EncodePem(const std::vector<std::string>& chain_der, const KeyMaterial* key) {
  KH_ASSIGN_OR_RETURN(std::vector<X509Ptr> certificates, ParseChain(chain_der));
  SecretBytes key_pem;
  if (key != nullptr) {
    KH_ASSIGN_OR_RETURN(ExportableKeyOf exported, ExportableKey(*key, certificates));
    key_pem = internal::PrivateKeyToPkcs8Pem(exported.pkey);
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpenSslError("Allocation failed");
  for (const std::string& der : chain_der) {  // the caller's exact bytes, not a re-encoding
    if (PEM_write_bio(bio.get(), PEM_STRING_X509, "", UBytes(der), static_cast<long>(der.size())) <=
        0) {
      return OpenSslError("PEM encoding failed");
    }
  }
  char* certificates_pem = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &certificates_pem);
  SecretBytes out(key_pem.size() + static_cast<size_t>(size));
  std::copy(key_pem.RevealData(), key_pem.RevealData() + key_pem.size(), out.MutableData());
  std::copy(certificates_pem, certificates_pem + size, out.MutableData() + key_pem.size());
  return out;
}

bool CanExportPrivateKey(const KeyMaterial& key) {
  const internal::KeyMaterialState& state = KeyMaterialAccess::State(key);
  return state.hsm == nullptr && state.type != KeyType::kOct && state.pkey != nullptr;
}

}  // namespace kh::crypto
