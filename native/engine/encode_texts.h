// Tokenizer.encode for many texts at once: each text decoded from UTF-16 and encoded, spread
// over a process-wide pool of threads (one per core, the caller included) when there are enough
// texts to share, as Hugging Face's encode_batch spreads them over its thread pool.
#pragma once
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace tokclass {

// One encoding per text, in order. Each text's units are freed once it is encoded. An error
// (a lone surrogate, a text whose windows pass the limit) is the one of the lowest text index,
// whatever thread met which first, so the same input always gets the same message.
std::vector<Encoding> encode_texts(const Tokenizer& tokenizer, std::vector<std::u16string>& texts,
                                   const EncodeOptions& options);

}  // namespace tokclass
