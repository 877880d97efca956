#pragma once
// `keyhaven serve` / `keyhaven init` command-line front end.
namespace kh::server {
int Main(int argc, char** argv);
}
