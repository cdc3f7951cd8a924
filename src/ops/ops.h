/* ops.h: the differentiable tensor ops of the core. Each returns a new tensor (refcount 1)
 * and records an autograd node when grad mode is on and an input requires grad, or returns
 * NULL with the error recorded. `name` is the PyTorch-level call used in error messages.
 * Each op's backward sits beside its forward in the op's file; op_table.c registers them. */
#ifndef KINDLING_OPS_H
#define KINDLING_OPS_H

#include "../core/autograd.h"
#include "../core/tensor.h"

enum {
  OP_ADD, OP_SUB, OP_MUL, OP_DIV,  /* tensor (op) tensor with broadcasting: order matters */
  OP_SCALAR,                       /* tensor (op) scalar or scalar (op) tensor */
  OP_UNARY,
  OP_SUM, OP_MAX_DIM,
  OP_MATMUL,
  OP_VIEW, OP_PERMUTE, OP_CLONE, OP_EXPAND,
  OP_SOFTMAX,
  /* nn/ */
  OP_CONV2D, OP_LINEAR, OP_MAX_POOL2D, OP_AVG_POOL2D, OP_ADAPTIVE_AVG_POOL2D, OP_BATCH_NORM, OP_DROPOUT, OP_LOSS,
  OP_INDEX_SELECT, OP_CAT,
  /* math-ops: pow / maximum / minimum with two tensors, clamp, where, sort / topk, norm, var / std, prod */
  OP_BINARY_MATH, OP_CLAMP, OP_WHERE, OP_SORT, OP_NORM, OP_VAR, OP_PROD, OP_CLAMP_TENSOR,
  /* views, indexing and in-place ops (view.c, gather.c, inplace.c) */
  OP_AS_VIEW, OP_INDEX, OP_GATHER, OP_INDEX_PUT, OP_OVERWRITE, OP_CLAMP_INPLACE,
  OP_COUNT
};

/* arith.c */
Tensor* op_binary(int kind, Tensor* a, Tensor* b, const char* name);
Tensor* op_binary_scalar(int kind, Tensor* a, float s, int scalar_first, const char* name);
Tensor* op_compare(int kind, Tensor* a, Tensor* b, const char* name);
Tensor* op_compare_scalar(int kind, Tensor* a, float s, const char* name);
/* The broadcast shape of a and b, or -1 with PyTorch's message. */
int broadcast_shape(const Tensor* a, const Tensor* b, int32_t* out_shape, const char* name);
/* Sums g (shape gshape) down to shape (broadcast-compatible); writes into out (numel of shape). */
void sum_to_shape(float* out, const int32_t* shape, int ndim, const float* g, const int32_t* gshape, int gndim);

/* unary.c */
Tensor* op_unary(int kind, Tensor* a, float p, const char* name);

/* reduce.c: dim = DIM_ALL reduces over all elements (PyTorch's dim=None). */
#define DIM_ALL 0x7fff
Tensor* op_sum(Tensor* a, int dim, int keepdim, int mean, const char* name);
Tensor* op_max_dim(Tensor* a, int dim, int keepdim, Tensor** indices, const char* name);
Tensor* op_max_all(Tensor* a, const char* name);
Tensor* op_argmax(Tensor* a, int dim, int keepdim, const char* name);

/* matmul.c */
Tensor* op_matmul(Tensor* a, Tensor* b, const char* name);

/* shape.c */
Tensor* op_reshape(Tensor* a, int ndim, const int32_t* shape, const char* name); /* one -1 allowed; may copy */
Tensor* op_view(Tensor* a, int ndim, const int32_t* shape, const char* name);    /* never copies */
Tensor* op_permute(Tensor* a, const int32_t* dims, const char* name);
Tensor* op_transpose(Tensor* a, int d0, int d1, const char* name);
Tensor* op_flatten(Tensor* a, int start, int end, const char* name);
Tensor* op_expand(Tensor* a, int ndim, const int32_t* shape, const char* name);
Tensor* op_clone(Tensor* a, const char* name);
Tensor* op_detach(Tensor* a, const char* name);
Tensor* op_data(Tensor* a, const char* name);  /* Tensor.data: detach() with its own version counter */
Tensor* op_cast(Tensor* a, int dtype, const char* name);

/* index.c */
Tensor* op_index_select(Tensor* a, int dim, Tensor* index, const char* name);
Tensor* op_cat(int count, Tensor** parts, int dim, const char* name);

