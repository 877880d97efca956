// The formats of a certificate's secret: PKCS#12 and PEM export and import (with what the
// openssl command writes), chains and their order, and certificates made by other tools.
#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/certificate.h"
#include "crypto/certificate_test_util.h"

namespace kh::crypto {
namespace {

using namespace cert_test;  // NOLINT: the shared test helpers

TEST(CertificatePkcs12Test, RoundTripsWithTheEmptyPassword) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pfx = EncodePkcs12({chain.leaf, chain.ca}, &Rsa());
  ASSERT_TRUE(pfx.ok()) << pfx.status().ToString();
  StatusOr<CertificateWithKey> parsed = ParsePkcs12(pfx->Reveal(), SecretBytes(), false);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  EXPECT_TRUE(SameKey(parsed->key, Rsa()));
  EXPECT_TRUE(SameKey(Rsa(), parsed->key));
  EXPECT_FALSE(parsed->key.is_hsm());
  EXPECT_TRUE(CanExportPrivateKey(parsed->key));

  // EC keys too.
  const std::string ec_der = SelfSigned(Leaf("CN=ec"), Ec(EcCurve::kP384));
  StatusOr<SecretBytes> ec_pfx = EncodePkcs12({ec_der}, &Ec(EcCurve::kP384));
  ASSERT_TRUE(ec_pfx.ok());
  StatusOr<CertificateWithKey> ec = ParsePkcs12(ec_pfx->Reveal(), SecretBytes(), true);
  ASSERT_TRUE(ec.ok()) << ec.status().ToString();
  EXPECT_EQ(ec->key.curve(), EcCurve::kP384);
  EXPECT_TRUE(SameKey(ec->key, Ec(EcCurve::kP384)));
}

TEST(CertificatePkcs12Test, EncodingIsWhatOpenSslWritesByDefault) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pfx = EncodePkcs12({chain.leaf, chain.ca}, &Rsa());
  ASSERT_TRUE(pfx.ok());
  // The MAC is over the empty password (not "no password"), with SHA-256.
  const unsigned char* p = pfx->RevealData();
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, long(pfx->size())));
  ASSERT_TRUE(p12);
  EXPECT_EQ(PKCS12_verify_mac(p12.get(), "", 0), 1);
  EXPECT_EQ(PKCS12_verify_mac(p12.get(), nullptr, 0), 0);
  ERR_clear_error();
  const X509_ALGOR* mac_algorithm = nullptr;
  PKCS12_get0_mac(nullptr, &mac_algorithm, nullptr, nullptr, p12.get());
  ASSERT_NE(mac_algorithm, nullptr);
  const ASN1_OBJECT* mac_md = nullptr;
  X509_ALGOR_get0(&mac_md, nullptr, nullptr, mac_algorithm);
  EXPECT_EQ(OBJ_obj2nid(mac_md), NID_sha256);
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* others = nullptr;
  ASSERT_EQ(PKCS12_parse(p12.get(), "", &key, &cert, &others), 1);
  EXPECT_EQ(ToDer(cert), chain.leaf);
  EXPECT_EQ(sk_X509_num(others), 1);
  EVP_PKEY_free(key);
  X509_free(cert);
  sk_X509_pop_free(others, X509_free);

  TempDir dir;
  const std::string path = dir.Write("out.pfx", pfx->Reveal());
  ASSERT_TRUE(RunShell("openssl pkcs12 -in '" + path + "' -passin pass: -info -noout > '" +
                       dir.Path("info") + "' 2>&1"));
  const std::string info = dir.Read("info");
  EXPECT_NE(info.find("MAC: sha256"), std::string::npos) << info;
  EXPECT_NE(info.find("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info;
  EXPECT_NE(info.find("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"), std::string::npos);
}

TEST(CertificatePkcs12Test, CertificatesOnlyHaveNoKey) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pfx = EncodePkcs12({chain.leaf, chain.ca}, nullptr);
  ASSERT_TRUE(pfx.ok()) << pfx.status().ToString();
  const unsigned char* p = pfx->RevealData();
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, long(pfx->size())));
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* others = nullptr;
  ASSERT_EQ(PKCS12_parse(p12.get(), "", &key, &cert, &others), 1);
  EXPECT_EQ(key, nullptr);
  EXPECT_EQ(cert, nullptr);
  ASSERT_EQ(sk_X509_num(others), 2);
  EXPECT_EQ(ToDer(sk_X509_value(others, 0)), chain.leaf);
  sk_X509_pop_free(others, X509_free);
  EXPECT_TRUE(
      IsBadParameter(ParsePkcs12(pfx->Reveal(), SecretBytes(), false).status(), "no private key"));
}

