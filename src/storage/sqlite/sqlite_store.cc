#include "storage/sqlite/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "storage/internal/scan_range.h"
#include "storage/sqlite/internal/checkpointer.h"
#include "storage/sqlite/internal/read_pool.h"
#include "storage/sqlite/internal/record_cache.h"
#include "storage/sqlite/internal/writer.h"

namespace kh::storage {
namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<internal::Writer> writer,
              std::unique_ptr<internal::ReadPool> reads,
              std::unique_ptr<internal::Checkpointer> checkpointer)
      : max_group_(std::max<size_t>(options.max_batches_per_transaction, 1)),
        hold_group_until_(options.hold_group_until_for_testing),
        writer_(std::move(writer)),
        reads_(std::move(reads)),
        checkpointer_(std::move(checkpointer)) {}

  ~SqliteStore() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_.notify_one();
    if (committer_.joinable()) committer_.join();
  }

  // Separate from the constructor so that a thread-creation failure can become a Status.
  void Start() {
    committer_ = std::thread([this] { RunCommitter(); });
  }

  StatusOr<std::optional<std::string>> Get(std::string_view key) override {
    internal::RecordCache::Lookup cached = cache_.Get(key);
    if (cached.hit) return std::move(cached.value);
    KH_ASSIGN_OR_RETURN(std::optional<std::string> value, reads_->Get(key));
    cache_.Fill(key, value, cached.generation);
    return value;
  }

  StatusOr<std::vector<KeyValue>> Scan(std::string_view prefix, std::string_view start_after,
                                       size_t limit) override {
    return reads_->Scan(internal::MakeScanRange(prefix, start_after), limit);
  }

  Status Commit(const WriteBatch& batch) override {
    KH_RETURN_IF_ERROR(ValidateBatch(batch));
    if (batch.empty()) return Status::Ok();
    Pending pending;
    pending.batch = &batch;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Unavailable("storage: the store is shutting down");
      queue_.push_back(&pending);
    }
    work_.notify_one();
    // Each caller waits on its own mutex, so the committer's wake-ups do not pile onto mu_.
    std::unique_lock done_lock(pending.done_mu);
    pending.done_cv.wait(done_lock, [&pending] { return pending.done; });
    return std::move(pending.status);
  }

  void CommitAsync(WriteBatch batch, std::function<void(Status)> done) override {
    Status valid = ValidateBatch(batch);
    if (!valid.ok() || batch.empty()) return done(valid);
    auto pending = std::make_unique<Pending>();
    pending->owned_batch = std::make_unique<WriteBatch>(std::move(batch));
    pending->batch = pending->owned_batch.get();
    pending->callback = std::move(done);
    {
      std::lock_guard lock(mu_);
      if (!stopping_) queue_.push_back(pending.release());  // the committer owns it from here
    }
    if (pending) return pending->callback(Unavailable("storage: the store is shutting down"));
    work_.notify_one();
  }

  StoreStats Stats() const override {
    return StoreStats{commits_.load(std::memory_order_relaxed),
                      transactions_.load(std::memory_order_relaxed)};
  }

 private:
  // A synchronous Commit's Pending lives on the caller's stack until `done` (status and done are
  // guarded by done_mu). An asynchronous one owns its batch and callback and is deleted by the
  // committer after the callback ran.
  struct Pending {
    const WriteBatch* batch = nullptr;
    std::unique_ptr<WriteBatch> owned_batch;
    std::function<void(Status)> callback;
    std::mutex done_mu;
    Status status;
    bool done = false;
    std::condition_variable done_cv;
  };

  void RunCommitter() {
    std::vector<Pending*> group;
    std::vector<const WriteBatch*> batches;
    std::vector<Status> results;
    while (true) {
      {
        std::unique_lock lock(mu_);
        work_.wait(lock, [this] { return stopping_ || ReadyForGroup(); });
        if (queue_.empty()) return;  // stopping, and everything queued has been answered
        size_t n = std::min(queue_.size(), max_group_);
        group.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      }
      // Pending::batch is immutable and its caller is blocked, so it may be read unlocked.
      batches.clear();
      for (Pending* pending : group) batches.push_back(pending->batch);
      results.assign(group.size(), Status::Ok());
      Status transaction = writer_->CommitGroup(batches, results);
      commits_.fetch_add(group.size(), std::memory_order_relaxed);
      if (transaction.ok()) {
        transactions_.fetch_add(1, std::memory_order_relaxed);
        // Durable now: make the cache agree before anyone is told the write happened.
        for (size_t i = 0; i < batches.size(); ++i) {
          if (results[i].ok()) cache_.Apply(*batches[i]);
        }
      }

      for (size_t i = 0; i < group.size(); ++i) {
        Status outcome = transaction.ok() ? std::move(results[i]) : transaction;
        if (group[i]->callback) {
          std::unique_ptr<Pending> owned(group[i]);
          owned->callback(std::move(outcome));
          continue;
        }
        // Notify while holding done_mu: once unlocked, the caller may return and destroy it.
        std::lock_guard done_lock(group[i]->done_mu);
        group[i]->status = std::move(outcome);
        group[i]->done = true;
        group[i]->done_cv.notify_one();
      }
    }
  }

  bool ReadyForGroup() const {
    if (queue_.empty()) return false;
    return !hold_group_until_ || hold_group_until_(queue_.size());
  }

  const size_t max_group_;
  const std::function<bool(size_t)> hold_group_until_;
  std::unique_ptr<internal::Writer> writer_;  // used only by the committer thread
  std::unique_ptr<internal::ReadPool> reads_;
  std::unique_ptr<internal::Checkpointer> checkpointer_;
  internal::RecordCache cache_;

  std::mutex mu_;
  std::condition_variable work_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread committer_;

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> transactions_{0};
};

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.path.empty()) return InvalidArgument("storage: empty database path");
  KH_ASSIGN_OR_RETURN(std::unique_ptr<internal::Writer> writer,
                      internal::Writer::Open(options.path, options.busy_timeout_ms));
  KH_ASSIGN_OR_RETURN(
      std::unique_ptr<internal::ReadPool> reads,
      internal::ReadPool::Open(options.path, options.read_connections, options.busy_timeout_ms));
  KH_ASSIGN_OR_RETURN(std::unique_ptr<internal::Checkpointer> checkpointer,
                      internal::Checkpointer::Start(options.path, options.busy_timeout_ms));
  auto store = std::make_unique<SqliteStore>(options, std::move(writer), std::move(reads),
                                             std::move(checkpointer));
  try {
    store->Start();
  } catch (const std::exception&) {
    return Internal("storage: cannot start the commit thread");
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace kh::storage
