#include "audit/audit_verify.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "audit/audit_chain.h"
#include "core/base64.h"

namespace kh::audit {
namespace {

namespace json = boost::json;

constexpr std::string_view kChainCategory = "\"category\":\"KeyhavenAuditChain\"";

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Member(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t IntMember(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_int64() ? v->as_int64() : -1;
}

std::string Raw(std::string_view b64) {
  auto raw = Base64UrlDecode(b64);
  return raw.ok() ? *raw : std::string();
}

class Verifier {
 public:
  Verifier(const std::optional<crypto::EcPublicKey>& key, VerifyReport& report)
      : key_(key), report_(report) {}

  void File(const std::string& path) {
    ++report_.files;
    auto text = ReadWhole(path);
    if (!text) {
      report_.problems.push_back(path + ": cannot be read");
      known_ = false;
      return;
    }
    size_t begin = 0, number = 0;
    while (begin < text->size()) {
      size_t end = text->find('\n', begin);
      ++number;
      where_ = path + ":" + std::to_string(number);
      if (end == std::string::npos) {
        report_.notes.push_back(where_ +
                                ": the file ends in an incomplete line (a write was cut "
                                "short, or the file was truncated)");
        break;
      }
      Line(std::string_view(*text).substr(begin, end - begin));
      begin = end + 1;
    }
  }

  void Finish() {
    if (report_.records > 0 && report_.last_signed_seq < report_.last_seq) {
      report_.notes.push_back("records after seq " + std::to_string(report_.last_signed_seq) +
                              " (up to " + std::to_string(report_.last_seq) +
                              ") are not yet covered by a signed checkpoint");
    }
    if (!key_) report_.notes.push_back("no public key given: checkpoint signatures not checked");
  }

 private:
  void Problem(const std::string& what) { report_.problems.push_back(where_ + ": " + what); }

  void Line(std::string_view line) {
    auto parsed = ParseChainedLine(line);
    if (!parsed.ok()) {
      Problem("not a chained audit record (" + parsed.status().message() + ")");
      known_ = false;  // re-anchor on the next good record so later problems still show
      return;
    }
    ++report_.records;
    std::optional<json::object> chain_record;
    if (parsed->body.find(kChainCategory) != std::string_view::npos) {
      boost::system::error_code ec;
      json::value v = json::parse(std::string(parsed->body) + "}", ec);
      if (!ec && v.is_object()) chain_record = std::move(v.as_object());
    }
    const std::string operation = chain_record ? Member(*chain_record, "operationName") : "";
    if (operation == "AuditFileStart") FileStart(*chain_record);

    if (known_) {
      if (parsed->seq <= seq_) {
        Problem("seq " + std::to_string(parsed->seq) + " after seq " + std::to_string(seq_) +
                ": records reordered or inserted");
      } else if (parsed->seq > seq_ + 1) {
        Problem("seq " + std::to_string(seq_ + 1) + " to " + std::to_string(parsed->seq - 1) +
                " missing: records removed");
      } else if (RecordHash(hash_, parsed->seq, parsed->body) != parsed->hash) {
        Problem("seq " + std::to_string(parsed->seq) +
                ": the hash does not match: this record, or the one before it, was changed or "
                "replaced");
      }
    } else if (report_.records > 1) {
      report_.notes.push_back(where_ + ": checking resumes here");
    }
    if (operation == "AuditCheckpoint") Checkpoint(*chain_record);
    known_ = true;
    seq_ = parsed->seq;
    hash_ = parsed->hash;
    report_.last_seq = seq_;
  }

  // A file's first record names the last record of the file before it.
  void FileStart(const json::object& o) {
    const int64_t previous_seq = IntMember(o, "previousSeq");
    const std::string previous_hash = Raw(Member(o, "previousHash"));
    if (known_) {
      if (previous_seq != static_cast<int64_t>(seq_) || previous_hash != hash_) {
        Problem("this file does not continue the one before it (it follows seq " +
                std::to_string(previous_seq) + ", the previous file ends at seq " +
                std::to_string(seq_) + "): records or files removed or replaced");
      }
      return;
    }
    if (previous_seq < 0 || previous_hash.size() != 32) return;
    if (report_.records == 1 && previous_seq > 0) {
      report_.notes.push_back(where_ + ": the chain is checked from seq " +
                              std::to_string(previous_seq + 1) + " (earlier files were not given)");
    }
    known_ = true;
    seq_ = static_cast<uint64_t>(previous_seq);
    hash_ = previous_hash;
  }

  void Checkpoint(const json::object& o) {
    const int64_t signed_seq = IntMember(o, "signedSeq");
    const std::string signed_hash = Raw(Member(o, "signedHash"));
    if (!known_ || signed_seq != static_cast<int64_t>(seq_) || signed_hash != hash_) {
      Problem("the checkpoint does not sign the record before it");
      return;
    }
    if (!key_) return;
    if (!key_->Verify(CheckpointStatement(seq_, hash_), Raw(Member(o, "signature")))) {
      Problem("the checkpoint's signature does not verify: records up to seq " +
              std::to_string(seq_) + " were rewritten");
      return;
    }
    ++report_.checkpoints;
    report_.last_signed_seq = seq_ + 1;  // the checkpoint's own record is covered by the chain
  }

  const std::optional<crypto::EcPublicKey>& key_;
  VerifyReport& report_;
  std::string where_;
  bool known_ = false;  // whether seq_/hash_ hold the record before the current one
  uint64_t seq_ = 0;
  std::string hash_;
};

}  // namespace

VerifyReport VerifyAuditFiles(const std::vector<std::string>& paths,
                              const std::optional<crypto::EcPublicKey>& key) {
  VerifyReport report;
  Verifier verifier(key, report);
  for (const std::string& path : paths) verifier.File(path);
  verifier.Finish();
  return report;
}

StatusOr<crypto::EcPublicKey> ReadAuditPublicKey(const std::string& path) {
  auto text = ReadWhole(path);
  if (!text) return InvalidArgument("Cannot read the audit public key " + path + ".");
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return InvalidArgument(path + " is not a JSON key.");
  return crypto::EcPublicKey::FromCoordinates(Raw(Member(v.as_object(), "x")),
                                              Raw(Member(v.as_object(), "y")));
}

}  // namespace kh::audit
