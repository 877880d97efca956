#include "domain/role_definition_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

constexpr char kSub[] = "/subscriptions/s1";
constexpr char kId[] = "11111111-2222-3333-4444-555555555555";

RoleDefinitionRecord Role(std::string id, std::string name) {
  RoleDefinitionRecord r;
  r.id = std::move(id);
  r.role_name = std::move(name);
  r.description = "reads secrets";
  r.data_actions = {"Microsoft.KeyVault/vaults/secrets/getSecret/action"};
  r.assignable_scopes = {kSub};
  return r;
}

class RoleDefinitionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = RoleDefinitionService::Open(&f.barrier, &f.clock);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    roles = std::move(*opened);
  }
  testing::DomainFixture f;
  std::unique_ptr<RoleDefinitionService> roles;
};

TEST_F(RoleDefinitionServiceTest, CreateUpdateGetDeleteAndReload) {
  f.clock.Set(1000);
  auto created = roles->Put(Role("11111111-2222-3333-4444-55555555555A", "Secret Getter"), "admin");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->role.id, "11111111-2222-3333-4444-55555555555a") << "ids are lower-cased";
  EXPECT_EQ(created->role.created_at, 1000);
  EXPECT_EQ(created->role.created_by, "admin");

  f.clock.Set(2000);
  RoleDefinitionRecord update = Role("11111111-2222-3333-4444-55555555555a", "Secret Getter");
  update.not_data_actions = {"Microsoft.KeyVault/vaults/secrets/purge/action"};
  auto updated = roles->Put(update, "other");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_FALSE(updated->created);
  EXPECT_EQ(updated->role.created_at, 1000) << "creation survives an update";
  EXPECT_EQ(updated->role.created_by, "admin");
  EXPECT_EQ(updated->role.updated_at, 2000);
  EXPECT_EQ(updated->role.updated_by, "other");

  auto snapshot = roles->Snapshot();
  ASSERT_EQ(snapshot->size(), 1u);
  EXPECT_EQ(snapshot->begin()->second->not_data_actions.size(), 1u);

  // Everything survives a restart (a new service over the same storage).
  auto reopened = RoleDefinitionService::Open(&f.barrier, &f.clock);
  ASSERT_TRUE(reopened.ok());
  auto got = (*reopened)->Get("11111111-2222-3333-4444-55555555555A");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->role_name, "Secret Getter");
  EXPECT_EQ(got->data_actions, update.data_actions);
  EXPECT_EQ(got->not_data_actions, update.not_data_actions);
  EXPECT_EQ(got->assignable_scopes, update.assignable_scopes);
  EXPECT_EQ(got->updated_by, "other");

  auto removed = roles->Delete("11111111-2222-3333-4444-55555555555a");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->role_name, "Secret Getter");
  EXPECT_EQ(roles->Get(removed->id).status().azure_code(), "RoleDefinitionDoesNotExist");
  EXPECT_EQ(roles->Delete(removed->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(snapshot->size(), 1u) << "an earlier snapshot is unchanged by later writes";
  EXPECT_TRUE(roles->Snapshot()->empty());
  auto after_restart = RoleDefinitionService::Open(&f.barrier, &f.clock);
  ASSERT_TRUE(after_restart.ok());
  EXPECT_TRUE((*after_restart)->Snapshot()->empty());
}

TEST_F(RoleDefinitionServiceTest, NamesAreUniqueCaseInsensitively) {
  ASSERT_TRUE(roles->Put(Role(kId, "Secret Getter"), "admin").ok());
  auto clash = roles->Put(Role("99999999-2222-3333-4444-555555555555", "secret GETTER"), "admin");
  EXPECT_EQ(clash.status().code(), StatusCode::kConflict);
  EXPECT_EQ(clash.status().azure_code(), "RoleDefinitionWithSameNameExists");
  EXPECT_TRUE(roles->Put(Role(kId, "SECRET GETTER"), "admin").ok()) << "renaming itself is fine";
}

TEST_F(RoleDefinitionServiceTest, RejectsMalformedDefinitions) {
  auto code = [&](RoleDefinitionRecord r) { return roles->Put(r, "admin").status().azure_code(); };
  RoleDefinitionRecord r = Role(kId, "");
  EXPECT_EQ(code(r), "InvalidRoleDefinition") << "roleName is required";
  r = Role(kId, std::string(kMaxRoleNameLength + 1, 'n'));
  EXPECT_EQ(code(r), "InvalidRoleDefinition");
  r = Role(kId, "x");
  r.description = std::string(kMaxRoleDescriptionLength + 1, 'd');
  EXPECT_EQ(code(r), "InvalidRoleDefinition");
  r = Role("not/a-guid", "x");
  EXPECT_EQ(code(r), "InvalidRoleDefinitionId");

  for (std::string bad : {"", "Microsoft.KeyVault/*/secrets/*", "no-slash", "/leading",
                          "Microsoft.KeyVault//x", "Microsoft.KeyVault/a b"}) {
    r = Role(kId, "x");
    r.actions = {bad};
    EXPECT_EQ(code(r), "InvalidActionOrNotAction") << bad;
    r = Role(kId, "x");
    r.not_data_actions = {bad};
    EXPECT_EQ(code(r), "InvalidActionOrNotAction") << bad;
  }
  r = Role(kId, "x");
  r.actions = std::vector<std::string>(kMaxPermissionEntries + 1, "Microsoft.KeyVault/vaults/read");
  EXPECT_EQ(code(r), "InvalidRoleDefinition");

  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{},
                                             {"/"},
                                             {"/subscriptions/*"},
                                             {"subscriptions/s1"},
                                             {"/subscriptions/s1/"},
                                             {"/subscriptions//s1"}}) {
    r = Role(kId, "x");
    r.assignable_scopes = bad;
    EXPECT_EQ(code(r), "InvalidAssignableScope") << (bad.empty() ? "(none)" : bad[0]);
  }
  EXPECT_TRUE(roles->Snapshot()->empty());

  r = Role(kId, "wildcards");
  r.actions = {"*", "Microsoft.KeyVault/vaults/*"};
  r.data_actions = {"Microsoft.KeyVault/vaults/secrets/*"};
  EXPECT_TRUE(roles->Put(r, "admin").ok()) << "one wildcard per action is allowed";
}

