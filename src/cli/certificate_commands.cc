#include "cli/certificate_commands.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <thread>

#include "cli/files.h"
#include "cli/json_calls.h"
#include "cli/json_util.h"
#include "cli/output.h"
#include "cli/urls.h"
#include "cli/wipe.h"
#include "core/ascii.h"
#include "core/base64.h"

namespace kh::cli {
namespace json = boost::json;
namespace {

constexpr size_t kMaxCertificateBackupBytes = 16 * 1024 * 1024;

StatusOr<std::string> CertificateUrl(const Session& session, std::string_view vault,
                                     const std::vector<std::string_view>& segments) {
  KH_ASSIGN_OR_RETURN(std::string vault_url, VaultUrl(session.api.server(), vault));
  return DataPlaneUrl(vault_url, segments);
}

// `url` with one more query parameter (name and value percent-encoded).
std::string AddQuery(std::string url, std::string_view name, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += PercentEncode(name);
  url += '=';
  url += PercentEncode(value);
  return url;
}

Status CheckName(std::string_view name) {
  if (name.empty()) return InvalidArgument("certificate name must not be empty");
  return Status::Ok();
}

std::string OperationStatus(const json::value& operation) {
  return GetString(operation, "status").value_or("");
}

bool IsInProgress(const json::value& operation) {
  return AsciiEqualsIgnoreCase(OperationStatus(operation), "inProgress");
}

bool WaitsForMerge(const json::value& operation) {
  const json::value* issuer = GetMember(operation, "issuer");
  return issuer != nullptr &&
         AsciiEqualsIgnoreCase(GetString(*issuer, "name").value_or(""), "Unknown");
}

// The error for an operation that ended without a certificate (failed, cancelled, ...).
Status OperationError(const json::value& operation) {
  const std::string status = OperationStatus(operation);
  std::string code = AsciiEqualsIgnoreCase(status, "cancelled") ? "CertificateOperationCancelled"
                                                                : "CertificateOperationFailed";
  std::string message = "the certificate operation ended with status \"" + status + "\"";
  if (const json::value* error = GetMember(operation, "error")) {
    if (auto c = GetString(*error, "code"); c && !c->empty()) code = *c;
    if (auto m = GetString(*error, "message"); m && !m->empty()) message += ": " + *m;
  } else if (auto details = GetString(operation, "status_details"); details && !details->empty()) {
    message += ": " + *details;
  }
  return Status(StatusCode::kConflict, std::move(code), std::move(message));
}

}  // namespace

json::value CertificateCreateBody(const CertificateCreateArgs& args) {
  json::object policy;
  json::object key_props;
  if (args.kty) key_props["kty"] = *args.kty;
  if (args.size) key_props["key_size"] = *args.size;
  if (args.curve) key_props["crv"] = *args.curve;
  if (!key_props.empty()) policy["key_props"] = std::move(key_props);
  if (args.format) {
    policy["secret_props"] =
        json::object{{"contentType", *args.format == "pem" ? kPemContentType : kPkcs12ContentType}};
  }
  json::object x509_props;
  if (args.subject) x509_props["subject"] = *args.subject;
  if (!args.dns_names.empty()) {
    json::array dns;
    for (const std::string& name : args.dns_names) dns.emplace_back(name);
    x509_props["sans"] = json::object{{"dns_names", std::move(dns)}};
  }
  if (args.validity_months) x509_props["validity_months"] = *args.validity_months;
  if (!x509_props.empty()) policy["x509_props"] = std::move(x509_props);
  if (args.issuer) policy["issuer"] = json::object{{"name", *args.issuer}};
  json::object body;
  if (!policy.empty()) body["policy"] = std::move(policy);
  return json::value(std::move(body));
}

Status CreateCertificate(const Session& session, const CertificateCreateArgs& args,
                         const CertificatePolling& polling) {
  KH_RETURN_IF_ERROR(CheckName(args.name));
  CertificateCreateArgs request = args;
  if (!request.issuer) {
    // The server's default issuer, as Azure's, is Unknown: the certificate waits for a merge. A
    // new certificate from the command line is self-signed unless told otherwise; a new version
    // keeps the issuer of the stored policy.
    KH_ASSIGN_OR_RETURN(std::string policy_url,
                        CertificateUrl(session, args.vault, {"certificates", args.name, "policy"}));
    StatusOr<json::value> stored = session.api.Call("GET", policy_url);
    if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
    if (!stored.ok()) request.issuer = "Self";
  }
  KH_ASSIGN_OR_RETURN(std::string create_url,
                      CertificateUrl(session, args.vault, {"certificates", args.name, "create"}));
  KH_ASSIGN_OR_RETURN(json::value operation,
                      session.api.CallWithJson("POST", create_url, CertificateCreateBody(request)));
  if (args.no_wait) return PrintPrettyJson(session, operation);
  KH_ASSIGN_OR_RETURN(std::string pending_url,
                      CertificateUrl(session, args.vault, {"certificates", args.name, "pending"}));
  for (int polls = 0; IsInProgress(operation); ++polls) {
    // Issuer Unknown: in progress until the owner merges a certificate signed from the CSR.
    if (WaitsForMerge(operation)) return PrintPrettyJson(session, operation);
    if (polls >= polling.max_polls) {
      KH_RETURN_IF_ERROR(PrintPrettyJson(session, operation));
      return Status(StatusCode::kUnavailable, "CertificateOperationInProgress",
                    "the certificate is still being issued; run `keyhaven certificate show` "
                    "later");
    }
    std::this_thread::sleep_for(polling.interval);
    KH_ASSIGN_OR_RETURN(operation, session.api.Call("GET", pending_url));
  }
  if (!AsciiEqualsIgnoreCase(OperationStatus(operation), "completed")) {
    KH_RETURN_IF_ERROR(PrintPrettyJson(session, operation));
    return OperationError(operation);
  }
  // An empty version gives ".../certificates/{name}/": the latest, as the SDKs ask for it.
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, args.vault, {"certificates", args.name, ""}));
  return CallAndPrintJson(session, "GET", url);
}

