#include "audit/syslog_forwarder.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "audit/audit_event.h"

namespace kh::audit {
namespace {

constexpr size_t kMaxQueuedLines = 100000;

// The record's own "time", so the syslog timestamp is when the request happened.
std::string_view TimeOf(std::string_view record) {
  constexpr std::string_view kTime = "{\"time\":\"";
  if (record.substr(0, kTime.size()) != kTime) return "-";
  const size_t end = record.find('"', kTime.size());
  return end == std::string_view::npos ? "-" : record.substr(kTime.size(), end - kTime.size());
}

}  // namespace

std::string SyslogForwarder::Message(std::string_view hostname, int pid, std::string_view record) {
  std::string m = "<134>1 ";
  m.append(TimeOf(record));
  m.push_back(' ');
  m.append(hostname.empty() ? std::string_view("-") : hostname);
  m.append(" keyhaven ");
  m.append(std::to_string(pid));
  m.append(" audit - ");
  m.append(record);
  return m;
}

StatusOr<std::unique_ptr<SyslogForwarder>> SyslogForwarder::Create(const std::string& target,
                                                                   const std::string& name) {
  const bool tcp = target.rfind("tcp://", 0) == 0;
  if (!tcp && target.rfind("udp://", 0) != 0) {
    return InvalidArgument("--audit-syslog must be udp://HOST:PORT or tcp://HOST:PORT.");
  }
  const std::string rest = target.substr(6);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
    return InvalidArgument("--audit-syslog must name a host and a port.");
  }
  std::string host = rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return std::unique_ptr<SyslogForwarder>(
      new SyslogForwarder(tcp, host, rest.substr(colon + 1), name));
}

SyslogForwarder::SyslogForwarder(bool tcp, std::string host, std::string port,
                                 const std::string& name)
    : tcp_(tcp), host_(std::move(host)), port_(std::move(port)) {
  char host_name[256] = {0};
  if (::gethostname(host_name, sizeof host_name - 1) == 0) hostname_ = host_name;
  queue_ = std::make_unique<LineQueue>(!name.empty() ? name
                                       : tcp_        ? "syslog-tcp"
                                                     : "syslog-udp",
                                       kMaxQueuedLines, 256,
                                       [this](const auto& lines) { return Send(lines); });
}

SyslogForwarder::~SyslogForwarder() {
  queue_.reset();  // stops the thread before the socket goes
  if (fd_ >= 0) ::close(fd_);
}

Status SyslogForwarder::Connect() {
  addrinfo hints{};
  hints.ai_socktype = tcp_ ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found) != 0 || !found) {
    return Unavailable("cannot resolve the syslog host " + host_);
  }
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
  // A collector that stops reading must not block the sink's thread (and shutdown) forever: on
  // Linux the send timeout also bounds connect.
  const timeval timeout{5, 0};
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const bool ok = fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  ::freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return Unavailable("cannot connect to syslog at " + host_ + ":" + port_ + ": " +
                       std::strerror(errno));
  }
  fd_ = fd;
  return Status::Ok();
}

Status SyslogForwarder::Send(const std::vector<std::string>& lines) {
  if (fd_ < 0) KH_RETURN_IF_ERROR(Connect());
  const int pid = static_cast<int>(::getpid());
  for (const std::string& line : lines) {
    std::string message = Message(hostname_, pid, line);
    if (tcp_) message = std::to_string(message.size()) + " " + message;
    size_t done = 0;
    while (done < message.size()) {
      ssize_t n = ::send(fd_, message.data() + done, message.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(fd_);
        fd_ = -1;
        return Unavailable(std::string("cannot send to syslog: ") + std::strerror(errno));
      }
      done += static_cast<size_t>(n);
    }
  }
  return Status::Ok();
}

}  // namespace kh::audit
