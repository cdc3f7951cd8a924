/* tensor.c: allocation, reference counting and small helpers for Tensor (see tensor.h). */
#include "tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd.h"
#include "error.h"

#ifndef KINDLING_HEAP_LIMIT
#define KINDLING_HEAP_LIMIT 2147483648LL
#endif

static int64_t live_count = 0;
static int64_t live_bytes = 0;
static uint32_t next_uid = 1;

int64_t tensor_live_count(void) { return live_count; }
int64_t tensor_live_bytes(void) { return live_bytes; }
int64_t tensor_heap_limit(void) { return KINDLING_HEAP_LIMIT; }

const char* dtype_name(int dtype) {
  switch (dtype) {
    case K_FLOAT32: return "float32";
    case K_INT64: return "int64";
    case K_BOOL: return "bool";
    default: return "unknown";
  }
}

const char* shape_str(const int32_t* shape, int ndim, char* buf, size_t size) {
  size_t used = (size_t)snprintf(buf, size, "[");
  for (int i = 0; i < ndim && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, i ? ", %d" : "%d", (int)shape[i]);
  if (used < size) snprintf(buf + used, size - used, "]");
  return buf;
}

static Storage* storage_new(size_t nbytes, const char* op) {
  Storage* s = malloc(sizeof *s);
  /* malloc(0) may return NULL; keep one byte so empty tensors still own a buffer. */
  void* data = malloc(nbytes ? nbytes : 1);
  if (!s || !data) {
    free(s);
    free(data);
    k_fail(K_ERR_OOM, "%s: out of memory allocating %zu bytes (the wasm heap limit is %lld bytes)",
           op, nbytes, (long long)KINDLING_HEAP_LIMIT);
    return NULL;
  }
  *s = (Storage){.refcount = 1, .nbytes = nbytes, .data = data};
  live_bytes += (int64_t)nbytes;
  return s;
}

static void storage_release(Storage* s) {
  if (--s->refcount > 0) return;
  if (s->owner) {
    storage_release(s->owner);
  } else {
    live_bytes -= (int64_t)s->nbytes;
    free(s->data);
  }
  free(s);
}

int64_t contiguous_strides(int ndim, const int32_t* shape, int64_t* stride) {
  int64_t n = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    stride[i] = n;
    n *= shape[i];
  }
  return n;
}

/* PyTorch's rule: dims of size 1 may have any stride; an empty tensor is contiguous. */
void tensor_update_contiguous(Tensor* t) {
  int64_t expected = 1;
  t->contiguous = 1;
  if (t->numel == 0) return;
  for (int i = t->ndim - 1; i >= 0; i--) {
    if (t->shape[i] == 1) continue;
    if (t->stride[i] != expected) {
      t->contiguous = 0;
      return;
    }
    expected *= t->shape[i];
  }
}

/* Validates a shape and returns its element count, or -1 with an error recorded. */
static int64_t checked_numel(int ndim, const int32_t* shape, const char* op) {
  if (ndim < 0 || ndim > K_MAX_DIMS)
    return k_fail(K_ERR_RANGE, "%s: tensors have at most %d dimensions, got %d", op, K_MAX_DIMS, ndim), -1;
  /* The whole shape is read before the size is judged: [2^20, 2^20, 0] is an empty tensor,
   * not one too large. The product saturates just above the limit, so it cannot overflow
   * (each factor is < 2^31 and the running product stays <= limit / 4 + 1 < 2^30). */
  const int64_t max_elems = KINDLING_HEAP_LIMIT / 4;
  int64_t n = 1;
  int zero = 0;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0)
      return k_fail(K_ERR_RANGE, "%s: negative dimension %d in shape", op, (int)shape[i]), -1;
    if (shape[i] == 0) zero = 1;
    else if (n <= max_elems) n = n * shape[i] > max_elems ? max_elems + 1 : n * shape[i];
  }
  if (zero) return 0;
  if (n > max_elems) {
    char buf[96];
    return k_fail(K_ERR_OOM, "%s: a tensor of shape %s needs more than the wasm heap limit of %lld bytes",
                  op, shape_str(shape, ndim, buf, sizeof buf), (long long)KINDLING_HEAP_LIMIT), -1;
  }
  return n;
}

static Tensor* tensor_wrap(Storage* s, int dtype, int ndim, const int32_t* shape, int64_t numel, const char* op) {
  Tensor* t = calloc(1, sizeof *t);
  if (!t) {
    k_fail(K_ERR_OOM, "%s: out of memory allocating a tensor header", op);
    return NULL;
  }
  t->refcount = 1;
  t->dtype = dtype;
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
  t->numel = numel;
  contiguous_strides(ndim, shape, t->stride);
  t->contiguous = 1;
  t->uid = next_uid++;
  t->storage = s;
  live_count++;
  return t;
}

Tensor* tensor_new(int dtype, int ndim, const int32_t* shape, const char* op) {
  if (dtype != K_FLOAT32 && dtype != K_INT64 && dtype != K_BOOL) {
    k_fail(K_ERR_TYPE, "%s: unknown dtype code %d", op, dtype);
    return NULL;
  }
  int64_t numel = checked_numel(ndim, shape, op);
  if (numel < 0) return NULL;
  Storage* s = storage_new((size_t)numel * 4, op);
  if (!s) return NULL;
  Tensor* t = tensor_wrap(s, dtype, ndim, shape, numel, op);
  if (!t) storage_release(s);
  return t;
}

