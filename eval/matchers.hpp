// eval/matchers.hpp — the prebuilt structures behind the set and pattern instructions:
// ValueSet (`in`, `in~` over constants), PatternSet (`:`, `like`, `like~`), RegexSet (`regex`,
// `regex~`). Built once at compile time, immutable afterwards, shareable across threads.
// One header per matcher and per piece they are built from; this one includes them all.
#pragma once

#include "eval/glob.hpp"
#include "eval/literal_scanner.hpp"
#include "eval/nibble_filter.hpp"
#include "eval/pattern_set.hpp"
#include "eval/regex_prefilter.hpp"
#include "eval/regex_set.hpp"
#include "eval/string_set.hpp"
#include "eval/value_set.hpp"
