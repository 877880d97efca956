// Names and extensions of Key Vault certificates: the DN syntax of a policy's subject, the
// checks on SANs, EKUs and key usages, the extensions built from them, and reading them back.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <iterator>
#include <memory>
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
using internal::ExtensionPtr;
using internal::ExtensionsPtr;
using internal::OpenSslError;
using internal::OsslPtr;
using internal::UBytes;
using internal::X509NamePtr;
using Asn1BitStringPtr = OsslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using Asn1ObjectPtr = OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1StringPtr = OsslPtr<ASN1_STRING, ASN1_STRING_free>;
using Asn1TypePtr = OsslPtr<ASN1_TYPE, ASN1_TYPE_free>;
using BasicConstraintsPtr = OsslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using ExtendedKeyUsagePtr = OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using GeneralNamePtr = OsslPtr<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;

constexpr size_t kMaxDnsLength = 253;
constexpr size_t kMaxLabelLength = 63;
constexpr size_t kMaxSanLength = 1024;  // e-mail addresses, UPNs and URIs
constexpr size_t kMaxOidLength = 128;
constexpr size_t kMaxQuotedLength = 64;
constexpr int kKeyUsageBits = static_cast<int>(std::size(kKeyUsageNames));
constexpr int kKeyCertSignBit = 5;

// Key Vault's DN attribute names. Format writes the first name listed for a NID ("ST", not "S").
struct Attribute {
  const char* name;
  int nid;
};
constexpr Attribute kAttributes[] = {{"CN", NID_commonName},
                                     {"O", NID_organizationName},
                                     {"OU", NID_organizationalUnitName},
                                     {"L", NID_localityName},
                                     {"ST", NID_stateOrProvinceName},
                                     {"S", NID_stateOrProvinceName},
                                     {"C", NID_countryName},
                                     {"E", NID_pkcs9_emailAddress},
                                     {"DC", NID_domainComponent},
                                     {"STREET", NID_streetAddress},
                                     {"SERIALNUMBER", NID_serialNumber},
                                     {"T", NID_title},
                                     {"G", NID_givenName},
                                     {"SN", NID_surname}};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