bool LooksLikePem(std::string_view bytes) {
  return bytes.find("-----BEGIN") != std::string_view::npos;
}

SecretBytes CertificateImportBody(const SecretBytes& file_bytes, const SecretBytes* password) {
  constexpr std::string_view kPemPolicy =
      R"(,"policy":{"secret_props":{"contentType":"application/x-pem-file"}})";
  const bool pem = LooksLikePem(file_bytes.Reveal());
  // PEM goes as text (the SDKs send it so), a PFX as base64 (which Base64Encode sizes up front,
  // so no reallocation leaves a copy behind).
  std::string encoded;
  if (!pem) encoded = Base64Encode(file_bytes.Reveal());
  const std::string_view value = pem ? file_bytes.Reveal() : std::string_view(encoded);
  // Sized for the worst case (6 bytes per input byte for \u00XX) so that appending never
  // reallocates and leaves a stale copy of the value or the password in freed memory.
  std::string body;
  body.reserve(32 + 6 * value.size() + (password ? 6 * password->size() : 0) + kPemPolicy.size());
  body += "{\"value\":";
  AppendJsonQuoted(value, &body);
  if (password != nullptr) {
    body += ",\"pwd\":";
    AppendJsonQuoted(password->Reveal(), &body);
  }
  if (pem) body += kPemPolicy;
  body += '}';
  SecretBytes out(body);
  WipeString(body);
  WipeString(encoded);
  return out;
}

Status ImportCertificate(const Session& session, const CertificateImportArgs& args) {
  KH_RETURN_IF_ERROR(CheckName(args.name));
  KH_ASSIGN_OR_RETURN(SecretBytes bytes, ReadFileBytes(args.file, kMaxCertificateFileBytes));
  if (bytes.empty())
    return InvalidArgument("certificate file " + args.file + " is empty", "FileError");
  std::optional<SecretBytes> password;
  if (args.password_file) {
    KH_ASSIGN_OR_RETURN(password, ReadFileBytes(*args.password_file, kMaxPasswordFileBytes));
    size_t size = password->size();
    if (size > 0 && password->Reveal()[size - 1] == '\n') --size;
    if (size > 0 && password->Reveal()[size - 1] == '\r') --size;
    password->Resize(size);
  }
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, args.vault, {"certificates", args.name, "import"}));
  SecretBytes body = CertificateImportBody(bytes, password ? &*password : nullptr);
  KH_ASSIGN_OR_RETURN(json::value result, session.api.Call("POST", url, body.Reveal()));
  return PrintPrettyJson(session, result);
}

