// The Catch2 main of the learning tests (CATCH_ prefixed macros: libtorch defines CHECK itself).
#define CATCH_CONFIG_PREFIX_ALL
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
