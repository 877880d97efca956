#include "cli/access_review_commands.h"

#include <boost/json.hpp>
#include <sstream>

#include "cli/json_util.h"
#include "cli/output.h"
#include "cli/urls.h"

namespace kh::cli {
namespace json = boost::json;
namespace {

std::string Safe(std::string_view text) { return SanitizeForTerminal(text); }

std::string Str(const json::value& v, std::string_view key) {
  return Safe(GetString(v, key).value_or(""));
}

const json::array& ArrayOf(const json::value& v, std::string_view key) {
  static const json::array kEmpty;
  const json::value* member = GetMember(v, key);
  return member && member->is_array() ? member->as_array() : kEmpty;
}

std::string JoinStrings(const json::array& items, std::string_view separator = ", ") {
  std::string out;
  for (const json::value& item : items) {
    if (!item.is_string()) continue;
    if (!out.empty()) out += separator;
    out += Safe(item.as_string());
  }
  return out;
}

// "Key Vault Secrets User at vault scope (assignment 1f2e...)", "access policy (secrets: get)".
std::string GrantReason(const json::value& g) {
  std::string source = Str(g, "source");
  if (source == "bootstrapAdministrator") return "bootstrap administrator";
  if (source == "accessPolicy") {
    std::string lists;
    const json::value* permissions = GetMember(g, "permissions");
    for (const char* list : {"keys", "secrets", "certificates", "storage"}) {
      std::string granted = permissions ? JoinStrings(ArrayOf(*permissions, list)) : "";
      if (granted.empty()) continue;
      if (!lists.empty()) lists += "; ";
      lists += std::string(list) + ": " + granted;
    }
    std::string app = Str(g, "applicationId");
    return "access policy (" + lists + (app.empty() ? "" : "; application " + app) + ")";
  }
  std::string role = Str(g, "roleName");
  if (role.empty()) role = "unknown role " + Str(g, "roleDefinitionId");
  if (GetBool(g, "customRole").value_or(false)) role += " (custom role)";
  std::string where = Str(g, "scopeLevel") == "object" ? "on " + Str(g, "object")
                                                       : "at " + Str(g, "scopeLevel") + " scope";
  return "'" + role + "' " + where + " (assignment " + Str(g, "assignmentId") + ")";
}

void RenderVault(const json::value& v, std::ostream& out) {
  std::string env = Str(v, "environment");
  out << "  vault " << Str(v, "name") << " [" << Str(v, "permissionModel")
      << (env.empty() ? "" : ", environment=" + env) << "]\n";
  std::string data = JoinStrings(ArrayOf(v, "summary"));
  out << "    data:       " << (data.empty() ? "(none vault-wide)" : data) << "\n";
  std::string management = JoinStrings(ArrayOf(v, "managementActions"));
  if (!management.empty()) out << "    management: " << management << "\n";
  out << "    why:\n";
  for (const json::value& g : ArrayOf(v, "grants")) {
    out << "      - " << GrantReason(g);
    if (GetBool(g, "dataPlaneIgnored").value_or(false)) {
      out << ": not used on the data plane (the vault uses "
          << (Str(v, "permissionModel") == "rbac" ? "RBAC" : "access policies") << ")";
    } else {
      std::string granted = JoinStrings(ArrayOf(g, "summary"));
      out << ": " << (granted.empty() ? "no data actions" : granted);
    }
    out << "\n";
  }
}

void RenderPrincipal(const json::value& p, std::ostream& out) {
  std::string name = Str(p, "displayName");
  bool known = GetBool(p, "known").value_or(true);
  out << (known ? name : "(unknown principal)") << "  objectId " << Str(p, "objectId");
  if (known) out << "  clientId " << Str(p, "clientId");
  out << "\n";
  if (GetBool(p, "bootstrapAdmin").value_or(false)) {
    out << "  bootstrap administrator: may do everything on every vault ("
        << ArrayOf(p, "vaults").size() << " now)\n";
    return;
  }
  if (!known) {
    out << "  not a Keyhaven principal: deleted, or an identity of a trusted external issuer\n";
  }
  for (const json::value& c : ArrayOf(p, "credentials")) {
    std::string end = Str(c, "endDateTime");
    out << "  credential " << Str(c, "keyId") << " " << Str(c, "type")
        << (end.empty() ? ", never expires" : ", ends " + end)
        << (GetBool(c, "expired").value_or(false) ? "  EXPIRED" : "") << "\n";
  }
  const json::array& vaults = ArrayOf(p, "vaults");
  if (vaults.empty()) out << "  no access to any vault\n";
  for (const json::value& v : vaults) RenderVault(v, out);
}

void RenderFindings(const json::value& review, std::ostream& out) {
  const json::array& findings = ArrayOf(review, "findings");
  if (findings.empty()) {
    out << "No findings.\n";
    return;
  }
  const json::value* summary = GetMember(review, "summary");
  out << "Findings: " << findings.size();
  if (summary) {
    out << " (" << GetInt(*summary, "high").value_or(0) << " high, "
        << GetInt(*summary, "medium").value_or(0) << " medium, "
        << GetInt(*summary, "low").value_or(0) << " low)";
  }
  out << "\n";
  for (const json::value& f : findings) {
    out << "  [" << Str(f, "severity") << "] " << Str(f, "code") << ": " << Str(f, "message")
        << "\n";
  }
}

}  // namespace

std::string RenderAccessReview(const json::value& review) {
  std::ostringstream out;
  std::string vault = Str(review, "vault");
  out << "Access review of " << (vault.empty() ? "every vault" : "vault " + vault)
      << " (subscription " << Str(review, "subscriptionId") << ", " << Str(review, "generatedAt")
      << ")\n\n";
  for (const json::value& p : ArrayOf(review, "principals")) {
    RenderPrincipal(p, out);
    out << "\n";
  }
  RenderFindings(review, out);
  const json::array& notes = ArrayOf(review, "notes");
  if (!notes.empty()) {
    out << "\nNotes:\n";
    for (const json::value& n : notes) {
      if (n.is_string()) out << "  - " << Safe(n.as_string()) << "\n";
    }
  }
  return out.str();
}

Status ReviewAccess(const Session& session, const AccessReviewArgs& args) {
  std::string url = session.api.server().Origin() + "/admin/access-review";
  if (args.vault) url += "?vault=" + PercentEncode(*args.vault);
  KH_ASSIGN_OR_RETURN(json::value review, session.api.Call("GET", url));
  if (args.json) {
    session.out << PrettyJson(review) << "\n";
  } else {
    session.out << RenderAccessReview(review);
  }
  size_t findings = ArrayOf(review, "findings").size();
  if (args.fail_on_findings && findings > 0) {
    return Status(StatusCode::kConflict, "FindingsPresent",
                  "the access review has " + std::to_string(findings) + " finding" +
                      (findings == 1 ? "" : "s"));
  }
  return Status::Ok();
}

}  // namespace kh::cli
