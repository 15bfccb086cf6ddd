#include "tokenizer/regex.h"

#include <optional>

#include "common/error.h"
#include "common/utf8.h"
#include "unicode/unicode.h"

namespace tokclass {

namespace {

using unicode::Category;

constexpr uint32_t bit(Category c) { return 1u << static_cast<uint32_t>(c); }
constexpr uint32_t kLetter = bit(Category::Lu) | bit(Category::Ll) | bit(Category::Lt) | bit(Category::Lm) | bit(Category::Lo);
constexpr uint32_t kMark = bit(Category::Mn) | bit(Category::Mc) | bit(Category::Me);
constexpr uint32_t kNumber = bit(Category::Nd) | bit(Category::Nl) | bit(Category::No);
constexpr uint32_t kPunct = bit(Category::Pc) | bit(Category::Pd) | bit(Category::Ps) | bit(Category::Pe) |
                            bit(Category::Pi) | bit(Category::Pf) | bit(Category::Po);
constexpr uint32_t kSymbol = bit(Category::Sm) | bit(Category::Sc) | bit(Category::Sk) | bit(Category::So);
constexpr uint32_t kSeparator = bit(Category::Zs) | bit(Category::Zl) | bit(Category::Zp);
constexpr uint32_t kOther = bit(Category::Cc) | bit(Category::Cf) | bit(Category::Cs) | bit(Category::Co) | bit(Category::Cn);
// Oniguruma's Unicode \w is UTS #18's word class: Alphabetic | Mark | Decimal_Number |
// Connector_Punctuation | Join_Control. Alphabetic is the letters, Nl, and Other_Alphabetic,
// which outside the marks is only the circled / squared Latin letters below. So '①' or '½'
// (No) are not word chars, while ZWJ/ZWNJ are (checked against tokenizers 0.23).
constexpr uint32_t kWordCategories =
    kLetter | kMark | bit(Category::Nd) | bit(Category::Nl) | bit(Category::Pc);

bool in_mask(uint32_t mask, char32_t c) { return (mask & bit(unicode::category(c))) != 0; }
bool is_word(char32_t c) {
  if (in_mask(kWordCategories, c)) return true;
  return c == 0x200C || c == 0x200D || (c >= 0x24B6 && c <= 0x24E9) || (c >= 0x1F130 && c <= 0x1F149) ||
         (c >= 0x1F150 && c <= 0x1F169) || (c >= 0x1F170 && c <= 0x1F189);
}

std::optional<uint32_t> category_mask(std::string_view name) {
  struct Entry { const char* name; uint32_t mask; };
  static const Entry kEntries[] = {
      {"L", kLetter}, {"Letter", kLetter}, {"M", kMark}, {"Mark", kMark}, {"N", kNumber},
      {"Number", kNumber}, {"P", kPunct}, {"Punct", kPunct}, {"Punctuation", kPunct},
      {"S", kSymbol}, {"Symbol", kSymbol}, {"Z", kSeparator}, {"Separator", kSeparator},
      {"C", kOther}, {"Other", kOther},
      {"Lu", bit(Category::Lu)}, {"Ll", bit(Category::Ll)}, {"Lt", bit(Category::Lt)},
      {"Lm", bit(Category::Lm)}, {"Lo", bit(Category::Lo)}, {"Mn", bit(Category::Mn)},
      {"Mc", bit(Category::Mc)}, {"Me", bit(Category::Me)}, {"Nd", bit(Category::Nd)},
      {"Nl", bit(Category::Nl)}, {"No", bit(Category::No)}, {"Pc", bit(Category::Pc)},
      {"Pd", bit(Category::Pd)}, {"Ps", bit(Category::Ps)}, {"Pe", bit(Category::Pe)},
      {"Pi", bit(Category::Pi)}, {"Pf", bit(Category::Pf)}, {"Po", bit(Category::Po)},
      {"Sm", bit(Category::Sm)}, {"Sc", bit(Category::Sc)}, {"Sk", bit(Category::Sk)},
      {"So", bit(Category::So)}, {"Zs", bit(Category::Zs)}, {"Zl", bit(Category::Zl)},
      {"Zp", bit(Category::Zp)}, {"Cc", bit(Category::Cc)}, {"Cf", bit(Category::Cf)},
      {"Cs", bit(Category::Cs)}, {"Co", bit(Category::Co)}, {"Cn", bit(Category::Cn)},
  };
  for (const Entry& e : kEntries)
    if (name == e.name) return e.mask;
  return std::nullopt;
}

char32_t simple_lower(char32_t c) {
  std::u32string out;
  unicode::to_lowercase(c, out);
  return out.size() == 1 ? out[0] : c;
}
char32_t simple_upper(char32_t c) {
  std::u32string out;
  unicode::to_uppercase(c, out);
  return out.size() == 1 ? out[0] : c;
}

// One member of a character class: a range, or a named class (\d, \s, \p{..}, ...).
struct ClassItem {
  enum Kind { kRange, kMask, kSpace, kHex, kWordChar } kind = kRange;
  char32_t lo = 0, hi = 0;
  uint32_t mask = 0;
  bool negated = false;

