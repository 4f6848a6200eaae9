// What the SQLite store does with the file system and with files it did not write: modes of
// what it creates, refusal (without writing) of corrupt or foreign files, schema versions.
#include <sqlite3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "sim/store/store.h"
#include "tests/sim/store/store_test_util.h"

using namespace claw;
using namespace claw::store;
using namespace claw::store::testing;

namespace {

mode_t Mode(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  REQUIRE(out.good());
}

// Runs SQL on the file directly, as another program (or a person with sqlite3) would.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

Status OpenStatus(const std::string& path) {
  SqliteOptions o;
  o.path = path;
  return OpenSqliteStore(o).status();
}

// Sets the umask for one scope: the store's modes must not depend on the caller's.
class Umask {
 public:
  explicit Umask(mode_t m) : old_(::umask(m)) {}
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

}  // namespace

TEST_CASE("missing directories are created 0700 and the file 0600", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("a/b/arena.db");
  {
    Umask loose(0);  // would give 0777 directories and a 0666 file if the store relied on it
    auto s = OpenOrDie(path);
    Batch b;
    b.journal = {Journal("market", 1)};
    REQUIRE(s->Commit(&b).ok());
    CHECK(Mode(dir.File("a")) == 0700);
    CHECK(Mode(dir.File("a/b")) == 0700);
    CHECK(Mode(path) == 0600);
    CHECK(Mode(path + "-wal") == 0600);  // SQLite copies the database file's mode
    CHECK(Mode(path + "-shm") == 0600);
  }
  SECTION("an existing directory and file keep their modes") {
    REQUIRE(::chmod(dir.File("a/b").c_str(), 0750) == 0);
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    auto s = OpenOrDie(path);
    CHECK(Mode(dir.File("a/b")) == 0750);
    CHECK(Mode(path) == 0640);
    CHECK(*s->LastJournalSeq() == 1);
  }
}

TEST_CASE("a file that is not an SQLite database is refused and left unchanged",
          "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  std::string garbage;
  SECTION("text") { garbage = "this is my diary, not a database\n"; }
  SECTION("binary, longer than a page") {
    for (int i = 0; i < 10'000; ++i) garbage.push_back(static_cast<char>((i * 131) & 0xff));
  }
  SECTION("an SQLite header followed by garbage") {
    garbage = std::string("SQLite format 3\0", 16);
    for (int i = 0; i < 8'192; ++i) garbage.push_back(static_cast<char>((i * 7 + 3) & 0xff));
  }
  WriteAll(path, garbage);
  REQUIRE(::chmod(path.c_str(), 0644) == 0);

  Status st = OpenStatus(path);
  CHECK(st.code() == StatusCode::kDataLoss);
  CHECK(st.message().find("'" + path + "'") != std::string::npos);
  CHECK(ReadAll(path) == garbage);
  CHECK(Mode(path) == 0644);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_CASE("a bad header is reported with the path and a hint", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  WriteAll(path, "not sqlite");
  Status st = OpenStatus(path);
  CHECK(st.code() == StatusCode::kDataLoss);
  CHECK(st.message() == "'" + path + "' is not an SQLite database (bad header)");
  CHECK(st.hint() == "the file was left untouched; move it away or choose another path");
}

TEST_CASE("an SQLite database of another program is refused", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawExec(path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');");
  const std::string before = ReadAll(path);
  Status st = OpenStatus(path);
  CHECK(st.code() == StatusCode::kDataLoss);
  CHECK(st.message() ==
        "opening store '" + path + "': an SQLite database but not an arena store (no meta table)");
  CHECK(st.hint() == "the file was left untouched; choose another path");
  CHECK(ReadAll(path) == before);
}

TEST_CASE("a store with a newer schema_version is refused", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  OpenOrDie(path).reset();
  RawExec(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  Status st = OpenStatus(path);
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() ==
        "opening store '" + path + "': schema_version 99 is newer than this program knows (4)");

  RawExec(path, "UPDATE meta SET value = 'one' WHERE key = 'schema_version'");
  st = OpenStatus(path);
  CHECK(st.code() == StatusCode::kDataLoss);
  CHECK(st.message() == "opening store '" + path + "': invalid schema_version \"one\"");
}

TEST_CASE("an older store is migrated to the current schema_version on open", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  OpenOrDie(path).reset();
  RawExec(path, "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  auto s = OpenOrDie(path);
  CHECK(**s->GetMeta("schema_version") == "4");
}

TEST_CASE("audit rows cannot be updated or deleted, even by another client", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  {
    auto s = OpenOrDie(path);
    Batch b;
    b.audit = {Audit("", "auth_failure")};
    REQUIRE(s->Commit(&b).ok());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  for (const char* sql : {"UPDATE audit SET ip = 'x'", "DELETE FROM audit"}) {
    char* err = nullptr;
    CHECK(sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK);
    CHECK(std::string(err ? err : "") == "audit is append-only");
    sqlite3_free(err);
  }
  sqlite3_close(db);
  auto s = OpenOrDie(path);
  CHECK(s->ListAudit("", Page{})->at(0).ip == "192.0.2.1");
}

TEST_CASE("money columns refuse a floating-point value", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  OpenOrDie(path).reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "INSERT INTO prices VALUES ('BTCUSDT', 1.5, 2, 3, 4, 5)", nullptr, nullptr,
                     nullptr) == SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

TEST_CASE("an empty path is an error", "[sim][store]") {
  Status st = OpenStatus("");
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message() == "store path is empty");
}
