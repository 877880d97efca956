// What one audit record costs the server, piece by piece (issue 6: the audit log must cost under
// 10% of secret GET throughput; ./scripts/bench measures that end to end, this says where it goes).
//   FormatRecord   a SecretGet record as JSON, on the request's thread
//   ChainLine      its hash-chain step and line, on the writer thread
//   WriteAndFlush  AuditLog::Write of 1,000 records and the cycle that writes them to a file
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "audit/audit_chain.h"
#include "audit/audit_event.h"
#include "audit/audit_log.h"
#include "crypto/ec_key.h"

namespace {

using kh::audit::AuditEvent;

// The record of the benchmark's secret GET, as the server builds it.
AuditEvent SecretGet() {
  AuditEvent e;
  e.time_ms = 1764484800123;
  e.resource_id =
      "/SUBSCRIPTIONS/8F02771B-0D63-4867-833A-1E656DECBDCD/RESOURCEGROUPS/BENCH/PROVIDERS/"
      "MICROSOFT.KEYVAULT/VAULTS/BENCH";
  e.operation_name = "SecretGet";
  e.operation_version = "2025-07-01";
  e.http_status = 200;
  e.caller_ip = "127.0.0.1";
  e.object_id = "75dfc0ba-c285-4308-9ce3-325f09097aa5";
  e.app_id = "874eb699-6015-4721-8635-57dd20105256";
  e.request_uri = "https://bench.localhost:38183/secrets/seed/?api-version=2025-07-01";
  e.id = "https://bench.localhost:38183/secrets/seed";
  e.tls_version = "TLSv1.3";
  e.authorization = kh::audit::AuthorizationModel::kBootstrapAdministrator;
  e.authorized = true;
  e.address_authorized = true;
  return e;
}

void FormatRecord(benchmark::State& state) {
  const AuditEvent event = SecretGet();
  std::string out;
  for (auto _ : state) {
    out.clear();
    kh::audit::AppendJsonObject(event, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * int64_t(out.size()));
}
BENCHMARK(FormatRecord);

void ChainLine(benchmark::State& state) {
  std::string object;
  kh::audit::AppendJsonObject(SecretGet(), object);
  kh::audit::ChainPosition at;
  std::string out;
  for (auto _ : state) {
    out.clear();
    kh::audit::AppendChainedLine(object, at, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * int64_t(object.size()));
}
BENCHMARK(ChainLine);

void WriteAndFlush(benchmark::State& state) {
  char dir_template[] = "/tmp/keyhaven-audit-bench-XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  auto signer = kh::crypto::EcPrivateKey::Generate();
  kh::audit::AuditLogOptions options;
  options.directory = dir;
  auto log = kh::audit::AuditLog::Open(options, *signer);
  if (!log.ok()) {
    state.SkipWithError("the audit log did not open");
    return;
  }
  const AuditEvent event = SecretGet();
  for (auto _ : state) {
    for (int i = 0; i < 1000; ++i) (*log)->Write(event);
    benchmark::DoNotOptimize((*log)->Flush());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  log->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(WriteAndFlush)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
