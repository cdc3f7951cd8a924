/* tensor.h: the one tensor type. Up to K_MAX_DIMS dimensions, float32 or int32 storage.
 * Storage is reference-counted so that views (view / reshape, narrow, select, slices,
 * detach, .data) share data as in PyTorch; tensors are reference-counted so the autograd
 * graph can hold its inputs. A tensor is a window on its storage: an element offset and
 * per-dim strides. Every tensor an op makes is contiguous (row-major from its offset);
 * only views may be strided, and the ABI hands kernels a contiguous copy of those
 * (see abi/abi_args.h and the README's "Views" design note).
 * Not here: autograd (autograd.h) and the handle table the JS shim sees (handles.h). */
#ifndef KINDLING_TENSOR_H
#define KINDLING_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define K_MAX_DIMS 6

/* int64 and bool are what PyTorch users see; both are stored as int32. */
enum { K_FLOAT32 = 0, K_INT64 = 1, K_BOOL = 2 };

typedef struct Storage {
  int32_t refcount;
  int32_t version;         /* bumped by every in-place write; autograd compares it with what a node saved */
  int32_t rebases;         /* in-place ops that gave a tensor of this storage new grad history */
  size_t nbytes;           /* bytes owned (0 for a header over another storage's bytes) */
  void* data;
  struct Storage* owner;   /* a header with its own version counter over owner's bytes (Tensor.data) */
} Storage;

struct Node;

typedef struct Tensor {
  int32_t refcount;
  int32_t dtype;
  int32_t ndim;
  int32_t shape[K_MAX_DIMS];
  int64_t numel;
  int64_t offset;          /* elements from the start of the storage */
  int64_t stride[K_MAX_DIMS]; /* elements; row-major for contiguous tensors */
  int32_t contiguous;      /* row-major from offset: kernels may read it as a flat array */
  int32_t is_view;         /* shares a storage another tensor made (view ops, detach, .data) */
  int32_t view_rebases;    /* storage->rebases when this view was made (stale grad history check) */
  uint32_t uid;            /* unique for the life of the instance; lets the shim cache wrappers */
  Storage* storage;
  int32_t requires_grad;
  struct Tensor* grad;     /* accumulated gradient of a leaf, or NULL */
  struct Node* grad_fn;    /* the op that produced this tensor, NULL for leaves */
} Tensor;

/* A new tensor with uninitialised data, refcount 1. NULL (error recorded) on bad shape or OOM. */
Tensor* tensor_new(int dtype, int ndim, const int32_t* shape, const char* op);
Tensor* tensor_new_like(const Tensor* t, const char* op);
Tensor* tensor_zeros(int dtype, int ndim, const int32_t* shape, const char* op);
/* A tensor sharing t's storage with another shape of the same numel (no grad history); t
 * must be contiguous. */
Tensor* tensor_alias(Tensor* t, int ndim, const int32_t* shape, const char* op);
/* A view of t's storage with the given geometry (no grad history); the caller checked it. */
Tensor* tensor_view(Tensor* t, int ndim, const int32_t* shape, const int64_t* stride, int64_t offset, const char* op);
/* Like detach() but with a fresh version counter (PyTorch's Tensor.data). */
Tensor* tensor_data_alias(Tensor* t, const char* op);
/* t itself (retained) when contiguous, else a new contiguous copy (no grad history). */
Tensor* tensor_dense(Tensor* t, const char* op);
/* Copies dense src (numel of dst, row-major) into dst's strided elements, or the reverse. */
void tensor_scatter_from(Tensor* dst, const void* src);
void tensor_gather_to(void* dst, const Tensor* src);
/* Row-major strides of shape; returns numel. */
int64_t contiguous_strides(int ndim, const int32_t* shape, int64_t* stride);
/* Recomputes t->contiguous from its shape and strides. */
void tensor_update_contiguous(Tensor* t);
Tensor* tensor_scalar(float value, const char* op);

void tensor_retain(Tensor* t);
void tensor_release(Tensor* t);

/* The first element. Flat loops over numel are valid only for contiguous tensors. */
static inline void* tensor_data(const Tensor* t) { return (char*)t->storage->data + t->offset * 4; }
static inline float* tensor_f32(const Tensor* t) { return (float*)tensor_data(t); }
static inline int32_t* tensor_i32(const Tensor* t) { return (int32_t*)tensor_data(t); }
static inline int tensor_is_float(const Tensor* t) { return t->dtype == K_FLOAT32; }

int tensor_same_shape(const Tensor* a, const Tensor* b);
/* Writes "[2, 3, 4]" into buf; returns buf (for error messages). */
const char* shape_str(const int32_t* shape, int ndim, char* buf, size_t size);
const char* dtype_name(int dtype);

/* Live counts for memory_stats(). */
int64_t tensor_live_count(void);
int64_t tensor_live_bytes(void);

/* Heap limit for error messages; set by the build (wasm MAXIMUM_MEMORY). */
int64_t tensor_heap_limit(void);

#endif
