// Certificates and requests as issued (subjects, extensions, validity, signatures of every key
// type and curve, an EC CA key in a SoftHSM2 token), and inspection, checked against plain
// OpenSSL and the openssl command.
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

TEST(CertificateSubjectTest, AcceptsKeyVaultSubjects) {
  for (const char* subject :
       {"CN=a", "cn=MyCert", "CN=a, O=b, C=US", "CN=a;O=b", "  CN = a ; O = b  ",
        "CN=Contoso\\, Ltd", "O=\"Contoso, Ltd\"", "CN=a, OU=x, L=Redmond, S=WA, ST=WA, C=US",
        "E=admin@contoso.com, DC=contoso, DC=com", "STREET=1 Main St, SERIALNUMBER=1234",
        "T=Engineer, G=Ada, SN=Lovelace", "CN=caf\xc3\xa9"}) {
    CertificateSubject s;
    s.subject = subject;
    EXPECT_TRUE(ValidateCertificateSubject(s).ok()) << subject;
  }
  CertificateSubject sans_only;
  sans_only.sans.dns_names = {"a.test"};
  EXPECT_TRUE(ValidateCertificateSubject(sans_only).ok());

  CertificateSubject all = Leaf("CN=a");
  all.sans = {{"www.contoso.com", "*.contoso.com"},
              {"admin@contoso.com"},
              {"user@contoso.com"},
              {"https://contoso.com/x?y=1", "urn:uuid:1234"},
              {"10.0.0.1", "2001:db8::1"}};
  all.ekus = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", "2.5.29.37.0", "1.2.840.113549.1.1.1"};
  all.key_usage = {"DigitalSignature", "keyencipherment", "cRLSign", "decipherOnly"};
  EXPECT_TRUE(ValidateCertificateSubject(all).ok());
}

TEST(CertificateSubjectTest, RefusesMalformedSubjects) {
  struct Case {
    std::string subject;
    const char* fragment;
  } cases[] = {
      {"XX=a", "unknown attribute 'XX'"},
      {"CN=a, UID=b", "unknown attribute 'UID'"},
      {"CN", "lacks '='"},
      {"CN=a, b", "lacks '='"},
      {"=a", "attribute name is missing"},
      {"CN=", "is empty"},
      {"CN=a,", "ends with a separator"},
      {"CN=a\\", "backslash"},
      {"CN=\"a", "not terminated"},
      {"CN=\"a\" b", "text follows"},
      {"CN=a\"b", "quote inside"},
      {"C=USA", "'C'"},
      {"CN=" + std::string(65, 'a'), "'CN'"},
      {"CN=bad\xff", "'CN'"},
      {"CN=" + std::string(kMaxSubjectLength, 'a'), "longer than 1024"},
      {"", "subject or at least one subject alternative name"},
      {"   ", "subject or at least one subject alternative name"},
  };
  for (const Case& c : cases) {
    CertificateSubject s;
    s.subject = c.subject;
    EXPECT_TRUE(IsBadParameter(ValidateCertificateSubject(s), c.fragment)) << c.subject;
    EXPECT_TRUE(IsBadParameter(IssueCertificate(s, Ec(EcCurve::kP256), AroundNow(), {}).status()))
        << c.subject;
  }
}

