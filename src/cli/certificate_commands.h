#pragma once
// `keyhaven certificate ...`: certificates through the data plane of one vault
// (https://{vault}.{host}:{port}/certificates/..., api-version 2025-07-01). Results print as JSON.
// - `create` sends only the policy members given (and issuer Self for a new certificate) and,
//   unless told not to, polls the pending operation until the certificate is issued (one whose
//   issuer is Unknown waits for a merge: its operation, with the CSR, is printed instead).
// - `import` reads a PFX or PEM file and its password file into SecretBytes; neither is printed.
// - `download` writes the certificate's managed secret (certificate and private key) to a file
//   with mode 0600 and prints only where it went, never the value.
// Not thread-safe (uses the session's client).
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/session.h"
#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::cli {

inline constexpr std::string_view kPkcs12ContentType = "application/x-pkcs12";
inline constexpr std::string_view kPemContentType = "application/x-pem-file";
// Largest certificate file `certificate import` reads (the server takes up to 256 KiB).
inline constexpr size_t kMaxCertificateFileBytes = 256 * 1024;
// Largest password file `certificate import` reads.
inline constexpr size_t kMaxPasswordFileBytes = 4096;

struct CertificateCreateArgs {
  std::string vault;
  std::string name;
  std::optional<std::string> subject;  // X.500 DN, e.g. "CN=example.com"
  std::vector<std::string> dns_names;
  std::optional<std::string> issuer;  // Self | Unknown | an issuer object's name (see below)
  std::optional<std::string> kty;     // RSA | EC | RSA-HSM | EC-HSM
  std::optional<int> size;
  std::optional<std::string> curve;
  std::optional<int> validity_months;
  std::optional<std::string> format;  // pkcs12 | pem: the managed secret's content type
  bool no_wait = false;
};
// {"policy":{"key_props":{..},"secret_props":{..},"x509_props":{..},"issuer":{..}}} with only the
// members given; {} when nothing is (a new version with the stored policy).
boost::json::value CertificateCreateBody(const CertificateCreateArgs& args);

// How `create` waits for the pending operation.
struct CertificatePolling {
  std::chrono::milliseconds interval{1000};
  int max_polls = 60;
};
// Without args.issuer, first GET /certificates/{name}/policy: when there is none (404) the new
// certificate is self-signed (issuer Self; the server's default, as Azure's, is Unknown), else
// the stored issuer stays. Then POST /certificates/{name}/create and, unless no_wait, GET
// .../pending every interval while the operation is inProgress. Prints the certificate when the
// operation completes; the operation when it waits for a merge (issuer Unknown) or when no_wait.
// A failed or cancelled operation is printed and returned as an error, as is one still in
// progress after max_polls.
Status CreateCertificate(const Session& session, const CertificateCreateArgs& args,
                         const CertificatePolling& polling = {});

struct CertificateImportArgs {
  std::string vault;
  std::string name;
  std::string file;                          // PFX (binary) or PEM (text)
  std::optional<std::string> password_file;  // one trailing newline is removed
};
// True for PEM text: the bytes contain "-----BEGIN".
bool LooksLikePem(std::string_view bytes);
// {"value":<PEM text or base64 of the PFX>,"pwd":..,"policy":{"secret_props":
// {"contentType":"application/x-pem-file"}} (PEM only)}; pwd only when `password` is given.
SecretBytes CertificateImportBody(const SecretBytes& file_bytes, const SecretBytes* password);
Status ImportCertificate(const Session& session, const CertificateImportArgs& args);

Status ShowCertificate(const Session& session, std::string_view vault, std::string_view name,
                       std::string_view version);
Status ListCertificates(const Session& session, std::string_view vault);
Status ListCertificateVersions(const Session& session, std::string_view vault,
                               std::string_view name);
Status DeleteCertificate(const Session& session, std::string_view vault, std::string_view name);
Status ListDeletedCertificates(const Session& session, std::string_view vault);
Status RecoverCertificate(const Session& session, std::string_view vault, std::string_view name);
Status PurgeCertificate(const Session& session, std::string_view vault, std::string_view name);
// Writes the decoded backup blob to `file` (mode 0600).
Status BackupCertificate(const Session& session, std::string_view vault, std::string_view name,
                         const std::string& file);
Status RestoreCertificate(const Session& session, std::string_view vault, const std::string& file);

struct CertificateDownloadArgs {
  std::string vault;
  std::string name;
  std::string version;         // empty = latest
  std::string file;            // written with mode 0600
  std::string format = "pem";  // pem | pfx
};
// GET /secrets/{name}/{version}?outContentType=...: PEM text is written as it is, a PFX decoded
// from base64. Prints {"file","format","id"}.
Status DownloadCertificate(const Session& session, const CertificateDownloadArgs& args);

}  // namespace kh::cli
