#include "tokenizer/models/model.h"

#include <string>

#include "common/error.h"

namespace tokclass {

void check_vocab_ids_dense(size_t entries, uint32_t max_id, const char* model) {
  if (entries > 0 && max_id > 4 * entries + 1024) {
    throw Error(codes::kTokenizerInvalid, std::string(model) + " vocab ids are too sparse (max id " +
                                              std::to_string(max_id) + " for " + std::to_string(entries) +
                                              " entries)");
  }
}

}  // namespace tokclass
