// The start-up check that the model folder is readable. Permissions mean
// nothing to root, so the unreadable cases run in a forked child that drops
// to an unprivileged uid first (when it is root) before looking.
#include "server/model_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace mbserve::server {
namespace {

constexpr uid_t kNobody = 65534;

class ModelFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mbserve_model_files_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ::chmod(dir_.c_str(), 0755);  // mkdtemp makes it 0700
    Write("config.json", 0644);
    Write("model.safetensors", 0644);
    std::filesystem::create_directory(dir_ + "/1_Pooling");
    Write("1_Pooling/config.json", 0644);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, mode_t mode) {
    std::ofstream(dir_ + "/" + name) << "{}";
    ::chmod((dir_ + "/" + name).c_str(), mode);
  }

  // In the child: become an ordinary user, run the check, print its
  // message and exit 0 when it passed, 1 when it failed.
  [[noreturn]] void CheckAsOrdinaryUser() {
    if (::geteuid() == 0 && (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) std::_Exit(2);
    const absl::Status status = CheckModelFilesReadable(dir_);
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    std::_Exit(status.ok() ? 0 : 1);
  }

  std::string dir_;
};

TEST_F(ModelFilesTest, ReadableFolderPasses) {
  EXPECT_EXIT(CheckAsOrdinaryUser(), ::testing::ExitedWithCode(0), "OK");
}

TEST_F(ModelFilesTest, PrivateFileIsNamedWithItsModeAndTheUid) {
  Write("model.safetensors", 0);  // unreadable by anyone but root
  const std::string uid = std::to_string(::geteuid() == 0 ? kNobody : ::geteuid());
  EXPECT_EXIT(CheckAsOrdinaryUser(), ::testing::ExitedWithCode(1),
              "PERMISSION_DENIED: cannot read .*/model\\.safetensors \\(mode 0000, owner uid "
              "[0-9]+ gid [0-9]+\\) as uid " +
                  uid + " .*chmod -R a\\+rX");
}

TEST_F(ModelFilesTest, UntraversableSubfolderIsNamed) {
  ::chmod((dir_ + "/1_Pooling").c_str(), 0);
  EXPECT_EXIT(CheckAsOrdinaryUser(), ::testing::ExitedWithCode(1),
              "cannot list .*/1_Pooling \\(mode 0000");
}

TEST_F(ModelFilesTest, HiddenEntriesAndAMissingFolderAreNotItsConcern) {
  std::filesystem::create_directory(dir_ + "/.cache");
  Write(".cache/lock", 0);
  EXPECT_EXIT(CheckAsOrdinaryUser(), ::testing::ExitedWithCode(0), "OK");
  EXPECT_TRUE(CheckModelFilesReadable(dir_ + "/does-not-exist").ok());
}

}  // namespace
}  // namespace mbserve::server
