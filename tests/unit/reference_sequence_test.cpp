// tests/unit/reference_sequence_test.cpp — the reference for sequences checked on hand-worked cases.
#include <catch2/catch.hpp>
