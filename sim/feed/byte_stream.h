// Byte streams under the feed: plain files, gzip, zip members, stdin, memory; and a line
// splitter over them that reads big chunks and hands out lines without copying them.
//
// Internal to sim/feed. Thread safety: none; one reader per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/status.h"

namespace claw::feed {

// A sequence of parts (zip members; every other stream has exactly one part, named "").
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to `n` bytes of the current part into `buf`; 0 at its end. kIOError/kDataLoss
  // (corrupt gzip or zip) on failure.
  virtual Result<std::size_t> Read(char* buf, std::size_t n) = 0;
  // Moves to the next part; false when there is none. Call once before the first Read.
  virtual Result<bool> NextPart() = 0;
  virtual std::string part_name() const { return {}; }
  // A stream that already holds all its bytes in memory returns them here (read without
  // copying); others return nullptr.
  virtual const std::string_view* whole() const { return nullptr; }
};

// Opens `path` by content: gzip magic (1f 8b) -> zlib, zip magic (PK\3\4) -> libzip, else
// plain bytes. "-" is stdin (plain or gzip). kNotFound if the file does not exist.
Result<std::unique_ptr<ByteStream>> OpenByteStream(const std::string& path);

// `data` is borrowed and must outlive the stream.
std::unique_ptr<ByteStream> MemoryByteStream(std::string_view data);

// Splits the current part of a stream into lines.
class LineReader {
 public:
  // Chunk size: large reads keep syscalls and zlib calls off the per-line path.
  static constexpr std::size_t kChunk = 1 << 20;

  explicit LineReader(ByteStream* stream);  // borrowed; must outlive the reader
  // Next line without its "\n" or "\r\n"; valid until the next call. false at the end of
  // the part. A last line without a newline is still a line.
  Result<bool> Next(std::string_view* line);
  // Starts over on the stream's next part (after ByteStream::NextPart returned true).
  void Reset();
  std::uint64_t line_no() const { return line_no_; }

 private:
  Result<bool> Fill();  // reads more; false at end of part

  ByteStream* stream_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::uint64_t line_no_ = 0;
  std::string_view mem_;  // whole-in-memory streams: the unread rest
  bool in_memory_ = false;
};

}  // namespace claw::feed
