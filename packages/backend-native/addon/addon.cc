// The Node binding of memory_pool_core: node-addon-api for setup, plain Node-API for the hot
// paths. Internal: only src/backend.ts calls it, after checking every argument; every function
// still refuses what it does not expect with a status or 0 instead of crashing, whatever it is given.
//
// The argument block. A Node-API call costs far more than the C work: a no-op function ~10 ns,
// napi_get_cb_info +5 ns, napi_get_value_external +6.6 ns, napi_create_double for the result
// +6.6 ns, against ~5 ns for a C alloc+free pair. So the hot paths (poolAlloc, poolFree,
// arenaAlloc) take no JavaScript arguments and return undefined: per napi_env (instance data, so
// each worker thread has its own) the addon owns a block of kBlockLength doubles that JavaScript
// sees as one Float64Array (takeArgumentBlock(), handed out once). JavaScript writes the
// allocator's id and the arguments into it, calls, and reads the result from it. An id indexes the
// env's table of allocators: (generation << kSlotBits) | slot, with the slot's generation bumped
// whenever its allocator is freed (destroy or finalizer), so a stale id never reaches another
// allocator. Every value read from the block is validated as an argument would be (the block is
// plain memory any JavaScript holding it may write): a bad id means "no allocator", a bad handle
// or size a status or 0.
//
// Ownership. `memory` is an ordinary V8-owned ArrayBuffer (made in JavaScript with
// `new ArrayBuffer`, so a refusal is a catchable RangeError, never a fatal V8 OOM), and the C
// allocator works in it (mp_*_create_in): the C side only keeps its address to hand out offsets and
// never reads or writes those bytes. V8 frees them when `memory` is collected, in the same GC, so a
// dropped allocator's memory comes back as soon as the garbage collector runs. What C allocates is
// only the allocator's bookkeeping (the struct and, for a pool, 8 bytes per slot), owned by a Box
// behind the External the TypeScript object keeps: the External's finalizer frees it. destroy()
// detaches `memory` (V8 frees the bytes at once and every view reads as length 0) and frees the
// bookkeeping; the finalizer that follows only deletes the Box. Nothing is freed twice, and no
// pointer into `memory` is dereferenced by C at any time, so no JavaScript, and no C, can reach
// freed memory.
#include <napi.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <new>
#include <vector>

#include "memory_pool_core.h"

