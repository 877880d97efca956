#pragma once
// Clock: the only source of "now" for the domain. SystemClock reads the wall clock plus an
// offset that only moves forward (the --test-clock admin endpoint advances it); FakeClock is
// for unit tests. All implementations are thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace kh {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in seconds (Azure's IntDate).
  virtual int64_t NowSeconds() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowSeconds() const override;
  // Moves the clock forward by `seconds` (>= 0). Used only with --test-clock.
  void Advance(int64_t seconds) { offset_seconds_.fetch_add(seconds); }
  int64_t offset_seconds() const { return offset_seconds_.load(); }

 private:
  std::atomic<int64_t> offset_seconds_{0};
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_seconds = 1700000000) : now_(now_seconds) {}
  int64_t NowSeconds() const override { return now_.load(); }
  void Advance(int64_t seconds) { now_.fetch_add(seconds); }
  void Set(int64_t now_seconds) { now_.store(now_seconds); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace kh
