#pragma once
// Principals: the callers Keyhaven knows. A service principal has a client id (appid), an object
// id (oid) and credentials it proves itself with at the token endpoint: client secrets (stored
// only as slow salted hashes) and certificates (RFC 7523 client assertions). Several of each may
// exist at once so they can be rotated; each has a validity window and can be removed.
#include <cstdint>
#include <string>
#include <vector>

#include "core/fields.h"

namespace kh::authn {

// Microsoft Graph's names for the two kinds of credential.
inline constexpr std::string_view kPasswordCredential = "Password";
inline constexpr std::string_view kCertificateCredential = "AsymmetricX509Cert";

struct Credential {
  std::string key_id;  // GUID
  std::string type;    // kPasswordCredential | kCertificateCredential
  std::string display_name;
  int64_t start = 0;                // seconds since the epoch
  int64_t end = 0;                  // seconds since the epoch; 0 = never expires
  std::string secret_hash;          // Password: crypto::HashPassword output
  std::string hint;                 // Password: the first three characters, as Entra ID shows
  std::string certificate_pem;      // Certificate
  std::string thumbprint_sha1;      // Certificate: base64url SHA-1 of the DER (x5t)
  std::string thumbprint_sha256;    // Certificate: base64url SHA-256 of the DER (x5t#S256)
  std::string certificate_subject;  // Certificate

  bool ValidAt(int64_t now) const { return now >= start && (end == 0 || now < end); }
  Fields ToFields() const;
  static Credential FromFields(const Fields& f);
};

struct Principal {
  std::string client_id;  // appid
  std::string object_id;  // oid
  std::string display_name;
  int64_t created = 0;
  bool bootstrap_admin = false;
  std::vector<Credential> credentials;

  Fields ToFields() const;
  static Principal FromFields(const Fields& f);
};

// What a verified access token says about its caller.
struct Caller {
  std::string object_id;
  std::string client_id;
  std::string tenant_id;
  std::string audience;
  int64_t expires = 0;
  std::string external_issuer;  // set when a trusted external OpenID issuer vouched for it
};

}  // namespace kh::authn
