// sqlite_commit_reference: SQLite's own rate of one-row durable commits on a given disk.
//
// The reference for Keyhaven's SET throughput (DESIGN.md section 5): a fresh database in WAL mode
// with synchronous=FULL, the same table shape as the server's store (kv, BLOB key, WITHOUT ROWID),
// and single-threaded commits of one ~300-byte row each (BEGIN IMMEDIATE; INSERT; COMMIT) for a
// fixed duration. Every commit is durable (fsync of the WAL), so this is the rate a server that
// commits each write on its own could reach at best; beating it needs group commit.
//
// Usage: sqlite_commit_reference --dir DIR [--seconds 5] [--value-bytes 300] [--json]
// Prints a human-readable line, or with --json one JSON object.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string dir;
  double seconds = 5.0;
  int value_bytes = 300;
  bool json = false;
};

[[noreturn]] void Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s --dir DIR [--seconds N] [--value-bytes N] [--json]\n", argv0);
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage(argv[0]);
      return argv[++i];
    };
    if (arg == "--dir") {
      options.dir = next();
    } else if (arg == "--seconds") {
      options.seconds = std::atof(next().c_str());
    } else if (arg == "--value-bytes") {
      options.value_bytes = std::atoi(next().c_str());
    } else if (arg == "--json") {
      options.json = true;
    } else {
      Usage(argv[0]);
    }
  }
  if (options.dir.empty() || options.seconds <= 0 || options.value_bytes <= 0) Usage(argv[0]);
  return options;
}

[[noreturn]] void Die(sqlite3* db, const char* what) {
  std::fprintf(stderr, "sqlite_commit_reference: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  std::exit(1);
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_commit_reference: %s: %s\n", sql, error ? error : "");
    sqlite3_free(error);
    std::exit(1);
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    Die(db, sql);
  }
  return stmt;
}

void Step(sqlite3* db, sqlite3_stmt* stmt, const char* what) {
  if (sqlite3_step(stmt) != SQLITE_DONE) Die(db, what);
  sqlite3_reset(stmt);
}

double PercentileMicros(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(p / 100.0 * double(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseArgs(argc, argv);
  fs::create_directories(options.dir);
  fs::path path = fs::path(options.dir) / "sqlite-commit-reference.db";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    fs::remove(path.string() + suffix);
  }

  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Die(db, "open");
  }
  sqlite3_stmt* mode = Prepare(db, "PRAGMA journal_mode=WAL");
  if (sqlite3_step(mode) != SQLITE_ROW ||
      std::strcmp(reinterpret_cast<const char*>(sqlite3_column_text(mode, 0)), "wal") != 0) {
    Die(db, "journal_mode=WAL was refused");
  }
  sqlite3_finalize(mode);
  Exec(db, "PRAGMA synchronous=FULL");
  Exec(db, "CREATE TABLE kv(key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID");

  sqlite3_stmt* begin = Prepare(db, "BEGIN IMMEDIATE");
  sqlite3_stmt* commit = Prepare(db, "COMMIT");
  sqlite3_stmt* insert = Prepare(db,
                                 "INSERT INTO kv(key, value) VALUES(?1, ?2) "
                                 "ON CONFLICT(key) DO UPDATE SET value = ?2");

  // Incompressible bytes, like an encrypted record.
  std::mt19937_64 rng(42);
  std::string value(size_t(options.value_bytes), '\0');
  for (char& c : value) c = char(rng());

  std::vector<double> latencies_us;
  latencies_us.reserve(1 << 16);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(options.seconds);
  long commits = 0;
  auto now = start;
  while (now < deadline) {
    // A distinct key per commit, shaped like a secret version's record path.
    char key[96];
    int key_len = std::snprintf(key, sizeof key, "v/bench/secrets/reference-%08ld/%032lx", commits,
                                static_cast<unsigned long>(rng()));
    value[0] = char(commits);  // each row differs
    Step(db, begin, "BEGIN IMMEDIATE");
    sqlite3_bind_blob(insert, 1, key, key_len, SQLITE_STATIC);
    sqlite3_bind_blob(insert, 2, value.data(), int(value.size()), SQLITE_STATIC);
    Step(db, insert, "INSERT");
    Step(db, commit, "COMMIT");
    auto after = Clock::now();
    latencies_us.push_back(std::chrono::duration<double, std::micro>(after - now).count());
    now = after;
    ++commits;
  }
  const double elapsed = std::chrono::duration<double>(now - start).count();

  sqlite3_finalize(begin);
  sqlite3_finalize(commit);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    fs::remove(path.string() + suffix);
  }

  std::sort(latencies_us.begin(), latencies_us.end());
  const double rate = double(commits) / elapsed;
  const double p50 = PercentileMicros(latencies_us, 50);
  const double p99 = PercentileMicros(latencies_us, 99);
  if (options.json) {
    std::printf(
        "{\"commits\":%ld,\"seconds\":%.3f,\"commits_per_second\":%.1f,"
        "\"p50_us\":%.1f,\"p99_us\":%.1f,\"value_bytes\":%d,\"sqlite_version\":\"%s\"}\n",
        commits, elapsed, rate, p50, p99, options.value_bytes, sqlite3_libversion());
  } else {
    std::printf(
        "sqlite %s, WAL, synchronous=FULL, one %d-byte row per commit, 1 thread: %ld commits in "
        "%.2f s = %.1f commits/s (p50 %.0f us, p99 %.0f us)\n",
        sqlite3_libversion(), options.value_bytes, commits, elapsed, rate, p50, p99);
  }
  return 0;
}
