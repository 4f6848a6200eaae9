#include "sim/feed/byte_stream.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace claw::feed {
namespace {

std::string Quote(const std::string& path) { return "'" + path + "'"; }

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + Quote(path) + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

// A plain file through read(2).
class FdStream : public ByteStream {
 public:
  FdStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdStream() override { ::close(fd_); }
  Result<std::size_t> Read(char* buf, std::size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno != EINTR) return ErrnoStatus("reading", path_, errno);
    }
  }
  Result<bool> NextPart() override { return !std::exchange(started_, true); }

 private:
  int fd_;
  std::string path_;
  bool started_ = false;
};

// gzip through zlib's gzFile (also reads plain bytes transparently, which stdin relies on).
class GzStream : public ByteStream {
 public:
  GzStream(gzFile f, std::string path) : f_(f), path_(std::move(path)) {}
  ~GzStream() override { gzclose(f_); }
  Result<std::size_t> Read(char* buf, std::size_t n) override {
    int got = gzread(f_, buf, static_cast<unsigned>(n));
    if (got >= 0) return static_cast<std::size_t>(got);
    int code = 0;
    const char* msg = gzerror(f_, &code);
    if (code == Z_ERRNO) return ErrnoStatus("reading", path_, errno);
    return Status::DataLoss("reading " + Quote(path_) + ": corrupt gzip data: " + msg);
  }
  Result<bool> NextPart() override { return !std::exchange(started_, true); }

 private:
  gzFile f_;
  std::string path_;
  bool started_ = false;
};

// Every non-directory member of a zip archive, in archive order.
class ZipStream : public ByteStream {
 public:
  ZipStream(zip_t* z, std::string path) : z_(z), path_(std::move(path)) {}
  ~ZipStream() override {
    if (file_) zip_fclose(file_);
    zip_discard(z_);
  }
  Result<std::size_t> Read(char* buf, std::size_t n) override {
    if (!file_) return std::size_t{0};
    zip_int64_t got = zip_fread(file_, buf, n);
    if (got >= 0) return static_cast<std::size_t>(got);
    return Status::DataLoss("reading " + Quote(path_ + ":" + member_) +
                            ": " + zip_file_strerror(file_));
  }
  Result<bool> NextPart() override {
    if (file_) zip_fclose(std::exchange(file_, nullptr));
    const zip_int64_t count = zip_get_num_entries(z_, 0);
    while (next_ < count) {
      const zip_uint64_t i = static_cast<zip_uint64_t>(next_++);
      const char* name = zip_get_name(z_, i, 0);
      std::string member = name ? name : "";
      if (!member.empty() && member.back() == '/') continue;  // a directory
      file_ = zip_fopen_index(z_, i, 0);
      if (!file_) {
        return Status::DataLoss("opening " + Quote(path_ + ":" + member) + ": " +
                                zip_strerror(z_));
      }
      member_ = std::move(member);
      return true;
    }
    return false;
  }
  std::string part_name() const override { return member_; }

 private:
  zip_t* z_;
  std::string path_;
  zip_file_t* file_ = nullptr;
  zip_int64_t next_ = 0;
  std::string member_;
};

class MemoryStream : public ByteStream {
 public:
  explicit MemoryStream(std::string_view data) : data_(data) {}
  Result<std::size_t> Read(char*, std::size_t) override { return std::size_t{0}; }
  Result<bool> NextPart() override { return !std::exchange(started_, true); }
  const std::string_view* whole() const override { return &data_; }

 private:
  std::string_view data_;
  bool started_ = false;
};

Result<std::unique_ptr<ByteStream>> OpenGz(int fd, const std::string& path) {
  gzFile f = gzdopen(fd, "rb");
  if (!f) {
    ::close(fd);
    return Status::IOError("opening " + Quote(path) + ": out of memory for zlib");
  }
  gzbuffer(f, 1 << 18);
  return std::unique_ptr<ByteStream>(new GzStream(f, path));
}

Result<std::unique_ptr<ByteStream>> OpenZip(const std::string& path) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = "opening " + Quote(path) + ": " + zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return Status::DataLoss(msg);
  }
  return std::unique_ptr<ByteStream>(new ZipStream(z, path));
}

// Reads the first bytes to tell gzip and zip from plain data, then rewinds.
Result<int> ReadMagic(int fd, const std::string& path, unsigned char magic[4]) {
  ssize_t got = ::pread(fd, magic, 4, 0);
  if (got < 0) return ErrnoStatus("reading", path, errno);
  return static_cast<int>(got);
}

}  // namespace

Result<std::unique_ptr<ByteStream>> OpenByteStream(const std::string& path) {
  if (path == "-") {
    int fd = ::dup(0);
    if (fd < 0) return ErrnoStatus("reading", "-", errno);
    return OpenGz(fd, "-");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("opening", path, errno);
  unsigned char magic[4] = {};
  auto got = ReadMagic(fd, path, magic);
  if (!got.ok()) {
    ::close(fd);
    return got.status();
  }
  if (*got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return OpenGz(fd, path);
  if (*got == 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0) {
    ::close(fd);
    return OpenZip(path);
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteStream>(new FdStream(fd, path));
}

std::unique_ptr<ByteStream> MemoryByteStream(std::string_view data) {
  return std::make_unique<MemoryStream>(data);
}

LineReader::LineReader(ByteStream* stream) : stream_(stream) { Reset(); }

void LineReader::Reset() {
  begin_ = end_ = 0;
  eof_ = false;
  line_no_ = 0;
  in_memory_ = stream_->whole() != nullptr;
  if (in_memory_) {
    mem_ = *stream_->whole();
  } else if (buf_.empty()) {
    buf_.resize(kChunk);
  }
}

Result<bool> LineReader::Fill() {
  if (begin_ > 0) {  // keep the partial line, at the front
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // a line longer than the buffer
  auto got = stream_->Read(buf_.data() + end_, buf_.size() - end_);
  if (!got.ok()) return got.status();
  if (*got == 0) eof_ = true;
  end_ += *got;
  return *got != 0;
}

namespace {
std::string_view TrimCr(const char* p, std::size_t n) {
  if (n > 0 && p[n - 1] == '\r') --n;
  return {p, n};
}
}  // namespace

Result<bool> LineReader::Next(std::string_view* line) {
  if (in_memory_) {
    if (mem_.empty()) return false;
    std::size_t nl = mem_.find('\n');
    std::size_t len = nl == std::string_view::npos ? mem_.size() : nl;
    *line = TrimCr(mem_.data(), len);
    mem_.remove_prefix(nl == std::string_view::npos ? mem_.size() : nl + 1);
    ++line_no_;
    return true;
  }
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl) {
      std::size_t len = static_cast<const char*>(nl) - start;
      *line = TrimCr(start, len);
      begin_ += len + 1;
      ++line_no_;
      return true;
    }
    if (eof_) {
      if (begin_ == end_) return false;
      *line = TrimCr(start, end_ - begin_);
      begin_ = end_;
      ++line_no_;
      return true;
    }
    auto more = Fill();
    if (!more.ok()) return more.status();
  }
}

}  // namespace claw::feed
