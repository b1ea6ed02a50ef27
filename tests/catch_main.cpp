// Catch2's main(), compiled once (it is slow to build) and linked into every
// test_<folder> executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
