#pragma once
// Identifiers drawn from the kernel's CSPRNG (getrandom). Object versions are 32 lower-case hex
// characters, as Azure's are; GUIDs are RFC 4122 version 4.
#include <string>

namespace kh {

std::string NewVersionId();  // 32 hex chars
std::string NewGuid();       // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
std::string RandomHex(size_t bytes);

}  // namespace kh
