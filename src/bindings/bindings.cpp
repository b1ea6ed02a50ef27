// The Embind face: the UI-free JavaScript API, built as build/web/mantissa.mjs
// (an ES module whose default export, Mantissa(), resolves to the module).
//
//   import Mantissa from "./mantissa.mjs";
//   const m = await Mantissa();
//   m.version();  // "0.1.0"
#include <emscripten/bind.h>

#include <string>

#include "mantissa_version.h"

namespace {

std::string version() { return MANTISSA_VERSION; }

}  // namespace

EMSCRIPTEN_BINDINGS(mantissa) { emscripten::function("version", &version); }