namespace {

constexpr uint32_t kPoolMagic = 0x4c4f4f50;   // "POOL"
constexpr uint32_t kArenaMagic = 0x414e5241;  // "ARNA"
constexpr double kMaxSafe = 9007199254740991.0;

std::atomic<int64_t> g_live_boxes{0};       // Boxes whose External is not finalized yet
std::atomic<int64_t> g_live_allocators{0};  // C allocators (bookkeeping) not freed yet

// ---- the argument block and the allocator table (one per napi_env) ----

// Block layout, in doubles (src/binding.ts mirrors it).
constexpr size_t kBlockId = 0;      // in: the allocator's id
constexpr size_t kBlockArg0 = 1;    // in: poolFree's handle, arenaAlloc's size
constexpr size_t kBlockArg1 = 2;    // in: arenaAlloc's align
constexpr size_t kBlockResult = 3;  // out: a handle, a status, or a new allocator's id
constexpr size_t kBlockLength = 8;

constexpr unsigned kSlotBits = 24;                                // up to 2^24 live allocators per env
constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
constexpr uint32_t kGenerationLimit = uint32_t{1} << 29;          // ids stay below 2^53
constexpr uint32_t kNoKind = 0;

struct Entry {
  void* live;          // the C allocator, or nullptr
  uint32_t kind;       // kPoolMagic, kArenaMagic, or kNoKind
  uint32_t generation; // >= 1; bumped when the slot's allocator is freed
};

// Owned jointly by the env (its instance data) and every Box made in it: freed when the last of
// them lets go, whatever order Node finalizes them in at teardown.
struct Instance {
  alignas(64) double block[kBlockLength];  // the argument block (JavaScript sees it)
  std::vector<Entry> entries;              // indexed by slot
  std::vector<uint32_t> free_slots;        // slots whose generation can still be bumped
  size_t refs = 1;                         // the env + one per Box not finalized yet
  bool block_taken = false;
};

void ReleaseInstance(Instance* instance) {
  if (--instance->refs == 0) delete instance;
}

// A new slot for `allocator` in `instance`; its id (>= 2^kSlotBits), or 0 when none can be had.
double AddEntry(Instance* instance, void* allocator, uint32_t kind, uint32_t* slot_out) {
  uint32_t slot;
  try {
    if (!instance->free_slots.empty()) {
      slot = instance->free_slots.back();
      instance->free_slots.pop_back();
    } else {
      if (instance->entries.size() > kSlotMask) return 0;
      instance->entries.push_back(Entry{nullptr, kNoKind, 1});
      slot = static_cast<uint32_t>(instance->entries.size() - 1);
    }
  } catch (...) {
    return 0;
  }
  Entry& entry = instance->entries[slot];
  entry.live = allocator;
  entry.kind = kind;
  *slot_out = slot;
  return static_cast<double>((static_cast<uint64_t>(entry.generation) << kSlotBits) | slot);
}

// Clears a slot: its id (and every earlier one) is refused from now on.
void RemoveEntry(Instance* instance, uint32_t slot) {
  if (slot >= instance->entries.size()) return;
  Entry& entry = instance->entries[slot];
  entry.live = nullptr;
  entry.kind = kNoKind;
  if (++entry.generation >= kGenerationLimit) return;  // retired: never handed out again
  try {
    instance->free_slots.push_back(slot);
  } catch (...) {
    // not reusable then: never handed out again either
  }
}

// The live allocator of `kind` that the block's id names, or nullptr (NaN, negative, fractional,
// huge, out of range, stale, of the other kind).
inline void* EntryOf(const Instance* instance, double id, uint32_t kind) {
  if (!(id >= 0.0 && id <= kMaxSafe)) return nullptr;
  uint64_t value = static_cast<uint64_t>(id);
  if (static_cast<double>(value) != id) return nullptr;
  uint64_t slot = value & kSlotMask;
  if (slot >= instance->entries.size()) return nullptr;
  const Entry& entry = instance->entries[slot];
  if (entry.generation != (value >> kSlotBits) || entry.kind != kind) return nullptr;
  return entry.live;
}

inline Instance* InstanceOf(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  return static_cast<Instance*>(data);
}

struct Box {
  uint32_t magic;
  void* live;  // the C allocator (its bookkeeping); nullptr once destroy() freed it
  void* base;  // the start of `memory`, to recognise it in destroy()
  Instance* instance;  // the env's table, which holds this allocator at `slot`
  uint32_t slot;
};

void FreeLive(Box* box) {
  if (box->live == nullptr) return;
  RemoveEntry(box->instance, box->slot);
  if (box->magic == kPoolMagic) mp_fixed_pool_destroy(static_cast<MP_FixedPool*>(box->live));
  else mp_arena_destroy(static_cast<MP_Arena*>(box->live));
  box->live = nullptr;
  g_live_allocators--;
}

void Finalize(Napi::Env, Box* box) {
  FreeLive(box);
  ReleaseInstance(box->instance);
  box->magic = 0;
  delete box;
  g_live_boxes--;
}

// The Box an External holds, if it is one of ours of the right kind.
inline Box* BoxOf(napi_env env, napi_value value, uint32_t magic) {
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == nullptr) return nullptr;
  Box* box = static_cast<Box*>(data);
  return box->magic == magic ? box : nullptr;
}