// ',' and ';' end an RDN; '+' joins the next attribute to the same (multi-valued) RDN.
bool IsSeparator(char c) { return c == ',' || c == ';' || c == '+'; }
// Visible ASCII: what IA5String names (e-mail, URI) may hold, spaces excluded.
bool IsVisibleAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// A caller's value for an error message: at most kMaxQuotedLength characters, quoted, with
// anything but printable ASCII shown as '?'.
std::string Quote(std::string_view value) {
  std::string out = "'";
  for (unsigned char c : value.substr(0, kMaxQuotedLength)) {
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (value.size() > kMaxQuotedLength) out += "...";
  return out + "'";
}

Status Malformed(std::string_view detail) {
  return BadParameter("The subject is not a valid distinguished name: " + std::string(detail) +
                      ".");
}

void SkipBlanks(std::string_view s, size_t* i) {
  while (*i < s.size() && IsBlank(s[*i])) ++*i;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDottedOid(std::string_view oid);

struct ObjectFree {
  void operator()(ASN1_OBJECT* object) const { ASN1_OBJECT_free(object); }  // no-op if static
};
using ObjectPtr = std::unique_ptr<ASN1_OBJECT, ObjectFree>;

// The attribute's object: a Key Vault name, or "OID.1.2.3" (how names are shown for attributes
// without one, so that a policy read from an imported certificate parses back).
StatusOr<ObjectPtr> AttributeObject(std::string_view name) {
  if (name.empty()) return Malformed("an attribute name is missing");
  for (const Attribute& attribute : kAttributes) {
    if (EqualsIgnoreCase(name, attribute.name)) {
      return ObjectPtr(const_cast<ASN1_OBJECT*>(OBJ_nid2obj(attribute.nid)));
    }
  }
  if (name.size() > 4 && EqualsIgnoreCase(name.substr(0, 4), "OID.") &&
      IsDottedOid(name.substr(4))) {
    const std::string dotted(name.substr(4));
    ObjectPtr object(OBJ_txt2obj(dotted.c_str(), /*no_name=*/1));
    if (object) return object;
    ERR_clear_error();
  }
  return BadParameter("The subject contains the unknown attribute " + Quote(name) +
                      ". Supported: CN, O, OU, L, S or ST, C, E, DC, STREET, SERIALNUMBER, T, G, "
                      "SN, or OID.<dotted OID>.");
}

// A double-quoted value starting at s[*i] == '"'; a backslash escapes the next character.
StatusOr<std::string> ParseQuotedValue(std::string_view s, size_t* i) {
  std::string value;
  for (++*i;; ++*i) {
    if (*i >= s.size()) return Malformed("a quoted value is not terminated");
    if (s[*i] == '"') break;
    if (s[*i] == '\\' && ++*i >= s.size()) return Malformed("it ends with a backslash");
    value.push_back(s[*i]);
  }
  ++*i;
  SkipBlanks(s, i);
  if (*i < s.size() && !IsSeparator(s[*i])) return Malformed("text follows a quoted value");
  return value;
}

// An unquoted value up to the next unescaped ',' or ';', without trailing unescaped blanks.
StatusOr<std::string> ParsePlainValue(std::string_view s, size_t* i) {
  std::string value;
  size_t kept = 0;
  for (; *i < s.size() && !IsSeparator(s[*i]); ++*i) {
    if (s[*i] == '"') return Malformed("a quote inside an unquoted value");
    const bool escaped = s[*i] == '\\';
    if (escaped && ++*i >= s.size()) return Malformed("it ends with a backslash");
    value.push_back(s[*i]);
    if (escaped || !IsBlank(s[*i])) kept = value.size();
  }
  value.resize(kept);
  return value;
}

// One "ATTR=value" starting at s[*i] (blanks skipped), added to `name` (to the previous RDN when
// `same_rdn`); leaves *i at the separator or the end.
Status ParseRdn(std::string_view s, size_t* i, X509_NAME* name, bool same_rdn) {
  const size_t equals = s.find_first_of("=,;", *i);
  if (equals == std::string_view::npos || s[equals] != '=') {
    return Malformed("an element lacks '='");
  }
  const std::string_view attribute = TrimBlanks(s.substr(*i, equals - *i));
  KH_ASSIGN_OR_RETURN(ObjectPtr object, AttributeObject(attribute));
  *i = equals + 1;
  SkipBlanks(s, i);
  StatusOr<std::string> value =
      *i < s.size() && s[*i] == '"' ? ParseQuotedValue(s, i) : ParsePlainValue(s, i);
  if (!value.ok()) return value.status();
  if (value->empty()) return BadParameter("The subject's " + Quote(attribute) + " is empty.");
  // OpenSSL applies each attribute's ASN.1 type and size (C: two PrintableString letters, CN: at
  // most 64 characters, E: IA5String, ...), and refuses invalid UTF-8.
  if (X509_NAME_add_entry_by_OBJ(name, object.get(), MBSTRING_UTF8, UBytes(*value),
                                 static_cast<int>(value->size()), -1, same_rdn ? -1 : 0) != 1) {
    return BadParameter("The subject's " + Quote(attribute) +
                        " value has a length or characters that attribute does not allow.");
  }
  return Status::Ok();
}

// The text of a name entry as UTF-8; "#" and hex for a value that does not convert.
std::string EntryText(const X509_NAME_ENTRY* entry) {
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length >= 0) {
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
    OPENSSL_free(utf8);
    return out;
  }
  ERR_clear_error();
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out = "#";
  const unsigned char* bytes = ASN1_STRING_get0_data(data);
  for (int i = 0; i < ASN1_STRING_length(data); ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

// Quotes a value that would not parse back unquoted (ParseQuotedValue undoes the escapes).
std::string FormatValue(std::string_view value) {
  const bool quote = value.empty() || IsBlank(value.front()) || IsBlank(value.back()) ||
                     value.find_first_of(",;\"\\+=<>#\r\n") != std::string_view::npos;
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string AttributeName(const ASN1_OBJECT* object) {
  const int nid = OBJ_obj2nid(object);
  for (const Attribute& attribute : kAttributes) {
    if (nid != NID_undef && attribute.nid == nid) return attribute.name;
  }
  char oid[kMaxOidLength] = {};
  OBJ_obj2txt(oid, sizeof(oid), object, /*no_name=*/1);
  return std::string("OID.") + oid;
}

bool IsMailbox(std::string_view address) {  // local@domain (e-mail addresses and UPNs)
  const size_t at = address.find('@');
  if (address.size() > kMaxSanLength || at == 0 || at == std::string_view::npos) return false;
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  return IsVisibleAscii(local) && domain.find('@') == std::string_view::npos &&
         domain.substr(0, 2) != "*." && internal::IsValidDnsName(domain);
}

bool IsAbsoluteUri(std::string_view uri) {  // scheme ":" rest (RFC 3986 section 3)
  const size_t colon = uri.find(':');
  if (uri.size() > kMaxSanLength || colon == 0 || colon == std::string_view::npos ||
      colon + 1 == uri.size() || !IsAlpha(uri[0]) || !IsVisibleAscii(uri)) {
    return false;
  }
  for (char c : uri.substr(0, colon)) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// The 4 or 16 bytes of an IPv4 or IPv6 address in text form.
std::optional<std::string> IpAddressBytes(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string terminated(text);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, terminated.c_str(), bytes) == 1) {
    return std::string(reinterpret_cast<char*>(bytes), 4);
  }
  if (inet_pton(AF_INET6, terminated.c_str(), bytes) == 1) {
    return std::string(reinterpret_cast<char*>(bytes), 16);
  }
  return std::nullopt;
}

std::string IpAddressText(const ASN1_OCTET_STRING* bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  const int length = ASN1_STRING_length(bytes);
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
  if (family == 0 ||
      inet_ntop(family, ASN1_STRING_get0_data(bytes), text, sizeof(text)) == nullptr) {
    return "";
  }
  return text;
}

// Arcs of digits without leading zeros; the first 0, 1 or 2, the second below 40 unless the
// first is 2; at least two arcs.
bool IsDottedOid(std::string_view oid) {
  if (oid.empty() || oid.size() > kMaxOidLength) return false;
  size_t arcs = 0;
  size_t start = 0;
  for (size_t i = 0; i <= oid.size(); ++i) {
    if (i < oid.size() && oid[i] != '.') {
      if (!IsDigit(oid[i])) return false;
      continue;
    }
    const std::string_view arc = oid.substr(start, i - start);
    if (arc.empty() || (arc.size() > 1 && arc[0] == '0')) return false;
    if (arcs == 0 && (arc.size() > 1 || arc[0] > '2')) return false;
    if (arcs == 1 && oid[0] != '2' && (arc.size() > 2 || (arc.size() == 2 && arc[0] >= '4'))) {
      return false;
    }
    ++arcs;
    start = i + 1;
  }
  return arcs >= 2;
}

std::optional<int> KeyUsageBit(std::string_view name) {
  for (int bit = 0; bit < kKeyUsageBits; ++bit) {
    if (EqualsIgnoreCase(name, kKeyUsageNames[bit])) return bit;
  }
  return std::nullopt;
}

Status CheckSans(const SubjectAlternativeNames& sans) {
  for (const std::string& dns : sans.dns_names) {
    if (!internal::IsValidDnsName(dns)) {
      return BadParameter("Invalid DNS name in the subject alternative names: " + Quote(dns) + ".");
    }
  }
  for (const std::string& email : sans.emails) {
    if (!IsMailbox(email)) {
      return BadParameter(
          "Invalid e-mail address in the subject alternative names: " + Quote(email) + ".");
    }
  }
  for (const std::string& upn : sans.upns) {
    if (!IsMailbox(upn)) {
      return BadParameter("Invalid UPN in the subject alternative names: " + Quote(upn) + ".");
    }
  }
  for (const std::string& uri : sans.uris) {
    if (!IsAbsoluteUri(uri)) {
      return BadParameter("Invalid URI in the subject alternative names (it must be absolute): " +
                          Quote(uri) + ".");
    }
  }
  for (const std::string& ip : sans.ip_addresses) {
    if (!IpAddressBytes(ip)) {
      return BadParameter("Invalid IP address in the subject alternative names: " + Quote(ip) +
                          ".");
    }
  }
  return Status::Ok();
}

// Moves `name` into `names`.
Status PushName(GENERAL_NAMES* names, GeneralNamePtr name) {
  if (sk_GENERAL_NAME_push(names, name.get()) <= 0) return OpenSslError("Allocation failed");
  name.release();
  return Status::Ok();
}

// A GENERAL_NAME of `type` whose value is an ASN1_STRING (IA5String or OCTET STRING) of bytes.
Status PushStringName(GENERAL_NAMES* names, int type, Asn1StringPtr value, std::string_view bytes) {
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!name || !value ||
      ASN1_STRING_set(value.get(), bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return OpenSslError("Allocation failed");
  }
  GENERAL_NAME_set0_value(name.get(), type, value.release());
  return PushName(names, std::move(name));
}

// otherName { msUPN, [0] UTF8String }, as Windows writes user principal names.
Status PushUpn(GENERAL_NAMES* names, std::string_view upn) {
  Asn1StringPtr utf8(ASN1_UTF8STRING_new());
  Asn1TypePtr value(ASN1_TYPE_new());
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!utf8 || !value || !name ||
      ASN1_STRING_set(utf8.get(), upn.data(), static_cast<int>(upn.size())) != 1) {
    return OpenSslError("Allocation failed");
  }
  ASN1_TYPE_set(value.get(), V_ASN1_UTF8STRING, utf8.release());
  Asn1ObjectPtr oid(OBJ_nid2obj(NID_ms_upn));
  if (!oid || GENERAL_NAME_set0_othername(name.get(), oid.get(), value.get()) != 1) {
    return OpenSslError("Allocation failed");
  }
  oid.release();  // owned by name now
  value.release();
  return PushName(names, std::move(name));
}

// An extension built by X509V3_EXT_i2d (null if that failed).
StatusOr<ExtensionPtr> Built(void* extension) {
  ExtensionPtr owned(static_cast<X509_EXTENSION*>(extension));
  if (!owned) return OpenSslError("Building a certificate extension failed");
  return owned;
}

Status PushExtension(stack_st_X509_EXTENSION* extensions, ExtensionPtr extension) {
  if (sk_X509_EXTENSION_push(extensions, extension.get()) <= 0) {
    return OpenSslError("Allocation failed");
  }
  extension.release();
  return Status::Ok();
}

StatusOr<ExtensionPtr> ExtendedKeyUsageExtension(const std::vector<std::string>& ekus) {
  ExtendedKeyUsagePtr usage(sk_ASN1_OBJECT_new_null());
  if (!usage) return OpenSslError("Allocation failed");
  for (const std::string& eku : ekus) {
    Asn1ObjectPtr oid(OBJ_txt2obj(eku.c_str(), /*no_name=*/1));
    if (!oid) return BadParameter("Invalid extended key usage " + Quote(eku) + ".");
    bool duplicate = false;
    for (int i = 0; i < sk_ASN1_OBJECT_num(usage.get()); ++i) {
      duplicate = duplicate || OBJ_cmp(sk_ASN1_OBJECT_value(usage.get(), i), oid.get()) == 0;
    }
    if (duplicate) continue;
    if (sk_ASN1_OBJECT_push(usage.get(), oid.get()) <= 0) return OpenSslError("Allocation failed");
    oid.release();
  }
  return Built(X509V3_EXT_i2d(NID_ext_key_usage, 0, usage.get()));
}

StatusOr<ExtensionPtr> KeyUsageExtension(const std::vector<std::string>& usages) {
  Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits) return OpenSslError("Allocation failed");
  for (const std::string& usage : usages) {
    const std::optional<int> bit = KeyUsageBit(usage);
    if (!bit) return BadParameter("Invalid key usage " + Quote(usage) + ".");
    if (ASN1_BIT_STRING_set_bit(bits.get(), *bit, 1) != 1) return OpenSslError("Allocation failed");
  }
  return Built(X509V3_EXT_i2d(NID_key_usage, 1, bits.get()));
}

StatusOr<ExtensionPtr> BasicConstraintsExtension(bool ca) {
  BasicConstraintsPtr constraints(BASIC_CONSTRAINTS_new());
  if (!constraints) return OpenSslError("Allocation failed");
  constraints->ca = ca ? 0xff : 0;
  return Built(X509V3_EXT_i2d(NID_basic_constraints, 1, constraints.get()));
}

Status ExtensionProblem(int nid) {
  return BadParameter(std::string("The certificate's ") + OBJ_nid2sn(nid) +
                      " extension is malformed or repeated.");
}

// X509_get_ext_d2i's result, or BadParameter when the extension is malformed or repeated.
StatusOr<void*> DecodeExtension(const X509* cert, int nid) {
  int critical = 0;
  void* decoded = X509_get_ext_d2i(cert, nid, &critical, nullptr);
  if (decoded == nullptr && critical != -1) return ExtensionProblem(nid);
  return decoded;
}

void AddGeneralName(const GENERAL_NAME* name, SubjectAlternativeNames* sans) {
  int type = 0;
  void* value = GENERAL_NAME_get0_value(name, &type);
  const auto text = [](const void* v) {
    const auto* s = static_cast<const ASN1_STRING*>(v);
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
  };
  switch (type) {
    case GEN_DNS:
      sans->dns_names.push_back(text(value));
      break;
    case GEN_EMAIL:
      sans->emails.push_back(text(value));
      break;
    case GEN_URI:
      sans->uris.push_back(text(value));
      break;
    case GEN_IPADD:
      if (std::string ip = IpAddressText(static_cast<const ASN1_OCTET_STRING*>(value));
          !ip.empty()) {
        sans->ip_addresses.push_back(std::move(ip));
      }
      break;
    case GEN_OTHERNAME: {
      const auto* other = static_cast<const OTHERNAME*>(value);
      if (OBJ_obj2nid(other->type_id) == NID_ms_upn && other->value != nullptr &&
          other->value->type == V_ASN1_UTF8STRING) {
        sans->upns.push_back(text(other->value->value.utf8string));
      }
      break;
    }
    default:
      break;  // directory names, registered IDs, ...: not part of Key Vault's model
  }
}

Status ReadSans(const X509* cert, SubjectAlternativeNames* sans) {
  KH_ASSIGN_OR_RETURN(void* decoded, DecodeExtension(cert, NID_subject_alt_name));
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(decoded));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    AddGeneralName(sk_GENERAL_NAME_value(names.get(), i), sans);
  }
  return Status::Ok();
}

