// stream/timestamp.cpp — see timestamp.hpp.
#include "stream/timestamp.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace eqlite::internal {

namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kNanosPerMilli = 1'000'000;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// The n digits of s at [i, i + n) as a number; false when s is shorter or one is not a digit.
bool read_digits(std::string_view s, std::size_t i, std::size_t n, int& out) noexcept {
  if (s.size() < i + n) return false;
  int v = 0;
  for (std::size_t k = i; k < i + n; ++k) {
    if (!is_digit(s[k])) return false;
    v = v * 10 + (s[k] - '0');
  }
  out = v;
  return true;
}

bool is_leap(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int days_in_month(std::int64_t y, int m) noexcept {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// seconds * 10^9 + nanos (0 <= nanos < 10^9), or nullopt beyond int64. The earliest instant,
// -9223372036.854775808 s, has seconds * 10^9 itself out of range: a negative second with
// nanoseconds is computed as (seconds + 1) * 10^9 - (10^9 - nanos).
std::optional<std::int64_t> seconds_to_ns(std::int64_t seconds, std::int64_t nanos) noexcept {
  std::int64_t r = 0;
  if (seconds < 0 && nanos > 0) {
    ++seconds;
    nanos -= kNanosPerSecond;
  }
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &r) || __builtin_add_overflow(r, nanos, &r))
    return std::nullopt;
  return r;
}

// A zone at s[i..]: `Z`, or a sign and HH, HH:mm, HHmm, HH:mm:ss, HHmmss (the colons all there
// or all absent), to the end of s. Sets the offset east of UTC in seconds.
bool read_zone(std::string_view s, std::size_t i, std::int64_t& offset) noexcept {
  if (s[i] == 'Z') {
    offset = 0;
    return i + 1 == s.size();
  }
  if (s[i] != '+' && s[i] != '-') return false;
  const bool negative = s[i] == '-';
  ++i;
  int hh = 0, mm = 0, ss = 0;
  if (!read_digits(s, i, 2, hh)) return false;
  i += 2;
  if (i < s.size()) {
    const bool colon = s[i] == ':';
    if (colon) ++i;
    if (!read_digits(s, i, 2, mm)) return false;
    i += 2;
    if (i < s.size()) {
      if ((s[i] == ':') != colon) return false;
      if (colon) ++i;
      if (!read_digits(s, i, 2, ss)) return false;
      i += 2;
    }
  }
  if (i != s.size() || mm > 59 || ss > 59) return false;
  const std::int64_t total = hh * 3600 + mm * 60 + ss;
  if (total > 18 * 3600) return false;  // java.time.ZoneOffset's range
  offset = negative ? -total : total;
  return true;
}

bool starts_zone(char c) noexcept {
  return c == 'Z' || c == '+' || c == '-';
}

// strict_date_optional_time (timestamp.hpp).
std::optional<std::int64_t> read_iso(std::string_view s) noexcept {
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::int64_t nanos = 0, offset = 0;
  const std::size_t n = s.size();
  auto done = [&]() -> std::optional<std::int64_t> {
    const std::int64_t days = days_from_civil(year, month, day);
    const std::int64_t local = days * 86400 + hour * 3600 + minute * 60 + second;
    return seconds_to_ns(local - offset, nanos);
  };
  // The zone, or the end of the text, at i.
  auto zone_or_end = [&](std::size_t i) -> std::optional<std::int64_t> {
    if (i == n) return done();
    if (!starts_zone(s[i]) || !read_zone(s, i, offset)) return std::nullopt;
    return done();
  };

  if (!read_digits(s, 0, 4, year)) return std::nullopt;
  if (n == 4) return done();
  if (s[4] != '-' || !read_digits(s, 5, 2, month) || month < 1 || month > 12) return std::nullopt;
  if (n == 7) return done();
  if (s[7] != '-' || !read_digits(s, 8, 2, day) || day < 1 || day > days_in_month(year, month))
    return std::nullopt;
  if (n == 10) return done();
  if (s[10] != 'T') return std::nullopt;
  if (n == 11) return done();
  if (!read_digits(s, 11, 2, hour) || hour > 23) return std::nullopt;
  if (n == 13 || s[13] != ':') return zone_or_end(13);
  if (!read_digits(s, 14, 2, minute) || minute > 59) return std::nullopt;
  if (n == 16 || s[16] != ':') return zone_or_end(16);
  if (!read_digits(s, 17, 2, second) || second > 59) return std::nullopt;
  if (n == 19 || (s[19] != '.' && s[19] != ',')) return zone_or_end(19);
  std::size_t i = 20;
  std::int64_t scale = kNanosPerSecond;
  while (i < n && is_digit(s[i]) && i < 29) {
    scale /= 10;
    nanos += (s[i] - '0') * scale;
    ++i;
  }
  if (i == 20) return std::nullopt;  // a separator without digits
  return zone_or_end(i);
}

