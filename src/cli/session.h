#pragma once
// Session: what a command needs to run: the authenticated client, the output format and the
// process's standard streams (injected so commands can be tested). Borrowed references; the
// caller owns everything and keeps it alive for the command. Not thread-safe.
#include <boost/json/value.hpp>
#include <istream>
#include <ostream>

#include "cli/api_client.h"
#include "cli/output.h"

namespace kh::cli {

struct Session {
  ApiClient& api;
  OutputFormat format;
  std::ostream& out;
  std::istream& in;

  void Print(const boost::json::value& value, ResourceKind kind) const {
    out << Render(value, kind, format);
  }
};

}  // namespace kh::cli
