// Test doubles of the tokenizers decoders the fixture models use, so native/pipeline/ can be
// checked before the real Tokenizer exists. They follow tokenizers' decode_chain + join:
//   WordPiece: token i > 0 loses the prefix if it has it, else gets a leading " "; then each
//              token (not the joined string) gets the cleanup replacements.
//   ByteLevel: each token's chars map back to bytes (a token with an unknown char keeps its
//              UTF-8 bytes); the whole byte string is decoded with U+FFFD for invalid sequences.
//   Metaspace: the replacement char becomes " ", except in token 0 where it is dropped unless
//              prepend_scheme is "never".
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "tokenizer/token_decoder.h"

namespace tokclass::check {

class WordPieceDecoder : public TokenDecoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup, std::optional<std::string> subword_prefix)
      : prefix_(std::move(prefix)), cleanup_(cleanup), subword_prefix_(std::move(subword_prefix)) {}
  std::string decode_tokens(const std::vector<std::string>& tokens) const override;
  std::optional<std::string> continuing_subword_prefix() const override { return subword_prefix_; }

 private:
  std::string prefix_;
  bool cleanup_;
  std::optional<std::string> subword_prefix_;
};

class ByteLevelDecoder : public TokenDecoder {
 public:
  explicit ByteLevelDecoder(std::optional<std::string> subword_prefix)
      : subword_prefix_(std::move(subword_prefix)) {}
  std::string decode_tokens(const std::vector<std::string>& tokens) const override;
  std::optional<std::string> continuing_subword_prefix() const override { return subword_prefix_; }

 private:
  std::optional<std::string> subword_prefix_;
};

class MetaspaceDecoder : public TokenDecoder {
 public:
  MetaspaceDecoder(std::u32string replacement, bool prepend, std::optional<std::string> subword_prefix)
      : replacement_(std::move(replacement)), prepend_(prepend), subword_prefix_(std::move(subword_prefix)) {}
  std::string decode_tokens(const std::vector<std::string>& tokens) const override;
  std::optional<std::string> continuing_subword_prefix() const override { return subword_prefix_; }

 private:
  std::u32string replacement_;
  bool prepend_;
  std::optional<std::string> subword_prefix_;
};

}  // namespace tokclass::check