  bool test(char32_t c) const {
    bool r = false;
    switch (kind) {
      case kRange: r = c >= lo && c <= hi; break;
      case kMask: r = in_mask(mask, c); break;
      case kSpace: r = unicode::is_whitespace(c); break;
      case kHex: r = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); break;
      case kWordChar: r = is_word(c); break;
    }
    return r != negated;
  }
};

struct CharSet {
  std::vector<ClassItem> items;
  bool negated = false;
  bool icase = false;

  bool test_raw(char32_t c) const {
    for (const ClassItem& it : items)
      if (it.test(c)) return true;
    return false;
  }
  bool test(char32_t c) const {
    bool r = test_raw(c);
    if (!r && icase) r = test_raw(simple_lower(c)) || test_raw(simple_upper(c));
    return r != negated;
  }
};

constexpr size_t kInfinite = static_cast<size_t>(-1);
// Oniguruma's default retry limit per search is 10M; past that we refuse rather than hang.
constexpr size_t kStepLimit = 10'000'000;

}  // namespace

struct Regex::Node {
  enum Kind {
    kSeq, kAlt, kChar, kSet, kAny, kRepeat, kLookahead, kNegLookahead,
    kLineStart, kLineEnd, kTextStart, kTextEnd, kTextEndNewline, kWordBoundary, kNotWordBoundary,
  };
  Kind kind = kSeq;
  std::vector<std::unique_ptr<Node>> kids;
  char32_t c = 0;
  bool icase = false;
  CharSet set;
  size_t min = 0, max = 0;
  bool greedy = true, possessive = false;

  explicit Node(Kind k) : kind(k) {}
  bool is_single() const { return kind == kChar || kind == kSet || kind == kAny; }
  bool test(char32_t x) const {
    switch (kind) {
      case kChar: return x == c || (icase && simple_lower(x) == simple_lower(c));
      case kSet: return set.test(x);
      case kAny: return x != U'\n';
      default: return false;
    }
  }
};

namespace {

using Node = Regex::Node;
using NodePtr = std::unique_ptr<Node>;

class Parser {
 public:
  Parser(std::u32string_view p, const std::string& where) : p_(p), where_(where) {}

  NodePtr parse() {
    NodePtr n = parse_alt();
    if (i_ < p_.size()) fail("unmatched ')'");
    return n;
  }

 private:
  [[noreturn]] void unsupported(const std::string& what) const {
    throw Error(codes::kTokenizerUnsupported,
                where_ + ": regex " + what + " is not supported (pattern '" + utf8::encode(p_) + "')");
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(codes::kTokenizerInvalid, where_ + ": invalid regex, " + what + " (pattern '" + utf8::encode(p_) + "')");
  }
  bool eat(char32_t c) {
    if (i_ < p_.size() && p_[i_] == c) { ++i_; return true; }
    return false;
  }
  bool at(std::u32string_view s) const { return p_.substr(i_, s.size()) == s; }