/* math-ops: unary.c, arith.c, reduce.c, sort.c, stats.c */
Tensor* op_clamp(Tensor* a, float lo, float hi, const char* name);                /* a missing bound: +-inf */
Tensor* op_where(Tensor* cond, Tensor* a, Tensor* b, const char* name);
Tensor* op_clamp_tensor(Tensor* x, Tensor* lo, Tensor* hi, const char* name); /* lo or hi may be NULL */
Tensor* op_min_dim(Tensor* a, int dim, int keepdim, Tensor** indices, const char* name);
Tensor* op_extreme_all(Tensor* a, int largest, const char* name);
Tensor* op_arg_extreme(Tensor* a, int dim, int keepdim, int largest, const char* name);
Tensor* op_sort(Tensor* a, int dim, int descending, Tensor** indices, const char* name);
Tensor* op_topk(Tensor* a, int k, int dim, int largest, Tensor** indices, const char* name);
Tensor* op_norm(Tensor* a, double p, int dim, int keepdim, const char* name);
Tensor* op_var(Tensor* a, int dim, double correction, int keepdim, int take_sqrt, const char* name);
Tensor* op_prod(Tensor* a, int dim, int keepdim, const char* name);
int clamp_backward(Node* n, const Tensor* g, Tensor** gi);
int where_backward(Node* n, const Tensor* g, Tensor** gi);
int clamp_tensor_backward(Node* n, const Tensor* g, Tensor** gi);
int sort_backward(Node* n, const Tensor* g, Tensor** gi);
int norm_backward(Node* n, const Tensor* g, Tensor** gi);
int var_backward(Node* n, const Tensor* g, Tensor** gi);
int prod_backward(Node* n, const Tensor* g, Tensor** gi);

/* view.c: views sharing a's storage. Basic indexing takes nitems items of 4 int32 each:
 * {IDX_INT, i}, {IDX_SLICE, start, stop, step} (IDX_NONE_BOUND for an omitted bound),
 * {IDX_NONE} (a new axis) or {IDX_ELLIPSIS}. */
enum { IDX_INT, IDX_SLICE, IDX_NONE, IDX_ELLIPSIS };
#define IDX_NONE_BOUND INT32_MIN
Tensor* op_index_view(Tensor* a, int nitems, const int32_t* items, const char* name);
Tensor* op_narrow(Tensor* a, int dim, int start, int length, const char* name);
Tensor* op_select(Tensor* a, int dim, int index, const char* name);

/* gather.c: advanced indexing (a contiguous; one int64 index tensor per dim of a, NULL
 * for ':'; the index tensors broadcast), gather, and put_: a[pos[i]] = values[i] (or +=)
 * at row-major positions pos (int64), values broadcast to pos's shape — the one setter
 * behind index assignment, index_put_ and scatter_ (the shim computes the positions). */
Tensor* op_index(Tensor* a, Tensor* const* indices, const char* name);
Tensor* op_gather(Tensor* a, int dim, Tensor* index, const char* name);
int op_put_(Tensor* a, Tensor* pos, Tensor* values, int accumulate, const char* name);
Tensor* op_nonzero(Tensor* a, const char* name); /* int64 (count, ndim) coordinates, row-major order */

/* inplace.c: PyTorch's in-place ops on self (strided views included). other may be NULL
 * (a scalar s); alpha scales other for add_ / sub_; clamp_ takes lo / hi (NaN: none). */
enum { INPLACE_ADD, INPLACE_SUB, INPLACE_MUL, INPLACE_DIV, INPLACE_FILL, INPLACE_COPY, INPLACE_CLAMP };
int op_inplace(int kind, Tensor* self, Tensor* other, double s, double alpha, double lo, double hi, const char* name);
/* The checks and history rewrite every in-place op shares: call before writing self with
 * the out-of-place result r (NULL when no autograd is needed). See inplace.c. */
int inplace_commit(Tensor* self, Tensor* r, const char* name);
int inplace_check(Tensor* self, int needs_grad, const char* name);

/* softmax.c */
Tensor* op_softmax(Tensor* a, int dim, int log, const char* name);

/* Views a as (outer, D, inner) around dim: D = shape[dim] (1 for a 0-d tensor). */
void split_at_dim(const Tensor* a, int dim, int64_t* outer, int64_t* D, int64_t* inner);

/* Normalises a possibly negative dim against ndim (PyTorch's wrap rule: a 0-d tensor accepts
 * -1 and 0). Returns the dim or -1 with a RangeError recorded. */
int wrap_dim(int dim, int ndim, const char* name);

/* Backward functions, registered in op_table.c. */
int binary_backward(Node* n, const Tensor* g, Tensor** gi);
int scalar_backward(Node* n, const Tensor* g, Tensor** gi);
int unary_backward(Node* n, const Tensor* g, Tensor** gi);
int sum_backward(Node* n, const Tensor* g, Tensor** gi);
int max_dim_backward(Node* n, const Tensor* g, Tensor** gi);
int matmul_backward(Node* n, const Tensor* g, Tensor** gi);
int view_backward(Node* n, const Tensor* g, Tensor** gi);
int permute_backward(Node* n, const Tensor* g, Tensor** gi);
int clone_backward(Node* n, const Tensor* g, Tensor** gi);
int expand_backward(Node* n, const Tensor* g, Tensor** gi);
int softmax_backward(Node* n, const Tensor* g, Tensor** gi);
int index_select_backward(Node* n, const Tensor* g, Tensor** gi);
int as_view_backward(Node* n, const Tensor* g, Tensor** gi);
int index_backward(Node* n, const Tensor* g, Tensor** gi);
int gather_backward(Node* n, const Tensor* g, Tensor** gi);
int index_put_backward(Node* n, const Tensor* g, Tensor** gi);
int overwrite_backward(Node* n, const Tensor* g, Tensor** gi);
int clamp_inplace_backward(Node* n, const Tensor* g, Tensor** gi);
int cat_backward(Node* n, const Tensor* g, Tensor** gi);

#endif
