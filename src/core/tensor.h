/* tensor.h: the one tensor type. Contiguous, row-major, up to K_MAX_DIMS dimensions,
 * float32 or int32 storage. Storage is reference-counted so views (reshape, detach)
 * share data; tensors are reference-counted so the autograd graph can hold its inputs.
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
  size_t nbytes;
  void* data;
} Storage;

struct Node;

typedef struct Tensor {
  int32_t refcount;
  int32_t dtype;
  int32_t ndim;
  int32_t shape[K_MAX_DIMS];
  int64_t numel;
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
/* A tensor sharing t's storage with another shape of the same numel (no grad history). */
Tensor* tensor_alias(Tensor* t, int ndim, const int32_t* shape, const char* op);
Tensor* tensor_scalar(float value, const char* op);

void tensor_retain(Tensor* t);
void tensor_release(Tensor* t);

static inline float* tensor_f32(const Tensor* t) { return (float*)t->storage->data; }
static inline int32_t* tensor_i32(const Tensor* t) { return (int32_t*)t->storage->data; }
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
