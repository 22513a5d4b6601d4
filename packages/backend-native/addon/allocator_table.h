// The allocators one napi_env owns, addressed by id. Every call of the binding names its
// allocator by id (written into the argument block), never by a pointer JavaScript could forge:
// an id is generation * 2^kSlotBits + slot, and a slot's generation moves on whenever its
// allocator is released, so a stale id (and every guess of one) names nothing for ever.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mempool {

enum class Kind : uint32_t { kNone = 0, kPool = 1, kArena = 2 };

// What the table keeps for one live allocator.
struct Entry {
  void* allocator = nullptr;   // the C allocator (MP_FixedPool* or MP_Arena*), nullptr when the slot is free
  Kind kind = Kind::kNone;
  uint32_t generation = 1;     // >= 1, so 0 and every small number are never ids
  void* base = nullptr;        // the first byte of `memory`: destroy() detaches only that buffer
  size_t bookkeeping = 0;      // bytes the C library allocated for it, as reported to V8
  napi_ref anchor = nullptr;   // weak reference to the wrapper's GC anchor: empty once it was collected
  const void* anchor_data = nullptr;  // the anchor External's data: destroy() must be shown that anchor
};

// 2^53: every integer below it is exact as a double (a JavaScript number).
constexpr double kSafeIntegerLimit = 9007199254740992.0;

// The one check of "an integer in [0, 2^53)" for a double (a JavaScript number, or a value in the
// argument block): false for NaN, negatives, fractions, infinities and anything at or past 2^53.
inline bool ToSafeInteger(double value, uint64_t* out) {
  if (!(value >= 0.0 && value < kSafeIntegerLimit)) return false;
  uint64_t integer = static_cast<uint64_t>(value);
  if (static_cast<double>(integer) != value) return false;
  *out = integer;
  return true;
}

// The same check for a size or an offset: also false when it does not fit a size_t (32-bit targets).
inline bool ToSize(double value, size_t* out) {
  uint64_t integer;
  if (!ToSafeInteger(value, &integer) || static_cast<uint64_t>(static_cast<size_t>(integer)) != integer) return false;
  *out = static_cast<size_t>(integer);
  return true;
}

class AllocatorTable {
 public:
  static constexpr unsigned kSlotBits = 24;  // up to 2^24 live allocators per env
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  // Ids stay below 2^53 (exact doubles): a slot whose generation would reach this is retired.
  static constexpr uint32_t kGenerationLimit = uint32_t{1} << (53 - kSlotBits);

  // Takes `entry` (allocator, kind, base, bookkeeping; anchor set later with Find): its id, or 0
  // when no slot can be had (the caller still owns the allocator then).
  double Add(const Entry& entry);

  // The live entry `id` names, of `kind` (or of either kind for Kind::kNone), or nullptr.
  Entry* Find(double id, Kind kind) {
    uint64_t value;
    if (!ToSafeInteger(id, &value)) return nullptr;
    uint64_t slot = value & kSlotMask;
    if (slot >= entries_.size()) return nullptr;
    Entry& entry = entries_[slot];
    if (entry.allocator == nullptr || entry.generation != (value >> kSlotBits)) return nullptr;
    if (kind != Kind::kNone && entry.kind != kind) return nullptr;
    return &entry;
  }

  // Frees the C allocator and clears the entry (its id is refused from now on). Returns what the
  // caller still has to let go of: the weak anchor reference, and the bookkeeping bytes to
  // un-report to V8.
  Entry Release(Entry* entry);

  // Every live entry, for the sweep and the teardown.
  std::vector<Entry>& entries() { return entries_; }

  size_t live_count() const { return live_count_; }
  size_t live_bookkeeping() const { return live_bookkeeping_; }

 private:
  std::vector<Entry> entries_;       // indexed by slot
  std::vector<uint32_t> free_slots_; // released slots whose generation can still move on
  size_t live_count_ = 0;
  size_t live_bookkeeping_ = 0;
};

// Frees a C allocator of either kind (what Release does first).
void DestroyAllocator(Kind kind, void* allocator);

// Bytes the C library allocates for an allocator's bookkeeping (for a pool,
// mp_fixed_pool_bookkeeping_bytes: the struct and its per-slot words).
size_t BookkeepingBytes(Kind kind, size_t capacity);

}  // namespace mempool
