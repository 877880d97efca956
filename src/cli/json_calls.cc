#include "cli/json_calls.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "cli/files.h"
#include "cli/json_util.h"
#include "cli/output.h"
#include "core/base64.h"

namespace kh::cli {

Status PrintPrettyJson(const Session& session, const boost::json::value& value) {
  session.out << PrettyJson(value) << "\n";
  return Status::Ok();
}

Status CallAndPrintJson(const Session& session, std::string_view method, const std::string& url) {
  KH_ASSIGN_OR_RETURN(boost::json::value result, session.api.Call(method, url));
  return PrintPrettyJson(session, result);
}

Status ListAllAndPrintJson(const Session& session, const std::string& url) {
  KH_ASSIGN_OR_RETURN(boost::json::array items, session.api.ListAll(url));
  return PrintPrettyJson(session, items);
}

Status SaveBackupBlob(const Session& session, const std::string& url, const std::string& file) {
  KH_ASSIGN_OR_RETURN(boost::json::value result, session.api.Call("POST", url));
  std::optional<std::string> blob = GetString(result, "value");
  if (!blob) return Internal("the backup response has no \"value\"");
  StatusOr<std::string> bytes = Base64UrlDecode(*blob);
  if (!bytes.ok()) return Internal("the backup response \"value\" is not base64url");
  return WritePrivateFile(file, *bytes);
}

Status RestoreBackupBlob(const Session& session, const std::string& url, const std::string& file,
                         size_t max_bytes) {
  KH_ASSIGN_OR_RETURN(SecretBytes bytes, ReadFileBytes(file, max_bytes));
  if (bytes.empty()) return InvalidArgument("backup file " + file + " is empty", "FileError");
  boost::json::object body{{"value", Base64UrlEncode(bytes.Reveal())}};
  KH_ASSIGN_OR_RETURN(boost::json::value result, session.api.CallWithJson("POST", url, body));
  return PrintPrettyJson(session, result);
}

}  // namespace kh::cli
