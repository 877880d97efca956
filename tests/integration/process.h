#pragma once
// Test helpers that run the real `keyhaven` binary: a server on an ephemeral port with its own
// data dir, and one-shot CLI commands with captured output.
#include <sys/types.h>

#include <string>
#include <vector>

namespace kh::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` to completion, feeding `input` to its stdin.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "");

class ServerProcess {
 public:
  // Starts `keyhaven serve` on 127.0.0.1:0 with `data_dir`, waits until it is listening.
  ServerProcess(const std::string& binary, const std::string& data_dir,
                std::vector<std::string> extra_args = {});
  ~ServerProcess();

  int port() const { return port_; }
  const std::string& url() const { return url_; }  // https://localhost:PORT
  // SIGTERM and wait; returns the exit status (0 on a clean shutdown).
  int Stop();
  // SIGKILL: the crash a durable store must survive.
  void Kill();
  // Everything the server printed so far (stdout and stderr).
  std::string Output();

 private:
  void Drain(int timeout_ms);
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::string url_;
  std::string output_;
};

std::string MakeTempDir();

// A whole file's bytes ("" when it cannot be read).
std::string ReadFile(const std::string& path);
// The first "name":"value" string member anywhere in a JSON text ("" if none).
std::string JsonField(const std::string& json, const std::string& name);
// A bearer token for the bootstrap administrator of `data_dir` (its admin.json and ca.pem),
// from `server`'s token endpoint; "" (and a test failure) when that fails.
std::string AdminToken(const ServerProcess& server, const std::string& data_dir);

}  // namespace kh::testing
