#pragma once
// `keyhaven audit verify FILE... [--public-key FILE]`: checks audit files offline.
#include <string>
#include <vector>

namespace kh::server {

// Prints the verdict; 0 when the files verify, 1 when they show tampering or damage, 2 when the
// key cannot be read.
int VerifyAudit(const std::vector<std::string>& files, std::string public_key_file);

}  // namespace kh::server
