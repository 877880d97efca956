#include "cli/files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kh::cli {
namespace {

Status FileError(std::string message) {
  return Status(StatusCode::kInvalidArgument, "FileError", std::move(message));
}

std::string Reason(int err) { return std::string(strerror(err)); }

}  // namespace

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

StatusOr<SecretBytes> ReadFileBytes(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError("cannot open " + path + ": " + Reason(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return FileError(path + " is not a regular file");
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return FileError(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  // One byte more than allowed, to notice a file that grew after fstat.
  SecretBytes out(max_bytes + 1);
  size_t used = 0;
  while (used < out.size()) {
    ssize_t n = ::read(fd, out.MutableData() + used, out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return FileError("cannot read " + path + ": " + Reason(err));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  if (used > max_bytes) {
    return FileError(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  out.Resize(used);
  return out;
}

StatusOr<SecretBytes> ReadStreamBytes(std::istream& in, size_t max_bytes, std::string_view what) {
  SecretBytes out(max_bytes + 1);
  size_t used = 0;
  while (used < out.size() && in) {
    in.read(reinterpret_cast<char*>(out.MutableData()) + used,
            static_cast<std::streamsize>(out.size() - used));
    used += static_cast<size_t>(in.gcount());
  }
  if (in.bad()) return FileError("cannot read " + std::string(what));
  if (used > max_bytes) {
    return FileError(std::string(what) + " carries more than " + std::to_string(max_bytes) +
                     " bytes");
  }
  out.Resize(used);
  return out;
}

Status WritePrivateFile(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("cannot create " + path + ": " + Reason(errno));
  // An existing file keeps its mode on open: make it private before anything is written.
  if (::fchmod(fd, 0600) != 0 || ::ftruncate(fd, 0) != 0) {
    int err = errno;
    ::close(fd);
    return FileError("cannot make " + path + " private: " + Reason(err));
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return FileError("cannot write " + path + ": " + Reason(err));
    }
    done += static_cast<size_t>(n);
  }
  int err = ::fsync(fd) == 0 ? 0 : errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) return FileError("cannot write " + path + ": " + Reason(err));
  return Status::Ok();
}

}  // namespace kh::cli
