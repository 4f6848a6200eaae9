#include "client/encoding.h"

#include <sodium.h>

namespace claw::client {
namespace {

// libsodium must be initialised once before use; sodium_init is idempotent and thread-safe.
void EnsureSodium() {
  static const int kInit = sodium_init();
  (void)kInit;
}

}  // namespace

std::string Base64UrlEncode(const std::uint8_t* data, std::size_t len) {
  EnsureSodium();
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(len, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, kVariant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<Bytes> Base64Decode(std::string_view text, std::string_view what) {
  EnsureSodium();
  const bool url = text.find_first_of("-_") != std::string_view::npos;
  const bool padded = !text.empty() && text.back() == '=';
  int variant = url ? (padded ? sodium_base64_VARIANT_URLSAFE : sodium_base64_VARIANT_URLSAFE_NO_PADDING)
                    : (padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  Bytes out(text.size() * 3 / 4 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        variant) != 0 ||
      end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(what) + " is not valid base64",
                                   "expected base64url without padding (standard base64 is "
                                   "accepted too)");
  }
  out.resize(len);
  return out;
}

std::string HexEncode(const std::uint8_t* data, std::size_t len) {
  EnsureSodium();
  std::string out(len * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, len);
  out.resize(len * 2);
  return out;
}

Result<Bytes> HexDecode(std::string_view text, std::string_view what) {
  EnsureSodium();
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.empty()) return Bytes{};  // sodium_hex2bin rejects a null buffer
  Bytes out(text.size() / 2);
  std::size_t len = 0;
  const char* end = nullptr;
  if (text.size() % 2 != 0 ||
      sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end) != 0 ||
      end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(what) + " is not valid hex",
                                   "expected an even number of hex digits, optionally 0x-prefixed");
  }
  out.resize(len);
  return out;
}

Bytes Sha256(std::string_view data) {
  EnsureSodium();
  Bytes out(crypto_hash_sha256_BYTES);
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

}  // namespace claw::client