TEST(CertificateSubjectTest, RefusesBadSansEkusAndUsages) {
  auto check = [](auto mutate, const char* fragment) {
    CertificateSubject s = Leaf("CN=a");
    mutate(s);
    EXPECT_TRUE(IsBadParameter(ValidateCertificateSubject(s), fragment)) << fragment;
    EXPECT_TRUE(IsBadParameter(CreateCertificateRequest(s, Ec(EcCurve::kP256)).status()));
  };
  for (const std::string& dns :
       std::vector<std::string>{"", "a b.test", "-a.test", "a..test", "a.*.test", "*", "a_b.test",
                                std::string(64, 'a') + ".test", "caf\xc3\xa9.test"}) {
    check([&](CertificateSubject& s) { s.sans.dns_names = {"ok.test", dns}; }, "DNS name");
  }
  for (std::string email :
       {"", "no-at", "@contoso.com", "a@", "a@b@c.com", "a b@c.com", "a@bad_domain", "a@*.c.com"}) {
    check([&](CertificateSubject& s) { s.sans.emails = {email}; }, "e-mail address");
  }
  for (std::string upn : {"user", "user@", "us er@contoso.com"}) {
    check([&](CertificateSubject& s) { s.sans.upns = {upn}; }, "UPN");
  }
  for (std::string uri :
       {"", "no-scheme", "/relative/path", "1http://x", "http:", ":x", "http://a b"}) {
    check([&](CertificateSubject& s) { s.sans.uris = {uri}; }, "URI");
  }
  for (std::string ip : {"", "1.2.3", "1.2.3.256", "1.2.3.4/8", "1.2.3.4x", " 1.2.3.4", "::g",
                         "fe80::1%eth0", "localhost"}) {
    check([&](CertificateSubject& s) { s.sans.ip_addresses = {ip}; }, "IP address");
  }
  for (std::string eku : {"", "serverAuth", "1", "1.", "1..2", "3.1", "1.40", "01.2", "1.3.06",
                          "1.3.6.1.5.5.7.3.1 "}) {
    check([&](CertificateSubject& s) { s.ekus = {eku}; }, "extended key usage");
  }
  for (std::string usage : {"", "sign", "digitalSignature ", "keyCertSigning"}) {
    check([&](CertificateSubject& s) { s.key_usage = {usage}; }, "key usage");
  }
  // Names in messages are shown printable only.
  CertificateSubject s = Leaf("CN=a");
  s.sans.dns_names = {"bad\x01name"};
  EXPECT_TRUE(IsBadParameter(ValidateCertificateSubject(s), "'bad?name'"));
}

// ==== IssueCertificate and InspectCertificate ====

