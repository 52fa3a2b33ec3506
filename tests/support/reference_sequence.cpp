// tests/support/reference_sequence.cpp — see reference_sequence.hpp.
#include "support/reference_sequence.hpp"