  NodePtr parse_alt() {
    auto alt = std::make_unique<Node>(Node::kAlt);
    alt->kids.push_back(parse_seq());
    while (eat(U'|')) alt->kids.push_back(parse_seq());
    if (alt->kids.size() == 1) return std::move(alt->kids[0]);
    return alt;
  }

  NodePtr parse_seq() {
    auto seq = std::make_unique<Node>(Node::kSeq);
    while (i_ < p_.size() && p_[i_] != U'|' && p_[i_] != U')') {
      NodePtr atom = parse_atom();
      if (!atom) continue;  // an inline flag group like (?i)
      parse_quantifiers(atom);
      seq->kids.push_back(std::move(atom));
    }
    if (seq->kids.size() == 1) return std::move(seq->kids[0]);
    return seq;
  }

  // {n} {n,} {n,m} {,m}; returns false (nothing consumed) when '{' is a literal.
  bool parse_braces(size_t& min, size_t& max) {
    size_t j = i_ + 1;
    auto number = [&](size_t& out) {
      size_t start = j;
      out = 0;
      while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9') out = out * 10 + (p_[j++] - '0');
      return j > start;
    };
    size_t a = 0, b = 0;
    bool has_a = number(a);
    if (j < p_.size() && p_[j] == U'}') {
      if (!has_a) return false;
      min = max = a;
    } else if (j < p_.size() && p_[j] == U',') {
      ++j;
      bool has_b = number(b);
      if (j >= p_.size() || p_[j] != U'}' || (!has_a && !has_b)) return false;
      min = has_a ? a : 0;
      max = has_b ? b : kInfinite;
      if (max < min) fail("quantifier range out of order");
    } else {
      return false;
    }
    i_ = j + 1;
    return true;
  }

  void parse_quantifiers(NodePtr& atom) {
    while (i_ < p_.size()) {
      size_t min = 0, max = 0;
      char32_t q = p_[i_];
      if (q == U'*') { min = 0; max = kInfinite; ++i_; }
      else if (q == U'+') { min = 1; max = kInfinite; ++i_; }
      else if (q == U'?') { min = 0; max = 1; ++i_; }
      else if (q == U'{') { if (!parse_braces(min, max)) return; }
      else return;
      auto rep = std::make_unique<Node>(Node::kRepeat);
      rep->min = min;
      rep->max = max;
      if (eat(U'?')) rep->greedy = false;
      else if (eat(U'+')) rep->possessive = true;
      rep->kids.push_back(std::move(atom));
      atom = std::move(rep);
    }
  }

  NodePtr group_body(Node::Kind wrap) {
    const bool saved = icase_;
    NodePtr body = parse_alt();
    icase_ = saved;
    if (!eat(U')')) fail("missing ')'");
    if (wrap == Node::kSeq) return body;
    auto n = std::make_unique<Node>(wrap);
    n->kids.push_back(std::move(body));
    return n;
  }

  NodePtr parse_group() {
    // after '('
    if (!eat(U'?')) return group_body(Node::kSeq);
    if (eat(U':')) return group_body(Node::kSeq);
    if (eat(U'=')) return group_body(Node::kLookahead);
    if (eat(U'!')) return group_body(Node::kNegLookahead);
    if (at(U"<=") || at(U"<!")) unsupported("lookbehind");
    if (eat(U'<') || eat(U'P')) {
      if (p_.substr(i_ - 1, 2) == U"P<") ++i_;
      while (i_ < p_.size() && p_[i_] != U'>') ++i_;
      if (!eat(U'>')) fail("bad group name");
      return group_body(Node::kSeq);
    }
    if (at(U">")) unsupported("atomic group (?>...)");
    // Inline flags: only i is meaningful for these patterns (x, m change the syntax/meaning).
    bool on = true, icase = icase_;
    while (i_ < p_.size() && p_[i_] != U')' && p_[i_] != U':') {
      char32_t f = p_[i_++];
      if (f == U'-') on = false;
      else if (f == U'i') icase = on;
      else unsupported(std::string("inline flag '") + static_cast<char>(f) + "'");
    }
    if (eat(U')')) {  // (?i): applies to the rest of the enclosing group
      icase_ = icase;
      return nullptr;
    }
    if (!eat(U':')) fail("bad group");
    const bool saved = icase_;
    icase_ = icase;
    NodePtr body = parse_alt();
    icase_ = saved;
    if (!eat(U')')) fail("missing ')'");
    return body;
  }

