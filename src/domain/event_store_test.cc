// Event subscriptions and the event outbox over a memory store.
#include <gtest/gtest.h>

#include "domain/event_outbox.h"
#include "domain/event_subscriptions.h"
#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

EventSubscription Subscription(std::string name) {
  EventSubscription s;
  s.name = std::move(name);
  s.vault = "app";
  s.endpoint = "https://hooks.example/kv";
  return s;
}

TEST(EventSubscriptionsTest, StoresListsAndDeletes) {
  testing::DomainFixture f;
  EventSubscriptions subs(&f.barrier);
  EventSubscription s = Subscription("audit-hook");
  s.event_types = {"Microsoft.KeyVault.SecretNewVersionCreated"};
  s.schema = EventSchema::kCloudEvents;
  ASSERT_TRUE(subs.Put(s).ok());
  auto list = subs.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ((*list)->size(), 1u);
  EXPECT_EQ((*list)->front().schema, EventSchema::kCloudEvents);
  EXPECT_EQ((*list)->front().event_types, s.event_types);
  ASSERT_TRUE(subs.Delete("AUDIT-HOOK").ok()) << "names are case-insensitive";
  EXPECT_TRUE((*subs.List())->empty());
  EXPECT_EQ(subs.Delete("audit-hook").code(), StatusCode::kNotFound);
}

TEST(EventSubscriptionsTest, RefusesBadInput) {
  testing::DomainFixture f;
  EventSubscriptions subs(&f.barrier);
  EventSubscription s = Subscription("x");
  EXPECT_EQ(subs.Put(s).code(), StatusCode::kInvalidArgument) << "name too short";
  s = Subscription("plain-http");
  s.endpoint = "http://hooks.example/kv";
  EXPECT_EQ(subs.Put(s).code(), StatusCode::kInvalidArgument);
  s = Subscription("too-many");
  s.max_delivery_attempts = 31;
  EXPECT_EQ(subs.Put(s).code(), StatusCode::kInvalidArgument);
}

TEST(EventSubscriptionsTest, MatchesByVaultTypeAndSubject) {
  EventSubscription s = Subscription("filters");
  s.event_types = {"Microsoft.KeyVault.KeyNewVersionCreated"};
  s.subject_begins_with = "prod-";
  s.subject_ends_with = "-key";
  EXPECT_TRUE(s.Matches("APP", "microsoft.keyvault.keynewversioncreated", "Prod-Signing-Key"));
  EXPECT_FALSE(s.Matches("other", "Microsoft.KeyVault.KeyNewVersionCreated", "prod-a-key"));
  EXPECT_FALSE(s.Matches("app", "Microsoft.KeyVault.SecretNewVersionCreated", "prod-a-key"));
  EXPECT_FALSE(s.Matches("app", "Microsoft.KeyVault.KeyNewVersionCreated", "test-a-key"));
  EXPECT_FALSE(s.Matches("app", "Microsoft.KeyVault.KeyNewVersionCreated", "prod-a"));
  s.vault.clear();
  EXPECT_TRUE(s.Matches("other", "Microsoft.KeyVault.KeyNewVersionCreated", "prod-a-key"));
}

TEST(EventOutboxTest, OwedDeliveriesSurviveAReopen) {
  testing::DomainFixture f;
  {
    EventOutbox outbox(&f.barrier);
    ASSERT_TRUE(outbox.Load().ok());
    std::vector<OutboxEntry> entries(3);
    for (int i = 0; i < 3; ++i) {
      entries[i].subscription = "hook";
      entries[i].payload = "{\"n\":" + std::to_string(i) + "}";
      entries[i].next_attempt_ms = 1000 * i;
    }
    ASSERT_TRUE(outbox.Add(entries).ok());
    auto due = outbox.Due(1000, 10);
    ASSERT_EQ(due.size(), 2u);
    ASSERT_TRUE(outbox.Remove(due[0].seq).ok());
    due[1].attempts = 1;
    due[1].next_attempt_ms = 5000;
    due[1].last_error = "HTTP 500";
    ASSERT_TRUE(outbox.Update(due[1]).ok());
  }
  EventOutbox reopened(&f.barrier);
  ASSERT_TRUE(reopened.Load().ok());
  EXPECT_EQ(reopened.Pending(), 2u);
  EXPECT_EQ(reopened.Due(4999, 10).size(), 1u) << "the retried one waits for its time";
  auto later = reopened.Due(5000, 10);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].attempts, 1);
  EXPECT_EQ(later[0].last_error, "HTTP 500");
  std::vector<OutboxEntry> more(1);
  more[0].subscription = "hook";
  ASSERT_TRUE(reopened.Add(more).ok());
  EXPECT_GT(reopened.Due(5000, 10).back().seq, later.back().seq) << "seqs continue";
}

}  // namespace
}  // namespace kh::domain
