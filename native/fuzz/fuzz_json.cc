// libFuzzer target for common/json: any byte string either parses or throws tokclass::Error
// (never another exception, never a crash). What parses must survive a round trip through a
// serializer built on json::append_quoted (numbers to within their reading's rounding); and
// any valid UTF-8 string, quoted, must parse back to itself.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "fuzz/fuzz_check.h"

namespace tokclass {
namespace {

void serialize(const json::Value& v, std::string& out, bool& finite) {
  char buf[64];
  switch (v.type()) {
    case json::Type::kNull: out += "null"; break;
    case json::Type::kBool: out += v.as_bool() ? "true" : "false"; break;
    case json::Type::kNumber: {
      const double d = v.as_double();
      if (!std::isfinite(d)) finite = false;
      // as_int succeeds for integral values; keep them exact when they fit.
      bool integral = false;
      int64_t i = 0;
      try {
        i = v.as_int();
        integral = static_cast<double>(i) == d;
      } catch (const Error&) {
      }
      if (integral) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(i));
      else std::snprintf(buf, sizeof buf, "%.17g", d);
      out += buf;
      break;
    }
    case json::Type::kString: json::append_quoted(out, v.as_string()); break;
    case json::Type::kArray: {
      out += '[';
      bool first = true;
      for (const json::Value& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        serialize(e, out, finite);
      }
      out += ']';
      break;
    }
    case json::Type::kObject: {
      out += '{';
      bool first = true;
      for (const json::Member& m : v.as_object()) {
        if (!first) out += ',';
        first = false;
        json::append_quoted(out, m.key);
        out += ':';
        serialize(m.value, out, finite);
      }
      out += '}';
      break;
    }
  }
}

// The reader follows serde_json, which rounds twice (common/serde_float.h), so a double printed
// with 17 digits reads back within a few units in the last place, not always exactly.
bool same_number(double a, double b) {
  if (a == b) return true;
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  const double scale = std::max(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= std::max(scale * 8 * std::numeric_limits<double>::epsilon(), 1e-320);
}

bool same(const json::Value& a, const json::Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::Type::kNull: return true;
    case json::Type::kBool: return a.as_bool() == b.as_bool();
    case json::Type::kNumber: return same_number(a.as_double(), b.as_double());
    case json::Type::kString: return a.as_string() == b.as_string();
    case json::Type::kArray: {
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!same(x[i], y[i])) return false;
      return true;
    }
    case json::Type::kObject: {
      const auto& x = a.as_object();
      const auto& y = b.as_object();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (x[i].key != y[i].key || !same(x[i].value, y[i].value)) return false;
      return true;
    }
  }
  return false;
}

// Every accessor on every node: the typed ones throw Error on a mismatch, never crash.
void touch(const json::Value& v) {
  auto quietly = [](auto&& f) {
    try {
      f();
    } catch (const Error&) {
    }
  };
  quietly([&] { (void)v.as_bool("x"); });
  quietly([&] { (void)v.as_double("x"); });
  quietly([&] { (void)v.as_int("x"); });
  quietly([&] { (void)v.as_string("x"); });
  quietly([&] { (void)v.as_array("x"); });
  quietly([&] { (void)v.as_object("x"); });
  quietly([&] { (void)v.at("type"); });
  quietly([&] { (void)v.get_bool("lowercase", false); });
  quietly([&] { (void)v.get_int("max_length", 0); });
  quietly([&] { (void)v.get_double("dropout", 0); });
  quietly([&] { (void)v.get_string("type", ""); });
  (void)v.find("type");
  (void)v.find_non_null("type");
  if (v.is_array())
    for (const json::Value& e : v.as_array()) touch(e);
  if (v.is_object())
    for (const json::Member& m : v.as_object()) touch(m.value);
}

}  // namespace
}  // namespace tokclass

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokclass;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    json::Value v = json::parse(text);
    touch(v);
    std::string out;
    bool finite = true;
    serialize(v, out, finite);
    if (finite) {
      json::Value again;
      try {
        again = json::parse(out);
      } catch (const Error& e) {
        FUZZ_CHECK(false, "re-serialized document does not parse: %s", e.what());
      }
      FUZZ_CHECK(same(v, again), "round trip changed the document");
    }
  } catch (const Error& e) {
    FUZZ_CHECK(e.code() == codes::kTokenizerInvalid, "unexpected code %s", e.code().c_str());
  }

  // Quoting: valid UTF-8 in, the same string back.
  bool valid_utf8 = true;
  try {
    (void)utf8::decode(text);
  } catch (const Error&) {
    valid_utf8 = false;
  }
  if (valid_utf8) {
    try {
      json::Value s = json::parse(json::quoted(text));
      FUZZ_CHECK(s.is_string() && s.as_string() == text, "quoted string did not round-trip");
    } catch (const Error& e) {
      FUZZ_CHECK(false, "quoted valid UTF-8 does not parse: %s", e.what());
    }
  }
  return 0;
}