inline MP_FixedPool* PoolOf(napi_env env, napi_value value) {
  Box* box = BoxOf(env, value, kPoolMagic);
  return box == nullptr ? nullptr : static_cast<MP_FixedPool*>(box->live);
}

inline MP_Arena* ArenaOf(napi_env env, napi_value value) {
  Box* box = BoxOf(env, value, kArenaMagic);
  return box == nullptr ? nullptr : static_cast<MP_Arena*>(box->live);
}

// A double (from the argument block or a JavaScript number) that is an integer in [0, 2^53 - 1].
inline bool BlockIndex(double d, uint64_t* out) {
  if (!(d >= 0.0 && d <= kMaxSafe) || std::floor(d) != d) return false;
  *out = static_cast<uint64_t>(d);
  return true;
}

// A JavaScript number that is an integer in [0, 2^53 - 1], or false.
inline bool ToIndex(napi_env env, napi_value value, uint64_t* out) {
  double d;
  return napi_get_value_double(env, value, &d) == napi_ok && BlockIndex(d, out);
}

inline napi_value Number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

template <size_t N>
inline size_t Args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return 0;
  for (size_t i = argc; i < N; i++) napi_get_undefined(env, &argv[i]);
  return argc;
}

void DestroyAllocator(uint32_t magic, void* allocator) {
  if (magic == kPoolMagic) mp_fixed_pool_destroy(static_cast<MP_FixedPool*>(allocator));
  else mp_arena_destroy(static_cast<MP_Arena*>(allocator));
}

// An External over a new Box for `allocator`, with its id written to the block's result, or a
// status number (the allocator destroyed then).
Napi::Value Wrap(Napi::Env env, uint32_t magic, void* allocator, void* base) {
  Instance* instance = InstanceOf(env);
  uint32_t slot = 0;
  double id = instance == nullptr ? 0 : AddEntry(instance, allocator, magic, &slot);
  if (id == 0) {
    DestroyAllocator(magic, allocator);
    return Napi::Number::New(env, MP_ERR_OUT_OF_MEMORY);
  }
  Box* box = new (std::nothrow) Box{magic, allocator, base, instance, slot};
  if (box == nullptr) {
    RemoveEntry(instance, slot);
    DestroyAllocator(magic, allocator);
    return Napi::Number::New(env, MP_ERR_OUT_OF_MEMORY);
  }
  instance->refs++;
  g_live_boxes++;
  g_live_allocators++;
  Napi::External<Box> external = Napi::External<Box>::New(env, box, Finalize);
  if (env.IsExceptionPending() || external.IsEmpty()) {
    env.GetAndClearPendingException();
    Finalize(env, box);  // never registered: do its work here
    return Napi::Number::New(env, MP_ERR_OUT_OF_MEMORY);
  }
  instance->block[kBlockResult] = id;
  return external;
}

// A positive integer argument as size_t, or 0.
size_t SizeArg(const Napi::Value& value) {
  if (!value.IsNumber()) return 0;
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 1.0 && d <= kMaxSafe) || std::floor(d) != d) return 0;
  return static_cast<size_t>(d);
}

// An attached ArrayBuffer argument: its bytes and their count.
bool Memory(const Napi::Value& value, void** data, size_t* length) {
  if (!value.IsArrayBuffer()) return false;
  Napi::ArrayBuffer memory = value.As<Napi::ArrayBuffer>();
  if (memory.IsDetached()) return false;
  *data = memory.Data();
  *length = memory.ByteLength();
  return *data != nullptr;
}

// ---- fixed pool ----

