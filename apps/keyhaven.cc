// keyhaven: the server (`serve`, `init`, `audit verify`) and the command-line client (everything else).
#include <cstring>

#include "cli/main.h"
#include "server/main.h"

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "serve") == 0 || std::strcmp(argv[1], "init") == 0 ||
                   std::strcmp(argv[1], "audit") == 0)) {
    return kh::server::Main(argc, argv);
  }
  return kh::cli::Main(argc, argv);
}