Status ReadExtendedKeyUsage(const X509* cert, std::vector<std::string>* ekus) {
  KH_ASSIGN_OR_RETURN(void* decoded, DecodeExtension(cert, NID_ext_key_usage));
  ExtendedKeyUsagePtr usage(static_cast<EXTENDED_KEY_USAGE*>(decoded));
  for (int i = 0; usage && i < sk_ASN1_OBJECT_num(usage.get()); ++i) {
    char oid[kMaxOidLength] = {};
    const int length = OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(usage.get(), i), 1);
    if (length <= 0 || static_cast<size_t>(length) >= sizeof(oid)) {
      return ExtensionProblem(NID_ext_key_usage);
    }
    ekus->emplace_back(oid, static_cast<size_t>(length));
  }
  return Status::Ok();
}

Status ReadKeyUsage(const X509* cert, std::vector<std::string>* usages) {
  KH_ASSIGN_OR_RETURN(void* decoded, DecodeExtension(cert, NID_key_usage));
  Asn1BitStringPtr bits(static_cast<ASN1_BIT_STRING*>(decoded));
  for (int bit = 0; bits && bit < kKeyUsageBits; ++bit) {
    if (ASN1_BIT_STRING_get_bit(bits.get(), bit) == 1) usages->push_back(kKeyUsageNames[bit]);
  }
  return Status::Ok();
}

