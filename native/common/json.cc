#include "common/json.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "common/error.h"
#include "common/serde_float.h"
#include "common/utf8.h"

namespace tokclass::json {

namespace {

constexpr int kMaxDepth = 512;  // deep enough for any real tokenizer.json, bounded for safety

[[noreturn]] void invalid(const std::string& msg) {
  throw Error(codes::kTokenizerInvalid, msg);
}

[[noreturn]] void type_error(std::string_view what, const char* expected) {
  invalid(std::string(what) + " must be " + expected);
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Value document() {
    skip_ws();
    Value v = value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected data after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    invalid("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_ws() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') ++pos_;
      else break;
    }
  }

  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) { ++pos_; return true; }
    return false;
  }

  void expect_word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) fail("unexpected character");
    pos_ += w.size();
  }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    if (pos_ >= s_.size()) fail("unexpected end of input");
    switch (s_[pos_]) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return Value(string());
      case 't': expect_word("true"); return Value(true);
      case 'f': expect_word("false"); return Value(false);
      case 'n': expect_word("null"); return Value();
      default: return Value(number());
    }
  }

  Value object(int depth) {
    ++pos_;  // '{'
    Object obj;
    skip_ws();
    if (eat('}')) return Value(std::move(obj));
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a string key");
      std::string key = string();
      skip_ws();
      if (!eat(':')) fail("expected ':'");
      skip_ws();
      Value v = value(depth + 1);
      obj.push_back(Member{std::move(key), std::move(v)});
      skip_ws();
      if (eat(',')) continue;
      if (eat('}')) break;
      fail("expected ',' or '}'");
    }
    return Value(std::move(obj));
  }

  Value array(int depth) {
    ++pos_;  // '['
    Array arr;
    skip_ws();
    if (eat(']')) return Value(std::move(arr));
    for (;;) {
      skip_ws();
      arr.push_back(value(depth + 1));
      skip_ws();
      if (eat(',')) continue;
      if (eat(']')) break;
      fail("expected ',' or ']'");
    }
    return Value(std::move(arr));
  }

  uint32_t hex4() {
    if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else fail("bad hex digit in \\u escape");
    }
    return v;
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') { ++pos_; break; }
      if (c < 0x20) fail("control character in string");
      if (c != '\\') {
        // Copy a run of plain bytes at once; UTF-8 validity is checked below per sequence.
        size_t start = pos_;
        while (pos_ < s_.size()) {
          unsigned char d = static_cast<unsigned char>(s_[pos_]);
          if (d == '"' || d == '\\' || d < 0x20) break;
          ++pos_;
        }
        std::string_view run = s_.substr(start, pos_ - start);
        if (!is_ascii(run)) {
          try {
            (void)utf8::decode(run);
          } catch (const Error&) {
            pos_ = start;
            fail("string is not valid UTF-8");
          }
        }
        out.append(run);
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by an escaped low surrogate (as serde_json).
            if (!(pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u'))
              fail("lone surrogate in \\u escape");
            pos_ += 2;
            uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid low surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("lone surrogate in \\u escape");
          }
          utf8::append(out, static_cast<char32_t>(cp));
          break;
        }
        default: fail("unknown escape");
      }
    }
    return out;
  }

  static bool is_ascii(std::string_view s) {
    for (char c : s) if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
  }

  Number number() {
    size_t start = pos_;
    eat('-');
    if (pos_ >= s_.size()) fail("bad number");
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (pos_ < s_.size() && isdigit(s_[pos_])) ++pos_;
    } else {
      fail("unexpected character");
    }
    bool integral = true;
    if (eat('.')) {
      integral = false;
      if (pos_ >= s_.size() || !isdigit(s_[pos_])) fail("bad number");
      while (pos_ < s_.size() && isdigit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (!eat('+')) eat('-');
      if (pos_ >= s_.size() || !isdigit(s_[pos_])) fail("bad number");
      while (pos_ < s_.size() && isdigit(s_[pos_])) ++pos_;
    }
    const char* b = s_.data() + start;
    const char* e = s_.data() + pos_;
    Number n;
    // As Hugging Face tokenizers reads it (serde_float.h: not always correctly rounded); a
    // number beyond a double, which serde_json refuses, is kept as an infinity.
    const std::optional<double> value = serde_json_f64(std::string_view(b, static_cast<size_t>(e - b)));
    n.value = value ? *value : (*b == '-') ? -HUGE_VAL : HUGE_VAL;
    if (integral) {
      auto ri = std::from_chars(b, e, n.integer);
      n.is_integer = ri.ec == std::errc() && ri.ptr == e;
    }
    return n;
  }

  static bool isdigit(char c) { return c >= '0' && c <= '9'; }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

bool Value::as_bool(std::string_view what) const {
  if (!is_bool()) type_error(what, "a boolean");
  return std::get<bool>(v_);
}

double Value::as_double(std::string_view what) const {
  if (!is_number()) type_error(what, "a number");
  return std::get<Number>(v_).value;
}

int64_t Value::as_int(std::string_view what) const {
  if (!is_number()) type_error(what, "an integer");
  const Number& n = std::get<Number>(v_);
  if (n.is_integer) return n.integer;
  if (std::isfinite(n.value) && std::floor(n.value) == n.value && std::fabs(n.value) < 9.0e18)
    return static_cast<int64_t>(n.value);
  type_error(what, "an integer");
}

const std::string& Value::as_string(std::string_view what) const {
  if (!is_string()) type_error(what, "a string");
  return std::get<std::string>(v_);
}

const Array& Value::as_array(std::string_view what) const {
  if (!is_array()) type_error(what, "an array");
  return std::get<Array>(v_);
}

const Object& Value::as_object(std::string_view what) const {
  if (!is_object()) type_error(what, "an object");
  return std::get<Object>(v_);
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const Member& m : std::get<Object>(v_))
    if (m.key == key) return &m.value;
  return nullptr;
}

const Value* Value::find_non_null(std::string_view key) const {
  const Value* v = find(key);
  return (v && !v->is_null()) ? v : nullptr;
}

const Value& Value::at(std::string_view key) const {
  const Value* v = find(key);
  if (!v) invalid("missing field '" + std::string(key) + "'");
  return *v;
}

bool Value::get_bool(std::string_view key, bool def) const {
  const Value* v = find_non_null(key);
  return v ? v->as_bool(key) : def;
}

int64_t Value::get_int(std::string_view key, int64_t def) const {
  const Value* v = find_non_null(key);
  return v ? v->as_int(key) : def;
}

double Value::get_double(std::string_view key, double def) const {
  const Value* v = find_non_null(key);
  return v ? v->as_double(key) : def;
}

std::string Value::get_string(std::string_view key, std::string_view def) const {
  const Value* v = find_non_null(key);
  return v ? v->as_string(key) : std::string(def);
}

Value parse(std::string_view text) { return Parser(text).document(); }

void append_quoted(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string quoted(std::string_view s) {
  std::string out;
  append_quoted(out, s);
  return out;
}

}  // namespace tokclass::json
