// eval/literal_scanner.cpp — LiteralScanner: a Vectorscan literal database, and its scratch.
#include "eval/literal_scanner.hpp"

#include <hs.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "eval/nibble_filter_scan.hpp"
#include "eval/value_ops.hpp"

namespace eqlite::internal {

// ---- Vectorscan scratch

namespace {

// Hyperscan needs per-thread scratch space big enough for every database it scans. One
// prototype grows with every database compiled (under a lock); a thread re-clones it when a
// newer database exists (one relaxed load per scan to check).
struct ScratchPrototype {
  std::mutex mu;
  hs_scratch_t* proto = nullptr;
  std::atomic<std::uint64_t> generation{0};
};
ScratchPrototype& prototype() {
  static ScratchPrototype* p = new ScratchPrototype;  // never destroyed: threads may outlive
  return *p;
}
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  std::uint64_t generation = ~std::uint64_t{0};
  ~ThreadScratch() {
    if (scratch) hs_free_scratch(scratch);
  }
};
// The database an hs_compile_* call gave (`rc`, `db`, `err`), with the prototype scratch grown
// to fit it (threads re-clone it on their next scan). nullptr when the compile failed (its
// error freed) or no scratch could be had (the database freed).
hs_database_t* compiled(hs_error_t rc, hs_database_t* db, hs_compile_error_t* err) noexcept {
  if (rc != HS_SUCCESS) {
    hs_free_compile_error(err);
    return nullptr;
  }
  ScratchPrototype& p = prototype();
  std::lock_guard<std::mutex> lock(p.mu);
  if (hs_alloc_scratch(db, &p.proto) != HS_SUCCESS) {
    hs_free_database(db);
    return nullptr;
  }
  p.generation.fetch_add(1, std::memory_order_release);
  return db;
}

hs_scratch_t* thread_scratch() noexcept {
  thread_local ThreadScratch t;
  ScratchPrototype& p = prototype();
  const std::uint64_t g = p.generation.load(std::memory_order_acquire);
  if (t.generation != g) {
    std::lock_guard<std::mutex> lock(p.mu);
    if (t.scratch) hs_free_scratch(t.scratch);
    t.scratch = nullptr;
    if (!p.proto || hs_clone_scratch(p.proto, &t.scratch) != HS_SUCCESS) return nullptr;
    t.generation = p.generation.load(std::memory_order_relaxed);
  }
  return t.scratch;
}

}  // namespace

// ---- LiteralScanner

namespace {
struct LiteralHits {
  std::vector<std::uint32_t>* hits;
};
int on_literal(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  auto* h = static_cast<LiteralHits*>(ctx);
  h->hits->push_back(id);  // capacity reserved: SINGLEMATCH reports each literal once
  return 0;
}
}  // namespace

LiteralScanner::LiteralScanner(std::vector<std::string> literals, std::vector<bool> caseless)
    : literals_(std::move(literals)), caseless_(std::move(caseless)) {
  caseless_.resize(literals_.size());
  any_caseless_ = std::find(caseless_.begin(), caseless_.end(), true) != caseless_.end();
  if (literals_.size() >= kScanMin && literals_.size() <= kShortMax)
    short_.build(literals_, caseless_);
}

LiteralScanner::~LiteralScanner() {
  if (db_) hs_free_database(db_);
}

void LiteralScanner::build() const noexcept {
  try {
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> ids, flags;
    for (std::size_t i = 0; i < literals_.size(); ++i) {
      flags.push_back(HS_FLAG_SINGLEMATCH | (caseless_[i] ? HS_FLAG_CASELESS : 0u));
      exprs.push_back(literals_[i].data());
      lens.push_back(literals_[i].size());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    const hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                               static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                                               nullptr, &db, &err);
    db_ = compiled(rc, db, err);
  } catch (...) {
  }
}

bool LiteralScanner::ready() const noexcept {
  if (!multi()) return true;
  std::call_once(once_, [this] { build(); });
  return db_ != nullptr;
}

void LiteralScanner::scan(std::string_view text, std::vector<std::uint32_t>& hits,
                          std::string& fold) const {
  if (text.empty()) return;  // no literal is empty
  if (literals_.size() < kScanMin || literals_.size() > 0xFFFFFFFFu) {
    scan_each(text, hits, fold);
    return;
  }
  if (short_.ready && text.size() >= 4 && text.size() <= kShortText) {
    std::uint64_t seen = 0;  // each literal once (kShortMax <= 64)
    short_.scan(text, [&](std::uint32_t id) {
      if (!((seen >> id) & 1)) {
        seen |= std::uint64_t{1} << id;
        hits.push_back(id);
      }
      return false;
    });
    return;
  }
  std::call_once(once_, [this] { build(); });
  hs_scratch_t* scratch = db_ ? thread_scratch() : nullptr;
  const std::size_t before = hits.size();
  hits.reserve(before + literals_.size());
  LiteralHits ctx{&hits};
  if (!scratch || text.size() > 0xFFFFFFFFu ||
      hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_literal, &ctx) !=
          HS_SUCCESS) {
    hits.resize(before);
    scan_each(text, hits, fold);
  }
}

void LiteralScanner::scan_each(std::string_view text, std::vector<std::uint32_t>& hits,
                               std::string& fold) const {
  if (any_caseless_) fold_ascii(text, fold);
  for (std::size_t i = 0; i < literals_.size(); ++i)
    if ((caseless_[i] ? std::string_view(fold) : text).find(literals_[i]) != std::string_view::npos)
      hits.push_back(static_cast<std::uint32_t>(i));
}

}  // namespace eqlite::internal
