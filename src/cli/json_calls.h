#pragma once
// The data-plane commands that print the server's JSON as it came (keys, certificates): one
// call or every page of a list, pretty-printed to the session's output; backup blobs to and from
// files.
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "cli/session.h"
#include "core/status.h"

namespace kh::cli {

Status PrintPrettyJson(const Session& session, const boost::json::value& value);
Status CallAndPrintJson(const Session& session, std::string_view method, const std::string& url);
// Every page of the list at `url` (following nextLink), printed as one array.
Status ListAllAndPrintJson(const Session& session, const std::string& url);

// POST `url` (.../backup) and write the blob it answers with to `file` (mode 0600).
Status SaveBackupBlob(const Session& session, const std::string& url, const std::string& file);
// POST the blob read from `file` (at most `max_bytes`) to `url` (.../restore); prints the answer.
Status RestoreBackupBlob(const Session& session, const std::string& url, const std::string& file,
                         size_t max_bytes);

}  // namespace kh::cli
