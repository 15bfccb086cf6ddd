// Shared by the libFuzzer targets in this folder: a property check that reports and aborts
// (libFuzzer then saves the input as a crash), a reader of the few option bytes some targets
// take from the front of their input, and how their text bytes become code points.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/utf8.h"

#define FUZZ_CHECK(cond, ...)                                                       \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "\nFUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                            \
      std::fprintf(stderr, "\n");                                                   \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

namespace tokclass::fuzz {

// Consumes bytes from the front of the input; past the end every read gives 0.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return static_cast<uint32_t>(u16() | (static_cast<uint32_t>(u16()) << 16)); }
  float f32() {
    uint32_t bits = u32();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  bool empty() const { return pos_ >= size_; }
  size_t left() const { return pos_ < size_ ? size_ - pos_ : 0; }
  std::string_view rest() const {
    return {reinterpret_cast<const char*>(data_) + (pos_ < size_ ? pos_ : size_), left()};
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// The input's text as code points: UTF-8 when it decodes, else each byte as one code point
// (Latin-1), so that invalid UTF-8 still reaches the code under test.
inline std::u32string to_text(std::string_view bytes) {
  try {
    return utf8::decode(bytes);
  } catch (const Error&) {
    std::u32string latin1;
    for (unsigned char c : bytes) latin1.push_back(c);
    return latin1;
  }
}

}  // namespace tokclass::fuzz
