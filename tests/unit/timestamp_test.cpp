// tests/unit/timestamp_test.cpp — T1: the timestamp field read as an instant; T2: dates compare
// as dates (compile errors with their position, the bytecode, the VM against the reference
// interpreter, the rule set's index).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "eqlite/eqlite.hpp"
#include "parser/parse.hpp"
#include "stream/timestamp.hpp"
#include "support/reference_interpreter.hpp"
#include "support/xorshift.hpp"

using eqlite::internal::days_from_civil;
using eqlite::internal::format_timestamp;
using eqlite::internal::timestamp_from_millis;
using eqlite::internal::timestamp_from_string;
using eqlite::internal::timestamp_of;
using Ns = std::optional<std::int64_t>;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

struct Case {
  const char* text;
  Ns ns;
};

void check_all(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    INFO("\"" << c.text << "\"");
    const Ns got = timestamp_from_string(c.text);
    CHECK(got == c.ns);
  }
}

}  // namespace

// ---- T1: strings -------------------------------------------------------------------------------

// T1 (the expected seconds are `date -u -d TEXT +%s`)
TEST_CASE("timestamp: ISO-8601 date-times in UTC", "[timestamp]") {
  check_all({
      {"1970-01-01T00:00:00Z", 0},
      {"2017-08-30T20:47:32Z", 1504126052 * kSecond},
      {"2020-05-04T12:00:00Z", 1588593600 * kSecond},
      {"2038-01-19T03:14:08Z", 2147483648 * kSecond},
      {"1999-12-31T23:59:59Z", 946684799 * kSecond},
      {"2100-02-28T23:59:59Z", 4107542399 * kSecond},
  });
}

// T1: yyyy, yyyy-MM, yyyy-MM-dd, a lone T, HH, HH:mm (strict_date_optional_time)
TEST_CASE("timestamp: missing parts are the start of the period", "[timestamp]") {
  const std::int64_t noon = 1588593600 * kSecond;  // 2020-05-04T12:00:00Z
  check_all({
      {"2020", 1577836800 * kSecond},     // 2020-01-01
      {"2020-05", 1588291200 * kSecond},  // 2020-05-01
      {"2020-05-04", noon - 12 * 3600 * kSecond},
      {"2020-05-04T", noon - 12 * 3600 * kSecond},
      {"2020-05-04T12", noon},
      {"2020-05-04T12Z", noon},
      {"2020-05-04T12:00", noon},
      {"2020-05-04T12:30", noon + 1800 * kSecond},
      {"2020-05-04T12:30Z", noon + 1800 * kSecond},
      {"2020-05-04T12:00:00", noon},
  });
}

// T1: no zone is UTC; `Z`, ±HH, ±HH:mm, ±HHmm, ±HH:mm:ss, ±HHmmss; negative offsets are west
TEST_CASE("timestamp: zones", "[timestamp]") {
  const std::int64_t noon = 1588593600 * kSecond;  // 2020-05-04T12:00:00Z
  const std::int64_t h = 3600 * kSecond, m = 60 * kSecond;
  check_all({
      {"2020-05-04T12:00:00+00:00", noon},
      {"2020-05-04T12:00:00-00:00", noon},
      {"2020-05-04T14:00:00+02:00", noon},
      {"2020-05-04T14:00:00+0200", noon},
      {"2020-05-04T14:00:00+02", noon},
      {"2020-05-04T12:00:00-05:30", noon + 5 * h + 30 * m},
      {"2020-05-04T12:00:00-0530", noon + 5 * h + 30 * m},
      {"2020-05-04T12:00:00-08", noon + 8 * h},
      {"2020-05-04T12:00:00+01:00:30", noon - h - 30 * kSecond},
      {"2020-05-04T12:00:00+010030", noon - h - 30 * kSecond},
      {"2020-05-04T12:00+02:00", noon - 2 * h},
      {"2020-05-04T12+02:00", noon - 2 * h},
      {"2020-05-04T12:00:00.5+18:00", noon - 18 * h + kSecond / 2},
      {"2020-05-04T12:00:00-18:00", noon + 18 * h},
      // a negative offset moves the date across midnight and the year
      {"2019-12-31T22:00:00-02:00", 1577836800 * kSecond},
  });
  check_all({
      {"2020-05-04T12:00:00+18:01", {}},  // beyond java.time.ZoneOffset's +-18:00
      {"2020-05-04T12:00:00+19", {}},
      {"2020-05-04T12:00:00+01:60", {}},
      {"2020-05-04T12:00:00+1", {}},
      {"2020-05-04T12:00:00+01:0", {}},
      {"2020-05-04T12:00:00+01:00:0", {}},
      {"2020-05-04T12:00:00+0100:00", {}},  // colons all there or all absent
      {"2020-05-04T12:00:00+01:0000", {}},
      {"2020-05-04T12:00:00+01:00:00:00", {}},
      {"2020-05-04T12:00:00z", {}},
      {"2020-05-04T12:00:00ZZ", {}},
      {"2020-05-04T12:00:00 Z", {}},
      {"2020-05-04T12:00:00UTC", {}},  // region ids need a time-zone database
      {"2020-05-04T12:00:00Europe/Paris", {}},
      {"2020-05-04Z", {}},   // a zone needs a time
      {"2020-05-04TZ", {}},  // ... with at least the hour
      {"2020-05Z", {}},
  });
}

