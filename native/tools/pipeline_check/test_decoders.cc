#include "test_decoders.h"

#include <array>
#include <map>

#include "common/utf8.h"

namespace tokclass::check {
namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t hit = s.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(s, pos, std::string::npos);
  s = std::move(out);
}

void cleanup(std::string& s) {
  replace_all(s, " .", ".");
  replace_all(s, " ?", "?");
  replace_all(s, " !", "!");
  replace_all(s, " ,", ",");
  replace_all(s, " ' ", "'");
  replace_all(s, " n't", "n't");
  replace_all(s, " 'm", "'m");
  replace_all(s, " do not", " don't");
  replace_all(s, " 's", "'s");
  replace_all(s, " 've", "'ve");
  replace_all(s, " 're", "'re");
}

// GPT-2's bytes_to_unicode, inverted.
const std::map<char32_t, unsigned char>& char_to_byte() {
  static const std::map<char32_t, unsigned char> table = [] {
    std::map<char32_t, unsigned char> t;
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      t[printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++)] = static_cast<unsigned char>(b);
    }
    return t;
  }();
  return table;
}

// String::from_utf8_lossy: each maximal invalid subpart becomes one U+FFFD.
std::string from_utf8_lossy(const std::string& bytes) {
  std::string out;
  const size_t n = bytes.size();
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  while (i < n) {
    const unsigned char c = b(i);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c == 0xE0) { need = 2; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) need = 2;
    else if (c == 0xED) { need = 2; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) need = 2;
    else if (c == 0xF0) { need = 3; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) need = 3;
    else if (c == 0xF4) { need = 3; hi = 0x8F; }
    else {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    size_t j = i + 1;
    size_t got = 0;
    while (got < need && j < n) {
      const unsigned char d = b(j);
      const unsigned char l = got == 0 ? lo : 0x80, h = got == 0 ? hi : 0xBF;
      if (d < l || d > h) break;
      ++j;
      ++got;
    }
    if (got == need) out.append(bytes, i, j - i);
    else out += "\xEF\xBF\xBD";
    i = j;
  }
  return out;
}

}  // namespace

std::string WordPieceDecoder::decode_tokens(const std::vector<std::string>& tokens) const {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string t = tokens[i];
    if (i != 0) {
      if (t.starts_with(prefix_)) t.erase(0, prefix_.size());
      else t = " " + t;
    }
    if (cleanup_) cleanup(t);
    out += t;
  }
  return out;
}

std::string ByteLevelDecoder::decode_tokens(const std::vector<std::string>& tokens) const {
  const auto& table = char_to_byte();
  std::string bytes;
  for (const std::string& t : tokens) {
    std::string mapped;
    bool ok = true;
    for (char32_t c : utf8::decode(t)) {
      auto it = table.find(c);
      if (it == table.end()) {
        ok = false;
        break;
      }
      mapped += static_cast<char>(it->second);
    }
    bytes += ok ? mapped : t;
  }
  return from_utf8_lossy(bytes);
}

std::string MetaspaceDecoder::decode_tokens(const std::vector<std::string>& tokens) const {
  const char32_t rep = replacement_.empty() ? U'\u2581' : replacement_[0];
  std::u32string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    for (char32_t c : utf8::decode(tokens[i])) {
      if (c == rep) {
        if (i == 0 && prepend_) continue;
        out += U' ';
      } else {
        out += c;
      }
    }
  }
  return utf8::encode(out);
}

}  // namespace tokclass::check