TEST(CertificatePkcs12Test, ExportRefusals) {
  const Chain& chain = RsaChain();
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({chain.ca}, &Rsa()).status(), "any certificate"));
  EXPECT_TRUE(IsBadParameter(EncodePem({chain.ca}, &Rsa()).status(), "any certificate"));
  // A kept (imported) order may put the leaf after its CA: the key pairs with the leaf.
  auto kept = EncodePem({chain.ca, chain.leaf}, &Rsa());
  ASSERT_TRUE(kept.ok());
  auto reparsed = ParsePem(kept->Reveal(), /*preserve_order=*/true);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->chain_der, (std::vector<std::string>{chain.ca, chain.leaf}));
  auto pfx = EncodePkcs12({chain.ca, chain.leaf}, &Rsa());
  ASSERT_TRUE(pfx.ok());
  auto from_pfx = ParsePkcs12(pfx->Reveal(), SecretBytes(), /*preserve_order=*/false);
  ASSERT_TRUE(from_pfx.ok());
  EXPECT_EQ(from_pfx->chain_der.front(), chain.leaf);
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({}, nullptr).status(), "empty"));
  EXPECT_TRUE(IsBadParameter(EncodePem({"garbage"}, nullptr).status()));
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({chain.leaf}, &Oct()).status(), "exported"));
  EXPECT_TRUE(IsBadParameter(
      EncodePkcs12(std::vector<std::string>(kMaxCertificateChainLength + 1, chain.ca), nullptr)
          .status()));
  EXPECT_TRUE(CanExportPrivateKey(Rsa()));
  EXPECT_TRUE(CanExportPrivateKey(Ec(EcCurve::kP256K)));
  EXPECT_FALSE(CanExportPrivateKey(Oct()));
}

// Writes the key and chain as PEM files and runs `openssl pkcs12 -export` with `options`.
std::string OpenSslPfx(const TempDir& dir, const KeyMaterial& key, const Chain& chain,
                       const std::string& options) {
  const std::string key_pem = EncodePem({chain.leaf}, &key)->RevealString();
  const std::string key_path = dir.Write("key.pem", key_pem);
  const std::string leaf_path = dir.Write("leaf.pem", ToPem(chain.leaf));
  const std::string ca_path = dir.Write("ca.pem", ToPem(chain.ca));
  const std::string out = dir.Path("made.pfx");
  EXPECT_TRUE(RunShell("openssl pkcs12 -export -inkey '" + key_path + "' -in '" + leaf_path +
                       "' -certfile '" + ca_path + "' -out '" + out + "' " + options));
  return dir.Read("made.pfx");
}