// createFixedPool(memory, objectSize, capacity, align) -> external | status
Napi::Value CreateFixedPool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* data;
  size_t length;
  size_t object_size = SizeArg(info[1]), capacity = SizeArg(info[2]), align = SizeArg(info[3]);
  if (!Memory(info[0], &data, &length) || object_size == 0 || capacity == 0 || align == 0) {
    return Napi::Number::New(env, MP_ERR_INVALID_ARGUMENT);
  }
  size_t needed = mp_fixed_pool_required_bytes(object_size, capacity, align);
  if (needed == 0 || length < needed) return Napi::Number::New(env, MP_ERR_INVALID_ARGUMENT);
  MP_FixedPool* pool = mp_fixed_pool_create_in(data, length, object_size, capacity, align);
  if (pool == nullptr) return Napi::Number::New(env, MP_ERR_OUT_OF_MEMORY);
  return Wrap(env, kPoolMagic, pool, data);
}

// poolAlloc() over the block: [id] -> [result] = handle | 0 (0 for a bad or stale id too).
napi_value PoolAlloc(napi_env env, napi_callback_info) {
  Instance* instance = InstanceOf(env);
  if (instance == nullptr) return nullptr;
  double* block = instance->block;
  auto* pool = static_cast<MP_FixedPool*>(EntryOf(instance, block[kBlockId], kPoolMagic));
  block[kBlockResult] = static_cast<double>(mp_fixed_pool_alloc_offset(pool));
  return nullptr;
}

// poolFree() over the block: [id, handle] -> [result] = status (MP_ERR_NULL_POINTER for a bad or
// stale id, MP_ERR_INVALID_HANDLE for a handle that is not an integer in [0, 2^53 - 1]).
napi_value PoolFree(napi_env env, napi_callback_info) {
  Instance* instance = InstanceOf(env);
  if (instance == nullptr) return nullptr;
  double* block = instance->block;
  auto* pool = static_cast<MP_FixedPool*>(EntryOf(instance, block[kBlockId], kPoolMagic));
  int status = MP_ERR_NULL_POINTER;
  if (pool != nullptr) {
    uint64_t handle;
    status = BlockIndex(block[kBlockArg0], &handle) ? mp_fixed_pool_free_offset(pool, static_cast<size_t>(handle))
                                                    : MP_ERR_INVALID_HANDLE;
  }
  block[kBlockResult] = status;
  return nullptr;
}

// poolReset(pool) -> status
napi_value PoolReset(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, argv);
  return Number(env, mp_fixed_pool_reset(PoolOf(env, argv[0])));
}

// A Uint32Array or Float64Array argument: its elements and its length.
bool Batch(napi_env env, napi_value value, napi_typedarray_type* type, void** data, size_t* length) {
  bool is_typedarray = false;
  if (napi_is_typedarray(env, value, &is_typedarray) != napi_ok || !is_typedarray) return false;
  if (napi_get_typedarray_info(env, value, type, length, data, nullptr, nullptr) != napi_ok) return false;
  if (*type != napi_uint32_array && *type != napi_float64_array) return false;
  return *length == 0 || *data != nullptr;
}

// Whether a typed array's buffer is not a plain ArrayBuffer (a SharedArrayBuffer).
bool Shared(napi_env env, napi_value typedarray) {
  napi_value buffer;
  bool plain = false;
  if (napi_get_typedarray_info(env, typedarray, nullptr, nullptr, nullptr, &buffer, nullptr) != napi_ok) return true;
  if (napi_is_arraybuffer(env, buffer, &plain) != napi_ok) return true;
  return !plain;
}

// poolAllocMany(pool, out, count) -> placed
napi_value PoolAllocMany(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Args(env, info, argv);
  MP_FixedPool* pool = PoolOf(env, argv[0]);
  napi_typedarray_type type;
  void* data;
  size_t length;
  uint64_t count;
  if (pool == nullptr || !Batch(env, argv[1], &type, &data, &length) || !ToIndex(env, argv[2], &count)) {
    return Number(env, 0);
  }
  if (count > length) count = length;
  size_t placed = type == napi_uint32_array
                      ? mp_fixed_pool_alloc_many_u32(pool, static_cast<uint32_t*>(data), count)
                      : mp_fixed_pool_alloc_many_f64(pool, static_cast<double*>(data), count);
  return Number(env, static_cast<double>(placed));
}

