#include "cli/output.h"

#include <time.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "cli/json_util.h"
#include "core/time_format.h"

namespace kh::cli {
namespace {

using Row = std::vector<std::string>;

void AppendPretty(const boost::json::value& v, int depth, std::string* out) {
  const std::string indent(2 * (depth + 1), ' ');
  const std::string close_indent(2 * depth, ' ');
  if (const boost::json::object* obj = v.if_object(); obj != nullptr && !obj->empty()) {
    out->append("{\n");
    bool first = true;
    for (const auto& member : *obj) {
      if (!first) out->append(",\n");
      first = false;
      out->append(indent);
      AppendJsonQuoted(member.key(), out);
      out->append(": ");
      AppendPretty(member.value(), depth + 1, out);
    }
    out->append("\n" + close_indent + "}");
  } else if (const boost::json::array* arr = v.if_array(); arr != nullptr && !arr->empty()) {
    out->append("[\n");
    bool first = true;
    for (const boost::json::value& item : *arr) {
      if (!first) out->append(",\n");
      first = false;
      out->append(indent);
      AppendPretty(item, depth + 1, out);
    }
    out->append("\n" + close_indent + "]");
  } else {
    out->append(boost::json::serialize(v));
  }
}

size_t CodePoints(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string Str(const boost::json::value& v, std::string_view key) {
  const boost::json::value* m = GetMember(v, key);
  if (m == nullptr || m->is_null()) return "";
  if (m->is_string()) return std::string(m->get_string());
  return boost::json::serialize(*m);
}

std::string Time(const boost::json::value& v, std::string_view key) {
  std::optional<int64_t> t = GetInt(v, key);
  return t ? FormatUnixTime(*t) : "";
}

const boost::json::value& Member(const boost::json::value& v, std::string_view key) {
  static const boost::json::value kNull;
  const boost::json::value* m = GetMember(v, key);
  return m == nullptr ? kNull : *m;
}

std::string Tags(const boost::json::value& v) {
  const boost::json::value* tags = GetMember(v, "tags");
  if (tags == nullptr || !tags->is_object()) return "";
  std::string out;
  for (const auto& member : tags->get_object()) {
    if (!out.empty()) out += ",";
    out += std::string(member.key()) + "=" + Str(*tags, member.key());
  }
  return out;
}

// Segment `index` of the path of the id in `key`, e.g. the name of "https://h/secrets/{name}/v".
std::string IdSegment(const boost::json::value& v, std::string_view key, size_t index) {
  std::vector<std::string> segments = PathSegments(Str(v, key));
  return index < segments.size() ? segments[index] : "";
}

struct Table {
  Row headers;
  std::vector<Row> rows;
};

Table VaultTable(const std::vector<const boost::json::value*>& items) {
  Table t{{"NAME", "RESOURCE-GROUP", "LOCATION", "VAULT-URI", "RETENTION-DAYS", "PURGE-PROTECTION"},
          {}};
  for (const boost::json::value* v : items) {
    const boost::json::value& props = Member(*v, "properties");
    std::vector<std::string> id = PathSegments(Str(*v, "id"));
    std::string group;
    for (size_t i = 0; i + 1 < id.size(); ++i) {
      if (id[i] == "resourceGroups" || id[i] == "resourcegroups") group = id[i + 1];
    }
    t.rows.push_back({Str(*v, "name"), group, Str(*v, "location"), Str(props, "vaultUri"),
                      Str(props, "softDeleteRetentionInDays"),
                      Str(props, "enablePurgeProtection")});
  }
  return t;
}

Table SecretTable(const std::vector<const boost::json::value*>& items, ResourceKind kind) {
  bool with_value = kind == ResourceKind::kSecret &&
                    std::any_of(items.begin(), items.end(), [](const boost::json::value* v) {
                      return GetMember(*v, "value") != nullptr;
                    });
  Table t;
  if (kind == ResourceKind::kSecretItem) {
    t.headers = {"NAME", "ENABLED", "CONTENT-TYPE", "UPDATED", "EXPIRES", "TAGS"};
  } else {
    t.headers = {"NAME", "VERSION", "ENABLED", "CONTENT-TYPE", "CREATED", "UPDATED", "EXPIRES"};
    if (kind == ResourceKind::kSecret) t.headers.push_back("TAGS");
    if (with_value) t.headers.push_back("VALUE");
  }
  for (const boost::json::value* v : items) {
    const boost::json::value& attrs = Member(*v, "attributes");
    Row row{IdSegment(*v, "id", 1)};
    if (kind != ResourceKind::kSecretItem) row.push_back(IdSegment(*v, "id", 2));
    row.insert(row.end(), {Str(attrs, "enabled"), Str(*v, "contentType")});
    if (kind != ResourceKind::kSecretItem) row.push_back(Time(attrs, "created"));
    row.insert(row.end(), {Time(attrs, "updated"), Time(attrs, "exp")});
    if (kind != ResourceKind::kSecretVersion) row.push_back(Tags(*v));
    if (with_value) row.push_back(Str(*v, "value"));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table DeletedSecretTable(const std::vector<const boost::json::value*>& items) {
  Table t{{"NAME", "DELETED", "SCHEDULED-PURGE", "RECOVERY-ID"}, {}};
  for (const boost::json::value* v : items) {
    std::string name = IdSegment(*v, "recoveryId", 1);
    if (name.empty()) name = IdSegment(*v, "id", 1);
    t.rows.push_back(
        {name, Time(*v, "deletedDate"), Time(*v, "scheduledPurgeDate"), Str(*v, "recoveryId")});
  }
  return t;
}

}  // namespace

StatusOr<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "table") return OutputFormat::kTable;
  return InvalidArgument("--output must be json or table");
}

std::string PrettyJson(const boost::json::value& value) {
  std::string out;
  AppendPretty(value, 0, &out);
  return out;
}

std::string SanitizeForTerminal(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

std::string FormatUnixTime(int64_t seconds) { return FormatIso8601(seconds); }

std::vector<std::string> PathSegments(std::string_view url_or_path) {
  if (size_t scheme = url_or_path.find("://"); scheme != std::string_view::npos) {
    url_or_path.remove_prefix(scheme + 3);
    size_t slash = url_or_path.find('/');
    url_or_path = slash == std::string_view::npos ? std::string_view() : url_or_path.substr(slash);
  }
  url_or_path = url_or_path.substr(0, url_or_path.find_first_of("?#"));
  std::vector<std::string> out;
  while (!url_or_path.empty()) {
    if (url_or_path.front() == '/') url_or_path.remove_prefix(1);
    size_t slash = url_or_path.find('/');
    std::string_view segment = url_or_path.substr(0, slash);
    if (!segment.empty() || slash != std::string_view::npos) out.emplace_back(segment);
    url_or_path = slash == std::string_view::npos ? std::string_view() : url_or_path.substr(slash);
  }
  return out;
}

std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<Row> clean;
  clean.reserve(rows.size() + 1);
  clean.push_back(headers);
  for (const Row& row : rows) {
    Row r;
    for (const std::string& cell : row) r.push_back(SanitizeForTerminal(cell));
    r.resize(headers.size());
    clean.push_back(std::move(r));
  }
  std::vector<size_t> widths(headers.size(), 0);
  for (const Row& row : clean) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], CodePoints(row[i]));
  }
  auto append_row = [&](const Row& row, std::string* out) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - CodePoints(row[i]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    *out += line + "\n";
  };
  std::string out;
  append_row(clean[0], &out);
  Row rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  append_row(rule, &out);
  for (size_t i = 1; i < clean.size(); ++i) append_row(clean[i], &out);
  return out;
}

std::string Render(const boost::json::value& value, ResourceKind kind, OutputFormat format) {
  if (format == OutputFormat::kJson) return PrettyJson(value) + "\n";
  std::vector<const boost::json::value*> items;
  if (const boost::json::array* arr = value.if_array()) {
    for (const boost::json::value& item : *arr) items.push_back(&item);
  } else if (!value.is_null()) {
    items.push_back(&value);
  }
  Table t;
  switch (kind) {
    case ResourceKind::kVault:
      t = VaultTable(items);
      break;
    case ResourceKind::kDeletedSecret:
      t = DeletedSecretTable(items);
      break;
    default:
      t = SecretTable(items, kind);
      break;
  }
  return RenderTable(t.headers, t.rows);
}

}  // namespace kh::cli
