#include "audit/audit_event.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace kh::audit {
namespace {

namespace json = boost::json;

std::string FormatTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return out;
}

}  // namespace

std::string StatusText(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "NoContent";
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 413: return "RequestEntityTooLarge";
    case 429: return "TooManyRequests";
    case 500: return "InternalServerError";
    case 503: return "ServiceUnavailable";
    default: return std::to_string(status);
  }
}

std::string ToJsonLine(const AuditEvent& e) {
  json::object claim;
  if (!e.object_id.empty()) {
    claim["http://schemas.microsoft.com/identity/claims/objectidentifier"] = e.object_id;
  }
  if (!e.app_id.empty()) claim["appid"] = e.app_id;
  if (!e.tenant_id.empty()) claim["http://schemas.microsoft.com/identity/claims/tenantid"] = e.tenant_id;
  json::object record{
      {"time", FormatTime(e.time_ms)},
      {"resourceId", e.resource_id},
      {"operationName", e.operation_name},
      {"operationVersion", e.operation_version},
      {"category", "AuditEvent"},
      {"resultType", e.result_type},
      {"resultSignature", e.result_signature},
      {"resultDescription", e.result_description},
      {"durationMs", std::to_string(e.duration_ms)},
      {"callerIpAddress", e.caller_ip},
      {"correlationId", e.correlation_id},
      {"identity", json::object{{"claim", std::move(claim)}}},
      {"properties", json::object{{"clientInfo", e.client_info},
                                  {"requestUri", e.request_uri},
                                  {"id", e.id},
                                  {"httpStatusCode", e.http_status}}},
  };
  return json::serialize(record) + "\n";
}

StatusOr<std::unique_ptr<JsonLinesFileSink>> JsonLinesFileSink::Open(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Internal("Cannot create the audit directory " + dir + ": " + std::strerror(errno));
    }
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("Cannot open the audit log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<JsonLinesFileSink>(new JsonLinesFileSink(path, fd));
}

JsonLinesFileSink::JsonLinesFileSink(std::string path, int fd)
    : path_(std::move(path)), fd_(fd), writer_([this] { Run(); }) {}

JsonLinesFileSink::~JsonLinesFileSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
  Flush().IgnoreError();
  ::close(fd_);
}

Status JsonLinesFileSink::Write(const AuditEvent& event) {
  const std::string line = ToJsonLine(event);
  std::lock_guard lock(mu_);
  queued_ += line;
  return Status::Ok();
}

Status JsonLinesFileSink::Flush() {
  std::lock_guard write_lock(write_mu_);
  std::string batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(queued_);
  }
  // One write per batch with O_APPEND: whole lines, never interleaved with another writer's.
  size_t done = 0;
  while (done < batch.size()) {
    ssize_t n = ::write(fd_, batch.data() + done, batch.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable("Cannot write the audit log " + path_ + ".");
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

void JsonLinesFileSink::Run() {
  constexpr auto kInterval = std::chrono::milliseconds(5);
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, kInterval, [&] { return stop_; });
    lock.unlock();
    if (Status st = Flush(); !st.ok()) std::fputs("keyhaven: audit log write failed\n", stderr);
    lock.lock();
  }
}

}  // namespace kh::audit
