// stream/sample_matcher.cpp — see sample_matcher.hpp.
#include "stream/sample_matcher.hpp"

#include <algorithm>

#include "stream/join_key.hpp"

namespace eqlite::internal {

SampleMatcher::SampleMatcher(std::shared_ptr<const SequenceProgram> program,
                             std::uint64_t max_per_key)
    : program_(std::move(program)), max_per_key_(std::max<std::uint64_t>(max_per_key, 1)) {}

void SampleMatcher::push(const Event& event, std::uint64_t position, std::string_view json,
                         const std::vector<char>& matched) {
  HeldRef self;
  const std::size_t stages = program_->stages.size();
  for (std::size_t s = 0; s < stages; ++s) {
    if (!matched[s]) continue;
    const SequenceStage& st = program_->stages[s];
    join_keys(event, st.keys, st.optional, combos_, shown_, decoded_);
    for (std::size_t c = 0; c < combos_.size(); ++c) {
      KeyState& ks = keys_[combos_[c]];
      if (ks.candidates.empty()) {
        ks.candidates.resize(stages);
        ks.shown.resize(stages);
      }
      auto& list = ks.candidates[s];
      if (list.size() >= stages + max_per_key_ - 1) continue;
      if (!self) self = HeldRef::make(0, position, json);
      list.push_back(self);
      ks.shown[s].push_back(shown_[c]);
      ++held_;
    }
  }
}

std::uint64_t SampleMatcher::complete_keys() const noexcept {
  std::uint64_t n = 0;
  for (const auto& [key, ks] : keys_)
    n += std::all_of(ks.candidates.begin(), ks.candidates.end(),
                     [](const auto& c) { return !c.empty(); });
  return n;
}

void SampleMatcher::finish(const Emit& emit) {
  std::vector<const std::string*> keys;
  for (const auto& [key, ks] : keys_)
    keys.push_back(&key);
  std::stable_sort(keys.begin(), keys.end(),
                   [](const std::string* a, const std::string* b) { return key_less(*a, *b); });
  const std::size_t stages = program_->stages.size();
  std::vector<const HeldEvent*> chosen(stages);
  const std::string* first_shown = nullptr;  // the key as the sample's first event has it
  for (const std::string* key : keys) {
    const KeyState& ks = keys_.at(*key);
    std::uint64_t given = 0;
    // Depth-first over the candidates: one per stage, no event twice.
    std::function<void(std::size_t)> pick = [&](std::size_t s) {
      if (given >= max_per_key_) return;
      if (s == stages) {
        ++given;
        emit(first_shown->empty() ? *key : *first_shown, chosen);
        return;
      }
      for (std::size_t i = 0; i < ks.candidates[s].size(); ++i) {
        const auto& e = ks.candidates[s][i];
        if (std::find(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(s), e.get()) !=
            chosen.begin() + static_cast<std::ptrdiff_t>(s))
          continue;
        chosen[s] = e.get();
        if (s == 0) first_shown = &ks.shown[0][i];
        pick(s + 1);
        if (given >= max_per_key_) return;
      }
    };
    pick(0);
  }
  keys_.clear();
  held_ = 0;
}

std::size_t SampleMatcher::state_bytes() const noexcept {
  std::size_t bytes = 0;
  for (const auto& [key, ks] : keys_) {
    bytes += 64 + key.capacity() + ks.candidates.capacity() * sizeof(ks.candidates[0]);
    for (const auto& c : ks.candidates)
      bytes += c.capacity() * sizeof(HeldRef);
  }
  return bytes;
}

void SampleMatcher::save(SnapshotWriter& w) const {
  w.u64(keys_.size());
  for (const auto& [key, ks] : keys_) {
    w.str(key);
    w.u64(ks.candidates.size());
    for (const auto& list : ks.candidates) {
      w.u64(list.size());
      const auto& shown = ks.shown[static_cast<std::size_t>(&list - ks.candidates.data())];
      for (std::size_t i = 0; i < list.size(); ++i) {
        w.u64(list[i]->position);
        w.str(list[i]->json());
        w.str(shown[i]);
      }
    }
  }
}

bool SampleMatcher::load(SnapshotReader& r) {
  keys_.clear();
  held_ = 0;
  // Events shared by several stages or keys are written once per use and shared again here
  // by position.
  std::map<std::uint64_t, HeldRef> by_position;
  const std::uint64_t n = r.count(16);
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    KeyState& ks = keys_[std::string(r.str())];
    const std::uint64_t stages = r.count(8);
    if (stages != program_->stages.size()) r.fail();
    ks.candidates.resize(program_->stages.size());
    ks.shown.resize(program_->stages.size());
    for (std::uint64_t s = 0; s < stages && r.ok(); ++s) {
      const std::uint64_t m = r.count(24);
      for (std::uint64_t j = 0; j < m && r.ok(); ++j) {
        const std::uint64_t pos = r.u64();
        std::string_view json = r.str();
        ks.shown[s].emplace_back(r.str());
        auto& ref = by_position[pos];
        if (!ref) ref = HeldRef::make(0, pos, json);
        ks.candidates[s].push_back(ref);
        ++held_;
      }
    }
  }
  if (!r.ok()) {
    keys_.clear();
    held_ = 0;
  }
  return r.ok();
}

}  // namespace eqlite::internal
