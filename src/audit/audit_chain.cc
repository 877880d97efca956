#include "audit/audit_chain.h"

#include <boost/json.hpp>
#include <charconv>

#include "core/base64.h"
#include "crypto/hash.h"

namespace kh::audit {
namespace {

constexpr std::string_view kChainMember = ",\"chain\":";

// The one definition of the chain: the hash input (previous hash, seq, "\n", body) and the
// member that closes a line. The writer, the parser and the verifier all go through these.
void HashRecord(crypto::Sha256Hasher& hasher, std::string_view previous_hash, uint64_t seq,
                std::string_view body, char* hash_out) {
  char seq_line[24];
  char* seq_end = std::to_chars(seq_line, seq_line + sizeof seq_line - 1, seq).ptr;
  *seq_end = '\n';
  hasher.Update(previous_hash);
  hasher.Update({seq_line, static_cast<size_t>(seq_end + 1 - seq_line)});
  hasher.Update(body);
  hasher.Finish(hash_out);
}

void AppendChainMember(std::string& out, uint64_t seq, std::string_view hash) {
  char digits[24];
  out.append(kChainMember);
  out.append("{\"seq\":");
  out.append(digits, std::to_chars(digits, digits + sizeof digits, seq).ptr);
  out.append(",\"hash\":\"");
  AppendBase64Url(out, hash);
  out.append("\"}}");
}

// One hash context per thread, reused: the writer hashes every record the server writes.
crypto::Sha256Hasher& ThreadHasher() {
  thread_local crypto::Sha256Hasher hasher;
  return hasher;
}

}  // namespace

std::string RecordHash(std::string_view previous_hash, uint64_t seq, std::string_view body) {
  std::string hash(crypto::kSha256Size, '\0');
  HashRecord(ThreadHasher(), previous_hash, seq, body, hash.data());
  return hash;
}

void AppendChainedLine(std::string_view object, ChainPosition& at, std::string& out) {
  // The object without its closing brace is the body; the chain member closes it again.
  std::string_view body = object.substr(0, object.size() - 1);
  const uint64_t seq = at.seq + 1;
  at.hash.resize(crypto::kSha256Size);
  HashRecord(ThreadHasher(), at.hash, seq, body, at.hash.data());  // reads at.hash before writing
  at.seq = seq;
  out.append(body);
  AppendChainMember(out, seq, at.hash);
  out.push_back('\n');
}

StatusOr<ChainedLine> ParseChainedLine(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return InvalidArgument("not a JSON object");
  const auto* chain = v.as_object().if_contains("chain");
  if (!chain || !chain->is_object()) return InvalidArgument("no chain member");
  const auto* seq = chain->as_object().if_contains("seq");
  const auto* hash = chain->as_object().if_contains("hash");
  if (!seq || !seq->is_int64() || seq->as_int64() <= 0 || !hash || !hash->is_string()) {
    return InvalidArgument("a malformed chain member");
  }
  auto raw = Base64UrlDecode(hash->as_string());
  if (!raw.ok() || raw->size() != 32) return InvalidArgument("a malformed chain hash");
  const size_t at = line.rfind(kChainMember);
  ChainedLine out;
  out.seq = static_cast<uint64_t>(seq->as_int64());
  out.hash = std::move(*raw);
  out.body = line.substr(0, at);
  // Only the form the writer produces: nothing may hide after or inside the chain member.
  std::string member;
  AppendChainMember(member, out.seq, out.hash);
  if (at == std::string_view::npos || line.substr(at) != member) {
    return InvalidArgument("a chain member not in the written form");
  }
  return out;
}

std::string CheckpointStatement(uint64_t seq, std::string_view hash) {
  return "keyhaven-audit-checkpoint\n" + std::to_string(seq) + "\n" + Base64UrlEncode(hash);
}

}  // namespace kh::audit