TEST(CertificatePkcs12Test, ParsesOpenSslCommandOutputWithItsPassword) {
  const Chain& chain = RsaChain();
  TempDir dir;
  for (const char* options :
       {"-passout pass:s3cret", "-passout pass:s3cret -legacy", "-passout pass:s3cret -nomac"}) {
    SCOPED_TRACE(options);
    const std::string pfx = OpenSslPfx(dir, Rsa(), chain, options);
    ASSERT_FALSE(pfx.empty());
    StatusOr<CertificateWithKey> parsed =
        ParsePkcs12(pfx, SecretBytes(std::string_view("s3cret")), false);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
    EXPECT_TRUE(SameKey(parsed->key, Rsa()));
    for (const char* wrong : {"wrong", "s3cre", ""}) {
      EXPECT_TRUE(IsBadParameter(
          ParsePkcs12(pfx, SecretBytes(std::string_view(wrong)), false).status(),
          "The specified PKCS#12 X509 certificate content can not be read. Please check if "
          "certificate is in valid PKCS#12 format."))
          << wrong;
    }
  }
  // An empty password given to the openssl command also parses with ours.
  const std::string empty = OpenSslPfx(
      dir, Ec(EcCurve::kP256),
      [] {
        Chain c;
        c.ca = SelfSigned(Ca("CN=P256 CA"), Ec(EcCurve::kP521));
        c.leaf = IssuedBy(Leaf("CN=p256"), Ec(EcCurve::kP256), c.ca, Ec(EcCurve::kP521));
        return c;
      }(),
      "-passout pass:");
  StatusOr<CertificateWithKey> parsed = ParsePkcs12(empty, SecretBytes(), true);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(SameKey(parsed->key, Ec(EcCurve::kP256)));
}

// A PFX built directly with OpenSSL: the key (no localKeyId) and the certificates in `order`.
std::string RawPfx(EVP_PKEY* key, const std::vector<std::string>& order) {
  STACK_OF(X509)* certs = sk_X509_new_null();
  for (const std::string& der : order) sk_X509_push(certs, ParseDer(der).release());
  PKCS12* p12 = PKCS12_create("pw", nullptr, key, nullptr, certs, 0, 0, 0, 0, 0);
  EXPECT_NE(p12, nullptr);
  unsigned char* der = nullptr;
  const int size = i2d_PKCS12(p12, &der);
  std::string out(reinterpret_cast<char*>(der), size_t(size));
  OPENSSL_free(der);
  PKCS12_free(p12);
  sk_X509_pop_free(certs, X509_free);
  return out;
}

// The key as an EVP_PKEY, through Serialize()'s documented form (two header bytes, PKCS#8 DER).
PkeyPtr OpenSslKey(const KeyMaterial& key) {
  const SecretBytes serialized = key.Serialize();
  const unsigned char* p = serialized.RevealData() + 2;
  return PkeyPtr(d2i_AutoPrivateKey(nullptr, &p, long(serialized.size() - 2)));
}