TEST(CertificateIssueTest, SelfSignedRsaCarriesExactlyWhatWasAsked) {
  CertificateSubject subject;
  subject.subject = "CN=a, O=b, C=US";
  subject.sans = {{"www.contoso.com", "*.contoso.com"},
                  {"admin@contoso.com"},
                  {"user@contoso.com"},
                  {"https://contoso.com/path"},
                  {"10.0.0.1", "2001:db8::1"}};
  subject.ekus = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"};
  subject.key_usage = {"keyEncipherment", "DigitalSignature"};
  const CertificateValidity validity{1700000000, 1700000000 + 365 * kDay};
  const std::string der = SelfSigned(subject, Rsa(), validity);
  X509Ptr cert = ParseDer(der);
  ASSERT_TRUE(cert);

  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  EXPECT_EQ(ASN1_STRING_length(serial), 16);
  EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // positive
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert.get()), validity.not_before), 0);
  EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert.get()), validity.not_after), 0);
  // Subject RDNs in the order written.
  X509_NAME* name = X509_get_subject_name(cert.get());
  ASSERT_EQ(X509_NAME_entry_count(name), 3);
  EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name, 0))), NID_commonName);
  EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name, 2))), NID_countryName);

  Ext san = GetExt(cert.get(), NID_subject_alt_name);
  ASSERT_NE(san.value, nullptr);
  EXPECT_EQ(san.critical, 0);
  EXPECT_EQ(sk_GENERAL_NAME_num(static_cast<GENERAL_NAMES*>(san.value)), 7);
  GENERAL_NAMES_free(static_cast<GENERAL_NAMES*>(san.value));
  Ext usage = GetExt(cert.get(), NID_key_usage);
  ASSERT_NE(usage.value, nullptr);
  EXPECT_EQ(usage.critical, 1);
  EXPECT_EQ(X509_get_key_usage(cert.get()), uint32_t(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  ASN1_BIT_STRING_free(static_cast<ASN1_BIT_STRING*>(usage.value));
  Ext eku = GetExt(cert.get(), NID_ext_key_usage);
  ASSERT_NE(eku.value, nullptr);
  EXPECT_EQ(eku.critical, 0);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), uint32_t(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXTENDED_KEY_USAGE_free(static_cast<EXTENDED_KEY_USAGE*>(eku.value));
  Ext constraints = GetExt(cert.get(), NID_basic_constraints);
  ASSERT_NE(constraints.value, nullptr);
  EXPECT_EQ(constraints.critical, 1);
  EXPECT_EQ(static_cast<BASIC_CONSTRAINTS*>(constraints.value)->ca, 0);
  BASIC_CONSTRAINTS_free(static_cast<BASIC_CONSTRAINTS*>(constraints.value));
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get());
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert.get());
  ASSERT_NE(ski, nullptr);
  ASSERT_NE(aki, nullptr);
  EXPECT_EQ(OctetString(ski), OctetString(aki));
  EXPECT_EQ(ASN1_STRING_length(ski), 20);

  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->subject, "CN=a, O=b, C=US");
  EXPECT_EQ(info->issuer, "CN=a, O=b, C=US");
  EXPECT_EQ(info->sans, subject.sans);
  EXPECT_EQ(info->ekus, subject.ekus);
  EXPECT_EQ(info->key_usage, (std::vector<std::string>{"digitalSignature", "keyEncipherment"}));
  EXPECT_EQ(info->not_before, validity.not_before);
  EXPECT_EQ(info->not_after, validity.not_after);
  unsigned char sha1[20];
  unsigned int sha1_size = 0;
  X509_digest(cert.get(), EVP_sha1(), sha1, &sha1_size);
  EXPECT_EQ(info->sha1_thumbprint, std::string(reinterpret_cast<char*>(sha1), sha1_size));
  EXPECT_FALSE(info->is_ca);
  EXPECT_EQ(info->key_type, KeyType::kRsa);
  EXPECT_EQ(info->key_bits, 2048);
  EXPECT_FALSE(info->curve.has_value());
  EXPECT_TRUE(*CertificateMatchesKey(der, Rsa()));
  EXPECT_FALSE(*CertificateMatchesKey(der, OtherRsa()));
  EXPECT_FALSE(*CertificateMatchesKey(der, Ec(EcCurve::kP256)));
  EXPECT_FALSE(*CertificateMatchesKey(der, Oct()));
  EXPECT_TRUE(*CertificateSignedBy(der, der));
}

TEST(CertificateIssueTest, EverySerialIsFresh) {
  const CertificateSubject subject = Leaf("CN=serial");
  X509Ptr a = ParseDer(SelfSigned(subject, Ec(EcCurve::kP256)));
  X509Ptr b = ParseDer(SelfSigned(subject, Ec(EcCurve::kP256)));
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())), 0);
}