  uint32_t hex_digits(size_t min_digits, size_t max_digits) {
    uint32_t v = 0;
    size_t n = 0;
    while (n < max_digits && i_ < p_.size()) {
      char32_t c = p_[i_];
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) break;
      v = v * 16 + d;
      ++i_;
      ++n;
    }
    if (n < min_digits) fail("bad hex escape");
    return v;
  }

  // \p{L}, \p{^L}, \P{L} after the 'p'/'P'.
  ClassItem parse_property(bool negated) {
    if (!eat(U'{')) fail("\\p needs {...}");
    if (eat(U'^')) negated = !negated;
    size_t start = i_;
    while (i_ < p_.size() && p_[i_] != U'}') ++i_;
    std::string name = utf8::encode(p_.substr(start, i_ - start));
    if (!eat(U'}')) fail("unterminated \\p{");
    auto mask = category_mask(name);
    if (!mask) unsupported("property \\p{" + name + "}");
    ClassItem it;
    it.kind = ClassItem::kMask;
    it.mask = *mask;
    it.negated = negated;
    return it;
  }

  // Escape after '\'. Returns a class item for class escapes, or sets `literal`.
  std::optional<ClassItem> parse_escape(char32_t& literal) {
    if (i_ >= p_.size()) fail("trailing backslash");
    char32_t e = p_[i_++];
    ClassItem it;
    switch (e) {
      case U'd': case U'D': it.kind = ClassItem::kMask; it.mask = bit(Category::Nd); it.negated = e == U'D'; return it;
      case U'w': case U'W': it.kind = ClassItem::kWordChar; it.negated = e == U'W'; return it;
      case U's': case U'S': it.kind = ClassItem::kSpace; it.negated = e == U'S'; return it;
      case U'h': case U'H': it.kind = ClassItem::kHex; it.negated = e == U'H'; return it;
      case U'p': return parse_property(false);
      case U'P': return parse_property(true);
      case U'n': literal = U'\n'; return std::nullopt;
      case U't': literal = U'\t'; return std::nullopt;
      case U'r': literal = U'\r'; return std::nullopt;
      case U'f': literal = U'\f'; return std::nullopt;
      case U'v': literal = U'\v'; return std::nullopt;
      case U'a': literal = 0x07; return std::nullopt;
      case U'e': literal = 0x1B; return std::nullopt;
      case U'0': literal = 0; return std::nullopt;
      case U'x':
        if (eat(U'{')) {
          literal = hex_digits(1, 8);
          if (!eat(U'}')) fail("unterminated \\x{");
        } else {
          literal = hex_digits(1, 2);
        }
        return std::nullopt;
      case U'u': literal = hex_digits(4, 4); return std::nullopt;
      default:
        if ((e >= U'1' && e <= U'9') || e == U'k' || e == U'g') unsupported("backreference or subexpression call");
        if ((e >= U'a' && e <= U'z') || (e >= U'A' && e <= U'Z')) unsupported(std::string("escape \\") + static_cast<char>(e));
        literal = e;  // escaped punctuation or any other char stands for itself
        return std::nullopt;
    }
  }