Status ShowCertificate(const Session& session, std::string_view vault, std::string_view name,
                       std::string_view version) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, vault, {"certificates", name, version}));
  return CallAndPrintJson(session, "GET", url);
}

Status ListCertificates(const Session& session, std::string_view vault) {
  KH_ASSIGN_OR_RETURN(std::string url, CertificateUrl(session, vault, {"certificates"}));
  return ListAllAndPrintJson(session, url);
}

Status ListCertificateVersions(const Session& session, std::string_view vault,
                               std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, vault, {"certificates", name, "versions"}));
  return ListAllAndPrintJson(session, url);
}

Status DeleteCertificate(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url, CertificateUrl(session, vault, {"certificates", name}));
  return CallAndPrintJson(session, "DELETE", url);
}

Status ListDeletedCertificates(const Session& session, std::string_view vault) {
  KH_ASSIGN_OR_RETURN(std::string url, CertificateUrl(session, vault, {"deletedcertificates"}));
  return ListAllAndPrintJson(session, url);
}

Status RecoverCertificate(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, vault, {"deletedcertificates", name, "recover"}));
  return CallAndPrintJson(session, "POST", url);
}

Status PurgeCertificate(const Session& session, std::string_view vault, std::string_view name) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, vault, {"deletedcertificates", name}));
  return session.api.Call("DELETE", url).status();
}

Status BackupCertificate(const Session& session, std::string_view vault, std::string_view name,
                         const std::string& file) {
  KH_RETURN_IF_ERROR(CheckName(name));
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, vault, {"certificates", name, "backup"}));
  return SaveBackupBlob(session, url, file);
}

Status RestoreCertificate(const Session& session, std::string_view vault, const std::string& file) {
  KH_ASSIGN_OR_RETURN(std::string url, CertificateUrl(session, vault, {"certificates", "restore"}));
  return RestoreBackupBlob(session, url, file, kMaxCertificateBackupBytes);
}

Status DownloadCertificate(const Session& session, const CertificateDownloadArgs& args) {
  KH_RETURN_IF_ERROR(CheckName(args.name));
  const bool pem = args.format == "pem";
  if (!pem && args.format != "pfx") return InvalidArgument("--format must be pem or pfx");
  // The certificate's managed secret; an empty version gives ".../secrets/{name}/" (the latest).
  KH_ASSIGN_OR_RETURN(std::string url,
                      CertificateUrl(session, args.vault, {"secrets", args.name, args.version}));
  url = AddQuery(std::move(url), "outContentType", pem ? kPemContentType : kPkcs12ContentType);
  // Parsed into wiping storage: the value is zeroed when `result` goes away.
  KH_ASSIGN_OR_RETURN(json::value result, session.api.Call("GET", url));
  const json::value* value = GetMember(result, "value");
  if (value == nullptr || !value->is_string()) {
    return Internal("the certificate's secret has no \"value\"");
  }
  const std::string_view text = value->get_string();
  if (pem) {
    KH_RETURN_IF_ERROR(WritePrivateFile(args.file, text));
  } else {
    StatusOr<std::string> pfx = Base64Decode(text);
    if (!pfx.ok()) pfx = Base64UrlDecode(text);
    if (!pfx.ok()) return Internal("the certificate's secret is not a base64 PFX");
    Status written = WritePrivateFile(args.file, *pfx);
    WipeString(*pfx);
    KH_RETURN_IF_ERROR(written);
  }
  json::object summary{{"file", args.file}, {"format", args.format}};
  summary["id"] = GetString(result, "id").value_or("");
  return PrintPrettyJson(session, summary);
}

}  // namespace kh::cli
