#pragma once
// Helpers shared by the audit module's tests.
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit_event.h"

namespace kh::audit::testing {

class TempDir {
 public:
  TempDir() {
    std::string base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    path_ = base + "/kh-audit-XXXXXX";
    if (!mkdtemp(path_.data())) std::abort();
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The audit-*.jsonl files of a directory, oldest first.
inline std::vector<std::string> AuditFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("audit-0", 0) == 0) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline AuditEvent EventNamed(const std::string& operation, int status = 200) {
  AuditEvent e;
  e.time_ms = 1764484800000;
  e.operation_name = operation;
  e.http_status = status;
  e.request_uri = "https://v.localhost/secrets/" + operation;
  return e;
}

// A request to vault `vault` as its audit record shows it.
inline AuditEvent RequestTo(std::string vault, std::string op, int status, int64_t ms = 1) {
  AuditEvent e;
  e.resource_id = "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/" + vault;
  e.operation_name = std::move(op);
  e.http_status = status;
  e.duration_ms = ms;
  return e;
}

}  // namespace kh::audit::testing
