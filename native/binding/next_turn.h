// Running JS-thread work in a later event-loop turn, for results built in slices so that the
// loop keeps ticking between them (timers, I/O) however large the result.
#pragma once
#include <napi.h>

#include <functional>

namespace tokclass::binding {

// Calls fn in the check phase of a later turn, through the setImmediate the environment had when
// the addon loaded (fake timers a test framework installs later cannot stall it). Not through a
// thread-safe function: Node drains up to 1,000 of its queued calls in one turn, so slices
// queued there ran back to back (a 58,000-entity result blocked the loop 145-224 ms). False,
// and fn not called, when the environment has no setImmediate.
bool on_next_turn(Napi::Env env, std::function<void(Napi::Env)> fn);

}  // namespace tokclass::binding