TEST(CertificatePkcs12Test, FindsTheLeafAndHonoursPreserveOrder) {
  const Chain& chain = RsaChain();
  PkeyPtr key = OpenSslKey(Rsa());
  ASSERT_TRUE(key);
  const std::string pfx = RawPfx(key.get(), {chain.ca, chain.leaf});
  const SecretBytes password(std::string_view("pw"));
  StatusOr<CertificateWithKey> leaf_first = ParsePkcs12(pfx, password, false);
  ASSERT_TRUE(leaf_first.ok()) << leaf_first.status().ToString();
  EXPECT_EQ(leaf_first->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  StatusOr<CertificateWithKey> as_found = ParsePkcs12(pfx, password, true);
  ASSERT_TRUE(as_found.ok());
  EXPECT_EQ(as_found->chain_der, (std::vector<std::string>{chain.ca, chain.leaf}));
}

TEST(CertificatePkcs12Test, RefusesAKeyMatchingNoCertificate) {
  const Chain& chain = RsaChain();
  PkeyPtr other = OpenSslKey(OtherRsa());
  const std::string pfx = RawPfx(other.get(), {chain.leaf, chain.ca});
  EXPECT_TRUE(IsBadParameter(ParsePkcs12(pfx, SecretBytes(std::string_view("pw")), false).status(),
                             "does not match any"));
  const std::string no_certs = RawPfx(other.get(), {});
  EXPECT_TRUE(
      IsBadParameter(ParsePkcs12(no_certs, SecretBytes(std::string_view("pw")), false).status(),
                     "no certificate"));
}

TEST(CertificatePkcs12Test, GarbageAndOversizeInputAreBadParameter) {
  const Chain& chain = RsaChain();
  const SecretBytes none;
  EXPECT_TRUE(IsBadParameter(ParsePkcs12("", none, false).status()));
  EXPECT_TRUE(IsBadParameter(ParsePkcs12("not a pfx at all", none, false).status()));
  EXPECT_TRUE(IsBadParameter(
      ParsePkcs12(std::string(kMaxImportBytes + 1, '\x30'), none, false).status(), "larger"));
  const std::string pfx = EncodePkcs12({chain.leaf, chain.ca}, &Rsa())->RevealString();
  for (size_t cut = 0; cut < pfx.size(); cut += 97) {
    EXPECT_TRUE(IsBadParameter(ParsePkcs12(pfx.substr(0, cut), none, false).status())) << cut;
  }
  EXPECT_TRUE(IsBadParameter(ParsePkcs12(pfx + "x", none, false).status()));
  // Flipped bytes anywhere: refused (MAC) or, if the flip only hits the MAC data, still refused.
  for (size_t i = 0; i < pfx.size(); i += 61) {
    std::string flipped = pfx;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    EXPECT_FALSE(ParsePkcs12(flipped, none, false).ok()) << i;
  }
}

// ==== PEM ====

TEST(CertificatePemTest, RoundTripsAndHasTheDocumentedLayout) {
  const Chain& chain = RsaChain();
  StatusOr<SecretBytes> pem = EncodePem({chain.leaf, chain.ca}, &Rsa());
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  const std::string text = pem->RevealString();
  EXPECT_EQ(text.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  const size_t first_cert = text.find("-----BEGIN CERTIFICATE-----\n");
  ASSERT_NE(first_cert, std::string::npos);
  EXPECT_EQ(text.substr(first_cert), ToPem(chain.leaf) + ToPem(chain.ca));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 64u);
    EXPECT_EQ(line.find('\r'), std::string::npos);
  }
  StatusOr<CertificateWithKey> parsed = ParsePem(text, false);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  EXPECT_TRUE(SameKey(parsed->key, Rsa()));

  StatusOr<SecretBytes> certs_only = EncodePem({chain.leaf, chain.ca}, nullptr);
  ASSERT_TRUE(certs_only.ok());
  EXPECT_EQ(certs_only->RevealString(), ToPem(chain.leaf) + ToPem(chain.ca));
  EXPECT_TRUE(IsBadParameter(ParsePem(certs_only->Reveal(), false).status(), "no private key"));
}

TEST(CertificatePemTest, AnyBlockOrderAndPreserveOrder) {
  const Chain& chain = RsaChain();
  const std::string key_pem = EncodePem({chain.leaf}, &Rsa())->RevealString();
  const std::string key_block = key_pem.substr(0, key_pem.find("-----BEGIN CERTIFICATE-----"));
  const std::string text =
      "junk before\n" + ToPem(chain.ca) + "between\n" + key_block + ToPem(chain.leaf) + "after\n";
  StatusOr<CertificateWithKey> leaf_first = ParsePem(text, false);
  ASSERT_TRUE(leaf_first.ok()) << leaf_first.status().ToString();
  EXPECT_EQ(leaf_first->chain_der, (std::vector<std::string>{chain.leaf, chain.ca}));
  StatusOr<CertificateWithKey> as_found = ParsePem(text, true);
  ASSERT_TRUE(as_found.ok());
  EXPECT_EQ(as_found->chain_der, (std::vector<std::string>{chain.ca, chain.leaf}));
}

