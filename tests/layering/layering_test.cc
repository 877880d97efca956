// Fails when an #include points the wrong way (DESIGN.md section 2):
//   http → api → {authn, authz, audit, domain} → barrier → storage → core; crypto for the middle.
// Also pins where the heavy or dangerous libraries may appear: OpenSSL in crypto/ and http/,
// Beast/Asio in http/, Boost.JSON in api/, audit/, cli/, plus authn/ (JWT claims are JSON) and
// server/ (admin.json).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::set<std::string>> kAllowed = {
    {"core", {"core"}},
    {"crypto", {"core", "crypto"}},
    {"storage", {"core", "storage"}},
    {"barrier", {"core", "storage", "crypto", "barrier"}},
    {"domain", {"core", "storage", "barrier", "crypto", "domain"}},
    {"authn", {"core", "storage", "barrier", "crypto", "authn"}},
    {"authz", {"core", "authz"}},
    {"audit", {"core", "crypto", "audit"}},
    {"api", {"core", "crypto", "domain", "authn", "authz", "audit", "api"}},
    {"http", {"core", "crypto", "api", "http"}},
    {"cli", {"core", "http", "cli"}},
    {"server",
     {"core", "crypto", "storage", "barrier", "domain", "authn", "authz", "audit", "api", "http",
      "server"}},
    {"testing",
     {"core", "crypto", "storage", "barrier", "domain", "authn", "authz", "audit", "api", "http",
      "testing"}},
};

struct LibraryRule {
  std::regex include;
  std::set<std::string> modules;
};

std::vector<LibraryRule> LibraryRules() {
  return {
      {std::regex(R"(^<openssl/)"), {"crypto", "http"}},
      {std::regex(R"(^<boost/(beast|asio))"), {"http"}},
      {std::regex(R"(^<boost/json)"), {"api", "audit", "cli", "authn", "server"}},
      {std::regex(R"(^<sqlite3\.h>)"), {"storage"}},
      {std::regex(R"(^<libpq-fe\.h>)"), {"storage"}},
      {std::regex(R"(^<CLI/)"), {"cli", "server"}},
  };
}

fs::path SourceRoot() { return fs::path(KEYHAVEN_SOURCE_DIR) / "src"; }

std::vector<std::string> Includes(const fs::path& file) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*([<"][^>"]+[>"]))");
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, kInclude)) out.push_back(m[1]);
  }
  return out;
}

TEST(LayeringTest, IncludesPointDownOnly) {
  std::vector<std::string> violations;
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(SourceRoot())) {
    if (!entry.is_regular_file()) continue;
    auto ext = entry.path().extension();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::string rel = fs::relative(entry.path(), SourceRoot()).string();
    std::string module = rel.substr(0, rel.find('/'));
    bool is_test = entry.path().filename().string().find("_test.cc") != std::string::npos;
    auto allowed = kAllowed.find(module);
    ASSERT_NE(allowed, kAllowed.end()) << "unknown module " << module << " (" << rel << ")";
    for (const std::string& inc : Includes(entry.path())) {
      if (inc.front() == '"') {
        std::string path = inc.substr(1, inc.size() - 2);
        std::string target = path.substr(0, path.find('/'));
        if (!kAllowed.count(target)) continue;
        if (is_test && target == "testing") continue;
        if (!allowed->second.count(target)) {
          violations.push_back(rel + " includes " + inc + " (" + module + " may not use " + target +
                               ")");
        }
        continue;
      }
      for (const auto& rule : LibraryRules()) {
        if (std::regex_search(inc, rule.include) && !rule.modules.count(module) && !is_test) {
          violations.push_back(rel + " includes " + inc);
        }
      }
    }
  }
  EXPECT_GT(files, 20u) << "the source tree was not found";
  for (const auto& v : violations) ADD_FAILURE() << v;
}

TEST(LayeringTest, OpenSslOnlyInCryptoAndTlsFiles) {
  for (const auto& entry : fs::recursive_directory_iterator(SourceRoot() / "http")) {
    std::string name = entry.path().filename().string();
    if (name == "tls_context.cc" || name == "https_client.cc") continue;
    for (const std::string& inc : Includes(entry.path())) {
      EXPECT_EQ(inc.rfind("<openssl/", 0), std::string::npos) << name << " includes " << inc;
    }
  }
}

}  // namespace
