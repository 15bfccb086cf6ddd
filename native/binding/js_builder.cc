#include "binding/js_builder.h"

#include "common/error.h"
#include "common/utf16.h"
#include "common/utf8.h"

namespace tokclass::binding {

Napi::Function compiled_builder(Napi::Env env, Napi::FunctionReference& ref, const char* source) {
  if (ref.IsEmpty()) {
    napi_value fn = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_run_script(env, Napi::String::New(env, source), &fn), Napi::Function());
    ref = Napi::Persistent(Napi::Value(env, fn).As<Napi::Function>());
  }
  return ref.Value();
}

void append_utf16(std::u16string& out, std::string_view utf8) {
  bool ascii = true;
  for (unsigned char c : utf8) ascii = ascii && c < 0x80;
  if (ascii) {  // most words and tokens
    out.append(utf8.begin(), utf8.end());
    return;
  }
  std::u32string cps;
  try {
    cps = utf8::decode(utf8);
  } catch (const Error&) {
    cps = utf8::decode(utf8::lossy(utf8));
  }
  for (char32_t cp : cps) utf16::append(out, cp);
}

}  // namespace tokclass::binding
