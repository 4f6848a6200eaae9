// Connections, statements and files for the SQLite store (sqlite_internal.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {
namespace {

// Long enough to ride out a checkpoint or another process's short transaction; short enough
// that a second server holding the file shows up as an error rather than a hang.
constexpr int kBusyTimeoutMs = 5'000;

// The first 16 bytes of every SQLite 3 database file (https://sqlite.org/fileformat.html).
constexpr char kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                   'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
constexpr std::size_t kHeaderSize = 100;

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

// mkdir -p with mode 0700 for each directory it creates.
Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::IOError("'" + dir + "' exists and is not a directory");
  }
  const std::size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    CLAW_RETURN_IF_ERROR(MakeDirs(dir.substr(0, slash)));
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError(ErrnoText("cannot create directory", dir));
  }
  return Status::Ok();
}

}  // namespace

Status SqliteError(int rc, sqlite3* db, const std::string& what) {
  // sqlite3_errmsg describes the connection's latest error, which is `rc` when called right
  // after the failing call; fall back to the generic text for the code otherwise.
  const char* msg =
      db != nullptr && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string m = what + ": " + msg;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::AlreadyExists(std::move(m));
      }
      return Status::InvalidArgument(std::move(m));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(m), "another process may be using the store");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::DataLoss(std::move(m));
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IOError(std::move(m));
    default:
      return Status::Internal(std::move(m));
  }
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = o.s_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Result<bool> Stmt::Step(const std::string& what) {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, db_, what);
}

Status Stmt::Run(const std::string& what) {
  ResetOnExit reset(this);
  Result<bool> r = Step(what);
  return r.status();
}

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& path, bool read_only) {
  // NOMUTEX: the store serialises each connection itself, so SQLite's per-call mutex would
  // only add cost. No SQLITE_OPEN_CREATE: PrepareDatabaseFile made the file with our mode.
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(rc, db, "opening '" + path + "'");
    sqlite3_close(db);  // a handle is returned even on failure
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return std::unique_ptr<Conn>(new Conn(db));
}

Conn::~Conn() {
  stmts_.clear();  // sqlite3_close refuses while statements are unfinalized
  sqlite3_close(db_);
}

Result<Stmt*> Conn::Prepare(const std::string& sql) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) return &it->second;
  sqlite3_stmt* s = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, "preparing \"" + sql + "\"");
  return &stmts_.emplace(sql, Stmt(db_, s)).first->second;
}

Status Conn::Exec(const std::string& sql, const std::string& what) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // the same text is available from sqlite3_errmsg
  if (rc != SQLITE_OK) return SqliteError(rc, db_, what);
  return Status::Ok();
}

Status PrepareDatabaseFile(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("store path is empty");
  const std::size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    CLAW_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
  }
  // O_EXCL: an existing file is never truncated or re-moded. fchmod because open()'s mode is
  // filtered by the umask; the file holds hashes of secrets and must not be world-readable.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();
    return Status::IOError(ErrnoText("cannot create store file", path));
  }
  const bool ok = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!ok) return Status::IOError(ErrnoText("cannot set mode 0600 on", path));
  return Status::Ok();
}

Status CheckDatabaseFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(ErrnoText("cannot open store file", path));
  char header[kHeaderSize];
  std::size_t got = 0;
  while (got < kHeaderSize) {
    const ssize_t n = ::read(fd, header + got, kHeaderSize - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got == 0) return Status::Ok();  // a new, empty database
  if (got < kHeaderSize || std::memcmp(header, kSqliteMagic, sizeof kSqliteMagic) != 0) {
    return Status::DataLoss("'" + path + "' is not an SQLite database (bad header)",
                            "the file was left untouched; move it away or choose another path");
  }
  return Status::Ok();
}

}  // namespace claw::store::sqlite
