// Reading secrets from files, the environment and the terminal (ReadPassphrase, ReadSeedFile).
#include <fcntl.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "client/encoding.h"
#include "keystore/file_io.h"
#include "keystore/keystore.h"

namespace claw::keystore {

void WipeString(std::string& s);  // secret.cpp

namespace {

// The terminal state to restore if a signal arrives while echo is off.
int g_tty_fd = -1;
struct termios g_saved_termios;

void RestoreTtyAndReraise(int sig) {
  if (g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void WriteTty(int fd, const std::string& text) {
  if (::write(fd, text.data(), text.size()) < 0) {
    // Nothing useful to do: the read that follows reports a broken terminal.
  }
}

// One line from the terminal with echo off; the newline is dropped.
Result<Secret> PromptOnce(int fd, const std::string& prompt) {
  struct termios saved {};
  const bool is_tty = tcgetattr(fd, &saved) == 0;
  if (is_tty) {
    g_tty_fd = fd;
    g_saved_termios = saved;
    std::signal(SIGINT, RestoreTtyAndReraise);
    std::signal(SIGTERM, RestoreTtyAndReraise);
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  WriteTty(fd, prompt + ": ");
  std::string line;
  line.reserve(1024);  // no reallocation, so no stray copies of the passphrase
  char c = 0;
  ssize_t n = 0;
  while ((n = ::read(fd, &c, 1)) == 1 && c != '\n' && line.size() < 1023) line.push_back(c);
  if (is_tty) {
    tcsetattr(fd, TCSAFLUSH, &saved);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_tty_fd = -1;
  }
  WriteTty(fd, "\n");
  sodium_memzero(&c, 1);
  if (n < 0) return Status::IOError(std::string("cannot read the terminal: ") + strerror(errno));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return Secret(std::move(line));
}

Result<Secret> Prompt(const PassphraseSource& source) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return Status::InvalidArgument("no passphrase: no terminal to ask on",
                                   "set CLAW_KEYSTORE_PASSPHRASE or pass --passphrase-file FILE");
  }
  auto first = PromptOnce(fd, source.prompt);
  if (first.ok() && source.confirm) {
    auto again = PromptOnce(fd, source.prompt + " (again)");
    if (!again.ok())
      first = again.status();
    else if (again->bytes() != first->bytes()) {
      first = Status::InvalidArgument("the passphrases do not match", "try again");
    }
  }
  ::close(fd);
  return first;
}

// Drops one trailing "\n" (or "\r\n"): editors add it; it is not part of the passphrase.
Result<Secret> FromFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return text.status().WithContext("reading the passphrase file");
  }
  std::string& s = *text;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  Secret out(s);
  WipeString(s);
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

Result<Secret> ReadPassphrase(const PassphraseSource& source) {
  Result<Secret> pass = Status::Internal("unset");
  if (!source.file.empty()) {
    pass = FromFile(source.file);
  } else if (const char* env = source.env.empty() ? nullptr : std::getenv(source.env.c_str());
             env != nullptr && *env != '\0') {
    pass = Secret(std::string(env));
  } else {
    pass = Prompt(source);
  }
  if (pass.ok() && pass->empty()) {
    return Status::InvalidArgument("the passphrase is empty", "choose a non-empty passphrase");
  }
  return pass;
}

Result<Secret> ReadSeedFile(const std::string& path) {
  auto data = ReadWholeFile(path);
  if (!data.ok()) return data.status().WithContext("reading the seed file");
  Secret raw(std::move(*data));
  if (raw.bytes().size() == crypto_sign_SEEDBYTES) return raw;
  const std::string& s = raw.bytes();
  const auto begin = std::find_if_not(s.begin(), s.end(), IsSpace);
  const auto end = std::find_if_not(s.rbegin(), s.rend(), IsSpace).base();
  const std::string_view text(s.data() + (begin - s.begin()), begin < end ? end - begin : 0);
  auto bytes =
      text.size() == 64 || text.size() == 66 ? client::HexDecode(text) : client::Base64Decode(text);
  if (!bytes.ok() || bytes->size() != crypto_sign_SEEDBYTES) {
    if (bytes.ok()) sodium_memzero(bytes->data(), bytes->size());
    return Status::InvalidArgument(
        "seed file '" + path + "' does not hold a 32-byte seed",
        "give 32 raw bytes, 64 hex digits, or base64/base64url of 32 bytes");
  }
  Secret seed(std::string(bytes->begin(), bytes->end()));
  sodium_memzero(bytes->data(), bytes->size());
  return seed;
}

}  // namespace claw::keystore
