// stream/timestamp.hpp — reading the timestamp field as an instant (semantics.md T1).
//
// An instant is a count of nanoseconds since 1970-01-01T00:00:00Z in an int64, so the instants
// that can be read go from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z;
// anything outside is "not a date" (nullopt). Nothing here allocates except format_timestamp().
//
// What is read, as Elasticsearch reads a `date` field with its default format
// `strict_date_optional_time||epoch_millis` (the first format that accepts the text wins):
//
//  * A JSON number: epoch milliseconds. An integer is exact; a double is read through its
//    shortest decimal form (the text the JSON had), so `1588593600000.123` is ...600000123000
//    ns, not the binary double's ...600000123046.875; sub-nanosecond digits round to the
//    nearest nanosecond, halves away from zero.
//
//  * A string, as `strict_date_optional_time` (ISO-8601; Elasticsearch's Iso8601Parser):
//        yyyy
//        yyyy-MM
//        yyyy-MM-dd
//        yyyy-MM-ddT
//        yyyy-MM-ddTHH[zone]
//        yyyy-MM-ddTHH:mm[zone]
//        yyyy-MM-ddTHH:mm:ss[zone]
//        yyyy-MM-ddTHH:mm:ss.F[zone]     F: 1 to 9 digits ('.' or ','), kept to the nanosecond
//    zone: `Z`, or `+`/`-` then HH, HH:mm, HHmm, HH:mm:ss or HHmmss (at most 18:00:00);
//    without a zone the time is UTC. Missing parts are the start of the period (`2020-05` is
//    2020-05-01T00:00:00Z). The year has exactly four digits; months 01-12, days as the
//    calendar has them (leap years: divisible by 4, not by 100 unless by 400), hours 00-23,
//    minutes and seconds 00-59 (no `24:00`, no leap second `:60`), as Java's STRICT resolver.
//    Not accepted (Elasticsearch accepts them): region zone ids (`Europe/Paris`, `UTC`), which
//    need a time-zone database, and years of more than four digits or below zero, which are
//    out of range anyway.
//
//  * Otherwise a string of 1 to 19 ASCII digits, optionally followed by `.` and 1 to 6 digits,
//    is `epoch_millis` (the fraction gives nanoseconds of the millisecond). A string of exactly
//    four digits is a year (above), as in Elasticsearch: `"2020"` is 2020-01-01T00:00:00Z, not
//    2020 ms. No sign, no spaces, no exponent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "eqlite/value.hpp"

namespace eqlite::internal {

/// `s` as an instant in nanoseconds since the epoch (see above); nullopt when it is not a date
/// or the date is outside the int64 range.
std::optional<std::int64_t> timestamp_from_string(std::string_view s) noexcept;

/// Epoch milliseconds as nanoseconds; nullopt when not finite or outside the int64 range. A
/// fraction keeps sub-millisecond precision (see above).
std::optional<std::int64_t> timestamp_from_millis(double ms) noexcept;
std::optional<std::int64_t> timestamp_from_millis(std::int64_t ms) noexcept;
inline std::optional<std::int64_t> timestamp_from_millis(int ms) noexcept {
  return timestamp_from_millis(std::int64_t{ms});
}

/// A field value as an instant: a string as timestamp_from_string(), a number as epoch
/// milliseconds; a boolean or null is not a date.
std::optional<std::int64_t> timestamp_of(const Value& v) noexcept;

/// `ns` as ISO-8601 in UTC, `2020-05-04T12:00:00Z`, with as many fraction digits as needed
/// (none, or up to 9: `2020-05-04T12:00:00.5Z`, `...:00.000000001Z`). Reading the text back
/// with timestamp_from_string() gives `ns`.
std::string format_timestamp(std::int64_t ns);

/// Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1-12, d 1-31).
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
  // Years start on March 1st, so the leap day is the last day of a year; 400-year eras of
  // 146097 days each.
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                                    // [0, 399]
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

}  // namespace eqlite::internal
