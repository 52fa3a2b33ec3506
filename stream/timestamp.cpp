// stream/timestamp.cpp — see timestamp.hpp.
#include "stream/timestamp.hpp"
