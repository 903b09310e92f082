// Linked into every test binary. ThreadSanitizer cannot see the reference count of
// std::exception_ptr, which lives in the uninstrumented libstdc++: an exception read on one
// thread and released last on another looks like a race. ASan (which checks the counts' effect,
// use after free) stays clean; these two frames are the only ones suppressed.
extern "C" const char* __tsan_default_suppressions() {
  return "race:std::__exception_ptr::exception_ptr::_M_release\n"
         "race:std::runtime_error::~runtime_error\n";
}
