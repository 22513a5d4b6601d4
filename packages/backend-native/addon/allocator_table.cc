#include "allocator_table.h"

#include <new>

#include "memory_pool_core.h"

namespace mempool {

size_t BookkeepingBytes(Kind kind, size_t capacity) {
  return kind == Kind::kArena ? mp_arena_struct_size() : mp_fixed_pool_bookkeeping_bytes(capacity);
}

void DestroyAllocator(Kind kind, void* allocator) {
  if (kind == Kind::kPool) mp_fixed_pool_destroy(static_cast<MP_FixedPool*>(allocator));
  else mp_arena_destroy(static_cast<MP_Arena*>(allocator));
}

double AllocatorTable::Add(const Entry& entry) {
  uint32_t slot;
  try {
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      if (entries_.size() > kSlotMask) return 0;
      entries_.emplace_back();
      slot = static_cast<uint32_t>(entries_.size() - 1);
    }
  } catch (const std::bad_alloc&) {
    return 0;
  }
  Entry& stored = entries_[slot];
  uint32_t generation = stored.generation;
  stored = entry;
  stored.generation = generation;
  live_count_++;
  live_bookkeeping_ += entry.bookkeeping;
  return static_cast<double>((static_cast<uint64_t>(generation) << kSlotBits) | slot);
}

Entry AllocatorTable::Release(Entry* entry) {
  Entry released = *entry;
  DestroyAllocator(entry->kind, entry->allocator);
  live_count_--;
  live_bookkeeping_ -= entry->bookkeeping;
  uint32_t generation = entry->generation + 1;
  *entry = Entry{};
  entry->generation = generation;
  if (generation < kGenerationLimit) {
    try {
      free_slots_.push_back(static_cast<uint32_t>(entry - entries_.data()));
    } catch (const std::bad_alloc&) {
      // The slot is not reused then: retired like one whose generation ran out.
    }
  }
  return released;
}

}  // namespace mempool