TEST(CertificatePemTest, RefusesPkcs1AndOtherKeyFormats) {
  const Chain& chain = RsaChain();
  PkeyPtr key = OpenSslKey(Rsa());
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                                 nullptr),
            1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  const std::string pkcs1(data, size_t(size));
  ASSERT_EQ(pkcs1.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(IsBadParameter(ParsePem(pkcs1 + ToPem(chain.leaf), false).status(), "PKCS#8"));

  BioPtr encrypted(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(encrypted.get(), key.get(), EVP_aes_256_cbc(), "pw", 2,
                                          nullptr, nullptr),
            1);
  const long encrypted_size = BIO_get_mem_data(encrypted.get(), &data);
  const std::string encrypted_pem(data, size_t(encrypted_size));
  ASSERT_EQ(encrypted_pem.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(
      IsBadParameter(ParsePem(encrypted_pem + ToPem(chain.leaf), false).status(), "PKCS#8"));
  EXPECT_TRUE(IsBadParameter(
      ParsePem("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n" + ToPem(chain.leaf),
               false)
          .status(),
      "unsupported block"));
}

TEST(CertificatePemTest, RefusesMismatchedMissingAndExtraParts) {
  const Chain& chain = RsaChain();
  const std::string key_pem = EncodePem({chain.leaf}, &Rsa())->RevealString();
  const std::string key_block = key_pem.substr(0, key_pem.find("-----BEGIN CERTIFICATE-----"));
  const std::string ec_der = SelfSigned(Leaf("CN=ec"), Ec(EcCurve::kP256));

  EXPECT_TRUE(
      IsBadParameter(ParsePem(key_block + ToPem(ec_der), false).status(), "does not match any"));
  EXPECT_TRUE(IsBadParameter(ParsePem(key_block, false).status(), "no certificate"));
  EXPECT_TRUE(IsBadParameter(ParsePem(key_block + key_block + ToPem(chain.leaf), false).status(),
                             "more than one private key"));
  std::string many = key_block;
  for (size_t i = 0; i <= kMaxCertificateChainLength; ++i) many += ToPem(chain.ca);
  EXPECT_TRUE(IsBadParameter(ParsePem(many, false).status(), "more than 10"));
}

TEST(CertificatePemTest, GarbageAndOversizeInputAreBadParameter) {
  EXPECT_TRUE(IsBadParameter(ParsePem("", false).status()));
  EXPECT_TRUE(IsBadParameter(ParsePem("hello", false).status()));
  EXPECT_TRUE(
      IsBadParameter(ParsePem(std::string(kMaxImportBytes + 1, 'a'), false).status(), "larger"));
  EXPECT_TRUE(IsBadParameter(
      ParsePem("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", false)
          .status()));
  EXPECT_TRUE(IsBadParameter(
      ParsePem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false).status()));
  EXPECT_TRUE(IsBadParameter(ParsePem("-----BEGIN CERTIFICATE-----\nAAAA\n", false).status()));
  const std::string pem = EncodePem({RsaChain().leaf}, &Rsa())->RevealString();
  for (size_t cut = 0; cut < pem.size(); cut += 53) {
    EXPECT_FALSE(ParsePem(pem.substr(0, cut), false).ok()) << cut;
  }
}

// ==== Certificates made elsewhere ====

// A self-signed certificate for `key` made with plain OpenSSL: subject C=US, then O and OU in one
// multi-valued RDN, then CN, then organizationIdentifier (an attribute Key Vault has no name for).
std::string ForeignCertificate(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add = [&](const char* field, const char* value, int set) {
    EXPECT_EQ(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, U(value), -1, -1, set), 1);
  };
  add("C", "US", 0);
  add("O", "Org", 0);
  add("OU", "Unit", -1);  // joins the O's RDN
  add("CN", "foreign, inc", 0);
  add("organizationIdentifier", "VATDE-123", 0);
  X509_set_issuer_name(cert.get(), name);
  const EVP_MD* md = EVP_PKEY_is_a(key, "ED25519") ? nullptr : EVP_sha256();
  EXPECT_GT(X509_sign(cert.get(), key, md), 0);
  return ToDer(cert.get());
}

