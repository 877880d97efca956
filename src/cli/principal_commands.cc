#include "cli/principal_commands.h"

#include <boost/json.hpp>
#include <charconv>
#include <ctime>

#include "cli/files.h"
#include "cli/output.h"
#include "core/time_format.h"

namespace kh::cli {
namespace json = boost::json;
namespace {

constexpr size_t kMaxCertificateFileBytes = 64 * 1024;
constexpr int64_t kMaxDays = 100 * 365;

bool IsId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
  }
  return true;
}

// /admin/principals[/{client id}[/credentials[/{key id}]]]. Ids are GUIDs; anything else is
// refused before it can change the path.
StatusOr<std::string> PrincipalsUrl(const Session& session, const std::string& client_id = {},
                                    bool credentials = false, const std::string& key_id = {}) {
  std::string url = session.api.server().Origin() + "/admin/principals";
  if (client_id.empty()) return url;
  if (!IsId(client_id)) return InvalidArgument("'" + client_id + "' is not a client id.");
  url += "/" + client_id;
  if (!credentials) return url;
  url += "/credentials";
  if (key_id.empty()) return url;
  if (!IsId(key_id)) return InvalidArgument("'" + key_id + "' is not a credential key id.");
  return url + "/" + key_id;
}

Status Print(const Session& session, const json::value& value) {
  session.out << PrettyJson(value) << "\n";
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> ResolveEndDate(const std::string& text, int64_t now) {
  if (!text.empty() && (text.back() == 'd' || text.back() == 'D')) {
    int64_t days = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, days);
    if (ec != std::errc() || end != text.data() + text.size() - 1 || days < 1 || days > kMaxDays) {
      return InvalidArgument("'" + text + "' is not a number of days such as 90d.");
    }
    return FormatIso8601(now + days * 86400);
  }
  if (!ParseIso8601(text)) {
    return InvalidArgument("'" + text +
                           "' is neither an ISO-8601 date-time (2027-01-31T00:00:00Z) nor a "
                           "number of days (90d).");
  }
  return text;
}

Status CreatePrincipal(const Session& session, const PrincipalCreateArgs& args) {
  json::object body{{"displayName", args.display_name}, {"managedIdentity", args.managed_identity}};
  if (args.secret_end) {
    KH_ASSIGN_OR_RETURN(body["secretEndDateTime"],
                        ResolveEndDate(*args.secret_end, std::time(nullptr)));
  }
  KH_ASSIGN_OR_RETURN(std::string url, PrincipalsUrl(session));
  KH_ASSIGN_OR_RETURN(json::value created, session.api.CallWithJson("POST", url, body));
  return Print(session, created);
}

Status ListPrincipals(const Session& session) {
  KH_ASSIGN_OR_RETURN(std::string url, PrincipalsUrl(session));
  KH_ASSIGN_OR_RETURN(json::array all, session.api.ListAll(url));
  return Print(session, all);
}

Status ShowPrincipal(const Session& session, const std::string& client_id) {
  KH_ASSIGN_OR_RETURN(std::string url, PrincipalsUrl(session, client_id));
  KH_ASSIGN_OR_RETURN(json::value p, session.api.Call("GET", url));
  return Print(session, p);
}

Status DeletePrincipal(const Session& session, const std::string& client_id) {
  KH_ASSIGN_OR_RETURN(std::string url, PrincipalsUrl(session, client_id));
  KH_ASSIGN_OR_RETURN(json::value p, session.api.Call("DELETE", url));
  return Print(session, p);
}

Status AddCredential(const Session& session, const CredentialAddArgs& args) {
  json::object body{{"displayName", args.display_name}};
  if (args.certificate_file) {
    if (args.end) {
      return InvalidArgument("A certificate credential ends with its certificate; drop --end.");
    }
    KH_ASSIGN_OR_RETURN(SecretBytes pem,
                        ReadFileBytes(*args.certificate_file, kMaxCertificateFileBytes));
    body["type"] = "AsymmetricX509Cert";
    body["certificate"] = pem.Reveal();
  } else {
    body["type"] = "Password";
    if (args.end) {
      KH_ASSIGN_OR_RETURN(body["endDateTime"], ResolveEndDate(*args.end, std::time(nullptr)));
    }
  }
  KH_ASSIGN_OR_RETURN(std::string url, PrincipalsUrl(session, args.client_id, true));
  KH_ASSIGN_OR_RETURN(json::value added, session.api.CallWithJson("POST", url, body));
  return Print(session, added);
}

Status ListCredentials(const Session& session, const std::string& client_id) {
  KH_ASSIGN_OR_RETURN(std::string url, PrincipalsUrl(session, client_id, true));
  KH_ASSIGN_OR_RETURN(json::array all, session.api.ListAll(url));
  return Print(session, all);
}

Status RemoveCredential(const Session& session, const std::string& client_id,
                        const std::string& key_id) {
  KH_ASSIGN_OR_RETURN(std::string url, PrincipalsUrl(session, client_id, true, key_id));
  KH_ASSIGN_OR_RETURN(json::value removed, session.api.Call("DELETE", url));
  return Print(session, removed);
}

}  // namespace kh::cli