// poolFreeMany(pool, handles, count) -> 0, or status - 8 * index of the first bad handle.
// The C batch reads each entry twice (check, then free): a typed array over a SharedArrayBuffer,
// which another thread may write meanwhile, is first copied so both passes see the same entries.
napi_value PoolFreeMany(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Args(env, info, argv);
  MP_FixedPool* pool = PoolOf(env, argv[0]);
  napi_typedarray_type type;
  void* data;
  size_t length;
  uint64_t count;
  if (pool == nullptr || !Batch(env, argv[1], &type, &data, &length) || !ToIndex(env, argv[2], &count) ||
      count > length) {
    return Number(env, MP_ERR_INVALID_ARGUMENT);
  }
  std::vector<unsigned char> snapshot;
  if (Shared(env, argv[1]) && count > 0) {
    size_t bytes = static_cast<size_t>(count) * (type == napi_uint32_array ? sizeof(uint32_t) : sizeof(double));
    snapshot.assign(static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + bytes);
    data = snapshot.data();
  }
  size_t bad = 0;
  int status = type == napi_uint32_array
                   ? mp_fixed_pool_free_many_u32(pool, static_cast<uint32_t*>(data), count, &bad)
                   : mp_fixed_pool_free_many_f64(pool, static_cast<double*>(data), count, &bad);
  return Number(env, status == MP_OK ? 0.0 : static_cast<double>(status) - 8.0 * static_cast<double>(bad));
}

// Writes `n` doubles into a Float64Array of at least `n` elements; false otherwise.
double* StatsArray(napi_env env, napi_value value, size_t n) {
  napi_typedarray_type type;
  void* data;
  size_t length;
  if (!Batch(env, value, &type, &data, &length) || type != napi_float64_array || length < n) return nullptr;
  return static_cast<double*>(data);
}

// poolStats(pool, out: Float64Array(9)) -> status
napi_value PoolStats(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, argv);
  MP_FixedPool* pool = PoolOf(env, argv[0]);
  double* out = StatsArray(env, argv[1], 9);
  if (pool == nullptr || out == nullptr) return Number(env, MP_ERR_NULL_POINTER);
  MP_FixedPoolStats s;
  int status = mp_fixed_pool_stats(pool, &s);
  const size_t values[9] = {s.object_size, s.slot_size, s.capacity, s.allocated, s.available,
                            s.peak_allocated, s.alloc_count, s.free_count, s.failed_allocs};
  for (size_t i = 0; i < 9; i++) out[i] = static_cast<double>(values[i]);
  return Number(env, status);
}

// ---- arena ----

// createArena(memory, bufferSize, align) -> external | status
Napi::Value CreateArena(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* data;
  size_t length;
  size_t buffer_size = SizeArg(info[1]), align = SizeArg(info[2]);
  if (!Memory(info[0], &data, &length) || buffer_size == 0 || align == 0) {
    return Napi::Number::New(env, MP_ERR_INVALID_ARGUMENT);
  }
  size_t needed = mp_arena_required_bytes(buffer_size, align);
  if (needed == 0 || length < needed) return Napi::Number::New(env, MP_ERR_INVALID_ARGUMENT);
  MP_Arena* arena = mp_arena_create_in(data, length, buffer_size, align);
  if (arena == nullptr) return Napi::Number::New(env, MP_ERR_OUT_OF_MEMORY);
  return Wrap(env, kArenaMagic, arena, data);
}

