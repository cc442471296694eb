// The single Catch2 main of the plugin tests (they load build/plugins/*.so into a registry).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
