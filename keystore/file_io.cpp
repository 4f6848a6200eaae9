#include "keystore/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace claw::keystore {
namespace {

Status OsError(const std::string& what, const std::string& path, int err) {
  const std::string msg = what + " '" + path + "': " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EACCES || err == EPERM) {
    return Status::IOError(msg, "check the owner and mode of '" + path +
                                    "' (the keystore wants 0700 directories, 0600 files)");
  }
  return Status::IOError(msg);
}

std::string DirName(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status FsyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return OsError("cannot open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::Ok() : OsError("cannot sync directory", dir, err);
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OsError("cannot write", path, errno);
    done += static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0 ? Status::Ok() : OsError("cannot sync", path, errno);
}

// Writes the temp file; returns its path.
Result<std::string> WriteTemp(const std::string& path, const std::string& data) {
  const auto slash = path.find_last_of('/');
  std::string tmp = DirName(path) + "/." + path.substr(slash + 1) + ".tmp-XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return OsError("cannot create a file in", DirName(path), errno);
  Status s =
      ::fchmod(fd, 0600) == 0 ? WriteAll(fd, data, tmp) : OsError("cannot chmod", tmp, errno);
  if (::close(fd) != 0 && s.ok()) s = OsError("cannot close", tmp, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return tmp;
}

}  // namespace

Status EnsurePrivateDir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::IOError("'" + dir + "' is not a directory",
                           "move it away or point CLAW_HOME elsewhere");
  }
  if (errno != ENOENT) return OsError("cannot access", dir, errno);
  const std::string parent = DirName(dir);
  if (parent != dir) CLAW_RETURN_IF_ERROR(EnsurePrivateDir(parent));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return OsError("cannot create directory", dir, errno);
  }
  // mkdir's mode is filtered by the umask, which can only remove bits; chmod states intent.
  if (::chmod(dir.c_str(), 0700) != 0) return OsError("cannot chmod", dir, errno);
  return Status::Ok();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsError("cannot open", path, errno);
  // Key files and passphrase files pass through here: size the string once so growth leaves
  // no stray copies, and wipe the stack buffer.
  std::string data;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) data.reserve(static_cast<std::size_t>(st.st_size));
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      sodium_memzero(buf, sizeof buf);
      return OsError("cannot read", path, err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  sodium_memzero(buf, sizeof buf);
  return data;
}

Result<mode_t> FileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return OsError("cannot access", path, errno);
  return static_cast<mode_t>(st.st_mode & 07777);
}

Status AtomicWriteFile(const std::string& path, const std::string& data, bool overwrite) {
  auto tmp = WriteTemp(path, data);
  if (!tmp.ok()) return tmp.status();
  if (overwrite) {
    if (::rename(tmp->c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp->c_str());
      return OsError("cannot replace", path, err);
    }
  } else {
    // link(2) fails with EEXIST instead of replacing: no window between check and write.
    const int rc = ::link(tmp->c_str(), path.c_str());
    const int err = errno;
    ::unlink(tmp->c_str());
    if (rc != 0 && err == EEXIST) return Status::AlreadyExists("'" + path + "' exists");
    if (rc != 0) return OsError("cannot create", path, err);
  }
  return FsyncDir(DirName(path));
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return OsError("cannot remove", path, errno);
  return FsyncDir(DirName(path));
}

Result<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return OsError("cannot read directory", dir, errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  return names;
}

}  // namespace claw::keystore
