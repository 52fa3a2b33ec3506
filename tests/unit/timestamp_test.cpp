// tests/unit/timestamp_test.cpp — T1: the timestamp field read as an instant.
#include <catch2/catch.hpp>