Tensor* tensor_new_like(const Tensor* t, const char* op) { return tensor_new(t->dtype, t->ndim, t->shape, op); }

Tensor* tensor_zeros(int dtype, int ndim, const int32_t* shape, const char* op) {
  Tensor* t = tensor_new(dtype, ndim, shape, op);
  if (t) memset(t->storage->data, 0, t->storage->nbytes);
  return t;
}

Tensor* tensor_view(Tensor* t, int ndim, const int32_t* shape, const int64_t* stride, int64_t offset, const char* op) {
  int64_t numel = checked_numel(ndim, shape, op);
  if (numel < 0) return NULL;
  Tensor* v = tensor_wrap(t->storage, t->dtype, ndim, shape, numel, op);
  if (!v) return NULL;
  t->storage->refcount++;
  for (int i = 0; i < ndim; i++) v->stride[i] = stride[i];
  v->offset = offset;
  v->is_view = 1;
  v->view_rebases = t->storage->rebases;
  tensor_update_contiguous(v);
  return v;
}

Tensor* tensor_alias(Tensor* t, int ndim, const int32_t* shape, const char* op) {
  int64_t stride[K_MAX_DIMS];
  if (checked_numel(ndim, shape, op) < 0) return NULL;
  contiguous_strides(ndim, shape, stride);
  return tensor_view(t, ndim, shape, stride, t->offset, op);
}

Tensor* tensor_data_alias(Tensor* t, const char* op) {
  Storage* s = malloc(sizeof *s);
  if (!s) return k_fail(K_ERR_OOM, "%s: out of memory allocating a storage header", op), NULL;
  *s = (Storage){.refcount = 1, .data = t->storage->data, .owner = t->storage};
  t->storage->refcount++;
  Tensor* v = tensor_wrap(s, t->dtype, t->ndim, t->shape, t->numel, op);
  if (!v) {
    storage_release(s);
    return NULL;
  }
  for (int i = 0; i < t->ndim; i++) v->stride[i] = t->stride[i];
  v->offset = t->offset;
  v->contiguous = t->contiguous;
  v->is_view = 1;
  return v;
}

/* Calls visit(element offset in t's storage, running row-major index) for every element,
 * one row (the last dim) at a time. */
static void for_each_row(const Tensor* t, void (*visit)(const Tensor*, int64_t at, int64_t k, void* ctx), void* ctx) {
  if (t->numel == 0) return;
  int32_t idx[K_MAX_DIMS] = {0};
  int last = t->ndim - 1;
  int64_t row = t->ndim ? t->shape[last] : 1;
  int64_t at = t->offset;
  for (int64_t k = 0; k < t->numel; k += row) {
    visit(t, at, k, ctx);
    int d = last - 1;
    for (; d >= 0; d--) {
      idx[d]++;
      at += t->stride[d];
      if (idx[d] < t->shape[d]) break;
      at -= t->stride[d] * idx[d];
      idx[d] = 0;
    }
  }
}

static void scatter_row(const Tensor* t, int64_t at, int64_t k, void* ctx) {
  int32_t* dst = (int32_t*)t->storage->data + at;
  const int32_t* src = (const int32_t*)ctx + k;
  int64_t row = t->ndim ? t->shape[t->ndim - 1] : 1, step = t->ndim ? t->stride[t->ndim - 1] : 1;
  if (step == 1) memmove(dst, src, (size_t)row * 4);
  else for (int64_t j = 0; j < row; j++) dst[j * step] = src[j];
}

static void gather_row(const Tensor* t, int64_t at, int64_t k, void* ctx) {
  const int32_t* src = (const int32_t*)t->storage->data + at;
  int32_t* dst = (int32_t*)ctx + k;
  int64_t row = t->ndim ? t->shape[t->ndim - 1] : 1, step = t->ndim ? t->stride[t->ndim - 1] : 1;
  if (step == 1) memmove(dst, src, (size_t)row * 4);
  else for (int64_t j = 0; j < row; j++) dst[j] = src[j * step];
}

/* Elements move as 32-bit patterns: float32 and int32 alike. */
void tensor_scatter_from(Tensor* dst, const void* src) { for_each_row(dst, scatter_row, (void*)src); }
void tensor_gather_to(void* dst, const Tensor* src) { for_each_row(src, gather_row, dst); }

Tensor* tensor_dense(Tensor* t, const char* op) {
  if (t->contiguous) {
    tensor_retain(t);
    return t;
  }
  Tensor* d = tensor_new_like(t, op);
  if (d) tensor_gather_to(tensor_data(d), t);
  return d;
}

Tensor* tensor_scalar(float value, const char* op) {
  Tensor* t = tensor_new(K_FLOAT32, 0, NULL, op);
  if (t) tensor_f32(t)[0] = value;
  return t;
}

void tensor_retain(Tensor* t) { t->refcount++; }

void tensor_release(Tensor* t) {
  if (!t || --t->refcount > 0) return;
  live_count--;
  if (t->grad) tensor_release(t->grad);
  if (t->grad_fn) node_release(t->grad_fn);
  storage_release(t->storage);
  free(t);
}

int tensor_same_shape(const Tensor* a, const Tensor* b) {
  if (a->ndim != b->ndim) return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  return 1;
}
