#pragma once
// The hash chain that makes the audit log tamper-evident.
//
// Every line of an audit file is one JSON object ending in a "chain" member:
//     {...record...,"chain":{"seq":41,"hash":"<base64url SHA-256>"}}
// where hash = SHA-256(previous record's hash || "41" || "\n" || the line up to ",\"chain\":").
// Changing, removing, inserting or reordering a record breaks the chain from there on. A
// rewritten tail with recomputed hashes is caught by checkpoints: records whose body carries
// an ES256 signature, by the server's audit key, over the seq and hash of the record before
// them (CheckpointStatement). Each file starts with a record naming the last record of the file
// before it, so files can be checked alone or in sequence.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status_or.h"

namespace kh::audit {

// The last record written: its seq and raw 32-byte hash. A new chain starts at seq 0 with 32
// zero bytes.
struct ChainPosition {
  uint64_t seq = 0;
  std::string hash = std::string(32, '\0');
};

// Appends `object` ("{...}") as the next line of the chain, "\n" included, and advances `at`.
void AppendChainedLine(std::string_view object, ChainPosition& at, std::string& out);

struct ChainedLine {
  uint64_t seq = 0;
  std::string hash;       // raw 32 bytes, as the line states it
  std::string_view body;  // the line up to ",\"chain\":" (what the hash covers)
};

// Splits one line (no newline) into what it states. InvalidArgument if it is not a chained
// record in exactly the form AppendChainedLine writes.
StatusOr<ChainedLine> ParseChainedLine(std::string_view line);

// The hash a record with this body and seq must have after `previous_hash`.
std::string RecordHash(std::string_view previous_hash, uint64_t seq, std::string_view body);

// The bytes a checkpoint signs: the seq and hash of the record before the checkpoint.
std::string CheckpointStatement(uint64_t seq, std::string_view hash);

}  // namespace kh::audit
