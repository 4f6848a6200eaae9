#include "sim/feed/json_scan.h"

#include <simdjson.h>

#include <array>

namespace claw::feed {
namespace {

constexpr std::uint8_t kNoSlot = 0xff;

constexpr std::array<std::uint8_t, 128> MakeLetterSlots() {
  std::array<std::uint8_t, 128> t{};
  for (auto& x : t) x = kNoSlot;
  t['e'] = kSlotType;
  t['E'] = kSlotEventTime;
  t['T'] = kSlotTradeTime;
  t['s'] = kSlotSymbol;
  t['p'] = kSlotPrice;
  t['q'] = kSlotQty;
  t['b'] = kSlotBid;
  t['B'] = kSlotBidQty;
  t['a'] = kSlotAsk;
  t['A'] = kSlotAskQty;
  t['m'] = kSlotMaker;
  t['c'] = kSlotClose;
  t['h'] = kSlotHigh;
  t['l'] = kSlotLow;
  t['v'] = kSlotVolume;
  t['x'] = kSlotClosed;
  return t;
}
constexpr std::array<std::uint8_t, 128> kLetterSlots = MakeLetterSlots();

inline std::uint8_t SlotFor(std::string_view key) {
  if (key.size() == 1) [[likely]] {
    auto c = static_cast<unsigned char>(key[0]);
    return c < 128 ? kLetterSlots[c] : kNoSlot;
  }
  if (key == "lastUpdateId") return kSlotLastUpdateId;
  if (key == "result") return kSlotResult;
  if (key == "code") return kSlotCode;
  return kNoSlot;
}

// Bytes that end a literal: , } ] and whitespace.
constexpr std::array<bool, 256> MakeDelimiters() {
  std::array<bool, 256> t{};
  for (unsigned char c : {',', '}', ']', ' ', '\t', '\r', '\n'}) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> kDelimiter = MakeDelimiters();

// Which object the scanner is in: the frame itself, the "data" payload, or a kline's "k".
enum class Level { kTop, kPayload, kKline };

// Outcome of scanning an object: complete, stopped at the first array (nothing after it is
// needed), or not readable here.
enum class Scan { kDone, kStopped, kFail };

class Scanner {
 public:
  Scanner(std::string_view s, RawFrame* f) : p_(s.data()), end_(s.data() + s.size()), f_(f) {}

  bool Frame() {
    SkipWs();
    Scan r = Object(Level::kTop, &f_->payload);
    if (r == Scan::kFail) return false;
    if (r == Scan::kStopped) return true;
    SkipWs();
    return p_ == end_;
  }

 private:
  // The loops below walk a local pointer: through p_, every byte costs a store (a char may
  // alias the scanner, so the compiler cannot keep p_ in a register); ~10% of a frame.
  void SkipWs() {
    const char* p = p_;
    while (p < end_ && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
    p_ = p;
  }
  bool Peek(char c) const { return p_ < end_ && *p_ == c; }

  // At '"': the contents up to the closing quote. false on an escape (simdjson decodes those).
  bool String(std::string_view* out) {
    const char* s = p_ + 1;
    const char* p = s;
    while (p < end_ && *p != '"' && *p != '\\') ++p;
    p_ = p;
    if (p == end_ || *p == '\\') return false;
    *out = std::string_view(s, static_cast<std::size_t>(p - s));
    ++p_;
    return true;
  }

  // A number, true, false or null: the text up to the next delimiter.
  bool Literal(std::string_view* out) {
    const char* s = p_;
    const char* p = s;
    while (p < end_ && !kDelimiter[static_cast<unsigned char>(*p)]) ++p;
    p_ = p;
    if (p == s) return false;
    *out = std::string_view(s, static_cast<std::size_t>(p - s));
    return true;
  }

  // Skips a nested object (arrays stop the scan before getting here).
  bool SkipNested() {
    int depth = 0;
    while (p_ < end_) {
      char c = *p_++;
      if (c == '"') {
        while (p_ < end_ && *p_ != '"') p_ += (*p_ == '\\') ? 2 : 1;
        if (p_ >= end_) return false;
        ++p_;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }

  Scan NestedObject(Level level, std::string_view key) {
    if (level == Level::kTop && key == "data") {
      f_->wrapped = true;
      return Object(Level::kPayload, &f_->payload);
    }
    if (level != Level::kKline && key == "k") return Object(Level::kKline, &f_->kline);
    return SkipNested() ? Scan::kDone : Scan::kFail;
  }

  // One "key": value pair of an object at `level`, stored into `obj`.
  Scan Member(Level level, RawObject* obj) {
    std::string_view key, value;
    if (!Peek('"') || !String(&key)) return Scan::kFail;
    SkipWs();
    if (!Peek(':')) return Scan::kFail;
    ++p_;
    SkipWs();
    if (p_ == end_) return Scan::kFail;
    if (*p_ == '{') return NestedObject(level, key);
    if (*p_ == '[') {
      if (level == Level::kTop && key == "data") f_->data_is_array = true;
      return Scan::kStopped;
    }
    if (*p_ == '"') {
      if (!String(&value)) return Scan::kFail;
    } else if (!Literal(&value)) {
      return Scan::kFail;
    }
    if (level == Level::kTop && key == "stream") {
      f_->stream = value;
      return Scan::kDone;
    }
    std::uint8_t slot = SlotFor(key);
    if (slot != kNoSlot) obj->Set(static_cast<Slot>(slot), value);
    return Scan::kDone;
  }

  Scan Object(Level level, RawObject* obj) {
    if (!Peek('{')) return Scan::kFail;
    ++p_;
    SkipWs();
    if (Peek('}')) {
      ++p_;
      return Scan::kDone;
    }
    for (;;) {
      Scan r = Member(level, obj);
      if (r != Scan::kDone) return r;
      SkipWs();
      if (Peek(',')) {
        ++p_;
        SkipWs();
        continue;
      }
      if (Peek('}')) {
        ++p_;
        return Scan::kDone;
      }
      return Scan::kFail;
    }
  }

  const char* p_;
  const char* end_;
  RawFrame* f_;
};

}  // namespace

bool ScanFrame(std::string_view json, RawFrame* out) {
  out->Clear();
  return Scanner(json, out).Frame();
}

// ---- simdjson fallback ----

struct JsonFallbackParser::Impl {
  simdjson::dom::parser parser;
  // Numbers re-printed as text so both paths hand the decoder the same views.
  char numbers[2][kSlotCount][24];

  void Store(RawObject* obj, int which, Slot slot, simdjson::dom::element v) {
    using simdjson::dom::element_type;
    std::string_view text;
    switch (v.type()) {
      case element_type::STRING:
        text = v.get_string().value_unsafe();
        break;
      case element_type::INT64:
      case element_type::UINT64: {
        char* buf = numbers[which][slot];
        auto r = v.type() == element_type::INT64
                     ? std::to_chars(buf, buf + 24, v.get_int64().value_unsafe())
                     : std::to_chars(buf, buf + 24, v.get_uint64().value_unsafe());
        text = std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
        break;
      }
      case element_type::BOOL:
        text = v.get_bool().value_unsafe() ? "true" : "false";
        break;
      case element_type::NULL_VALUE:
        text = "null";
        break;
      default:  // a float or a container where text is expected: the decoder refuses ""
        break;
    }
    obj->Set(slot, text);
  }

  void Fill(simdjson::dom::object o, Level level, RawObject* obj, RawFrame* f) {
    for (auto member : o) {
      std::string_view key = member.key;
      simdjson::dom::element v = member.value;
      if (level == Level::kTop && key == "stream" && v.is_string()) {
        f->stream = v.get_string().value_unsafe();
      } else if (level == Level::kTop && key == "data" && v.is_object()) {
        f->wrapped = true;
        Fill(v.get_object().value_unsafe(), Level::kPayload, &f->payload, f);
      } else if (level == Level::kTop && key == "data" && v.is_array()) {
        f->data_is_array = true;
      } else if (level != Level::kKline && key == "k" && v.is_object()) {
        Fill(v.get_object().value_unsafe(), Level::kKline, &f->kline, f);
      } else if (std::uint8_t slot = SlotFor(key); slot != kNoSlot) {
        Store(obj, level == Level::kKline ? 1 : 0, static_cast<Slot>(slot), v);
      }
    }
  }
};

JsonFallbackParser::JsonFallbackParser() : impl_(std::make_unique<Impl>()) {}
JsonFallbackParser::~JsonFallbackParser() = default;

bool JsonFallbackParser::Parse(std::string_view json, RawFrame* out, std::string* error) {
  out->Clear();
  simdjson::dom::element doc;
  auto err = impl_->parser.parse(json.data(), json.size()).get(doc);
  if (err) {
    *error = simdjson::error_message(err);
    return false;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    *error = "not a JSON object";
    return false;
  }
  impl_->Fill(obj, Level::kTop, &out->payload, out);
  return true;
}

}  // namespace claw::feed