// T1: 1 to 9 fraction digits kept to the nanosecond, '.' or ','
TEST_CASE("timestamp: fractions of a second", "[timestamp]") {
  const std::int64_t noon = 1588593600 * kSecond;
  check_all({
      {"2020-05-04T12:00:00.1Z", noon + 100'000'000},
      {"2020-05-04T12:00:00.12Z", noon + 120'000'000},
      {"2020-05-04T12:00:00.123Z", noon + 123'000'000},
      {"2020-05-04T12:00:00.1234Z", noon + 123'400'000},
      {"2020-05-04T12:00:00.12345Z", noon + 123'450'000},
      {"2020-05-04T12:00:00.123456Z", noon + 123'456'000},
      {"2020-05-04T12:00:00.1234567Z", noon + 123'456'700},
      {"2020-05-04T12:00:00.12345678Z", noon + 123'456'780},
      {"2020-05-04T12:00:00.123456789Z", noon + 123'456'789},
      {"2020-05-04T12:00:00.000000001Z", noon + 1},
      {"2020-05-04T12:00:00.999999999Z", noon + 999'999'999},
      {"2020-05-04T12:00:00.123456789", noon + 123'456'789},
      {"2020-05-04T14:00:00.123456789+02:00", noon + 123'456'789},
      {"2020-05-04T12:00:00,5Z", noon + 500'000'000},
      {"2020-05-04T12:00:00,5", noon + 500'000'000},
  });
  check_all({
      {"2020-05-04T12:00:00.1234567891Z", {}},  // 10 digits
      {"2020-05-04T12:00:00.Z", {}},
      {"2020-05-04T12:00:00.", {}},
      {"2020-05-04T12:00:00,", {}},
      {"2020-05-04T12:00.5Z", {}},  // a fraction only after the seconds
      {"2020-05-04T12:00:00.5.5Z", {}},
      {"2020-05-04T12:00:00.-5Z", {}},
  });
}

// T1: the calendar (leap years: by 4, not by 100 unless by 400), and times within the day
TEST_CASE("timestamp: invalid dates and times are not dates", "[timestamp]") {
  check_all({
      {"2000-02-29", 951782400 * kSecond},  // divisible by 400: leap
      {"2000-03-01", 951868800 * kSecond},
      {"2024-02-29T12:00:00Z", 1709208000 * kSecond},
      {"1900-03-01", -2203891200 * kSecond},
      {"2020-04-30", 1588204800 * kSecond},
      {"2020-12-31T23:59:59.999999999Z", 1609459199 * kSecond + 999'999'999},
  });
  check_all({
      {"1900-02-29", {}},  // divisible by 100: not leap
      {"2100-02-29", {}},
      {"2019-02-29", {}},
      {"2020-02-30", {}},
      {"2020-04-31", {}},
      {"2020-06-31", {}},
      {"2020-13-01", {}},
      {"2020-00-10", {}},
      {"2020-01-00", {}},
      {"2020-01-32", {}},
      {"2020-13", {}},
      {"2020-00", {}},
      {"2020-05-04T24:00:00Z", {}},  // no 24:00 (Java's STRICT resolver)
      {"2020-05-04T24", {}},
      {"2020-05-04T12:60", {}},
      {"2020-05-04T23:59:60Z", {}},  // no leap second
  });
}

