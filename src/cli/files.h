#pragma once
// Small file helpers for the CLI. Contents are read into SecretBytes because they may be secret
// values or backup blobs. Errors: InvalidArgument with azure code "FileError" naming the path
// (and, for writes, the reason); never the contents.
#include <istream>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::cli {

bool FileExists(const std::string& path);

// Reads a whole file; fails if it is larger than max_bytes.
StatusOr<SecretBytes> ReadFileBytes(const std::string& path, size_t max_bytes);

// Reads a stream to its end; fails if it carries more than max_bytes. `what` names the stream in
// messages ("standard input").
StatusOr<SecretBytes> ReadStreamBytes(std::istream& in, size_t max_bytes, std::string_view what);

// Creates or truncates `path`, makes it mode 0600 (an existing file too, before writing) and
// writes `bytes`.
Status WritePrivateFile(const std::string& path, std::string_view bytes);

}  // namespace kh::cli