TEST(CertificateIssueTest, EcCurvesSignWithTheirHash) {
  struct Case {
    EcCurve curve;
    int nid;
    int bits;
  } cases[] = {{EcCurve::kP256, NID_ecdsa_with_SHA256, 256},
               {EcCurve::kP256K, NID_ecdsa_with_SHA256, 256},
               {EcCurve::kP384, NID_ecdsa_with_SHA384, 384},
               {EcCurve::kP521, NID_ecdsa_with_SHA512, 521}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(CurveName(c.curve)));
    const std::string der = SelfSigned(Ca("CN=EC CA, O=Keyhaven"), Ec(c.curve));
    X509Ptr cert = ParseDer(der);
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_get_signature_nid(cert.get()), c.nid);
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
    // The TBS copy of the algorithm matches the outer one, without parameters.
    const X509_ALGOR* inner = X509_get0_tbs_sigalg(cert.get());
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(nullptr, &outer, cert.get());
    EXPECT_EQ(X509_ALGOR_cmp(inner, outer), 0);
    int ptype = 0;
    X509_ALGOR_get0(nullptr, &ptype, nullptr, inner);
    EXPECT_EQ(ptype, V_ASN1_UNDEF);
    Ext constraints = GetExt(cert.get(), NID_basic_constraints);
    ASSERT_NE(constraints.value, nullptr);
    EXPECT_EQ(constraints.critical, 1);
    EXPECT_NE(static_cast<BASIC_CONSTRAINTS*>(constraints.value)->ca, 0);
    BASIC_CONSTRAINTS_free(static_cast<BASIC_CONSTRAINTS*>(constraints.value));

    StatusOr<CertificateDetails> info = InspectCertificate(der);
    ASSERT_TRUE(info.ok());
    EXPECT_TRUE(info->is_ca);
    EXPECT_EQ(info->key_type, KeyType::kEc);
    EXPECT_EQ(info->key_bits, c.bits);
    EXPECT_EQ(info->curve, c.curve);
    EXPECT_EQ(info->key_usage, (std::vector<std::string>{"keyCertSign", "cRLSign"}));
    EXPECT_TRUE(info->ekus.empty());
    EXPECT_TRUE(info->sans.empty());
    EXPECT_TRUE(*CertificateMatchesKey(der, Ec(c.curve)));
  }
}

TEST(CertificateIssueTest, CaSignedLeafVerifiesAgainstTheCa) {
  const std::string ca_der = SelfSigned(Ca("CN=Test CA, O=Keyhaven"), Ec(EcCurve::kP384));
  const std::string leaf_der =
      IssuedBy(Leaf("CN=leaf.test", {"leaf.test"}), Rsa(), ca_der, Ec(EcCurve::kP384));
  X509Ptr ca = ParseDer(ca_der);
  X509Ptr leaf = ParseDer(leaf_der);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(X509_get_signature_nid(leaf.get()), NID_ecdsa_with_SHA384);
  EXPECT_EQ(X509_verify(leaf.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_NE(X509_verify(leaf.get(), X509_get0_pubkey(leaf.get())), 1);
  EXPECT_EQ(X509_check_issued(ca.get(), leaf.get()), X509_V_OK);
  EXPECT_EQ(VerifyChain(leaf.get(), ca.get(), "leaf.test"), X509_V_OK);
  EXPECT_EQ(OctetString(X509_get0_authority_key_id(leaf.get())),
            OctetString(X509_get0_subject_key_id(ca.get())));
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(leaf.get()), X509_get_subject_name(ca.get())), 0);

  StatusOr<CertificateDetails> info = InspectCertificate(leaf_der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject, "CN=leaf.test");
  EXPECT_EQ(info->issuer, "CN=Test CA, O=Keyhaven");
  EXPECT_TRUE(*CertificateSignedBy(leaf_der, ca_der));
  EXPECT_FALSE(*CertificateSignedBy(leaf_der, leaf_der));
  EXPECT_FALSE(*CertificateSignedBy(ca_der, leaf_der));

  // And the openssl command agrees.
  TempDir dir;
  const std::string ca_pem = dir.Write("ca.pem", ToPem(ca_der));
  const std::string leaf_pem = dir.Write("leaf.pem", ToPem(leaf_der));
  EXPECT_TRUE(RunShell("openssl verify -x509_strict -purpose sslserver -CAfile '" + ca_pem + "' '" +
                       leaf_pem + "' >/dev/null"));
  ASSERT_TRUE(
      RunShell("openssl x509 -in '" + leaf_pem + "' -noout -text > '" + dir.Path("text") + "'"));
  const std::string text = dir.Read("text");
  EXPECT_NE(text.find("X509v3 Basic Constraints: critical"), std::string::npos) << text;
  EXPECT_NE(text.find("X509v3 Key Usage: critical"), std::string::npos);
  EXPECT_NE(text.find("Digital Signature, Key Encipherment"), std::string::npos);
  EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos);
  EXPECT_NE(text.find("DNS:leaf.test"), std::string::npos);
}

