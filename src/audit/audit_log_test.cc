#include "audit/audit_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <future>

#include "audit/audit_test_util.h"
#include "audit/audit_verify.h"

namespace kh::audit {
namespace {

using testing::AuditFilesIn;
using testing::EventNamed;
using testing::Lines;
using testing::ReadText;
using testing::TempDir;

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLogTest() : key_(*crypto::EcPrivateKey::Generate()) {}

  AuditLogOptions Options() {
    AuditLogOptions o;
    o.directory = dir_.path() + "/audit";
    o.now_ms = [this] { return now_ms_.load(); };
    return o;
  }

  std::unique_ptr<AuditLog> Open(AuditLogOptions o) {
    auto log = AuditLog::Open(std::move(o), key_);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  VerifyReport Verify() {
    return VerifyAuditFiles(AuditFilesIn(dir_.path() + "/audit"), key_.PublicKey());
  }

  std::vector<boost::json::object> Records() {
    std::vector<boost::json::object> out;
    for (const auto& file : AuditFilesIn(dir_.path() + "/audit")) {
      for (const auto& line : Lines(ReadText(file))) {
        out.push_back(boost::json::parse(line).as_object());
      }
    }
    return out;
  }

  TempDir dir_;
  crypto::EcPrivateKey key_;
  std::atomic<int64_t> now_ms_{1764484800000};
};

TEST_F(AuditLogTest, WritesChainedRecordsThatVerify) {
  {
    auto log = Open(Options());
    log->Write(EventNamed("SecretGet"));
    log->Write(EventNamed("SecretSet", 201));
    ASSERT_TRUE(log->Flush().ok());
    EXPECT_EQ(log->Health().records_written, 2u);
  }
  auto records = Records();
  ASSERT_EQ(records.size(), 4u) << "file start, two events, the closing checkpoint";
  EXPECT_EQ(records[0]["operationName"].as_string(), "AuditFileStart");
  EXPECT_EQ(records[0]["reason"].as_string(), "start");
  EXPECT_EQ(records[1]["operationName"].as_string(), "SecretGet");
  EXPECT_EQ(records[1]["category"].as_string(), "AuditEvent");
  EXPECT_EQ(records[2]["operationName"].as_string(), "SecretSet");
  EXPECT_EQ(records[3]["operationName"].as_string(), "AuditCheckpoint");
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["chain"].at("seq").as_int64(), static_cast<int64_t>(i + 1));
  }
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.problems[0];
  EXPECT_EQ(report.records, 4u);
  EXPECT_EQ(report.checkpoints, 1u);
  EXPECT_EQ(std::filesystem::status(AuditFilesIn(dir_.path() + "/audit")[0]).permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

TEST_F(AuditLogTest, ARestartContinuesTheChainInANewFile) {
  {
    auto log = Open(Options());
    log->Write(EventNamed("SecretGet"));
  }
  now_ms_ += 1000;
  {
    auto log = Open(Options());
    log->Write(EventNamed("SecretList"));
  }
  auto files = AuditFilesIn(dir_.path() + "/audit");
  ASSERT_EQ(files.size(), 2u);
  auto second = boost::json::parse(Lines(ReadText(files[1]))[0]).as_object();
  EXPECT_EQ(second["reason"].as_string(), "restart");
  EXPECT_EQ(second["previousSeq"].as_int64(), 3);
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.problems[0];
  EXPECT_EQ(report.last_seq, 6u);
}

TEST_F(AuditLogTest, RotatesBySizeAndAgeAndRemovesExpiredFiles) {
  AuditLogOptions o = Options();
  o.max_file_bytes = 2000;
  o.retention_days = 1;
  auto log = Open(o);
  for (int i = 0; i < 20; ++i) {
    log->Write(EventNamed("SecretGet"));
    ASSERT_TRUE(log->Flush().ok());
  }
  const size_t by_size = AuditFilesIn(o.directory).size();
  EXPECT_GE(by_size, 3u);
  now_ms_ += int64_t{25} * 3600 * 1000;  // a day later: rotate by age
  log->Write(EventNamed("SecretGet"));
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->Flush().ok());
  log.reset();
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.problems[0];

  // Files last written more than a day ago go at the next start.
  for (const auto& file : AuditFilesIn(o.directory)) {
    std::filesystem::last_write_time(
        file, std::filesystem::file_time_type::clock::now() - std::chrono::hours(72));
  }
  now_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  log = Open(o);
  EXPECT_EQ(AuditFilesIn(o.directory).size(), 1u) << "only the new file";
}

TEST_F(AuditLogTest, FailsClosedWhileTheDirectoryCannotBeWrittenAndRecovers) {
  AuditLogOptions o = Options();
  auto log = Open(o);
  log->Write(EventNamed("SecretGet"));
  ASSERT_TRUE(log->Flush().ok());
  EXPECT_TRUE(log->CheckWritable().ok());

  // The directory is replaced by a file: the log cannot continue (even as root).
  std::filesystem::rename(o.directory, o.directory + ".moved");
  testing::WriteText(o.directory, "not a directory");
  log->Write(EventNamed("SecretSet"));
  Status cycle = log->Flush();
  EXPECT_EQ(cycle.code(), StatusCode::kUnavailable);
  EXPECT_EQ(log->CheckWritable().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(log->Health().writable);
  EXPECT_EQ(log->Health().queued, 1u) << "kept in memory";

  std::filesystem::remove(o.directory);
  std::filesystem::rename(o.directory + ".moved", o.directory);
  EXPECT_TRUE(log->Flush().ok());
  EXPECT_TRUE(log->CheckWritable().ok());
  log.reset();
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.problems[0];
  size_t sets = 0;
  for (auto& r : Records()) sets += r["operationName"] == "SecretSet";
  EXPECT_EQ(sets, 1u) << "the record that waited was written once";
}

TEST_F(AuditLogTest, FailOpenNeverRefuses) {
  AuditLogOptions o = Options();
  o.fail_closed = false;
  auto log = Open(o);
  std::filesystem::rename(o.directory, o.directory + ".moved");
  testing::WriteText(o.directory, "not a directory");
  log->Write(EventNamed("SecretGet"));
  EXPECT_TRUE(log->Flush().ok());
  EXPECT_TRUE(log->CheckWritable().ok());
  EXPECT_FALSE(log->Health().writable);
  std::filesystem::remove(o.directory);
}

TEST_F(AuditLogTest, OpenFailsWhenTheDirectoryCannotBeMade) {
  testing::WriteText(dir_.path() + "/audit", "a file");
  EXPECT_FALSE(AuditLog::Open(Options(), key_).ok());
}

TEST_F(AuditLogTest, DropsBeyondTheBoundAndSaysHowMany) {
  AuditLogOptions o = Options();
  o.max_queued_events = 3;
  auto log = Open(o);
  std::filesystem::rename(o.directory, o.directory + ".moved");
  testing::WriteText(o.directory, "x");
  for (int i = 0; i < 5; ++i) log->Write(EventNamed("SecretGet"));
  EXPECT_FALSE(log->Flush().ok());
  log->Write(EventNamed("SecretGet"));
  EXPECT_EQ(log->Health().dropped, 3u);
  std::filesystem::remove(o.directory);
  std::filesystem::rename(o.directory + ".moved", o.directory);
  EXPECT_TRUE(log->Flush().ok());
  log.reset();
  int64_t reported = 0;
  for (auto& r : Records()) {
    if (r["operationName"] == "AuditRecordsDropped") reported += r["count"].as_int64();
  }
  EXPECT_EQ(reported, 3);
}

TEST_F(AuditLogTest, SignsACheckpointEveryNRecords) {
  AuditLogOptions o = Options();
  o.checkpoint_every_records = 5;
  auto log = Open(o);
  for (int i = 0; i < 12; ++i) {
    log->Write(EventNamed("SecretGet"));
    ASSERT_TRUE(log->Flush().ok());
  }
  VerifyReport open_report = Verify();
  EXPECT_TRUE(open_report.ok());
  EXPECT_EQ(open_report.checkpoints, 2u);
  ASSERT_FALSE(open_report.notes.empty());
  EXPECT_NE(open_report.notes.back().find("not yet covered"), std::string::npos);
}

}  // namespace
}  // namespace kh::audit
