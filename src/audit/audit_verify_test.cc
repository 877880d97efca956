#include "audit/audit_verify.h"

#include <gtest/gtest.h>

#include <atomic>

#include "audit/audit_chain.h"
#include "audit/audit_log.h"
#include "audit/audit_test_util.h"
#include "core/base64.h"

namespace kh::audit {
namespace {

using testing::AuditFilesIn;
using testing::EventNamed;
using testing::Lines;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Two files of ten events each, a checkpoint every four events.
class AuditVerifyTest : public ::testing::Test {
 protected:
  AuditVerifyTest() : key_(*crypto::EcPrivateKey::Generate()) {
    for (int run = 0; run < 2; ++run) {
      AuditLogOptions o;
      o.directory = dir_.path();
      o.checkpoint_every_records = 4;
      auto log = AuditLog::Open(o, key_);
      for (int i = 0; i < 10; ++i) {
        log->get()->Write(EventNamed("Op" + std::to_string(run) + "_" + std::to_string(i)));
        EXPECT_TRUE(log->get()->Flush().ok());
      }
    }
    files_ = AuditFilesIn(dir_.path());
  }

  VerifyReport Verify() { return VerifyAuditFiles(files_, key_.PublicKey()); }

  // Applies `edit` to the lines of the first file.
  template <typename Edit>
  void EditFirstFile(Edit edit) {
    auto lines = Lines(ReadText(files_[0]));
    edit(lines);
    WriteText(files_[0], Join(lines));
  }

  static std::string FirstProblem(const VerifyReport& r) {
    return r.problems.empty() ? "(none)" : r.problems[0];
  }

  TempDir dir_;
  crypto::EcPrivateKey key_;
  std::vector<std::string> files_;
};

TEST_F(AuditVerifyTest, AnUntouchedLogVerifies) {
  ASSERT_EQ(files_.size(), 2u);
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok()) << FirstProblem(r);
  EXPECT_EQ(r.files, 2u);
  EXPECT_GE(r.checkpoints, 4u);
  EXPECT_EQ(r.last_signed_seq, r.last_seq);
}

TEST_F(AuditVerifyTest, AChangedRecordIsFoundWhereItIs) {
  EditFirstFile([](auto& lines) {
    auto at = lines[3].find("Op0_2");
    ASSERT_NE(at, std::string::npos);
    lines[3].replace(at, 5, "Op0_X");
  });
  VerifyReport r = Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FirstProblem(r).find(files_[0] + ":4: seq 4: the hash does not match"),
            std::string::npos)
      << FirstProblem(r);
}

TEST_F(AuditVerifyTest, ARemovedRecordIsFound) {
  EditFirstFile([](auto& lines) { lines.erase(lines.begin() + 2); });
  VerifyReport r = Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FirstProblem(r).find(":3: seq 3 to 3 missing"), std::string::npos) << FirstProblem(r);
}

TEST_F(AuditVerifyTest, ReorderedRecordsAreFound) {
  EditFirstFile([](auto& lines) { std::swap(lines[2], lines[3]); });
  VerifyReport r = Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FirstProblem(r).find(":3: seq 3 to 3 missing"), std::string::npos) << FirstProblem(r);
  EXPECT_NE(r.problems[1].find(":4: seq 3 after seq 4: records reordered or inserted"),
            std::string::npos)
      << r.problems[1];
}

TEST_F(AuditVerifyTest, AnInsertedRecordIsFound) {
  EditFirstFile([](auto& lines) { lines.insert(lines.begin() + 3, lines[2]); });
  VerifyReport r = Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FirstProblem(r).find(":4: seq 3 after seq 3"), std::string::npos) << FirstProblem(r);
}

TEST_F(AuditVerifyTest, ARewrittenChainFailsAtTheSignedCheckpoint) {
  // An attacker who changes a record and recomputes every hash after it (the hash is not
  // secret) still cannot sign: the next checkpoint gives it away.
  EditFirstFile([](auto& lines) {
    auto at = lines[2].find("Op0_1");
    lines[2].replace(at, 5, "Op0_X");
    auto first = ParseChainedLine(lines[0]);
    ChainPosition pos{first->seq, first->hash};
    // Recompute from line 2 on, keeping each line's body.
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string body(lines[i].substr(0, lines[i].rfind(",\"chain\":")));
      std::string rewritten;
      AppendChainedLine(body + "}", pos, rewritten);
      lines[i] = rewritten.substr(0, rewritten.size() - 1);
    }
  });
  VerifyReport r = Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FirstProblem(r).find("the checkpoint does not sign the record before it"),
            std::string::npos)
      << FirstProblem(r);
}

TEST_F(AuditVerifyTest, AForgedSignatureFails) {
  EditFirstFile([](auto& lines) {
    for (auto& line : lines) {
      auto at = line.find("\"signature\":\"");
      if (at == std::string::npos) continue;
      line[at + 14] = line[at + 14] == 'A' ? 'B' : 'A';
      // Keep the chain itself consistent so only the signature is wrong.
      break;
    }
  });
  VerifyReport r = Verify();
  ASSERT_FALSE(r.ok());
  bool signature_problem = false;
  for (const auto& p : r.problems) {
    signature_problem |= p.find("signature does not verify") != std::string::npos ||
                         p.find("hash does not match") != std::string::npos;
  }
  EXPECT_TRUE(signature_problem) << FirstProblem(r);
}

TEST_F(AuditVerifyTest, ARemovedFileIsFound) {
  // Three files; verifying the first and the third shows the gap.
  {
    AuditLogOptions o;
    o.directory = dir_.path();
    auto log = AuditLog::Open(o, key_);
    log->get()->Write(EventNamed("Later"));
  }
  auto files = AuditFilesIn(dir_.path());
  ASSERT_EQ(files.size(), 3u);
  VerifyReport r = VerifyAuditFiles({files[0], files[2]}, key_.PublicKey());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FirstProblem(r).find(files[2] + ":1: this file does not continue the one before it"),
            std::string::npos)
      << FirstProblem(r);
}

TEST_F(AuditVerifyTest, ALaterFileAloneVerifiesFromWhereItStarts) {
  VerifyReport r = VerifyAuditFiles({files_[1]}, key_.PublicKey());
  EXPECT_TRUE(r.ok()) << FirstProblem(r);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("checked from seq"), std::string::npos);
}

TEST_F(AuditVerifyTest, AnotherKeyFailsEveryCheckpoint) {
  auto other = crypto::EcPrivateKey::Generate();
  VerifyReport r = VerifyAuditFiles(files_, other->PublicKey());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(FirstProblem(r).find("signature does not verify"), std::string::npos);
}

TEST_F(AuditVerifyTest, ReadsThePublicKeyTheLogWrote) {
  auto key = ReadAuditPublicKey(dir_.path() + "/audit-public-key.json");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(VerifyAuditFiles(files_, *key).ok());
}

}  // namespace
}  // namespace kh::audit