StatusOr<bool> ReadIsCa(const X509* cert) {
  KH_ASSIGN_OR_RETURN(void* decoded, DecodeExtension(cert, NID_basic_constraints));
  BasicConstraintsPtr constraints(static_cast<BASIC_CONSTRAINTS*>(decoded));
  return constraints != nullptr && constraints->ca != 0;
}

}  // namespace

namespace internal {

bool IsValidDnsName(std::string_view name) {
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.empty() || name.size() > kMaxDnsLength) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::string_view label = name.substr(label_start, i - label_start);
      if (label.empty() || label.size() > kMaxLabelLength || label.front() == '-' ||
          label.back() == '-') {
        return false;
      }
      label_start = i + 1;
      continue;
    }
    if (!IsAlpha(name[i]) && !IsDigit(name[i]) && name[i] != '-') return false;
  }
  return true;
}

StatusOr<X509NamePtr> ParseDistinguishedName(std::string_view dn) {
  if (dn.size() > kMaxSubjectLength) {
    return BadParameter("The subject is longer than " + std::to_string(kMaxSubjectLength) +
                        " characters.");
  }
  X509NamePtr name(X509_NAME_new());
  if (!name) return OpenSslError("Allocation failed");
  size_t i = 0;
  SkipBlanks(dn, &i);
  bool same_rdn = false;
  while (i < dn.size()) {
    KH_RETURN_IF_ERROR(ParseRdn(dn, &i, name.get(), same_rdn));
    if (i == dn.size()) break;
    same_rdn = dn[i] == '+';
    ++i;  // the separator
    SkipBlanks(dn, &i);
    if (i == dn.size()) return Malformed("it ends with a separator");
  }
  return name;
}

