// mimalloc's options for the command (when it is linked with mimalloc; see
// CMakeLists.txt). Set before main(), after mimalloc's own start-up, and only
// as defaults: MIMALLOC_* environment variables still win.
//
// A batch touches its heap once, fresh: eval --batch of 2,100 checks took
// ~3,000 page faults, a fifth of its system time. Large (2 MiB) OS pages with
// no commit delay take one fault per 2 MiB instead of 4 KiB for the heaps made
// after this runs (the worker threads'; the main thread's first segment was
// made before, so ~1,800 faults are left, ~400 with the MIMALLOC_ variables
// set in the environment): eval --batch 42.4 -> 39.0 ms, scan of 10,000
// domains 538 -> 460 ms on loopback (BENCHMARKS.md).
#ifdef SPFDOCTOR_WITH_MIMALLOC
#include <mimalloc.h>

namespace {

struct TuneAllocator {
  TuneAllocator() {
    mi_option_set_enabled_default(mi_option_large_os_pages, true);
    mi_option_set_default(mi_option_eager_commit_delay, 0);
  }
} tune_allocator;

}  // namespace
#endif