TEST(CertificateIssueTest, CaOfEveryKindSignsLeaves) {
  const KeyMaterial* cas[] = {&Rsa(), &Ec(EcCurve::kP256), &Ec(EcCurve::kP256K),
                              &Ec(EcCurve::kP521)};
  for (const KeyMaterial* ca_key : cas) {
    const std::string ca_der = SelfSigned(Ca("CN=CA"), *ca_key);
    const std::string leaf_der =
        IssuedBy(Leaf("CN=leaf", {"leaf.test"}), Ec(EcCurve::kP384), ca_der, *ca_key);
    X509Ptr ca = ParseDer(ca_der);
    X509Ptr leaf = ParseDer(leaf_der);
    ASSERT_TRUE(ca && leaf);
    EXPECT_EQ(X509_verify(leaf.get(), X509_get0_pubkey(ca.get())), 1);
    EXPECT_EQ(VerifyChain(leaf.get(), ca.get(), "leaf.test"), X509_V_OK);
  }
}

TEST(CertificateIssueTest, EmptySubjectMakesTheSanCritical) {
  CertificateSubject subject;
  subject.sans.dns_names = {"only-san.test"};
  const std::string der = SelfSigned(subject, Ec(EcCurve::kP256));
  X509Ptr cert = ParseDer(der);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(cert.get())), 0);
  Ext san = GetExt(cert.get(), NID_subject_alt_name);
  ASSERT_NE(san.value, nullptr);
  EXPECT_EQ(san.critical, 1);
  GENERAL_NAMES_free(static_cast<GENERAL_NAMES*>(san.value));
  // No key usage asked: none written, and basicConstraints still says CA:FALSE.
  EXPECT_EQ(X509_get_ext_by_NID(cert.get(), NID_key_usage, -1), -1);
  EXPECT_EQ(X509_get_ext_by_NID(cert.get(), NID_ext_key_usage, -1), -1);
  EXPECT_GE(X509_get_ext_by_NID(cert.get(), NID_basic_constraints, -1), 0);
  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->subject, "");
  EXPECT_EQ(info->sans.dns_names, std::vector<std::string>{"only-san.test"});
  EXPECT_FALSE(info->is_ca);
}

TEST(CertificateIssueTest, ValidityUsesUtcTimeThenGeneralizedTime) {
  const CertificateValidity validity{946684800, 2524608000 + 3600};  // 2000-01-01 .. 2050-01-01
  const std::string der = SelfSigned(Leaf("CN=long"), Ec(EcCurve::kP256), validity);
  X509Ptr cert = ParseDer(der);
  ASSERT_TRUE(cert);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notBefore(cert.get())), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(cert.get())), V_ASN1_GENERALIZEDTIME);
  StatusOr<CertificateDetails> info = InspectCertificate(der);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->not_before, validity.not_before);
  EXPECT_EQ(info->not_after, validity.not_after);

  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(Leaf("CN=a"), Ec(EcCurve::kP256), {2000, 1000}, {}).status(), "validity"));
  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(Leaf("CN=a"), Ec(EcCurve::kP256), {0, 253402300800}, {}).status()));
}