  NodePtr parse_class() {
    // after '['
    auto n = std::make_unique<Node>(Node::kSet);
    n->set.icase = icase_;
    if (eat(U'^')) n->set.negated = true;
    bool first = true;
    while (true) {
      if (i_ >= p_.size()) fail("unterminated [");
      char32_t c = p_[i_];
      if (c == U']' && !first) { ++i_; break; }
      first = false;
      if (c == U'[') unsupported("nested class or POSIX bracket inside [...]");
      if (at(U"&&")) unsupported("class intersection &&");
      char32_t lo = 0;
      ++i_;
      if (c == U'\\') {
        if (auto item = parse_escape(lo)) {
          n->set.items.push_back(*item);
          continue;
        }
      } else {
        lo = c;
      }
      // A range lo-hi (a '-' before ']' is a literal).
      if (i_ + 1 < p_.size() && p_[i_] == U'-' && p_[i_ + 1] != U']') {
        ++i_;
        char32_t hi = p_[i_++];
        if (hi == U'\\') {
          if (parse_escape(hi)) fail("class escape as a range end");
        }
        if (hi < lo) fail("class range out of order");
        ClassItem it;
        it.lo = lo;
        it.hi = hi;
        n->set.items.push_back(it);
        continue;
      }
      ClassItem it;
      it.lo = it.hi = lo;
      n->set.items.push_back(it);
    }
    return n;
  }

  NodePtr literal_node(char32_t c) {
    auto n = std::make_unique<Node>(Node::kChar);
    n->c = c;
    n->icase = icase_;
    return n;
  }

  NodePtr parse_atom() {
    char32_t c = p_[i_++];
    switch (c) {
      case U'(': return parse_group();
      case U'[': return parse_class();
      case U'.': return std::make_unique<Node>(Node::kAny);
      case U'^': return std::make_unique<Node>(Node::kLineStart);
      case U'$': return std::make_unique<Node>(Node::kLineEnd);
      case U'*': case U'+': case U'?': fail("quantifier without a target");
      case U'\\': {
        if (i_ < p_.size()) {
          char32_t e = p_[i_];
          Node::Kind anchor = Node::kSeq;
          if (e == U'A') anchor = Node::kTextStart;
          else if (e == U'z') anchor = Node::kTextEnd;
          else if (e == U'Z') anchor = Node::kTextEndNewline;
          else if (e == U'b') anchor = Node::kWordBoundary;
          else if (e == U'B') anchor = Node::kNotWordBoundary;
          if (anchor != Node::kSeq) {
            ++i_;
            return std::make_unique<Node>(anchor);
          }
        }
        char32_t lit = 0;
        if (auto item = parse_escape(lit)) {
          auto n = std::make_unique<Node>(Node::kSet);
          n->set.items.push_back(*item);
          return n;
        }
        return literal_node(lit);
      }
      default: return literal_node(c);
    }
  }

  std::u32string_view p_;
  const std::string& where_;
  size_t i_ = 0;
  bool icase_ = false;
};

// A non-owning reference to a continuation `bool(size_t end_pos)`.
class Cont {
 public:
  template <class F>
  Cont(const F& f) : obj_(&f), call_([](const void* o, size_t p) { return (*static_cast<const F*>(o))(p); }) {}
  bool operator()(size_t p) const { return call_(obj_, p); }

 private:
  const void* obj_;
  bool (*call_)(const void*, size_t);
};

class Matcher {
 public:
  explicit Matcher(std::u32string_view s) : s_(s) {}

  bool match(const Node& n, size_t pos, Cont k) {
    if (++steps_ > kStepLimit) {
      throw Error(codes::kInvalidText, "tokenizer regex gave up: too much backtracking on this text");
    }
    switch (n.kind) {
      case Node::kSeq: return seq(n, 0, pos, k);
      case Node::kAlt:
        for (const auto& alt : n.kids)
          if (match(*alt, pos, k)) return true;
        return false;
      case Node::kChar: case Node::kSet: case Node::kAny:
        return pos < s_.size() && n.test(s_[pos]) && k(pos + 1);
      case Node::kRepeat:
        if (n.kids[0]->is_single()) return repeat_single(n, pos, k);
        if (n.possessive) return repeat_possessive(n, pos, k);
        return repeat(n, 0, pos, k);
      case Node::kLookahead: {
        auto accept = [](size_t) { return true; };
        return match(*n.kids[0], pos, accept) && k(pos);
      }
      case Node::kNegLookahead: {
        auto accept = [](size_t) { return true; };
        return !match(*n.kids[0], pos, accept) && k(pos);
      }
      case Node::kLineStart: return (pos == 0 || s_[pos - 1] == U'\n') && k(pos);
      case Node::kLineEnd: return (pos == s_.size() || s_[pos] == U'\n') && k(pos);
      case Node::kTextStart: return pos == 0 && k(pos);
      case Node::kTextEnd: return pos == s_.size() && k(pos);
      case Node::kTextEndNewline:
        return (pos == s_.size() || (pos + 1 == s_.size() && s_[pos] == U'\n')) && k(pos);
      case Node::kWordBoundary: return word_boundary(pos) && k(pos);
      case Node::kNotWordBoundary: return !word_boundary(pos) && k(pos);
    }
    return false;
  }

