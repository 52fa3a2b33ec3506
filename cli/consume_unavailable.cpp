// cli/consume_unavailable.cpp — `eqlite consume` in a build without librdkafka (CMake did not
// find librdkafka-dev): it says so.
#include <cstdio>

#include "cli/common.hpp"

namespace cli {

int cmd_consume(int, char**) {
  std::fprintf(stderr,
               "eqlite consume: this eqlite was built without Kafka support (librdkafka-dev was "
               "not found when it was built)\n");
  return kError;
}

}  // namespace cli
