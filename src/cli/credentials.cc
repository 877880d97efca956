#include "cli/credentials.h"

#include <cstdlib>

#include "cli/files.h"
#include "cli/json_util.h"

namespace kh::cli {
namespace {

Status CredentialsError(std::string message) {
  return Status(StatusCode::kInvalidArgument, "CredentialsError", std::move(message));
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// See the header: cwd first, then the credentials file's directory.
std::string ResolveCaFile(const std::string& ca_file, const std::string& credentials_path) {
  if (ca_file.empty() || ca_file.front() == '/' || FileExists(ca_file)) return ca_file;
  std::string beside = DirectoryOf(credentials_path) + "/" + ca_file;
  return FileExists(beside) ? beside : ca_file;
}

std::optional<std::string> NonEmpty(const EnvLookup& env, const char* name) {
  std::optional<std::string> value = env(name);
  if (value.has_value() && value->empty()) return std::nullopt;
  return value;
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

StatusOr<Credentials> ParseCredentialsFile(std::string_view json_text,
                                           const std::string& file_path) {
  StatusOr<boost::json::value> parsed = ParseJson(json_text, file_path);
  if (!parsed.ok()) return CredentialsError(file_path + " is not valid JSON");
  const boost::json::value& v = *parsed;
  if (!v.is_object()) return CredentialsError(file_path + " must hold a JSON object");
  Credentials c;
  c.source = file_path;
  c.tenant_id = GetString(v, "tenantId").value_or("");
  c.client_id = GetString(v, "clientId").value_or("");
  if (const boost::json::value* secret = GetMember(v, "clientSecret");
      secret != nullptr && secret->is_string()) {
    c.client_secret = SecretBytes(std::string_view(secret->get_string()));
  }
  c.authority_host = GetString(v, "authorityHost").value_or("");
  c.subscription_id = GetString(v, "subscriptionId").value_or("");
  c.ca_file = ResolveCaFile(GetString(v, "caFile").value_or(""), file_path);
  for (const auto& [field, present] :
       {std::pair{"tenantId", !c.tenant_id.empty()}, std::pair{"clientId", !c.client_id.empty()},
        std::pair{"clientSecret", !c.client_secret.empty()}}) {
    if (!present) return CredentialsError(file_path + ": \"" + field + "\" is missing or empty");
  }
  return c;
}

StatusOr<Credentials> LoadCredentials(const std::string& file_path, const EnvLookup& env) {
  std::optional<std::string> tenant = NonEmpty(env, "AZURE_TENANT_ID");
  std::optional<std::string> client = NonEmpty(env, "AZURE_CLIENT_ID");
  std::optional<std::string> secret = NonEmpty(env, "AZURE_CLIENT_SECRET");
  const bool from_env = tenant && client && secret;

  std::optional<Credentials> file;
  if (!from_env || FileExists(file_path)) {
    StatusOr<SecretBytes> text = ReadFileBytes(file_path, kMaxCredentialsFileBytes);
    if (!text.ok()) {
      return CredentialsError(
          "cannot read credentials file " + file_path + " (" + text.status().message() +
          "); pass --credentials FILE or set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
          "AZURE_CLIENT_SECRET");
    }
    KH_ASSIGN_OR_RETURN(Credentials parsed, ParseCredentialsFile(text->Reveal(), file_path));
    file = std::move(parsed);
  }
  if (!from_env) return std::move(*file);

  Credentials c;
  c.source = "environment";
  c.tenant_id = *tenant;
  c.client_id = *client;
  c.client_secret = SecretBytes(*secret);
  if (file.has_value()) {
    c.authority_host = file->authority_host;
    c.subscription_id = file->subscription_id;
    c.ca_file = file->ca_file;
  }
  if (auto v = NonEmpty(env, "AZURE_AUTHORITY_HOST")) c.authority_host = *v;
  if (auto v = NonEmpty(env, "KEYHAVEN_SUBSCRIPTION_ID")) c.subscription_id = *v;
  if (auto v = NonEmpty(env, "KEYHAVEN_CA_FILE")) c.ca_file = *v;
  return c;
}

}  // namespace kh::cli
