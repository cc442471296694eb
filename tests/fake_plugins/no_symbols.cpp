// A shared library that is not a WoWFlow plugin: it exports neither plugin symbol.
extern "C" __attribute__((visibility("default"))) int some_other_function() { return 42; }
