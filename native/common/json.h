// A small, strict JSON reader (RFC 8259) for tokenizer.json and config files, plus a string
// escaper for tools. Objects keep their key order because tokenizer.json meaning can depend on
// it (e.g. merges, vocab listing order); lookups by key are linear, so callers that need fast
// access to large objects (a vocab) build their own map once.
// Errors: Error(kTokenizerInvalid) with the byte position of the problem.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tokclass::json {

class Value;
struct Member;
using Array = std::vector<Value>;
using Object = std::vector<Member>;

enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

struct Number {
  double value = 0;
  int64_t integer = 0;     // valid when is_integer
  bool is_integer = false; // written without fraction/exponent and fits in int64
};

class Value {
 public:
  Value() = default;
  // Defined below, once Member is complete (clang with libstdc++ instantiates the variant's
  // destructor here and refuses the incomplete type).
  explicit Value(bool b);
  explicit Value(Number n);
  explicit Value(std::string s);
  explicit Value(Array a);
  explicit Value(Object o);

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kNumber; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Typed accessors throw Error(kTokenizerInvalid) on a type mismatch; `what` names the field
  // in the message ("normalizer.lowercase must be a boolean").
  bool as_bool(std::string_view what = "value") const;
  double as_double(std::string_view what = "value") const;
  // Integral numbers only (1 or 1.0 are fine, 1.5 is not).
  int64_t as_int(std::string_view what = "value") const;
  const std::string& as_string(std::string_view what = "value") const;
  const Array& as_array(std::string_view what = "value") const;
  const Object& as_object(std::string_view what = "value") const;

  // Object member lookup: nullptr when this is not an object or the key is absent.
  const Value* find(std::string_view key) const;
  // Like find but a missing key (or JSON null) counts as absent.
  const Value* find_non_null(std::string_view key) const;
  // Required member; throws Error(kTokenizerInvalid) naming `key` when absent.
  const Value& at(std::string_view key) const;

  // Optional members with defaults (absent or null -> default; wrong type -> throws).
  bool get_bool(std::string_view key, bool def) const;
  int64_t get_int(std::string_view key, int64_t def) const;
  double get_double(std::string_view key, double def) const;
  std::string get_string(std::string_view key, std::string_view def) const;

 private:
  std::variant<std::monostate, bool, Number, std::string, Array, Object> v_;
};

struct Member {
  std::string key;
  Value value;
};

inline Value::Value(bool b) : v_(b) {}
inline Value::Value(Number n) : v_(n) {}
inline Value::Value(std::string s) : v_(std::move(s)) {}
inline Value::Value(Array a) : v_(std::move(a)) {}
inline Value::Value(Object o) : v_(std::move(o)) {}

// Parses a whole document (surrounding whitespace allowed, nothing else after it).
Value parse(std::string_view text);

// Appends `s` (UTF-8) as a JSON string literal with quotes; non-ASCII stays raw UTF-8.
void append_quoted(std::string& out, std::string_view s);
std::string quoted(std::string_view s);

}  // namespace tokclass::json