std::string FormatDistinguishedName(const X509_NAME* name) {
  std::string out;
  int previous_set = -1;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const int set = X509_NAME_ENTRY_set(entry);
    if (i > 0) out += set == previous_set ? " + " : ", ";  // " + " joins a multi-valued RDN
    previous_set = set;
    out += AttributeName(X509_NAME_ENTRY_get_object(entry));
    out += '=';
    out += FormatValue(EntryText(entry));
  }
  return out;
}

StatusOr<ExtensionPtr> SubjectAltNameExtension(const SubjectAlternativeNames& sans, bool critical) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return OpenSslError("Allocation failed");
  const struct {
    const std::vector<std::string>& values;
    int type;
  } ia5_names[] = {{sans.dns_names, GEN_DNS}, {sans.emails, GEN_EMAIL}};
  for (const auto& group : ia5_names) {
    for (const std::string& value : group.values) {
      KH_RETURN_IF_ERROR(
          PushStringName(names.get(), group.type, Asn1StringPtr(ASN1_IA5STRING_new()), value));
    }
  }
  for (const std::string& upn : sans.upns) KH_RETURN_IF_ERROR(PushUpn(names.get(), upn));
  for (const std::string& uri : sans.uris) {
    KH_RETURN_IF_ERROR(
        PushStringName(names.get(), GEN_URI, Asn1StringPtr(ASN1_IA5STRING_new()), uri));
  }
  for (const std::string& ip : sans.ip_addresses) {
    const std::optional<std::string> bytes = IpAddressBytes(ip);
    if (!bytes) {
      return BadParameter("Invalid IP address in the subject alternative names: " + Quote(ip) +
                          ".");
    }
    KH_RETURN_IF_ERROR(
        PushStringName(names.get(), GEN_IPADD, Asn1StringPtr(ASN1_OCTET_STRING_new()), *bytes));
  }
  ExtensionPtr extension(X509V3_EXT_i2d(NID_subject_alt_name, critical ? 1 : 0, names.get()));
  if (!extension) return OpenSslError("Building the subjectAltName extension failed");
  return extension;
}

