#include "common/serde_float.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace tokclass::json {

namespace {

// 1e0 ... 1e308, each correctly rounded (strtod), as Rust's literals in serde_json's table are.
const std::array<double, 309>& powers_of_ten() {
  static const std::array<double, 309> table = [] {
    std::array<double, 309> t{};
    for (size_t i = 0; i < t.size(); ++i) t[i] = std::strtod(("1e" + std::to_string(i)).c_str(), nullptr);
    return t;
  }();
  return table;
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// significand x 10^exponent, the way serde_json's f64_from_parts computes it.
std::optional<double> from_parts(bool positive, uint64_t significand, int32_t exponent) {
  double f = static_cast<double>(significand);  // round to nearest, as Rust's `as f64`
  const auto& pow10 = powers_of_ten();
  int64_t e = exponent;
  for (;;) {
    const uint64_t magnitude = e < 0 ? static_cast<uint64_t>(-e) : static_cast<uint64_t>(e);
    if (magnitude < pow10.size()) {
      if (e >= 0) {
        f *= pow10[magnitude];
        if (f == std::numeric_limits<double>::infinity()) return std::nullopt;
      } else {
        f /= pow10[magnitude];
      }
      break;
    }
    if (f == 0) break;
    if (e >= 0) return std::nullopt;
    f /= 1e308;
    e += 308;
  }
  return positive ? f : -f;
}

// Whether a * 10 + b would pass `max` (serde_json's overflow! macro).
bool overflows(uint64_t a, uint64_t b, uint64_t max) { return a >= max / 10 && (a > max / 10 || b > max % 10); }

}  // namespace

std::optional<double> serde_json_f64(std::string_view s) {
  size_t i = 0;
  const bool positive = !(i < s.size() && s[i] == '-');
  if (!positive) ++i;
  uint64_t significand = 0;
  int32_t exponent = 0;  // applied to significand
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  // Integer part: from the first digit that would overflow the significand on, each digit
  // only raises the exponent (serde_json's parse_long_integer).
  bool overflowed = false;
  for (; i < s.size() && digit(s[i]); ++i) {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (overflowed || overflows(significand, d, kMax)) {
      overflowed = true;
      ++exponent;
    } else {
      significand = significand * 10 + d;
    }
  }
  // Fraction: checked afresh, digit by digit; from the first that would overflow on, the rest
  // are dropped (parse_decimal, then parse_decimal_overflow).
  if (i < s.size() && s[i] == '.') {
    overflowed = false;
    for (++i; i < s.size() && digit(s[i]); ++i) {
      const uint64_t d = static_cast<uint64_t>(s[i] - '0');
      if (overflowed || overflows(significand, d, kMax)) {
        overflowed = true;
        continue;
      }
      significand = significand * 10 + d;
      --exponent;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool positive_exp = true;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) positive_exp = s[i++] == '+';
    int32_t exp = 0;
    constexpr uint64_t kMaxExp = static_cast<uint64_t>(std::numeric_limits<int32_t>::max());
    for (; i < s.size() && digit(s[i]); ++i) {
      const uint64_t d = static_cast<uint64_t>(s[i] - '0');
      if (overflows(static_cast<uint64_t>(exp), d, kMaxExp)) {
        // An exponent past i32: zero, or out of range (serde_json's parse_exponent_overflow).
        if (significand != 0 && positive_exp) return std::nullopt;
        return positive ? 0.0 : -0.0;
      }
      exp = exp * 10 + static_cast<int32_t>(d);
    }
    const int64_t total = positive_exp ? int64_t{exponent} + exp : int64_t{exponent} - exp;
    // saturating, as serde_json's saturating_add/sub on i32
    exponent = static_cast<int32_t>(std::max<int64_t>(std::numeric_limits<int32_t>::min(),
                                                      std::min<int64_t>(std::numeric_limits<int32_t>::max(), total)));
  }
  return from_parts(positive, significand, exponent);
}

}  // namespace tokclass::json
