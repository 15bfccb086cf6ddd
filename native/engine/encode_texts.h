// Tokenizer.encode for many texts at once: each text decoded from UTF-16 and encoded, spread
// over a process-wide pool of threads (one per core, the caller included) when there are enough
// texts to share, as Hugging Face's encode_batch spreads them over its thread pool.
#pragma once
#include <string>
#include <vector>

#include "common/worker_pool.h"
#include "tokenizer/tokenizer.h"

namespace tokclass {

// The pool encode_texts() spreads texts over (null on a single core), for the per-text work
// that follows an encode (the binding's layout of the results).
WorkerPool* encode_pool();

// One encoding per text, in order. Each text's units are freed once it is encoded. An error
// (a lone surrogate, a text whose windows pass the limit) is the one of the lowest text index,
// whatever thread met which first, so the same input always gets the same message.
std::vector<Encoding> encode_texts(const Tokenizer& tokenizer, std::vector<std::u16string>& texts,
                                   const EncodeOptions& options);
// The same for word lists (is_split_into_words): each list one encoding, its words encoded one
// by one as Hugging Face encodes pre-tokenized input (word ids = word indices, offsets within
// each word); a lone surrogate is named with its word.
std::vector<Encoding> encode_word_lists(const Tokenizer& tokenizer, std::vector<std::vector<std::u16string>>& lists,
                                        const EncodeOptions& options);

}  // namespace tokclass