// epoch_millis: 1 to 19 digits, then optionally '.' and 1 to 6 digits (nanoseconds of the
// millisecond); s is known to start with a digit.
std::optional<std::int64_t> read_epoch_millis(std::string_view s) noexcept {
  std::size_t i = 0;
  std::uint64_t ms = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (i == 19) return std::nullopt;
    ms = ms * 10 + static_cast<std::uint64_t>(s[i] - '0');
    ++i;
  }
  std::int64_t frac = 0;
  if (i < s.size()) {
    if (s[i] != '.') return std::nullopt;
    const std::size_t start = ++i;
    std::int64_t scale = kNanosPerMilli;
    while (i < s.size() && is_digit(s[i]) && i - start < 6) {
      scale /= 10;
      frac += (s[i] - '0') * scale;
      ++i;
    }
    if (i == start || i != s.size()) return std::nullopt;
  }
  if (ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return std::nullopt;
  std::int64_t r = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(ms), kNanosPerMilli, &r) ||
      __builtin_add_overflow(r, frac, &r))
    return std::nullopt;
  return r;
}

bool all_digits(std::string_view s) noexcept {
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

}  // namespace

std::optional<std::int64_t> timestamp_from_string(std::string_view s) noexcept {
  if (s.empty() || !is_digit(s[0])) return std::nullopt;
  // Elasticsearch tries strict_date_optional_time first: four digits alone are a year, and
  // every other string of digits (with an optional fraction) is epoch milliseconds.
  if (s.size() >= 5 && s[4] == '-') return read_iso(s);
  if (s.size() == 4 && all_digits(s)) return read_iso(s);
  return read_epoch_millis(s);
}

std::optional<std::int64_t> timestamp_from_millis(std::int64_t ms) noexcept {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(ms, kNanosPerMilli, &r)) return std::nullopt;
  return r;
}

std::optional<std::int64_t> timestamp_from_millis(double ms) noexcept {
  if (!std::isfinite(ms)) return std::nullopt;
  const double magnitude = std::fabs(ms);
  if (magnitude >= 1e13) return std::nullopt;  // beyond +-9223372036854.775807 ms anyway
  if (magnitude < 1e-7) return 0;              // under half a nanosecond
  // The shortest decimal form that reads back as `ms` (the JSON text), in fixed notation: at
  // most 13 integer digits and 17 significant digits with up to 6 leading zeros after the point.
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, magnitude, std::chars_format::fixed);
  if (r.ec != std::errc()) return std::nullopt;
  const std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
  std::uint64_t whole = 0, frac = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] != '.'; ++i)
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
  // Six fraction digits are nanoseconds; the seventh rounds (halves away from zero).
  std::size_t digits = 0;
  bool round_up = false;
  for (++i; i < text.size(); ++i, ++digits) {
    const auto d = static_cast<std::uint64_t>(text[i] - '0');
    if (digits < 6) frac = frac * 10 + d;
    if (digits == 6) round_up = d >= 5;
  }
  for (; digits < 6; ++digits)
    frac *= 10;
  const std::uint64_t ns =
      whole * static_cast<std::uint64_t>(kNanosPerMilli) + frac + (round_up ? 1 : 0);
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (ms < 0) {
    if (ns > kMax + 1) return std::nullopt;
    return ns == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                          : -static_cast<std::int64_t>(ns);
  }
  if (ns > kMax) return std::nullopt;
  return static_cast<std::int64_t>(ns);
}

std::optional<std::int64_t> timestamp_of(const Value& v) noexcept {
  switch (v.kind()) {
    case ValueKind::String:
      return timestamp_from_string(v.as_string());
    case ValueKind::Int:
      return timestamp_from_millis(v.as_int());
    case ValueKind::Double:
      return timestamp_from_millis(v.as_double());
    case ValueKind::Null:
    case ValueKind::Bool:
      break;
  }
  return std::nullopt;
}

std::string format_timestamp(std::int64_t ns) {
  // Floor division: the instant's day, then the time of day.
  std::int64_t seconds = ns / kNanosPerSecond;
  std::int64_t nanos = ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t tod = seconds % 86400;
  if (tod < 0) {
    tod += 86400;
    --days;
  }
  // The date of `days` (the inverse of days_from_civil).
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

  std::string out;
  auto put = [&out](std::int64_t v, int width) {
    char buf[20];
    for (int k = width - 1; k >= 0; --k) {
      buf[k] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    out.append(buf, static_cast<std::size_t>(width));
  };
  put(year, 4);  // 1677 to 2262
  out += '-';
  put(month, 2);
  out += '-';
  put(day, 2);
  out += 'T';
  put(tod / 3600, 2);
  out += ':';
  put(tod / 60 % 60, 2);
  out += ':';
  put(tod % 60, 2);
  if (nanos != 0) {
    int width = 9;
    while (nanos % 10 == 0) {
      nanos /= 10;
      --width;
    }
    out += '.';
    put(nanos, width);
  }
  out += 'Z';
  return out;
}

}  // namespace eqlite::internal