// arenaAlloc() over the block: [id, size, align] -> [result] = handle | 0. `size` may be any
// integer >= 1 (one past the arena's end fails and counts, as in every backend); `align` a power
// of two up to 4096. A bad or stale id, size or align gives 0 and changes nothing.
napi_value ArenaAlloc(napi_env env, napi_callback_info) {
  Instance* instance = InstanceOf(env);
  if (instance == nullptr) return nullptr;
  double* block = instance->block;
  auto* arena = static_cast<MP_Arena*>(EntryOf(instance, block[kBlockId], kArenaMagic));
  double size = block[kBlockArg0];
  uint64_t align;
  size_t handle = 0;
  if (arena != nullptr && size >= 1.0 && std::floor(size) == size && BlockIndex(block[kBlockArg1], &align) &&
      align <= MP_MAX_ALIGN) {
    size_t bytes = size >= 18446744073709551616.0 ? SIZE_MAX : static_cast<size_t>(size);
    handle = mp_arena_alloc_offset(arena, bytes, static_cast<size_t>(align));
  }
  block[kBlockResult] = static_cast<double>(handle);
  return nullptr;
}

napi_value ArenaReset(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, argv);
  return Number(env, mp_arena_reset(ArenaOf(env, argv[0])));
}

// arenaMark(arena) -> mark (an exact integer below 2^53)
napi_value ArenaMark(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, argv);
  return Number(env, static_cast<double>(mp_arena_mark(ArenaOf(env, argv[0]))));
}

// arenaRewind(arena, mark) -> status
napi_value ArenaRewind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, argv);
  MP_Arena* arena = ArenaOf(env, argv[0]);
  if (arena == nullptr) return Number(env, MP_ERR_NULL_POINTER);
  uint64_t mark;
  if (!ToIndex(env, argv[1], &mark)) return Number(env, MP_ERR_INVALID_HANDLE);
  return Number(env, mp_arena_rewind(arena, mark));
}

// arenaStats(arena, out: Float64Array(6)) -> status
napi_value ArenaStats(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, argv);
  MP_Arena* arena = ArenaOf(env, argv[0]);
  double* out = StatsArray(env, argv[1], 6);
  if (arena == nullptr || out == nullptr) return Number(env, MP_ERR_NULL_POINTER);
  MP_ArenaStats s;
  int status = mp_arena_stats(arena, &s);
  const size_t values[6] = {s.buffer_size, s.offset, s.remaining, s.allocations, s.peak_offset, s.failed_allocs};
  for (size_t i = 0; i < 6; i++) out[i] = static_cast<double>(values[i]);
  return Number(env, status);
}

// ---- lifetime ----

// destroy(external, memory) -> status. Idempotent. Detaches `memory` if it is still this
// allocator's (V8 frees the bytes) and frees the C bookkeeping.
Napi::Value Destroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* data = nullptr;
  if (!info[0].IsExternal() || napi_get_value_external(env, info[0], &data) != napi_ok || data == nullptr) {
    return Napi::Number::New(env, MP_ERR_INVALID_ARGUMENT);
  }
  Box* box = static_cast<Box*>(data);
  if (box->magic != kPoolMagic && box->magic != kArenaMagic) return Napi::Number::New(env, MP_ERR_INVALID_ARGUMENT);
  if (box->live == nullptr) return Napi::Number::New(env, MP_OK);
  int status = MP_ERR_INVALID_HANDLE;
  if (info[1].IsArrayBuffer()) {
    Napi::ArrayBuffer memory = info[1].As<Napi::ArrayBuffer>();
    if (!memory.IsDetached() && memory.Data() == box->base) {
      memory.Detach();
      if (env.IsExceptionPending()) env.GetAndClearPendingException();
      else status = MP_OK;
    }
  }
  FreeLive(box);  // the bookkeeping is C's alone: always safe to free
  return Napi::Number::New(env, status);
}

// liveAllocators() -> how many C allocators are not freed yet (for the GC test)
Napi::Value LiveAllocators(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_live_allocators.load()));
}

// liveBoxes() -> how many bookkeeping boxes are not deleted yet (both finalizers not run)
Napi::Value LiveBoxes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_live_boxes.load()));
}