TEST(CertificateForeignTest, InspectsNamesAsWritten) {
  PkeyPtr key = OpenSslKey(Ec(EcCurve::kP256));
  const std::string der = ForeignCertificate(key.get());
  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->subject, "C=US, O=Org + OU=Unit, CN=\"foreign, inc\", OID.2.5.4.97=VATDE-123");
  EXPECT_EQ(info->issuer, info->subject);
  EXPECT_TRUE(info->sans.empty());
  EXPECT_TRUE(info->key_usage.empty());
  EXPECT_FALSE(info->is_ca);
  EXPECT_EQ(info->curve, EcCurve::kP256);
}

TEST(CertificateForeignTest, RefusesKeysKeyVaultDoesNotSupport) {
  PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  PkeyPtr edwards(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  PkeyPtr p224(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-224"));
  struct Case {
    EVP_PKEY* key;
    const char* fragment;
  } cases[] = {{small.get(), "Unsupported key size"},
               {edwards.get(), "only RSA and EC"},
               {p224.get(), "curve is not supported"}};
  for (const Case& c : cases) {
    ASSERT_NE(c.key, nullptr);
    const std::string der = ForeignCertificate(c.key);
    BioPtr key_bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PKCS8PrivateKey(key_bio.get(), c.key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(key_bio.get(), &data);
    EXPECT_TRUE(IsBadParameter(
        ParsePem(std::string(data, size_t(size)) + ToPem(der), false).status(), c.fragment));
    PKCS12* p12 = PKCS12_create("pw", nullptr, c.key, ParseDer(der).get(), nullptr, 0, 0, 0, 0, 0);
    ASSERT_NE(p12, nullptr);
    unsigned char* pfx = nullptr;
    const int pfx_size = i2d_PKCS12(p12, &pfx);
    PKCS12_free(p12);
    EXPECT_TRUE(
        IsBadParameter(ParsePkcs12(std::string(reinterpret_cast<char*>(pfx), size_t(pfx_size)),
                                   SecretBytes(std::string_view("pw")), false)
                           .status(),
                       c.fragment));
    OPENSSL_free(pfx);
  }
  // Inspecting such certificates: RSA and EC report their size; other key types are refused.
  StatusOr<CertificateDetails> info = InspectCertificate(ForeignCertificate(p224.get()));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->key_type, KeyType::kEc);
  EXPECT_EQ(info->key_bits, 224);
  EXPECT_FALSE(info->curve.has_value());
  EXPECT_TRUE(IsBadParameter(InspectCertificate(ForeignCertificate(edwards.get())).status(),
                             "not an RSA or EC key"));
}

TEST(CertificateForeignTest, SuccessLeavesNoOpenSslErrorBehind) {
  const Chain& chain = RsaChain();
  const SecretBytes pfx = *EncodePkcs12({chain.leaf, chain.ca}, &Rsa());
  const SecretBytes pem = *EncodePem({chain.leaf, chain.ca}, &Rsa());
  ERR_clear_error();
  EXPECT_TRUE(ParsePkcs12(pfx.Reveal(), SecretBytes(), false).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(ParsePem(pem.Reveal(), false).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(InspectCertificate(chain.leaf).ok());
  EXPECT_TRUE(InspectCertificate(chain.ca).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(
      IssueCertificate(Leaf("CN=x"), Rsa(), AroundNow(), {&Ec(EcCurve::kP256), chain.ca}).ok());
  EXPECT_TRUE(CreateCertificateRequest(Leaf("CN=x"), Ec(EcCurve::kP384)).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(*CertificateSignedBy(chain.ca, chain.leaf));
  EXPECT_FALSE(*CertificateMatchesKey(chain.ca, Rsa()));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

// ==== InspectCertificate, OrderChain and friends on bad input ====

}  // namespace
}  // namespace kh::crypto
