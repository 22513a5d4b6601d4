// The Node binding of memory_pool_core, in plain Node-API. Internal: only src/backend.ts calls it,
// after checking every argument; every function still refuses what it does not expect with a
// status or 0 instead of crashing, whatever it is given.
//
// Quiet failure. While a worker is being terminated, Node-API calls start failing (creating an
// object, throwing, ...). No function here throws or aborts: every status is checked, a failed
// call leaves nothing half-made, and the function returns undefined (JavaScript never resumes in
// a terminated worker anyway).
//
// The argument block. A Node-API call costs far more than the C work: a no-op function ~10 ns,
// napi_get_cb_info +5 ns, napi_create_double for the result +6.6 ns, against ~5 ns for a C
// alloc+free pair. So every function finds its allocator through the argument block, and the hot
// paths (poolAlloc, poolFree, arenaAlloc) take their arguments from it and write their result into
// it: per napi_env (instance data, so each worker thread has its own) the addon owns kBlockLength
// doubles that JavaScript sees as one Float64Array. JavaScript writes the allocator's id (and the
// arguments), calls, and reads the result. An id names an entry of the env's AllocatorTable
// (allocator_table.h); every value read from the block is validated as an argument would be.
//
// Ownership. `memory` is an ordinary V8-owned ArrayBuffer (made in JavaScript with
// `new ArrayBuffer`, so a refusal is a catchable RangeError), and the C allocator works in it
// (mp_*_create_in): C keeps its address to hand out offsets and never reads or writes those bytes.
// What C allocates is the allocator's bookkeeping (the struct and, for a pool, its per-slot words;
// BookkeepingBytes in allocator_table.cc): it is reported to V8 (napi_adjust_external_memory) so the garbage collector runs as that memory
// grows, and freed by destroy(), by the finalizer of the allocator's anchor (an External the
// wrapper keeps), or, because Node 20 runs finalizers only from the event loop, by the next
// create call once a weak reference shows that the anchor was collected: a synchronous loop that
// drops allocators gets their bookkeeping back as the garbage collector runs.
#include <node_api.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "allocator_table.h"
#include "engine_facts.h"
#include "memory_pool_core.h"