// The absolute address of an ArrayBuffer's first byte, for the conformance suite's check of
// supports.absoluteAlignment (JavaScript cannot see addresses). A test hook: nothing else calls it.
Napi::Value AddressOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) return env.Undefined();
  const auto address = reinterpret_cast<uintptr_t>(info[0].As<Napi::ArrayBuffer>().Data());
  return Napi::Number::New(env, static_cast<double>(address));
}

Napi::Value Sizes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object sizes = Napi::Object::New(env);
  sizes.Set("fixedPool", Napi::Number::New(env, static_cast<double>(mp_fixed_pool_struct_size())));
  sizes.Set("arena", Napi::Number::New(env, static_cast<double>(mp_arena_struct_size())));
  sizes.Set("box", Napi::Number::New(env, static_cast<double>(sizeof(Box))));
  sizes.Set("block", Napi::Number::New(env, static_cast<double>(kBlockLength)));
  return sizes;
}

// takeArgumentBlock() -> the env's argument block as an ArrayBuffer of kBlockLength doubles, the
// first time; undefined after that (src/binding.ts takes it when it loads the addon and keeps it
// module-private). The bytes are the Instance's: V8 never frees them, and detaching or
// transferring the ArrayBuffer cannot pull them from under C.
napi_value TakeArgumentBlock(napi_env env, napi_callback_info) {
  Instance* instance = InstanceOf(env);
  if (instance == nullptr || instance->block_taken) return nullptr;
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, instance->block, sizeof(instance->block), nullptr, nullptr, &buffer) !=
      napi_ok) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    return nullptr;
  }
  instance->block_taken = true;
  return buffer;
}

void FinalizeInstance(napi_env, void* data, void*) {
  ReleaseInstance(static_cast<Instance*>(data));
}

void SetRaw(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn) == napi_ok) {
    exports.Set(name, Napi::Value(env, fn));
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Instance* instance = new (std::nothrow) Instance();
  if (instance == nullptr) return exports;  // no functions: binding.ts refuses the addon
  for (double& value : instance->block) value = 0;
  if (napi_set_instance_data(env, instance, FinalizeInstance, nullptr) != napi_ok) {
    delete instance;
    return exports;
  }
  exports.Set("version", Napi::String::New(env, mp_version()));
  SetRaw(env, exports, "takeArgumentBlock", TakeArgumentBlock);
  exports.Set("createFixedPool", Napi::Function::New(env, CreateFixedPool, "createFixedPool"));
  exports.Set("createArena", Napi::Function::New(env, CreateArena, "createArena"));
  exports.Set("destroy", Napi::Function::New(env, Destroy, "destroy"));
  exports.Set("liveAllocators", Napi::Function::New(env, LiveAllocators, "liveAllocators"));
  exports.Set("liveBoxes", Napi::Function::New(env, LiveBoxes, "liveBoxes"));
  exports.Set("sizes", Napi::Function::New(env, Sizes, "sizes"));
  exports.Set("addressOf", Napi::Function::New(env, AddressOf, "addressOf"));
  SetRaw(env, exports, "poolAlloc", PoolAlloc);
  SetRaw(env, exports, "poolFree", PoolFree);
  SetRaw(env, exports, "poolReset", PoolReset);
  SetRaw(env, exports, "poolAllocMany", PoolAllocMany);
  SetRaw(env, exports, "poolFreeMany", PoolFreeMany);
  SetRaw(env, exports, "poolStats", PoolStats);
  SetRaw(env, exports, "arenaAlloc", ArenaAlloc);
  SetRaw(env, exports, "arenaReset", ArenaReset);
  SetRaw(env, exports, "arenaMark", ArenaMark);
  SetRaw(env, exports, "arenaRewind", ArenaRewind);
  SetRaw(env, exports, "arenaStats", ArenaStats);
  return exports;
}

}  // namespace

NODE_API_MODULE(mempool_native, Init)