TEST_F(RoleDefinitionServiceTest, MayReplaceVetoesAnUpdate) {
  ASSERT_TRUE(roles->Put(Role(kId, "Secret Getter"), "admin").ok());
  RoleDefinitionRecord narrower = Role(kId, "Secret Getter");
  narrower.assignable_scopes = {"/subscriptions/s1/resourceGroups/rg"};
  auto vetoed = roles->Put(narrower, "admin", [](const RoleDefinitionRecord& existing) {
    EXPECT_EQ(existing.assignable_scopes[0], kSub);
    return Conflict("in use", "RoleDefinitionHasAssignments");
  });
  EXPECT_EQ(vetoed.status().code(), StatusCode::kConflict);
  EXPECT_EQ(roles->Get(kId)->assignable_scopes[0], kSub) << "unchanged";
  bool called = false;
  auto created = roles->Put(Role("99999999-2222-3333-4444-555555555555", "Other"), "admin",
                            [&](const RoleDefinitionRecord&) {
                              called = true;
                              return Status::Ok();
                            });
  EXPECT_TRUE(created.ok());
  EXPECT_FALSE(called) << "only runs when a role is replaced";
}

TEST_F(RoleDefinitionServiceTest, ConcurrentReadersSeeWholeSnapshots) {
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      auto snapshot = roles->Snapshot();
      for (const auto& [id, role] : *snapshot) ASSERT_EQ(role->id, id);
    }
  });
  for (int i = 0; i < 50; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-0000-0000-%012d", i);
    ASSERT_TRUE(roles->Put(Role(id, "role " + std::to_string(i)), "admin").ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(roles->Snapshot()->size(), 50u);
}

}  // namespace
}  // namespace kh::domain
