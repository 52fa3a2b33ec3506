// stream/timestamp.hpp — reading the timestamp field as an instant (semantics.md T1).
#pragma once