TEST(CertificateIssueTest, RefusesBadKeysAndSigners) {
  const std::string ca_der = SelfSigned(Ca("CN=CA"), Ec(EcCurve::kP256));
  const CertificateSubject leaf = Leaf("CN=leaf");
  EXPECT_TRUE(IsBadParameter(IssueCertificate(leaf, Oct(), AroundNow(), {}).status(), "RSA or EC"));
  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(leaf, Rsa(), AroundNow(), {&Ec(EcCurve::kP384), ca_der}).status(),
      "does not match"));
  EXPECT_TRUE(
      IsBadParameter(IssueCertificate(leaf, Rsa(), AroundNow(), {&Oct(), ca_der}).status(), "oct"));
  EXPECT_TRUE(IsBadParameter(IssueCertificate(leaf, Rsa(), AroundNow(), {nullptr, ca_der}).status(),
                             "missing"));
  EXPECT_TRUE(IsBadParameter(
      IssueCertificate(leaf, Rsa(), AroundNow(), {&Ec(EcCurve::kP256), "garbage"}).status()));
  EXPECT_TRUE(IsBadParameter(CreateCertificateRequest(leaf, Oct()).status(), "RSA or EC"));
}

// ==== Distinguished names: parsing and InspectCertificate's format ====

std::string InspectedSubject(const std::string& subject) {
  CertificateSubject s;
  s.subject = subject;
  StatusOr<std::string> der = IssueCertificate(s, Ec(EcCurve::kP256), AroundNow(), {});
  if (!der.ok()) return "error: " + der.status().message();
  return InspectCertificate(*der)->subject;
}

TEST(CertificateNameTest, FormatRoundTrips) {
  EXPECT_EQ(InspectedSubject("CN=a, O=b, C=US"), "CN=a, O=b, C=US");
  EXPECT_EQ(InspectedSubject("cn=MyCert"), "CN=MyCert");
  EXPECT_EQ(InspectedSubject("  CN = a ;O=b  "), "CN=a, O=b");
  EXPECT_EQ(InspectedSubject("S=WA, ST=OR"), "ST=WA, ST=OR");
  EXPECT_EQ(InspectedSubject("E=a@b.test, DC=contoso, DC=com, STREET=1 Main St, "
                             "SERIALNUMBER=42, T=Dr, G=Ada, SN=Lovelace, L=x, OU=y"),
            "E=a@b.test, DC=contoso, DC=com, STREET=1 Main St, SERIALNUMBER=42, T=Dr, G=Ada, "
            "SN=Lovelace, L=x, OU=y");
  EXPECT_EQ(InspectedSubject("CN=caf\xc3\xa9"), "CN=caf\xc3\xa9");
  // Values with special characters come back quoted, and the quoted form parses to the same
  // name.
  for (const char* subject : {"CN=Contoso\\, Ltd", "O=\"Contoso, Ltd\"", "CN=\"a;b\"",
                              "CN=\"say \\\"hi\\\"\"", "CN=a\\\\b", "CN=\" padded \"", "CN=x=y"}) {
    const std::string formatted = InspectedSubject(subject);
    EXPECT_EQ(InspectedSubject(formatted), formatted) << subject;
  }
  EXPECT_EQ(InspectedSubject("CN=Contoso\\, Ltd"), "CN=\"Contoso, Ltd\"");
  EXPECT_EQ(InspectedSubject("CN=\"say \\\"hi\\\"\""), "CN=\"say \\\"hi\\\"\"");
  // What InspectCertificate shows of foreign certificates (an EV certificate's jurisdiction and
  // business category, multi-valued RDNs) parses back, so such imports keep a usable policy.
  EXPECT_EQ(InspectedSubject("OID.1.3.6.1.4.1.311.60.2.1.3=US, OID.2.5.4.15=Private Organization, "
                             "CN=ev.example"),
            "OID.1.3.6.1.4.1.311.60.2.1.3=US, OID.2.5.4.15=Private Organization, CN=ev.example");
  EXPECT_EQ(InspectedSubject("CN=a + OU=b, O=c"), "CN=a + OU=b, O=c");
}