// T1: pre-epoch instants are negative; the int64 range is 1677-09-21 to 2262-04-11
TEST_CASE("timestamp: before 1970, and the ends of the range", "[timestamp]") {
  check_all({
      {"1969-12-31T23:59:59.999999999Z", -1},
      {"1969-12-31T23:59:59Z", -kSecond},
      {"1969-07-20T20:17:40Z", -14182940 * kSecond},
      {"1960-01-01", -315619200 * kSecond},
      {"1969-12-31T23:00:00-01:00", 0},
      {"1677-09-21T00:12:43.145224192Z", kMin},
      {"2262-04-11T23:47:16.854775807Z", kMax},
      {"1677-09-21T00:12:44Z", kMin + 854'775'808},
  });
  check_all({
      {"1677-09-21T00:12:43.145224191Z", {}},
      {"2262-04-11T23:47:16.854775808Z", {}},
      {"2262-04-12", {}},
      {"1677-09-20", {}},
      {"1600-01-01", {}},
      {"9999-12-31T23:59:59Z", {}},
      {"0000-01-01", {}},
      {"1000", {}},                                 // a year (four digits), out of range
      {"2262-04-11T23:47:16.854775807-00:01", {}},  // the offset takes it past the end
  });
}

// T1: epoch_millis strings; four digits are a year, as strict_date_optional_time reads them first
TEST_CASE("timestamp: strings of digits are epoch milliseconds", "[timestamp]") {
  check_all({
      {"0", 0},
      {"1", 1'000'000},
      {"123", 123'000'000},
      {"00123", 123'000'000},
      {"12345", 12'345'000'000},
      {"1588593600000", 1588593600 * kSecond},
      {"1588593600000.5", 1588593600 * kSecond + 500'000},
      {"1588593600000.123456", 1588593600 * kSecond + 123'456},
      {"0.000001", 1},
      {"20200504", 20'200'504'000'000},  // not a basic ISO date
      {"9223372036854", 9'223'372'036'854'000'000},
      {"9223372036854.775807", kMax},
      {"2020.5", 2'020'500'000},  // a fraction: not a year
      {"2020", 1577836800 * kSecond},
      {"1970", 0},
  });
  check_all({
      {"9223372036855", {}},
      {"9223372036854.775808", {}},
      {"99999999999999999999", {}},   // 20 digits
      {"1588593600000.1234567", {}},  // at most 6 fraction digits (nanoseconds of the ms)
      {"1588593600000.", {}},
      {".5", {}},
      {"-1", {}},  // no sign
      {"+1", {}},
      {"-1588593600000", {}},
      {"+1588593600000", {}},
      {"1e3", {}},
      {"0x10", {}},
      {" 123", {}},  // no spaces
      {"123 ", {}},
      {"1 23", {}},
      {"123\n", {}},
  });
}

// T1: anything else is not a date (no locale, no spaces, no trailing text)
TEST_CASE("timestamp: garbage is not a date", "[timestamp]") {
  check_all({
      {"", {}},
      {"abc", {}},
      {"now", {}},
      {"T", {}},
      {"2020-05-04 12:00:00", {}},  // a space instead of T
      {"2020-05-04t12:00:00", {}},
      {"2020/05/04", {}},
      {"2020-5-4", {}},
      {"2020-05-4", {}},
      {"20-05-04", {}},
      {"02020-05-04", {}},  // five-digit years are not read
      {"+2020-05-04", {}},
      {"-2020-05-04", {}},
      {" 2020-05-04", {}},
      {"2020-05-04 ", {}},
      {"2020-05-04T12:00:00Zjunk", {}},
      {"2020-05-04T12:00:00.123Zjunk", {}},
      {"2020-05-04Tjunk", {}},
      {"2020-05-04T1", {}},
      {"2020-05-04T12:0", {}},
      {"2020-05-04T12:00:0", {}},
      {"2020-", {}},
      {"2020-05-", {}},
      {"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x90", {}},  // fullwidth digits
  });
  // a NUL inside the view is a character like any other
  CHECK_FALSE(timestamp_from_string(std::string_view("2020-05-04\0", 11)));
  CHECK_FALSE(
      timestamp_from_string(std::string_view("12\0"
                                             "3",
                                             4)));
  // only the view is read, not what follows it
  CHECK(timestamp_from_string(std::string_view("2020-05-04T12:00:00Zjunk", 20)) ==
        1588593600 * kSecond);
}

// ---- T1: numbers --------------------------------------------------------------------------------

// T1: a JSON number is epoch milliseconds
TEST_CASE("timestamp: integer milliseconds", "[timestamp]") {
  CHECK(timestamp_from_millis(std::int64_t{0}) == 0);
  CHECK(timestamp_from_millis(1) == 1'000'000);
  CHECK(timestamp_from_millis(-1) == -1'000'000);
  CHECK(timestamp_from_millis(std::int64_t{1588593600000}) == 1588593600 * kSecond);
  CHECK(timestamp_from_millis(std::int64_t{9223372036854}) == 9'223'372'036'854'000'000);
  CHECK(timestamp_from_millis(std::int64_t{-9223372036854}) == -9'223'372'036'854'000'000);
  CHECK_FALSE(timestamp_from_millis(std::int64_t{9223372036855}));
  CHECK_FALSE(timestamp_from_millis(std::int64_t{-9223372036855}));
  CHECK_FALSE(timestamp_from_millis(kMax));
  CHECK_FALSE(timestamp_from_millis(kMin));
}

// T1: a fraction keeps sub-millisecond precision: the number as written (its shortest decimal
// form), rounded to the nearest nanosecond, halves away from zero
TEST_CASE("timestamp: fractional milliseconds", "[timestamp]") {
  CHECK(timestamp_from_millis(0.0) == 0);
  CHECK(timestamp_from_millis(-0.0) == 0);
  CHECK(timestamp_from_millis(1.5) == 1'500'000);
  CHECK(timestamp_from_millis(-1.5) == -1'500'000);
  CHECK(timestamp_from_millis(1588593600000.0) == 1588593600 * kSecond);
  // the double nearest 1588593600000.123 is ...600000.12304688: the JSON said .123
  CHECK(timestamp_from_millis(1588593600000.123) == 1588593600 * kSecond + 123'000);
  CHECK(timestamp_from_millis(1588593600000.5) == 1588593600 * kSecond + 500'000);
  CHECK(timestamp_from_millis(0.000001) == 1);
  CHECK(timestamp_from_millis(0.123456789) == 123'457);  // rounded up
  CHECK(timestamp_from_millis(0.1234564) == 123'456);    // rounded down
  CHECK(timestamp_from_millis(0.0000005) == 1);          // half: away from zero
  CHECK(timestamp_from_millis(-0.0000005) == -1);
  CHECK(timestamp_from_millis(0.0000004999) == 0);
  CHECK(timestamp_from_millis(1e-300) == 0);
  CHECK(timestamp_from_millis(-1e-300) == 0);
  CHECK(timestamp_from_millis(5e-324) == 0);
  CHECK(timestamp_from_millis(1e12) == 1'000'000'000'000'000'000);
  CHECK(timestamp_from_millis(-14182940000.25) == -14182940 * kSecond + 250'000 - 500'000);
  CHECK(timestamp_from_millis(9223372036854.775) == 9'223'372'036'854'775'000);
  CHECK(timestamp_from_millis(-9223372036854.775) == -9'223'372'036'854'775'000);
  CHECK_FALSE(timestamp_from_millis(9223372036855.0));
  CHECK_FALSE(timestamp_from_millis(-9223372036855.0));
  CHECK_FALSE(timestamp_from_millis(1e13));
  CHECK_FALSE(timestamp_from_millis(1e300));
  CHECK_FALSE(timestamp_from_millis(-1e300));
  CHECK_FALSE(timestamp_from_millis(std::numeric_limits<double>::infinity()));
  CHECK_FALSE(timestamp_from_millis(-std::numeric_limits<double>::infinity()));
  CHECK_FALSE(timestamp_from_millis(std::nan("")));
}

// T1: a value as the engine sees it; a boolean or null is not a date
TEST_CASE("timestamp: values", "[timestamp]") {
  using eqlite::Value;
  CHECK(timestamp_of(Value::string("2020-05-04T12:00:00Z")) == 1588593600 * kSecond);
  CHECK(timestamp_of(Value::string("1588593600000")) == 1588593600 * kSecond);
  CHECK(timestamp_of(Value::integer(1588593600000)) == 1588593600 * kSecond);
  CHECK(timestamp_of(Value::number(1588593600000.5)) == 1588593600 * kSecond + 500'000);
  CHECK_FALSE(timestamp_of(Value::string("yesterday")));
  CHECK_FALSE(timestamp_of(Value::boolean(true)));
  CHECK_FALSE(timestamp_of(Value::boolean(false)));
  CHECK_FALSE(timestamp_of(Value::null()));
  CHECK_FALSE(timestamp_of(Value::integer(kMax)));
}

// ---- formatting and the calendar ----------------------------------------------------------------

// T1: the calendar against counting days one by one from 1600-01-01 (-135140 days)
TEST_CASE("timestamp: days_from_civil counts every day", "[timestamp]") {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::int64_t day = -135140;
  std::size_t checked = 0;
  for (int y = 1600; y <= 2400; ++y) {
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    for (int m = 1; m <= 12; ++m) {
      const int n = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
      for (int d = 1; d <= n; ++d, ++day) {
        if (days_from_civil(y, m, d) != day) {
          FAIL_CHECK(y << "-" << m << "-" << d << ": " << days_from_civil(y, m, d)
                       << " != " << day);
          return;
        }
        ++checked;
      }
    }
  }
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(checked == 292560);  // 801 years, 195 of them leap
}

// T1: format_timestamp, fraction digits only as needed
TEST_CASE("timestamp: format_timestamp", "[timestamp]") {
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(format_timestamp(1) == "1970-01-01T00:00:00.000000001Z");
  CHECK(format_timestamp(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(format_timestamp(1588593600 * kSecond + 500'000'000) == "2020-05-04T12:00:00.5Z");
  CHECK(format_timestamp(1588593600 * kSecond + 120'000'000) == "2020-05-04T12:00:00.12Z");
  CHECK(format_timestamp(1588593600 * kSecond + 123'456'000) == "2020-05-04T12:00:00.123456Z");
  CHECK(format_timestamp(-14182940 * kSecond) == "1969-07-20T20:17:40Z");
  CHECK(format_timestamp(951782400 * kSecond) == "2000-02-29T00:00:00Z");
  CHECK(format_timestamp(kMin) == "1677-09-21T00:12:43.145224192Z");
  CHECK(format_timestamp(kMax) == "2262-04-11T23:47:16.854775807Z");
}

// T1: format then read gives the instant back, over the whole range
TEST_CASE("timestamp: round trips", "[timestamp]") {
  eqlite::testing::XorShift rng{0x7157'a3b1'9e22'0001};
  for (std::int64_t ns :
       {kMin, kMin + 1, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, kMax - 1, kMax}) {
    INFO(ns);
    CHECK(timestamp_from_string(format_timestamp(ns)) == ns);
  }
  for (int i = 0; i < 20000; ++i) {
    auto ns = static_cast<std::int64_t>(static_cast<std::uint64_t>(rng(1ULL << 32)) << 32 |
                                        rng(1ULL << 32));
    if (i % 4 == 1) ns -= ns % kSecond;  // whole seconds: no fraction
    if (i % 4 == 2) ns -= ns % 1'000'000;
    const std::string text = format_timestamp(ns);
    INFO(ns << " " << text);
    REQUIRE(timestamp_from_string(text) == ns);
    // whole milliseconds as epoch_millis digits (four digits would be a year)
    const std::string millis = std::to_string(ns / 1'000'000);
    if (ns % 1'000'000 == 0 && ns >= 0 && millis.size() != 4) {
      INFO(millis);
      REQUIRE(timestamp_from_string(millis) == ns);
      REQUIRE(timestamp_from_millis(ns / 1'000'000) == ns);
    }
  }
}

// ---- T2: dates compare as dates -----------------------------------------------------------------

namespace {

// The query's answer on `json`, by the VM and by the reference interpreter, which must agree.
bool matches(const std::string& text, const std::string& json,
             const eqlite::CompileOptions& options = {}) {
  auto q = eqlite::compile(text, options);
  if (!q) {
    FAIL_CHECK(q.error().format(text));
    return false;
  }
  eqlite::JsonReader reader(*q);
  eqlite::Event event;
  REQUIRE(reader.read(json, event).ok());
  eqlite::Vm vm;
  const bool got = vm.matches(*q, event);
  auto ast = eqlite::internal::parse(text);
  REQUIRE(ast);
  eqlite::FlatEvent flat;
  for (std::size_t i = 0; i < q->fields().size(); ++i)
    for (const auto& v : event.values(static_cast<std::uint32_t>(i)))
      flat.add(q->fields()[i], v);
  INFO(text << " on " << json);
  CHECK(eqlite::testing::reference_matches(*ast, flat, "event.category", options.timestamp_field) ==
        got);
  return got;
}

}  // namespace

// T2: the literal is read at compile time; one that is not a date is an error at the literal
TEST_CASE("timestamp: a literal that is not a date is a compile error at the literal",
          "[timestamp]") {
  struct ErrorCase {
    const char* query;
    unsigned line, column;
    const char* shown;
  };
  const ErrorCase cases[] = {
      {R"(any where @timestamp < "abc")", 1, 24, "\"abc\""},
      {R"(any where "abc" > @timestamp)", 1, 11, "\"abc\""},
      {R"(any where @timestamp == "2020-02-30")", 1, 25, "\"2020-02-30\""},
      {R"(any where @timestamp != "2020-05-04 12:00")", 1, 25, "\"2020-05-04 12:00\""},
      {R"(any where @timestamp >= "")", 1, 25, "\"\""},
      {R"(any where @timestamp < "-1")", 1, 24, "\"-1\""},
      {"process where\n  a == 1 and\n  @timestamp <= \"1600-01-01\"", 3, 17, "\"1600-01-01\""},
      {R"(any where @timestamp > 10000000000000)", 1, 24, "10000000000000"},
      {R"(any where @timestamp > -10000000000000)", 1, 24, "-10000000000000"},
      {R"(any where @timestamp > 1e300)", 1, 24, "1e+300"},
      {R"(any where @timestamp in ("2020-05-04", "nope"))", 1, 40, "\"nope\""},
      {R"(any where "nope" in (@timestamp))", 1, 11, "\"nope\""},
      {R"(any where null == (@timestamp > "x"))", 1, 33, "\"x\""},
  };
  for (const auto& c : cases) {
    auto q = eqlite::compile(c.query);
    INFO(c.query);
    REQUIRE_FALSE(q);
    INFO(q.error().format(c.query));
    CHECK(q.error().code == eqlite::ErrorCode::Syntax);
    CHECK(q.error().where.line == c.line);
    CHECK(q.error().where.column == c.column);
    CHECK_THAT(q.error().message,
               Catch::StartsWith(std::string("[@timestamp] is a date: ") + c.shown +
                                 " is not a date (expected ISO-8601 such as "
                                 "2020-05-04T12:00:00Z, or epoch milliseconds"));
  }
}

// T2: only the timestamp field (CompileOptions::timestamp_field) reads its literals as dates
TEST_CASE("timestamp: the timestamp field is an option", "[timestamp]") {
  eqlite::CompileOptions options;
  options.timestamp_field = "event.created";
  auto q = eqlite::compile(R"(any where event.created < "abc")", options);
  REQUIRE_FALSE(q);
  CHECK_THAT(q.error().message, Catch::StartsWith("[event.created] is a date: \"abc\""));
  // @timestamp is then an ordinary field: strings compare by bytes (S8)
  CHECK(eqlite::compile(R"(any where @timestamp < "abc")", options).ok());
  const std::string json = R"({"@timestamp":"2020-05-04T12:00:00.000Z","event":{"created":)"
                           R"("2020-05-04T14:00:00+02:00"}})";
  CHECK(matches(R"(any where event.created == "2020-05-04T12:00:00Z")", json, options));
  CHECK_FALSE(matches(R"(any where @timestamp == "2020-05-04T12:00:00Z")", json, options));
  CHECK(matches(R"(any where @timestamp == "2020-05-04T12:00:00Z")", json));
  // other operators on the timestamp field are unchanged: `:` matches the text (S6)
  CHECK(matches(R"(any where @timestamp : "2020-05-04*")", json));
  CHECK_FALSE(matches(R"(any where @timestamp : "2020-05-04")", json));
  // nor do other fields compare as dates
  CHECK_FALSE(matches(R"(any where event.created == "2020-05-04T12:00:00Z")", json));
}

// T2, S2, S3, S4, S11: the event's value read as T1; not a date or no value: false
TEST_CASE("timestamp: comparisons of instants on events", "[timestamp]") {
  const std::string iso = R"({"@timestamp":"2017-08-30T22:47:32.250+02:00"})";
  const std::string ms = R"({"@timestamp":1504126052250})";
  const std::string ms_text = R"({"@timestamp":"1504126052250"})";
  const std::string ms_frac = R"({"@timestamp":1504126052250.5})";
  for (const auto& json : {iso, ms, ms_text}) {
    CHECK(matches(R"(any where @timestamp == "2017-08-30T20:47:32.25Z")", json));
    CHECK(matches(R"(any where @timestamp == 1504126052250)", json));
    CHECK(matches(R"(any where @timestamp == "1504126052250")", json));
    CHECK(matches(R"(any where @timestamp > "2017-08-30T20:47:32Z")", json));
    CHECK(matches(R"(any where @timestamp >= "2017-08-30T20:47:32.250000000Z")", json));
    CHECK_FALSE(matches(R"(any where @timestamp > "2017-08-30T20:47:32.250000001Z")", json));
    CHECK(matches(R"(any where @timestamp < "2017-08-31")", json));
    CHECK(matches(R"(any where @timestamp <= "2017-08-30T16:47:32.25-04:00")", json));
    CHECK_FALSE(matches(R"(any where @timestamp < "2017-08-30T16:47:32.25-04:00")", json));
    CHECK(matches(R"(any where @timestamp != "2017-08-30")", json));
    CHECK_FALSE(matches(R"(any where @timestamp != "2017-08-30T20:47:32.250Z")", json));
    // the literal on the left, mirrored
    CHECK(matches(R"(any where "2017-08-30" < @timestamp)", json));
    CHECK_FALSE(matches(R"(any where "2017-08-30" > @timestamp)", json));
    CHECK(matches(R"(any where 1504126052250 == @timestamp)", json));
    // a year alone, a month alone
    CHECK(matches(R"(any where @timestamp >= "2017" and @timestamp < "2018")", json));
    CHECK(matches(R"(any where @timestamp >= "2017-08" and @timestamp < "2017-09")", json));
    // a number folded from arithmetic is still milliseconds
    CHECK(matches(R"(any where @timestamp == 1504126052000 + 250)", json));
    // in: each member compared as a date
    CHECK(matches(R"(any where @timestamp in ("2017-08-30", "2017-08-30T20:47:32.25Z"))", json));
    CHECK_FALSE(matches(R"(any where @timestamp in ("2017-08-30", 1504126052251))", json));
    CHECK(matches(R"(any where @timestamp not in ("2017-08-30", null))", json));
    CHECK(matches(R"(any where "2017-08-30T20:47:32.250Z" in (@timestamp, x))", json));
  }
  CHECK(matches(R"(any where @timestamp == 1504126052250.5)", ms_frac));
  CHECK(matches(R"(any where @timestamp == "2017-08-30T20:47:32.2505Z")", ms_frac));
  CHECK(matches(R"(any where @timestamp > 1504126052250)", ms_frac));
  // S4: any element of an array
  const std::string array = R"({"@timestamp":["nope", true, 1504126052250, "2020-01-01"]})";
  CHECK(matches(R"(any where @timestamp == "2017-08-30T20:47:32.25Z")", array));
  CHECK(matches(R"(any where @timestamp > "2019")", array));
  CHECK(matches(R"(any where @timestamp < "2018")", array));
  CHECK_FALSE(matches(R"(any where @timestamp > "2021")", array));
  CHECK_FALSE(matches(R"(any where @timestamp != "2017-08-30T20:47:32.25Z")", array));
  // S2, S11: a value that is not a date compares false; S3: `!=` is then true
  for (const std::string json :
       {R"({"@timestamp":"yesterday"})", R"({"@timestamp":true})", R"({"@timestamp":{}})",
        R"({"@timestamp":[]})", R"({"@timestamp":null})", R"({})", R"({"@timestamp":1e300})",
        R"({"@timestamp":"2020-02-30"})", R"({"@timestamp":"2020-05-04 12:00:00"})"}) {
    CHECK_FALSE(matches(R"(any where @timestamp < "2262")", json));
    CHECK_FALSE(matches(R"(any where @timestamp > 0)", json));
    CHECK_FALSE(
        matches(R"(any where @timestamp == "2020-02-29T00:00:00Z" or @timestamp >= 0)", json));
    CHECK(matches(R"(any where @timestamp != "2020-05-04")", json));
    CHECK(matches(R"(any where not @timestamp < "2262")", json));
  }
  // the literal null is not a date: existence, as for any field (S2)
  CHECK(matches(R"(any where @timestamp != null)", iso));
  CHECK(matches(R"(any where @timestamp == null)", R"({})"));
  // a predicate used as a value is three-valued: null when the field has no value
  CHECK(matches(R"(any where null == (@timestamp > "2017"))", R"({})"));
  CHECK_FALSE(matches(R"(any where null == (@timestamp > "2017"))", iso));
  CHECK(matches(R"(any where (@timestamp > "2017") == true)", iso));
  CHECK(matches(R"(any where (@timestamp > "2018") == false)", iso));
  CHECK(matches(R"(any where null == (@timestamp in ("2017", "2018")))", R"({})"));
  CHECK(matches(R"(any where (@timestamp in ("2017", "2017-08-30T20:47:32.25Z")) == true)", iso));
}

// T2: one instruction, the literal's instant read at compile time
TEST_CASE("timestamp: the bytecode of a date comparison", "[timestamp]") {
  auto q = eqlite::compile(R"(any where @timestamp < "2017-08-30T22:47:32+02:00")");
  REQUIRE(q);
  CHECK(q->disassemble() ==
        "0000  field_date_compare @timestamp < 2017-08-30T20:47:32Z\n"
        "0001  return\n");
  q = eqlite::compile(R"(process where 1504126052250.5 <= @timestamp)");
  REQUIRE(q);
  CHECK_THAT(q->disassemble(),
             Catch::Contains("field_date_compare @timestamp >= 2017-08-30T20:47:32.2505Z\n"));
  q = eqlite::compile(R"(any where null == (@timestamp != "2017"))");
  REQUIRE(q);
  CHECK_THAT(q->disassemble(),
             Catch::Contains("field_date_compare @timestamp == 2017-01-01T00:00:00Z 3v\n"));
}

// T2: a rule set's index must not file a date comparison under the literal's text
TEST_CASE("timestamp: rule sets find date comparisons", "[timestamp]") {
  eqlite::RuleSet rules;
  REQUIRE(rules.add("eq", R"(any where @timestamp == "2017-08-30T20:47:32.25Z")").ok());
  REQUIRE(rules.add("ms", R"(any where @timestamp == 1504126052250)").ok());
  REQUIRE(rules.add("in", R"(any where @timestamp in ("2017-08-30T20:47:32.25Z", "2020"))").ok());
  REQUIRE(rules.add("text", R"(any where x == "2017-08-30T20:47:32.25Z")").ok());
  eqlite::RuleSetMatcher matcher(rules);
  std::vector<std::size_t> ids;
  REQUIRE(matcher.match_json(R"({"@timestamp":"2017-08-30T22:47:32.250+02:00"})", ids).ok());
  CHECK(ids == std::vector<std::size_t>{0, 1, 2});
  REQUIRE(matcher.match_json(R"({"@timestamp":1504126052250})", ids).ok());
  CHECK(ids == std::vector<std::size_t>{0, 1, 2});
  REQUIRE(matcher.match_json(R"({"@timestamp":"1504126052250"})", ids).ok());
  CHECK(ids == std::vector<std::size_t>{0, 1, 2});
  REQUIRE(matcher.match_json(R"({"@timestamp":"2017-08-30T20:47:32.251Z"})", ids).ok());
  CHECK(ids.empty());
}

// T2: the VM and the reference interpreter agree on random instants written in every form
TEST_CASE("timestamp: the VM agrees with the reference interpreter on random dates",
          "[timestamp]") {
  eqlite::testing::XorShift rng{0x5eed'0000'7157'0002};
  // instants near one another, so comparisons go both ways and equality happens
  const std::int64_t base = 1504126052 * kSecond;
  auto instant = [&] {
    switch (rng(4)) {
      case 0:
        return base;
      case 1:
        return base + static_cast<std::int64_t>(rng(3)) * 1'000'000;  // whole milliseconds
      case 2:
        return base - static_cast<std::int64_t>(rng(5)) * 250'000'000;
      default:
        return base + static_cast<std::int64_t>(rng(2'000'000'000)) - 1'000'000'000;
    }
  };
  // one instant written as a JSON value (ISO with a zone, ISO UTC, epoch ms number or string)
  auto json_value = [&](std::int64_t ns) -> std::string {
    const bool whole_ms = ns % 1'000'000 == 0;
    switch (rng(5)) {
      case 0:
        return "\"" + format_timestamp(ns) + "\"";
      case 1: {  // +05:30: the local time is 5h30 later
        std::string t = format_timestamp(ns + (5 * 3600 + 1800) * kSecond);
        t.pop_back();
        return "\"" + t + "+05:30\"";
      }
      case 2:
        if (whole_ms) return std::to_string(ns / 1'000'000);
        return "\"" + format_timestamp(ns) + "\"";
      case 3:
        if (whole_ms) return "\"" + std::to_string(ns / 1'000'000) + "\"";
        return std::to_string(ns / 1'000'000) + "." +
               std::to_string(ns % 1'000'000 + 1'000'000).substr(1);
      default:
        return rng(2) ? "\"not a date\"" : "false";
    }
  };
  const char* ops[] = {"==", "!=", "<", "<=", ">", ">="};
  std::size_t agreed = 0, true_answers = 0;
  for (int i = 0; i < 1500; ++i) {
    const std::int64_t lit = instant();
    std::string literal = json_value(lit);
    if (literal == "false" || literal == "\"not a date\"")
      literal = "\"" + format_timestamp(lit) + "\"";
    std::string query = std::string("any where @timestamp ") + ops[rng(6)] + " " + literal;
    if (rng(4) == 0) query = "any where not (" + query.substr(10) + ")";
    std::string json = "{\"@timestamp\":";
    const std::size_t n = rng(3);
    if (n == 0) {
      json += json_value(instant());
    } else {
      json += "[";
      for (std::size_t k = 0; k <= n; ++k)
        json += (k ? "," : "") + json_value(instant());
      json += "]";
    }
    json += "}";
    INFO(query << " on " << json);
    true_answers += matches(query, json) ? 1 : 0;  // matches() checks the agreement
    ++agreed;
  }
  CHECK(agreed == 1500);
  CHECK(true_answers > 300);
  CHECK(true_answers < 1200);
}
