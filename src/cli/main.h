#pragma once
// The `keyhaven` command-line client: `keyhaven vault ...` and `keyhaven secret ...`
// (apps/keyhaven.cc sends every other first argument than serve/init here).
//
// Exit status: 0 on success; 1 when the command failed (the server's or a local error, printed
// to stderr as "error: <code>: <message>"); 2 on a usage error (CLI11's message). --help exits 0.
// Never prints the client secret or a token.
#include <functional>
#include <istream>
#include <memory>
#include <ostream>

#include "cli/credentials.h"
#include "cli/transport.h"

namespace kh::cli {

// argv[0] is the program name, as main() gets it.
int Main(int argc, char** argv);

// What Main takes from the process, injectable for tests.
struct CliEnvironment {
  EnvLookup env;
  std::function<std::unique_ptr<Transport>(http::HttpsClientOptions)> make_transport;
  std::istream* in = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

int Run(int argc, const char* const* argv, const CliEnvironment& environment);

}  // namespace kh::cli
