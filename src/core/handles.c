/* handles.c: see handles.h. Slots are recycled through a free list; the handle value is
 * (generation << 22) | (slot + 1), which stays a positive int32. */
#include "handles.h"

#include <stdlib.h>

#include "error.h"

#define SLOT_BITS 22
#define SLOT_MASK ((1 << SLOT_BITS) - 1)
#define GEN_MASK 0x1ff

typedef struct Slot {
  Tensor* tensor;
  int32_t generation;
  int32_t next_free;
} Slot;

static Slot* slots = NULL;
static int32_t capacity = 0, free_head = -1, used = 0;
static int64_t live = 0;

int64_t handle_live_count(void) { return live; }

static Tensor** held = NULL;
static int32_t held_count = 0, held_capacity = 0;

int handle_hold(Tensor* t) {
  if (held_count == held_capacity) {
    int32_t grown = held_capacity ? held_capacity * 2 : 8;
    Tensor** more = realloc(held, (size_t)grown * sizeof *more);
    if (!more) {
      tensor_release(t);
      return k_fail(K_ERR_OOM, "out of memory holding a temporary tensor");
    }
    held = more;
    held_capacity = grown;
  }
  held[held_count++] = t;
  return K_OK;
}

void handle_drop_held(void) {
  while (held_count > 0) tensor_release(held[--held_count]);
}

int32_t handle_new(Tensor* t) {
  handle_drop_held();
  if (!t) return k_last_status() < 0 ? k_last_status() : k_fail(K_ERR_RUNTIME, "internal: missing tensor");
  int32_t index;
  if (free_head >= 0) {
    index = free_head;
    free_head = slots[index].next_free;
  } else {
    if (used == capacity) {
      int32_t grown = capacity ? capacity * 2 : 1024;
      Slot* more = grown <= SLOT_MASK ? realloc(slots, (size_t)grown * sizeof *more) : NULL;
      if (!more) {
        tensor_release(t);
        return k_fail(K_ERR_OOM, "out of memory: cannot track more than %d live tensors", (int)capacity);
      }
      slots = more;
      capacity = grown;
    }
    index = used++;
    slots[index].generation = 0;
  }
  slots[index].tensor = t;
  live++;
  return ((slots[index].generation & GEN_MASK) << SLOT_BITS) | (index + 1);
}

static Slot* lookup(int32_t h) {
  if (h <= 0) return NULL;
  int32_t index = (h & SLOT_MASK) - 1;
  if (index < 0 || index >= used) return NULL;
  Slot* s = &slots[index];
  if (!s->tensor || (s->generation & GEN_MASK) != ((h >> SLOT_BITS) & GEN_MASK)) return NULL;
  return s;
}

Tensor* handle_get(int32_t h, const char* op, const char* arg) {
  Slot* s = lookup(h);
  if (!s) {
    k_fail(K_ERR_RELEASED, "%s: argument '%s' is a released tensor or not a tensor", op, arg);
    return NULL;
  }
  return s->tensor;
}

int handle_release(int32_t h) {
  Slot* s = lookup(h);
  if (!s) return k_fail(K_ERR_RELEASED, "dispose: the tensor was already released");
  tensor_release(s->tensor);
  s->tensor = NULL;
  s->generation++;
  s->next_free = free_head;
  free_head = (int32_t)(s - slots);
  live--;
  return K_OK;
}
