#include "cli/urls.h"

#include <cctype>

#include "cli/wipe.h"
#include "core/ascii.h"

namespace kh::cli {
namespace {

constexpr std::string_view kHttpsPrefix = "https://";
constexpr size_t kMaxDnsLabel = 63;

std::string Lower(std::string_view s) { return AsciiLower(s); }

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

void AppendPercentEncoded(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (IsUnreserved(c)) {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

// Parses "https://authority[rest]"; `rest` must be empty or "/" unless allow_rest.
StatusOr<ServerUrl> ParseOrigin(std::string_view url, bool allow_rest) {
  if (url.size() < kHttpsPrefix.size() ||
      Lower(url.substr(0, kHttpsPrefix.size())) != kHttpsPrefix) {
    return InvalidArgument("server URL must start with https://");
  }
  std::string_view rest = url.substr(kHttpsPrefix.size());
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (!allow_rest && !(tail.empty() || tail == "/")) {
    return InvalidArgument("server URL must be https://host[:port] without a path or query");
  }
  if (authority.empty()) return InvalidArgument("URL has no host");
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgument("URL must not contain user info");
  }
  ServerUrl out;
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("URL has a bad IPv6 host");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgument("URL has a bad IPv6 host");
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || host == "[]") return InvalidArgument("URL has no host");
  for (unsigned char c : host) {
    if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' ||
          c == ':')) {
      return InvalidArgument("URL has a bad host name");
    }
  }
  out.host = Lower(host);
  if (!port.empty()) {
    if (port.size() > 5) return InvalidArgument("URL has a bad port");
    int value = 0;
    for (unsigned char c : port) {
      if (!std::isdigit(c)) return InvalidArgument("URL has a bad port");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return InvalidArgument("URL has a bad port");
    out.port = value;
  }
  return out;
}

bool IsIpLiteral(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;
  for (unsigned char c : host) {
    if (!std::isdigit(c) && c != '.') return false;
  }
  return true;
}

Status CheckSegment(std::string_view segment, std::string_view what) {
  if (segment == "." || segment == "..") {
    return InvalidArgument(std::string(what) + " must not be '.' or '..'");
  }
  return Status::Ok();
}

std::string WithApiVersion(std::string url, std::string_view api_version) {
  url += "?api-version=";
  url += api_version;
  return url;
}

}  // namespace

std::string ServerUrl::Origin() const {
  std::string out = std::string(kHttpsPrefix) + host;
  if (port != 443) out += ":" + std::to_string(port);
  return out;
}

StatusOr<ServerUrl> ParseServerUrl(std::string_view url) { return ParseOrigin(url, false); }

StatusOr<ServerUrl> OriginOf(std::string_view url) { return ParseOrigin(url, true); }

std::string PercentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendPercentEncoded(text, &out);
  return out;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    AppendPercentEncoded(name, &out);
    out.push_back('=');
    AppendPercentEncoded(value, &out);
  }
  return out;
}

SecretBytes TokenRequestBody(std::string_view client_id, const SecretBytes& client_secret,
                             std::string_view scope) {
  std::string body = FormEncode({{"grant_type", "client_credentials"},
                                 {"client_id", std::string(client_id)},
                                 {"scope", std::string(scope)}});
  // Reserve the worst case up front so appending the secret never reallocates and leaves a
  // stale copy of it in freed memory.
  body.reserve(body.size() + sizeof("&client_secret=") + 3 * client_secret.size());
  body += "&client_secret=";
  AppendPercentEncoded(client_secret.Reveal(), &body);
  SecretBytes out(body);
  WipeString(body);
  return out;
}

std::string TokenUrl(const ServerUrl& authority, std::string_view tenant_id) {
  return authority.Origin() + "/" + PercentEncode(tenant_id) + "/oauth2/v2.0/token";
}

StatusOr<std::string> VaultUrl(const ServerUrl& server, std::string_view vault_name) {
  if (vault_name.empty() || vault_name.size() > kMaxDnsLabel || vault_name.front() == '-' ||
      vault_name.back() == '-') {
    return InvalidArgument(
        "vault name must be 1-63 letters, digits or '-', not starting or "
        "ending with '-'");
  }
  for (unsigned char c : vault_name) {
    if (!std::isalnum(c) && c != '-') {
      return InvalidArgument("vault name may contain only letters, digits and '-'");
    }
  }
  if (IsIpLiteral(server.host)) {
    return InvalidArgument(
        "vaults are addressed as https://{vault}.{host}: the server URL must "
        "use a host name (e.g. https://localhost:8443), not an IP address");
  }
  ServerUrl vault = server;
  vault.host = Lower(vault_name) + "." + server.host;
  return vault.Origin();
}

StatusOr<std::string> DataPlaneUrl(std::string_view vault_url,
                                   const std::vector<std::string_view>& segments) {
  std::string url(vault_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  for (std::string_view segment : segments) {
    KH_RETURN_IF_ERROR(CheckSegment(segment, "a name or version"));
    url.push_back('/');
    AppendPercentEncoded(segment, &url);
  }
  return WithApiVersion(std::move(url), kDataPlaneApiVersion);
}

StatusOr<std::string> ArmVaultUrl(const ServerUrl& server, std::string_view subscription_id,
                                  std::string_view resource_group, std::string_view vault_name) {
  if (subscription_id.empty()) {
    return InvalidArgument(
        "no subscription id (set subscriptionId in the credentials file or "
        "KEYHAVEN_SUBSCRIPTION_ID)");
  }
  if (resource_group.empty()) return InvalidArgument("resource group must not be empty");
  if (vault_name.empty()) return InvalidArgument("vault name must not be empty");
  KH_RETURN_IF_ERROR(CheckSegment(subscription_id, "subscription id"));
  KH_RETURN_IF_ERROR(CheckSegment(resource_group, "resource group"));
  KH_RETURN_IF_ERROR(CheckSegment(vault_name, "vault name"));
  return WithApiVersion(server.Origin() + "/subscriptions/" + PercentEncode(subscription_id) +
                            "/resourceGroups/" + PercentEncode(resource_group) +
                            "/providers/Microsoft.KeyVault/vaults/" + PercentEncode(vault_name),
                        kArmApiVersion);
}

StatusOr<std::string> ArmVaultListUrl(const ServerUrl& server, std::string_view subscription_id) {
  if (subscription_id.empty()) {
    return InvalidArgument(
        "no subscription id (set subscriptionId in the credentials file or "
        "KEYHAVEN_SUBSCRIPTION_ID)");
  }
  KH_RETURN_IF_ERROR(CheckSegment(subscription_id, "subscription id"));
  return WithApiVersion(server.Origin() + "/subscriptions/" + PercentEncode(subscription_id) +
                            "/providers/Microsoft.KeyVault/vaults",
                        kArmApiVersion);
}

StatusOr<std::string> ArmResourceUrl(const ServerUrl& server, std::string_view resource_id) {
  constexpr std::string_view kPrefix = "/subscriptions/";
  if (resource_id.substr(0, kPrefix.size()) != kPrefix) {
    return InvalidArgument("server returned a resource id that is not an ARM id");
  }
  std::string url = server.Origin();
  std::string_view rest = resource_id.substr(1);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") {
      return InvalidArgument("server returned a malformed resource id");
    }
    url.push_back('/');
    AppendPercentEncoded(segment, &url);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return WithApiVersion(std::move(url), kArmApiVersion);
}

}  // namespace kh::cli
