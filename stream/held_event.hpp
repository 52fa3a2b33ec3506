// stream/held_event.hpp — an event kept by pending state (a sequence's or sample's events): its
// time, its position in the stream and its text in one allocation, shared by the pending
// sequences that hold it (a reference count; one thread, as a Stream is).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

namespace eqlite::internal {

class HeldEvent {
 public:
  std::int64_t ts = 0;
  std::uint64_t position = 0;
  std::string_view json() const noexcept {
    return {reinterpret_cast<const char*>(this + 1), size_};
  }

 private:
  friend class HeldRef;
  std::uint32_t refs_ = 0;
  std::uint32_t size_ = 0;  // the text follows the object (JsonReader's events are < 4 GiB)
};

/// A counted reference to a HeldEvent (null by default).
class HeldRef {
 public:
  HeldRef() noexcept = default;
  HeldRef(std::nullptr_t) noexcept {}  // NOLINT: as a pointer
  static HeldRef make(std::int64_t ts, std::uint64_t position, std::string_view json) {
    void* p = std::malloc(sizeof(HeldEvent) + json.size());
    if (!p) throw std::bad_alloc();
    auto* e = new (p) HeldEvent;
    e->ts = ts;
    e->position = position;
    e->size_ = static_cast<std::uint32_t>(json.size());
    if (!json.empty()) std::memcpy(e + 1, json.data(), json.size());
    return HeldRef(e);
  }
  HeldRef(const HeldRef& o) noexcept : p_(o.p_) {
    if (p_) ++p_->refs_;
  }
  HeldRef(HeldRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  HeldRef& operator=(HeldRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~HeldRef() {
    if (p_ && --p_->refs_ == 0) {
      p_->~HeldEvent();
      std::free(p_);
    }
  }
  const HeldEvent* get() const noexcept { return p_; }
  const HeldEvent* operator->() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  explicit HeldRef(HeldEvent* p) noexcept : p_(p) { ++p_->refs_; }
  HeldEvent* p_ = nullptr;
};

}  // namespace eqlite::internal