TEST(CertificateNameTest, ValuesAreStoredUnescaped) {
  CertificateSubject s;
  s.subject = "CN=Contoso\\, Ltd, O=\"a; b\", OU=\\\"x\\\", C=US";
  X509Ptr cert = ParseDer(SelfSigned(s, Ec(EcCurve::kP256)));
  ASSERT_TRUE(cert);
  X509_NAME* name = X509_get_subject_name(cert.get());
  EXPECT_EQ(NameText(name, NID_commonName), "Contoso, Ltd");
  EXPECT_EQ(NameText(name, NID_organizationName), "a; b");
  EXPECT_EQ(NameText(name, NID_organizationalUnitName), "\"x\"");
  EXPECT_EQ(NameText(name, NID_countryName), "US");
  // Key Vault's types: C is a PrintableString, CN a UTF8String.
  const X509_NAME_ENTRY* country = X509_NAME_get_entry(name, 3);
  EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(country)), V_ASN1_PRINTABLESTRING);
  const X509_NAME_ENTRY* common = X509_NAME_get_entry(name, 0);
  EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(common)), V_ASN1_UTF8STRING);
}

// ==== CreateCertificateRequest ====

TEST(CertificateRequestTest, RequestVerifiesAndCarriesTheExtensions) {
  for (const KeyMaterial* key : {&Rsa(), &Ec(EcCurve::kP521)}) {
    CertificateSubject subject = Leaf("CN=req.test, O=Keyhaven", {"req.test"});
    subject.sans.ip_addresses = {"192.0.2.1"};
    StatusOr<std::string> der = CreateCertificateRequest(subject, *key);
    ASSERT_TRUE(der.ok()) << der.status().ToString();
    const unsigned char* p = U(*der);
    ReqPtr req(d2i_X509_REQ(nullptr, &p, long(der->size())));
    ASSERT_TRUE(req);
    EXPECT_EQ(X509_REQ_get_version(req.get()), X509_REQ_VERSION_1);
    PkeyPtr pub(X509_REQ_get_pubkey(req.get()));
    EXPECT_EQ(X509_REQ_verify(req.get(), pub.get()), 1);
    EXPECT_EQ(X509_REQ_get_signature_nid(req.get()),
              key->type() == KeyType::kRsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA512);
    EXPECT_EQ(NameText(X509_REQ_get_subject_name(req.get()), NID_commonName), "req.test");

    STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(req.get());
    ASSERT_NE(extensions, nullptr);
    auto critical = [&](int nid) {
      const int index = X509v3_get_ext_by_NID(extensions, nid, -1);
      return index < 0 ? -1 : X509_EXTENSION_get_critical(X509v3_get_ext(extensions, index));
    };
    EXPECT_EQ(critical(NID_subject_alt_name), 0);
    EXPECT_EQ(critical(NID_ext_key_usage), 0);
    EXPECT_EQ(critical(NID_key_usage), 1);
    EXPECT_EQ(critical(NID_basic_constraints), 1);
    EXPECT_EQ(critical(NID_subject_key_identifier), -1);
    GENERAL_NAMES* names = static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr));
    ASSERT_NE(names, nullptr);
    EXPECT_EQ(sk_GENERAL_NAME_num(names), 2);
    GENERAL_NAMES_free(names);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);

    TempDir dir;
    const std::string path = dir.Write("req.der", *der);
    EXPECT_TRUE(RunShell("openssl req -inform DER -in '" + path + "' -noout -verify"));
  }
}

TEST(CertificateInspectTest, GarbageIsBadParameter) {
  const std::string der = RsaChain().leaf;
  EXPECT_TRUE(IsBadParameter(InspectCertificate("").status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate("garbage").status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate(der + der).status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate(der.substr(0, der.size() - 1)).status()));
  EXPECT_TRUE(IsBadParameter(InspectCertificate(ToPem(der)).status()));
  EXPECT_TRUE(IsBadParameter(CertificateMatchesKey("garbage", Rsa()).status()));
  EXPECT_TRUE(IsBadParameter(CertificateSignedBy(der, "garbage").status()));
  for (size_t i = 0; i < der.size(); i += 7) {  // flipped bytes: an error or a result, no crash
    std::string flipped = der;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
    StatusOr<CertificateDetails> info = InspectCertificate(flipped);
    if (!info.ok()) {
      EXPECT_TRUE(IsBadParameter(info.status())) << i;
    }
  }
}

