// stream/sample_matcher.cpp — see sample_matcher.hpp.
#include "stream/sample_matcher.hpp"

#include <algorithm>

#include "stream/join_key.hpp"

namespace eqlite::internal {

SampleMatcher::SampleMatcher(std::shared_ptr<const SequenceProgram> program,
                             std::uint64_t max_per_key, bool when_complete)
    : program_(std::move(program)),
      max_per_key_(std::max<std::uint64_t>(max_per_key, 1)),
      when_complete_(when_complete) {}

std::uint64_t SampleMatcher::oldest_position() const noexcept {
  std::uint64_t m = UINT64_MAX;
  for (const auto& [key, ks] : keys_)
    for (const auto& stage : ks.candidates)
      for (const HeldRef& e : stage)
        if (e && e->position < m) m = e->position;
  return m;
}

void SampleMatcher::push(const Event& event, std::uint64_t position, std::string_view json,
                         const std::vector<char>& matched, const Emit& emit) {
  HeldRef self;
  const std::size_t stages = program_->stages.size();
  for (std::size_t s = 0; s < stages; ++s) {
    if (!matched[s]) continue;
    const SequenceStage& st = program_->stages[s];
    join_keys(event, st.keys, st.optional, combos_, shown_, decoded_);
    for (std::size_t c = 0; c < combos_.size(); ++c) {
      KeyState& ks = keys_[combos_[c]];
      if (ks.done) continue;  // its samples are given (when_complete)
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
      if (when_complete_) touched_.push_back(combos_[c]);
    }
  }
  // Q7 on an endless stream: a key's samples as soon as they exist.
  for (const std::string& key : touched_) {
    KeyState& ks = keys_.at(key);
    if (ks.done) continue;
    samples_of(key, ks, emit);
    if (ks.given >= max_per_key_) {  // no more to give: keep only that
      for (const auto& list : ks.candidates)
        held_ -= list.size();
      ks.candidates.clear();
      ks.shown.clear();
      ks.emitted.clear();
      ks.done = true;
    }
  }
  touched_.clear();
}

// The samples of one key not given yet, depth-first over the candidates: one per stage, no
// event twice, up to max_samples_per_key in all.
void SampleMatcher::samples_of(const std::string& key, KeyState& ks, const Emit& emit) {
  const std::size_t stages = program_->stages.size();
  if (ks.candidates.size() != stages) return;
  chosen_.assign(stages, nullptr);
  const std::string* first_shown = nullptr;  // the key as the sample's first event has it
  std::vector<std::uint64_t> positions(stages);
  std::function<void(std::size_t)> pick = [&](std::size_t s) {
    if (ks.given >= max_per_key_) return;
    if (s == stages) {
      if (when_complete_) {
        for (std::size_t i = 0; i < stages; ++i)
          positions[i] = chosen_[i]->position;
        if (std::find(ks.emitted.begin(), ks.emitted.end(), positions) != ks.emitted.end()) return;
        ks.emitted.push_back(positions);
      }
      ++ks.given;
      emit(first_shown->empty() ? key : *first_shown, chosen_);
      return;
    }
    for (std::size_t i = 0; i < ks.candidates[s].size(); ++i) {
      const auto& e = ks.candidates[s][i];
      if (std::find(chosen_.begin(), chosen_.begin() + static_cast<std::ptrdiff_t>(s), e.get()) !=
          chosen_.begin() + static_cast<std::ptrdiff_t>(s))
        continue;
      chosen_[s] = e.get();
      if (s == 0) first_shown = &ks.shown[0][i];
      pick(s + 1);
      if (ks.given >= max_per_key_) return;
    }
  };
  pick(0);
}

std::uint64_t SampleMatcher::complete_keys() const noexcept {
  std::uint64_t n = 0;
  for (const auto& [key, ks] : keys_)
    n += ks.done ||
         (!ks.candidates.empty() && std::all_of(ks.candidates.begin(), ks.candidates.end(),
                                                [](const auto& c) { return !c.empty(); }));
  return n;
}

void SampleMatcher::finish(const Emit& emit) {
  std::vector<const std::string*> keys;
  for (const auto& [key, ks] : keys_)
    keys.push_back(&key);
  std::stable_sort(keys.begin(), keys.end(),
                   [](const std::string* a, const std::string* b) { return key_less(*a, *b); });
  if (!when_complete_)
    for (const std::string* key : keys)
      samples_of(*key, keys_.at(*key), emit);
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
    w.u8(ks.done ? 1 : 0);
    w.u64(ks.given);
    w.u64(ks.emitted.size());
    for (const auto& sample : ks.emitted) {
      w.u64(sample.size());
      for (auto pos : sample)
        w.u64(pos);
    }
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
    ks.done = r.u8() != 0;
    ks.given = r.u64();
    const std::uint64_t emitted = r.count(8);
    for (std::uint64_t e = 0; e < emitted && r.ok(); ++e) {
      std::vector<std::uint64_t> sample(r.count(8));
      for (auto& pos : sample)
        pos = r.u64();
      ks.emitted.push_back(std::move(sample));
    }
    const std::uint64_t stages = r.count(8);
    if (stages != (ks.done ? 0 : program_->stages.size())) r.fail();
    ks.candidates.resize(stages);
    ks.shown.resize(stages);
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