namespace mempool {
namespace {

std::atomic<int64_t> g_live_allocators{0};  // C allocators not freed yet, in every env (for the tests)

// A sweep costs one weak-reference read per live allocator. It runs on a create call once the
// live allocators have doubled since the last sweep (so its cost per create stays constant), or
// their bookkeeping has grown by half or by kSweepMinBytes, whichever is more (so dropped
// bookkeeping never piles up far past what the garbage collector has already let go of).
constexpr size_t kSweepMinCount = 64;
constexpr size_t kSweepMinBytes = size_t{8} << 20;

// Owned jointly by the env (its instance data) and every anchor not finalized yet: freed when the
// last of them lets go, whatever order Node finalizes them in at teardown.
struct Instance {
  alignas(64) double block[kBlockLength] = {};  // the argument block (JavaScript sees it)
  AllocatorTable table;
  size_t refs = 1;
  bool opened = false;       // open() hands the binding out once
  size_t swept_count = 0;    // live allocators, and their bookkeeping, after the last sweep
  size_t swept_bytes = 0;
};

// What an anchor's finalizer needs: the table and the id (an id does not fit a pointer everywhere).
struct Anchor {
  Instance* instance;
  double id;
};

void ReleaseInstance(Instance* instance) {
  if (--instance->refs == 0) delete instance;
}

inline Instance* InstanceOf(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  return static_cast<Instance*>(data);
}

// How every function that names an allocator begins: the env's instance (nullptr when Node-API
// refuses it, at teardown) and the live allocator of `kind` (or of either kind for Kind::kNone)
// the block's id names (nullptr when there is none).
struct Call {
  Instance* instance;
  Entry* entry;
};

inline Call Begin(napi_env env, Kind kind) {
  Instance* instance = InstanceOf(env);
  return {instance, instance == nullptr ? nullptr : instance->table.Find(instance->block[kBlockId], kind)};
}

void ClearPendingException(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
}

// A JavaScript number, or undefined when Node-API refuses to make one (at teardown).
napi_value Number(napi_env env, double value) {
  napi_value result = nullptr;
  if (napi_create_double(env, value, &result) != napi_ok) return nullptr;
  return result;
}

// Frees an entry's allocator and everything that goes with it. `env` is nullptr when Node-API may
// no longer be called (the env's own finalizer).
void Forget(napi_env env, Instance* instance, Entry* entry) {
  Entry released = instance->table.Release(entry);
  g_live_allocators--;
  if (env == nullptr) return;
  if (released.anchor != nullptr) napi_delete_reference(env, released.anchor);
  int64_t ignored;
  napi_adjust_external_memory(env, -static_cast<int64_t>(released.bookkeeping), &ignored);
}

// Frees the allocators whose anchor the garbage collector has collected (their finalizers would
// only run from the event loop).
void Sweep(napi_env env, Instance* instance) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  for (Entry& entry : instance->table.entries()) {
    if (entry.allocator == nullptr || entry.anchor == nullptr) continue;
    napi_value anchor = nullptr;
    if (napi_get_reference_value(env, entry.anchor, &anchor) == napi_ok && anchor == nullptr) {
      Forget(env, instance, &entry);
    }
  }
  napi_close_handle_scope(env, scope);
  instance->swept_count = instance->table.live_count();
  instance->swept_bytes = instance->table.live_bookkeeping();
}

void SweepIfGrown(napi_env env, Instance* instance) {
  const AllocatorTable& table = instance->table;
  size_t grown_bytes = instance->swept_bytes / 2 > kSweepMinBytes ? instance->swept_bytes / 2 : kSweepMinBytes;
  if (table.live_count() >= 2 * instance->swept_count + kSweepMinCount ||
      table.live_bookkeeping() >= instance->swept_bytes + grown_bytes) {
    Sweep(env, instance);
  }
}

void FinalizeAnchor(napi_env env, void* data, void*) {
  Anchor* anchor = static_cast<Anchor*>(data);
  Instance* instance = anchor->instance;
  Entry* entry = instance->table.Find(anchor->id, Kind::kNone);
  if (entry != nullptr) Forget(env, instance, entry);
  delete anchor;
  ReleaseInstance(instance);
}

void FinalizeInstance(napi_env, void* data, void*) {
  Instance* instance = static_cast<Instance*>(data);
  // Anchors are normally finalized first; whatever is left goes now, without Node-API.
  for (Entry& entry : instance->table.entries()) {
    if (entry.allocator != nullptr) Forget(nullptr, instance, &entry);
  }
  ReleaseInstance(instance);
}

template <size_t N>
bool Args(napi_env env, napi_callback_info info, napi_value (&argv)[N], size_t needed) {
  size_t argc = N;
  return napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok && argc >= needed;
}

// A number argument that is an integer in [0, 2^53) and fits a size_t: the type check of a size.
// What the value may be is the C library's to check.
bool SizeArg(napi_env env, napi_value value, size_t* size) {
  double d;
  return napi_get_value_double(env, value, &d) == napi_ok && ToSize(d, size);
}

// An attached ArrayBuffer argument: its bytes and their count.
bool Memory(napi_env env, napi_value value, void** data, size_t* length) {
  bool is_arraybuffer = false;
  if (napi_is_arraybuffer(env, value, &is_arraybuffer) != napi_ok || !is_arraybuffer) return false;
  if (napi_get_arraybuffer_info(env, value, data, length) != napi_ok) return false;
  return *data != nullptr && *length > 0;
}

// ---- creation ----

// createFixedPool(memory, objectSize, capacity, align) and createArena(memory, bufferSize, align)
// -> the allocator's anchor (an External to keep as long as the allocator is used), with its id
// written to the block's result; or a status: MP_ERR_INVALID_ARGUMENT (an argument of the wrong
// type here, or one the C library refuses: sizes, capacity and align are checked there only, and
// an align of 0 is C's default, 8), or MP_ERR_OUT_OF_MEMORY with the bookkeeping bytes that were
// refused written to the block's result.
napi_value Create(napi_env env, napi_callback_info info, Kind kind) {
  Instance* instance = InstanceOf(env);
  if (instance == nullptr) return nullptr;
  napi_value argv[4];
  const size_t argc = kind == Kind::kPool ? 4 : 3;
  void* data;
  size_t length, size, align, capacity = 0;
  if (!Args(env, info, argv, argc) || !Memory(env, argv[0], &data, &length) || !SizeArg(env, argv[1], &size) ||
      !SizeArg(env, argv[argc - 1], &align) || (kind == Kind::kPool && !SizeArg(env, argv[2], &capacity))) {
    return Number(env, MP_ERR_INVALID_ARGUMENT);
  }

  SweepIfGrown(env, instance);
  int status = MP_ERR_OUT_OF_MEMORY;
  Entry entry;
  entry.kind = kind;
  entry.base = data;
  entry.bookkeeping = BookkeepingBytes(kind, capacity);
  entry.allocator = kind == Kind::kPool
                        ? static_cast<void*>(mp_fixed_pool_create_in(data, length, size, capacity, align, &status))
                        : static_cast<void*>(mp_arena_create_in(data, length, size, align, &status));
  if (entry.allocator == nullptr && status != MP_ERR_OUT_OF_MEMORY) return Number(env, MP_ERR_INVALID_ARGUMENT);
  double id = entry.allocator == nullptr ? 0 : instance->table.Add(entry);
  if (id == 0) {
    if (entry.allocator != nullptr) DestroyAllocator(kind, entry.allocator);
    instance->block[kBlockResult] = static_cast<double>(entry.bookkeeping);
    return Number(env, MP_ERR_OUT_OF_MEMORY);
  }
  g_live_allocators++;
  int64_t ignored;
  napi_adjust_external_memory(env, static_cast<int64_t>(entry.bookkeeping), &ignored);
  Entry* stored = instance->table.Find(id, kind);

  // The anchor: its finalizer frees the allocator; a weak reference to it lets a sweep free it
  // sooner. If Node-API refuses either (at teardown), the allocator is freed here and now.
  Anchor* anchor_data = new (std::nothrow) Anchor{instance, id};
  napi_value anchor = nullptr;
  if (anchor_data == nullptr || napi_create_external(env, anchor_data, FinalizeAnchor, nullptr, &anchor) != napi_ok) {
    delete anchor_data;
    ClearPendingException(env);
    Forget(env, instance, stored);
    return nullptr;
  }
  instance->refs++;  // until FinalizeAnchor
  stored->anchor_data = anchor_data;
  if (napi_create_reference(env, anchor, 0, &stored->anchor) != napi_ok) {
    stored->anchor = nullptr;
    ClearPendingException(env);
    Forget(env, instance, stored);  // the anchor's finalizer will find nothing left to free
    return nullptr;
  }
  instance->block[kBlockResult] = id;
  return anchor;
}

napi_value CreateFixedPool(napi_env env, napi_callback_info info) { return Create(env, info, Kind::kPool); }
napi_value CreateArena(napi_env env, napi_callback_info info) { return Create(env, info, Kind::kArena); }

// ---- the hot paths: arguments and result in the block, nothing returned ----

// poolAlloc(): [id] -> [result] = handle | 0 (0 for an id that names no live pool too).
napi_value PoolAlloc(napi_env env, napi_callback_info) {
  auto [instance, pool] = Begin(env, Kind::kPool);
  if (instance == nullptr) return nullptr;
  instance->block[kBlockResult] =
      pool == nullptr ? 0.0 : static_cast<double>(mp_fixed_pool_alloc_offset(static_cast<MP_FixedPool*>(pool->allocator)));
  return nullptr;
}

// poolFree(): [id, handle] -> [result] = status (MP_ERR_NULL_POINTER for an id that names no live
// pool, MP_ERR_INVALID_HANDLE for a handle that is not an integer in [0, 2^53)).
napi_value PoolFree(napi_env env, napi_callback_info) {
  auto [instance, pool] = Begin(env, Kind::kPool);
  if (instance == nullptr) return nullptr;
  double* block = instance->block;
  size_t handle;
  int status = pool == nullptr                    ? MP_ERR_NULL_POINTER
               : !ToSize(block[kBlockArg0], &handle) ? MP_ERR_INVALID_HANDLE
                                                     : mp_fixed_pool_free_offset(static_cast<MP_FixedPool*>(pool->allocator), handle);
  block[kBlockResult] = status;
  return nullptr;
}

// arenaAlloc(): [id, size, align] -> [result] = handle | 0. `size` may be any integer >= 1 (past
// the arena's end it fails and counts, as in every backend); `align` a power of two up to 4096. An
// id that names no live arena, or a bad size or align, gives 0 and changes nothing.
napi_value ArenaAlloc(napi_env env, napi_callback_info) {
  auto [instance, arena] = Begin(env, Kind::kArena);
  if (instance == nullptr) return nullptr;
  double* block = instance->block;
  // `size` an integer >= 1. At or past 2^53 (Infinity included), or past SIZE_MAX, it fits no
  // arena: C is asked for SIZE_MAX, which it refuses and counts exactly as a size one past the end.
  double size = block[kBlockArg0];
  uint64_t exact_size, align;
  size_t bytes = 0;
  if (ToSafeInteger(size, &exact_size)) bytes = ToSize(size, &bytes) ? bytes : SIZE_MAX;
  else if (size >= kSafeIntegerLimit) bytes = SIZE_MAX;
  size_t handle = 0;
  if (arena != nullptr && bytes >= 1 && ToSafeInteger(block[kBlockArg1], &align) && align <= MP_MAX_ALIGN) {
    handle = mp_arena_alloc_offset(static_cast<MP_Arena*>(arena->allocator), bytes, static_cast<size_t>(align));
  }
  block[kBlockResult] = static_cast<double>(handle);
  return nullptr;
}

// ---- both kinds ----

// reset() -> status
napi_value Reset(napi_env env, napi_callback_info) {
  auto [instance, entry] = Begin(env, Kind::kNone);
  if (instance == nullptr) return nullptr;
  int status = entry == nullptr           ? MP_ERR_NULL_POINTER
               : entry->kind == Kind::kPool ? mp_fixed_pool_reset(static_cast<MP_FixedPool*>(entry->allocator))
                                            : mp_arena_reset(static_cast<MP_Arena*>(entry->allocator));
  return Number(env, status);
}

// A Uint32Array or Float64Array argument: its elements and its length. A Proxy, a DataView or any
// other object is refused (napi_is_typedarray looks at the object itself, so no trap runs).
bool Batch(napi_env env, napi_value value, napi_typedarray_type* type, void** data, size_t* length) {
  bool is_typedarray = false;
  if (napi_is_typedarray(env, value, &is_typedarray) != napi_ok || !is_typedarray) return false;
  if (napi_get_typedarray_info(env, value, type, length, data, nullptr, nullptr) != napi_ok) return false;
  if (*type != napi_uint32_array && *type != napi_float64_array) return false;
  return *length == 0 || *data != nullptr;
}

// stats(out: Float64Array) -> status: the stats fields in MP_*Stats order (9 for a pool, 6 for an arena).
napi_value Stats(napi_env env, napi_callback_info info) {
  auto [instance, entry] = Begin(env, Kind::kNone);
  if (instance == nullptr) return nullptr;
  napi_value argv[1];
  napi_typedarray_type type;
  void* data;
  size_t length;
  if (entry == nullptr || !Args(env, info, argv, 1) || !Batch(env, argv[0], &type, &data, &length) ||
      type != napi_float64_array) {
    return Number(env, MP_ERR_NULL_POINTER);
  }
  // Both stats structs are their fields in order, all size_t.
  static_assert(sizeof(MP_FixedPoolStats) == MP_FIXED_POOL_STATS_FIELDS * sizeof(size_t), "pool stats layout");
  static_assert(sizeof(MP_ArenaStats) == MP_ARENA_STATS_FIELDS * sizeof(size_t), "arena stats layout");
  size_t fields[MP_FIXED_POOL_STATS_FIELDS] = {};
  size_t count = entry->kind == Kind::kPool ? MP_FIXED_POOL_STATS_FIELDS : MP_ARENA_STATS_FIELDS;
  if (length < count) return Number(env, MP_ERR_NULL_POINTER);
  int status;
  if (entry->kind == Kind::kPool) {
    MP_FixedPoolStats s;
    status = mp_fixed_pool_stats(static_cast<MP_FixedPool*>(entry->allocator), &s);
    std::memcpy(fields, &s, sizeof s);
  } else {
    MP_ArenaStats s;
    status = mp_arena_stats(static_cast<MP_Arena*>(entry->allocator), &s);
    std::memcpy(fields, &s, sizeof s);
  }
  double* out = static_cast<double*>(data);
  for (size_t i = 0; i < count; i++) out[i] = static_cast<double>(fields[i]);
  return Number(env, status);
}

// destroy(memory, anchor) -> status. Only the allocator's own anchor (which only its wrapper holds)
// can destroy it: anything else is MP_ERR_INVALID_ARGUMENT and changes nothing. Detaches `memory`
// if it is still the allocator's (V8 frees the bytes) and frees the C bookkeeping;
// MP_ERR_INVALID_HANDLE when `memory` is not (any more) the allocator's (the bookkeeping is freed
// anyway), MP_ERR_NULL_POINTER when the id names nothing.
napi_value Destroy(napi_env env, napi_callback_info info) {
  auto [instance, entry] = Begin(env, Kind::kNone);
  if (instance == nullptr) return nullptr;
  if (entry == nullptr) return Number(env, MP_ERR_NULL_POINTER);
  napi_value argv[2];
  napi_valuetype type;
  void* anchor = nullptr;
  // Compared, never dereferenced: any addon's External passes napi_get_value_external.
  if (!Args(env, info, argv, 2) || napi_typeof(env, argv[1], &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, argv[1], &anchor) != napi_ok || anchor != entry->anchor_data) {
    return Number(env, MP_ERR_INVALID_ARGUMENT);
  }
  void* data;
  size_t length;
  int status = MP_ERR_INVALID_HANDLE;
  // A failed detach is a documented no-op: the status says the memory was not detached, and the
  // wrapper tries JavaScript's own means. napi_detach_arraybuffer returns a status for a buffer V8
  // calls undetachable, but aborts the process (Node 24+) or panics (Deno) for one whose detach
  // key is set, as markAsUntransferable does there: the wrapper never marks memory on a runtime
  // where a marked buffer cannot be detached (@mempool/api's markThatKeepsDetach).
  if (Memory(env, argv[0], &data, &length) && data == entry->base) {
    if (napi_detach_arraybuffer(env, argv[0]) == napi_ok) status = MP_OK;
    else ClearPendingException(env);
  }
  Forget(env, instance, entry);
  return Number(env, status);
}

// ---- pool batches ----

// A batch call's instance, pool and arguments, (array, count): the array as Batch() reads it and
// `count`, an exact integer no larger than the array's length.
struct PoolBatch {
  Instance* instance;
  MP_FixedPool* pool;
  napi_value array;
  napi_typedarray_type type;
  void* data;
  size_t length;
  uint64_t count;
};

// Reads a batch call into `batch`: MP_OK, MP_ERR_NULL_POINTER when the id names no live pool (or
// there is no instance, at teardown), or MP_ERR_INVALID_ARGUMENT when (array, count) is refused.
int ReadBatch(napi_env env, napi_callback_info info, PoolBatch* batch) {
  auto [instance, pool] = Begin(env, Kind::kPool);
  if (pool == nullptr) return MP_ERR_NULL_POINTER;
  batch->instance = instance;
  batch->pool = static_cast<MP_FixedPool*>(pool->allocator);
  napi_value argv[2] = {};
  double count_value;
  bool read = Args(env, info, argv, 2) && Batch(env, argv[0], &batch->type, &batch->data, &batch->length) &&
              napi_get_value_double(env, argv[1], &count_value) == napi_ok && ToSafeInteger(count_value, &batch->count) &&
              batch->count <= batch->length;
  batch->array = argv[0];
  return read ? MP_OK : MP_ERR_INVALID_ARGUMENT;
}

// poolAllocMany(out, count) -> how many handles it wrote to out[0..], or MP_ERR_INVALID_ARGUMENT
// when `out` is not a genuine Uint32Array or Float64Array of at least `count` elements (a Proxy,
// or a subclass whose `length` lied), or MP_ERR_NULL_POINTER when the id names no live pool.
napi_value PoolAllocMany(napi_env env, napi_callback_info info) {
  PoolBatch batch;
  int status = ReadBatch(env, info, &batch);
  if (status != MP_OK) return Number(env, status);
  size_t placed = batch.type == napi_uint32_array
                      ? mp_fixed_pool_alloc_many_u32(batch.pool, static_cast<uint32_t*>(batch.data), batch.count)
                      : mp_fixed_pool_alloc_many_f64(batch.pool, static_cast<double*>(batch.data), batch.count);
  return Number(env, static_cast<double>(placed));
}

// Whether a typed array's buffer is not a plain ArrayBuffer (a SharedArrayBuffer).
bool Shared(napi_env env, napi_value typedarray) {
  napi_value buffer;
  bool plain = false;
  if (napi_get_typedarray_info(env, typedarray, nullptr, nullptr, nullptr, &buffer, nullptr) != napi_ok) return true;
  if (napi_is_arraybuffer(env, buffer, &plain) != napi_ok) return true;
  return !plain;
}

// poolFreeMany(handles, count) -> status, with the index of the first bad handle written to the
// block's result when a handle is refused (nothing is freed then). MP_ERR_INVALID_ARGUMENT and
// MP_ERR_NULL_POINTER as for poolAllocMany. The C batch reads each entry twice (check, then free):
// a typed array over a SharedArrayBuffer, which another thread may write meanwhile, is first
// copied so both passes see the same entries.
napi_value PoolFreeMany(napi_env env, napi_callback_info info) {
  PoolBatch batch;
  int status = ReadBatch(env, info, &batch);
  if (status != MP_OK) return Number(env, status);
  void* data = batch.data;
  std::vector<unsigned char> snapshot;
  if (batch.count > 0 && Shared(env, batch.array)) {
    size_t bytes = static_cast<size_t>(batch.count) * (batch.type == napi_uint32_array ? sizeof(uint32_t) : sizeof(double));
    try {
      snapshot.assign(static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + bytes);
    } catch (const std::bad_alloc&) {
      return Number(env, MP_ERR_OUT_OF_MEMORY);
    }
    data = snapshot.data();
  }
  size_t bad = 0;
  status = batch.type == napi_uint32_array ? mp_fixed_pool_free_many_u32(batch.pool, static_cast<uint32_t*>(data), batch.count, &bad)
                                           : mp_fixed_pool_free_many_f64(batch.pool, static_cast<double*>(data), batch.count, &bad);
  if (status != MP_OK) batch.instance->block[kBlockResult] = static_cast<double>(bad);
  return Number(env, status);
}

// ---- arena marks ----

// arenaMark() -> the mark (an exact integer below 2^53), or MP_ERR_NULL_POINTER.
napi_value ArenaMark(napi_env env, napi_callback_info) {
  auto [instance, arena] = Begin(env, Kind::kArena);
  if (instance == nullptr) return nullptr;
  if (arena == nullptr) return Number(env, MP_ERR_NULL_POINTER);
  return Number(env, static_cast<double>(mp_arena_mark(static_cast<MP_Arena*>(arena->allocator))));
}

// arenaRewind(mark) -> status
napi_value ArenaRewind(napi_env env, napi_callback_info info) {
  auto [instance, arena] = Begin(env, Kind::kArena);
  if (instance == nullptr) return nullptr;
  napi_value argv[1];
  double value;
  uint64_t mark;
  bool read = Args(env, info, argv, 1) && napi_get_value_double(env, argv[0], &value) == napi_ok && ToSafeInteger(value, &mark);
  return Number(env, arena == nullptr ? MP_ERR_NULL_POINTER
                     : !read          ? MP_ERR_INVALID_HANDLE
                                      : mp_arena_rewind(static_cast<MP_Arena*>(arena->allocator), mark));
}

// ---- for the tests ----

// liveAllocators() -> how many C allocators (in every env) are not freed yet.
napi_value LiveAllocators(napi_env env, napi_callback_info) {
  return Number(env, static_cast<double>(g_live_allocators.load()));
}

// addressOf(memory) -> the absolute address of an ArrayBuffer's first byte (below 2^53 on every
// 64-bit platform), or undefined: for the conformance suite's check of supports.absoluteAlignment
// (JavaScript cannot see addresses). Reads nothing, changes nothing.
napi_value AddressOf(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  size_t length;
  if (!Args(env, info, argv, 1) || !Memory(env, argv[0], &data, &length)) return nullptr;
  return Number(env, static_cast<double>(reinterpret_cast<uintptr_t>(data)));
}

// sizes() -> { fixedPool, arena, block }: the structs' bytes and the block's length.
napi_value Sizes(napi_env env, napi_callback_info) {
  napi_value sizes;
  if (napi_create_object(env, &sizes) != napi_ok) return nullptr;
  const struct {
    const char* name;
    double value;
  } fields[] = {{"fixedPool", static_cast<double>(mp_fixed_pool_struct_size())},
                {"arena", static_cast<double>(mp_arena_struct_size())},
                {"block", static_cast<double>(kBlockLength)}};
  for (const auto& field : fields) {
    napi_value value = Number(env, field.value);
    if (value == nullptr || napi_set_named_property(env, sizes, field.name, value) != napi_ok) return nullptr;
  }
  return sizes;
}

// ---- the module ----

// open() -> { block, createFixedPool, ... }: the binding, the first time it is called; undefined
// after that. src/binding.ts opens it when it loads the addon and keeps it module-private, so no
// other code (another copy of the module, a second require of the .node file) can reach the
// functions or the block. The block's bytes are the Instance's: V8 never frees them, and detaching
// or transferring that ArrayBuffer cannot pull them from under C.
napi_value Open(napi_env env, napi_callback_info) {
  Instance* instance = InstanceOf(env);
  if (instance == nullptr || instance->opened) return nullptr;
  napi_value binding, block;
  if (napi_create_object(env, &binding) != napi_ok ||
      napi_create_external_arraybuffer(env, instance->block, sizeof(instance->block), nullptr, nullptr, &block) != napi_ok) {
    ClearPendingException(env);
    return nullptr;
  }
  const napi_property_attributes fixed = napi_enumerable;
  const napi_property_descriptor properties[] = {
      {"block", nullptr, nullptr, nullptr, nullptr, block, fixed, nullptr},
      {"createFixedPool", nullptr, CreateFixedPool, nullptr, nullptr, nullptr, fixed, nullptr},
      {"createArena", nullptr, CreateArena, nullptr, nullptr, nullptr, fixed, nullptr},
      {"poolAlloc", nullptr, PoolAlloc, nullptr, nullptr, nullptr, fixed, nullptr},
      {"poolFree", nullptr, PoolFree, nullptr, nullptr, nullptr, fixed, nullptr},
      {"poolAllocMany", nullptr, PoolAllocMany, nullptr, nullptr, nullptr, fixed, nullptr},
      {"poolFreeMany", nullptr, PoolFreeMany, nullptr, nullptr, nullptr, fixed, nullptr},
      {"arenaAlloc", nullptr, ArenaAlloc, nullptr, nullptr, nullptr, fixed, nullptr},
      {"arenaMark", nullptr, ArenaMark, nullptr, nullptr, nullptr, fixed, nullptr},
      {"arenaRewind", nullptr, ArenaRewind, nullptr, nullptr, nullptr, fixed, nullptr},
      {"reset", nullptr, Reset, nullptr, nullptr, nullptr, fixed, nullptr},
      {"stats", nullptr, Stats, nullptr, nullptr, nullptr, fixed, nullptr},
      {"destroy", nullptr, Destroy, nullptr, nullptr, nullptr, fixed, nullptr},
      {"liveAllocators", nullptr, LiveAllocators, nullptr, nullptr, nullptr, fixed, nullptr},
      {"sizes", nullptr, Sizes, nullptr, nullptr, nullptr, fixed, nullptr},
      {"addressOf", nullptr, AddressOf, nullptr, nullptr, nullptr, fixed, nullptr},
  };
  if (napi_define_properties(env, binding, sizeof properties / sizeof properties[0], properties) != napi_ok) {
    ClearPendingException(env);
    return nullptr;
  }
  instance->opened = true;
  return binding;
}

napi_value Init(napi_env env, napi_value exports) {
  Instance* instance = new (std::nothrow) Instance();
  if (instance == nullptr) return exports;  // no open(): binding.ts refuses the addon
  if (napi_set_instance_data(env, instance, FinalizeInstance, nullptr) != napi_ok) {
    delete instance;
    return exports;
  }
  napi_value version;
  if (napi_create_string_utf8(env, mp_version(), NAPI_AUTO_LENGTH, &version) != napi_ok) return exports;
  const napi_property_descriptor properties[] = {
      {"version", nullptr, nullptr, nullptr, nullptr, version, napi_enumerable, nullptr},
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  // Refused (at teardown): no open(), so binding.ts refuses the addon with its message.
  if (napi_define_properties(env, exports, 2, properties) != napi_ok) ClearPendingException(env);
  return exports;
}

}  // namespace
}  // namespace mempool

NAPI_MODULE_INIT() { return mempool::Init(env, exports); }
