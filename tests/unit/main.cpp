// The single Catch2 main of the unit tests (they link wowcore only: no plugins).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
