// The expectations of a stand-alone check driver (native/tools): check() prints each one that
// does not hold and counts it; the driver's main returns failures() == 0 ? 0 : 1.
#pragma once
#include <iostream>
#include <string>

namespace tokclass::tools {

inline int& failures() {
  static int count = 0;
  return count;
}

inline void check(bool ok, const std::string& what) {
  if (ok) return;
  ++failures();
  std::cerr << "FAIL: " << what << "\n";
}

}  // namespace tokclass::tools