StatusOr<ExtensionsPtr> SubjectExtensions(const CertificateSubject& subject, bool empty_subject) {
  ExtensionsPtr extensions(sk_X509_EXTENSION_new_null());
  if (!extensions) return OpenSslError("Allocation failed");
  if (!subject.sans.empty()) {
    // RFC 5280 4.2.1.6: with an empty subject, subjectAltName must be critical.
    KH_ASSIGN_OR_RETURN(ExtensionPtr san, SubjectAltNameExtension(subject.sans, empty_subject));
    KH_RETURN_IF_ERROR(PushExtension(extensions.get(), std::move(san)));
  }
  if (!subject.ekus.empty()) {
    KH_ASSIGN_OR_RETURN(ExtensionPtr eku, ExtendedKeyUsageExtension(subject.ekus));
    KH_RETURN_IF_ERROR(PushExtension(extensions.get(), std::move(eku)));
  }
  bool ca = false;
  if (!subject.key_usage.empty()) {
    KH_ASSIGN_OR_RETURN(ExtensionPtr usage, KeyUsageExtension(subject.key_usage));
    KH_RETURN_IF_ERROR(PushExtension(extensions.get(), std::move(usage)));
    for (const std::string& name_of_usage : subject.key_usage) {
      ca = ca || KeyUsageBit(name_of_usage) == kKeyCertSignBit;
    }
  }
  KH_ASSIGN_OR_RETURN(ExtensionPtr constraints, BasicConstraintsExtension(ca));
  KH_RETURN_IF_ERROR(PushExtension(extensions.get(), std::move(constraints)));
  return extensions;
}