TEST(CertificateChainTest, OrderChainPutsTheLeafFirst) {
  const Chain& chain = RsaChain();
  StatusOr<std::vector<std::string>> ordered = OrderChain({chain.ca, chain.leaf}, Rsa(), false);
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(*ordered, (std::vector<std::string>{chain.leaf, chain.ca}));
  ordered = OrderChain({chain.ca, chain.leaf}, Rsa(), true);
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(*ordered, (std::vector<std::string>{chain.ca, chain.leaf}));
  ordered = OrderChain({chain.ca, chain.leaf}, Ec(EcCurve::kP256), false);  // the CA's key
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(*ordered, (std::vector<std::string>{chain.ca, chain.leaf}));
  EXPECT_TRUE(IsBadParameter(OrderChain({chain.ca, chain.leaf}, OtherRsa(), false).status(),
                             "does not match"));
  EXPECT_TRUE(IsBadParameter(OrderChain({chain.ca, chain.leaf}, Oct(), false).status()));
  EXPECT_TRUE(IsBadParameter(OrderChain({}, Rsa(), false).status(), "empty"));
  EXPECT_TRUE(IsBadParameter(OrderChain({chain.leaf, "junk"}, Rsa(), false).status()));
}

// ==== An EC key in a PKCS#11 token signs ====

std::shared_ptr<HsmToken> Token() {
  static std::shared_ptr<HsmToken> token = testing::OpenTestToken();
  return token;
}

TEST(CertificateHsmTest, HsmCaSignsALeafAndRequests) {
  StatusOr<KeyMaterial> ca_key = KeyMaterial::GenerateEcInHsm(Token(), EcCurve::kP256);
  ASSERT_TRUE(ca_key.ok()) << ca_key.status().ToString();
  ASSERT_TRUE(ca_key->is_hsm());
  EXPECT_FALSE(CanExportPrivateKey(*ca_key));
  const std::string ca_der = SelfSigned(Ca("CN=HSM CA"), *ca_key);
  const std::string leaf_der = IssuedBy(Leaf("CN=hsm leaf", {"hsm.test"}), Rsa(), ca_der, *ca_key);
  X509Ptr ca = ParseDer(ca_der);
  X509Ptr leaf = ParseDer(leaf_der);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(X509_verify(ca.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_EQ(VerifyChain(leaf.get(), ca.get(), "hsm.test"), X509_V_OK);
  EXPECT_TRUE(*CertificateMatchesKey(ca_der, *ca_key));

  StatusOr<std::string> csr = CreateCertificateRequest(Leaf("CN=hsm csr"), *ca_key);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  const unsigned char* p = U(*csr);
  ReqPtr req(d2i_X509_REQ(nullptr, &p, long(csr->size())));
  ASSERT_TRUE(req);
  X509Ptr holder;
  EXPECT_EQ(X509_REQ_verify(req.get(), PublicKeyOf(ca_der, &holder)), 1);

  // Certificates of an HSM key go out without it.
  EXPECT_TRUE(IsBadParameter(EncodePkcs12({ca_der}, &*ca_key).status(), "exported"));
  EXPECT_TRUE(IsBadParameter(EncodePem({ca_der}, &*ca_key).status(), "exported"));
  EXPECT_TRUE(EncodePkcs12({ca_der}, nullptr).ok());
  StatusOr<std::vector<std::string>> ordered = OrderChain({leaf_der, ca_der}, *ca_key, false);
  ASSERT_TRUE(ordered.ok());
  EXPECT_EQ(ordered->front(), ca_der);
  EXPECT_TRUE(ca_key->DestroyInHsm().ok());
}

}  // namespace
}  // namespace kh::crypto