 private:
  bool word_boundary(size_t pos) const {
    bool before = pos > 0 && is_word(s_[pos - 1]);
    bool after = pos < s_.size() && is_word(s_[pos]);
    return before != after;
  }

  bool seq(const Node& n, size_t idx, size_t pos, Cont k) {
    if (idx == n.kids.size()) return k(pos);
    auto next = [&](size_t p) { return seq(n, idx + 1, p, k); };
    return match(*n.kids[idx], pos, next);
  }

  // Single-char bodies: count the run once, then try lengths without recursion per char.
  bool repeat_single(const Node& n, size_t pos, Cont k) {
    const Node& body = *n.kids[0];
    size_t count = 0;
    while (count < n.max && pos + count < s_.size() && body.test(s_[pos + count])) ++count;
    if (count < n.min) return false;
    if (n.possessive) return k(pos + count);
    if (n.greedy) {
      for (size_t c = count + 1; c-- > n.min;)
        if (k(pos + c)) return true;
      return false;
    }
    for (size_t c = n.min; c <= count; ++c)
      if (k(pos + c)) return true;
    return false;
  }

  bool repeat(const Node& n, size_t count, size_t pos, Cont k) {
    auto more = [&]() {
      if (count >= n.max) return false;
      auto next = [&](size_t p) {
        if (p == pos && count >= n.min) return false;  // an empty iteration cannot help
        return repeat(n, count + 1, p, k);
      };
      return match(*n.kids[0], pos, next);
    };
    if (n.greedy) return more() || (count >= n.min && k(pos));
    return (count >= n.min && k(pos)) || more();
  }

  // Possessive group repetition: take each iteration's first match, never give any back.
  bool repeat_possessive(const Node& n, size_t pos, Cont k) {
    size_t count = 0;
    while (count < n.max) {
      size_t end = pos;
      auto take = [&](size_t p) { end = p; return true; };
      if (!match(*n.kids[0], pos, take) || end == pos) break;
      pos = end;
      ++count;
    }
    return count >= n.min && k(pos);
  }

  std::u32string_view s_;
  size_t steps_ = 0;
};

}  // namespace

Regex::Regex(std::u32string_view pattern, const std::string& where) : root_(Parser(pattern, where).parse()) {}
Regex::~Regex() = default;

std::vector<Offsets> Regex::find_all(std::u32string_view s) const {
  std::vector<Offsets> out;
  size_t from = 0;
  std::optional<size_t> last_match_end;
  while (from <= s.size()) {
    std::optional<Offsets> found;
    for (size_t start = from; start <= s.size() && !found; ++start) {
      Matcher m(s);
      size_t end = 0;
      auto accept = [&](size_t p) { end = p; return true; };
      if (m.match(*root_, start, accept)) found = Offsets{static_cast<uint32_t>(start), static_cast<uint32_t>(end)};
    }
    if (!found) break;
    // As the onig crate's find_iter: an empty match right where the previous one ended is
    // skipped by moving one char on.
    if (found->start == found->end && last_match_end && *last_match_end == found->end) {
      from = found->end + 1;
      continue;
    }
    out.push_back(*found);
    from = found->end;
    last_match_end = found->end;
  }
  return out;
}

}  // namespace tokclass
