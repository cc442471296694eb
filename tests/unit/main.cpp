// The single Catch2 main of every test program (tests/CMakeLists.txt: the object library wow_catch_main).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