Status ReadSubjectExtensions(const X509* cert, CertificateDetails* info) {
  KH_RETURN_IF_ERROR(ReadSans(cert, &info->sans));
  KH_RETURN_IF_ERROR(ReadExtendedKeyUsage(cert, &info->ekus));
  KH_RETURN_IF_ERROR(ReadKeyUsage(cert, &info->key_usage));
  KH_ASSIGN_OR_RETURN(info->is_ca, ReadIsCa(cert));
  return Status::Ok();
}

}  // namespace internal

Status ValidateCertificateSubject(const CertificateSubject& subject) {
  KH_ASSIGN_OR_RETURN(X509NamePtr name, internal::ParseDistinguishedName(subject.subject));
  if (X509_NAME_entry_count(name.get()) == 0 && subject.sans.empty()) {
    return BadParameter("A certificate needs a subject or at least one subject alternative name.");
  }
  KH_RETURN_IF_ERROR(CheckSans(subject.sans));
  for (const std::string& eku : subject.ekus) {
    if (!IsDottedOid(eku)) {
      return BadParameter("Invalid extended key usage " + Quote(eku) +
                          ": it must be a dotted OID such as 1.3.6.1.5.5.7.3.1.");
    }
  }
  for (const std::string& usage : subject.key_usage) {
    if (!KeyUsageBit(usage)) {
      return BadParameter("Invalid key usage " + Quote(usage) +
                          ". Supported: digitalSignature, nonRepudiation, keyEncipherment, "
                          "dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, "
                          "decipherOnly.");
    }
  }
  return Status::Ok();
}

}  // namespace kh::crypto
