// What the engine drivers (scheduler_stress, callers_bench) read: files, CoNLL-2003 sentences,
// and a ClassifierConfig for a model folder in Hugging Face layout. Header-only: the tools
// link every layer's objects, and these few helpers belong to none of them.
#pragma once
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/utf16.h"
#include "common/utf8.h"
#include "engine/classifier.h"

namespace tokclass::tools {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// CoNLL-2003 sentences (first column of each line, joined by spaces), up to `limit`; the same
// texts as bench/lib/conll.js gives the JavaScript benchmarks.
inline std::vector<std::string> conll_sentences(const std::string& path, size_t limit) {
  std::vector<std::string> out;
  std::istringstream lines(read_file(path));
  std::string line, sentence;
  auto flush = [&] {
    if (!sentence.empty() && sentence.rfind("-DOCSTART-", 0) != 0) out.push_back(sentence);
    sentence.clear();
  };
  while (out.size() < limit && std::getline(lines, line)) {
    if (line.empty()) {
      flush();
      continue;
    }
    const std::string word = line.substr(0, line.find(' '));
    sentence += (sentence.empty() ? "" : " ") + word;
  }
  flush();
  return out;
}

// A text as JavaScript would hand it over.
inline std::u16string utf16_of(const std::string& utf8) {
  std::u16string out;
  for (char32_t cp : utf8::decode(utf8)) utf16::append(out, cp);
  return out;
}

// The model folder's files and labels (config.json id2label), BERT's [UNK]/[PAD]; batching and
// threading left at ClassifierConfig's defaults for the caller to set.
inline ClassifierConfig model_config(const std::string& runtime_library, const std::string& dir) {
  ClassifierConfig config;
  config.runtime_library = runtime_library;
  config.model_path = dir + "/model.onnx";
  config.tokenizer_path = dir + "/tokenizer.json";
  const json::Value model = json::parse(read_file(dir + "/config.json"));
  const json::Value& id2label = model.at("id2label");
  config.labels.resize(id2label.as_object().size());
  for (const json::Member& m : id2label.as_object()) config.labels.at(std::stoul(m.key)) = m.value.as_string();
  config.unk_token = "[UNK]";
  config.pad_token = "[PAD]";
  return config;
}

}  // namespace tokclass::tools
