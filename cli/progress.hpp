// cli/progress.hpp — what a long `eqlite match` run shows on standard error while it reads
// (docs/cli.md, --progress): bytes and events per second, hits, and the time left when the
// inputs' sizes are known. On a terminal one line is rewritten in place; otherwise a line is
// written every few seconds and one at the end. Standard output is never touched.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace cli {

class Progress {
 public:
  /// `every`: look at the clock once per that many tick() calls (a power of two).
  Progress(bool on, bool terminal, std::uint64_t total_bytes, std::uint64_t every = 1024)
      : on_(on),
        terminal_(terminal),
        total_(total_bytes),
        mask_(every - 1),
        start_(Clock::now()),
        last_(start_) {}

  /// Cheap enough to call per event.
  void tick(std::uint64_t bytes, std::uint64_t events, std::uint64_t alerts) {
    if (!on_ || (++calls_ & mask_) != 0) return;
    const auto now = Clock::now();
    if (now - last_ < (terminal_ ? std::chrono::milliseconds(250) : std::chrono::seconds(5)))
      return;
    last_ = now;
    show(now, bytes, events, alerts);
  }

  /// Removes the line from the terminal; off a terminal, writes the last one.
  void done(std::uint64_t bytes, std::uint64_t events, std::uint64_t hits) {
    if (!on_) return;
    if (terminal_) {
      if (shown_) std::fputs("\r\x1b[K", stderr);
      return;
    }
    total_ = 0;  // the end: no share, no time left
    show(Clock::now(), bytes, events, hits);
  }

 private:
  using Clock = std::chrono::steady_clock;

  static std::string mb(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
    return buf;
  }

  void show(Clock::time_point now, std::uint64_t bytes, std::uint64_t events,
            std::uint64_t alerts) {
    const double secs = std::chrono::duration<double>(now - start_).count();
    if (secs <= 0) return;
    std::string line = "eqlite: " + mb(static_cast<double>(bytes));
    if (total_ > 0) {
      char pct[16];
      std::snprintf(
          pct, sizeof pct, " (%d%%)",
          static_cast<int>(100.0 * static_cast<double>(bytes) / static_cast<double>(total_)));
      line += " of " + mb(static_cast<double>(total_)) + pct;
    }
    char rates[96];
    std::snprintf(rates, sizeof rates, ", %.1f MB/s, %.0f events/s, %llu hit%s",
                  static_cast<double>(bytes) / 1e6 / secs, static_cast<double>(events) / secs,
                  static_cast<unsigned long long>(alerts), alerts == 1 ? "" : "s");
    line += rates;
    if (total_ > bytes && bytes > 0) {
      const double left = secs * static_cast<double>(total_ - bytes) / static_cast<double>(bytes);
      char eta[48];
      std::snprintf(eta, sizeof eta, ", %d:%02d left", static_cast<int>(left) / 60,
                    static_cast<int>(left) % 60);
      line += eta;
    }
    if (terminal_)
      std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    else
      std::fprintf(stderr, "%s\n", line.c_str());
    shown_ = true;
  }

  bool on_, terminal_;
  std::uint64_t total_, mask_;
  Clock::time_point start_, last_;
  std::uint64_t calls_ = 0;
  bool shown_ = false;
};

}  // namespace cli
