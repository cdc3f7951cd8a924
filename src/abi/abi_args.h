/* abi_args.h: how the ABI takes tensor arguments, now that views may be strided.
 * Kernels read flat row-major arrays, so an op's input is handed over contiguous: a
 * strided view becomes a contiguous copy made by a recorded clone (gradients flow back
 * through it into the view, and on to its base). The copy is held by the handle table
 * until the call's result gets its handle (handles.h), so the ABI functions stay one
 * expression long. Tensors that a call writes in place must be contiguous already
 * (parameters, optimizer state, running statistics are); in-place ops on views go
 * through abi_inplace.c, which writes strided. */
#ifndef KINDLING_ABI_ARGS_H
#define KINDLING_ABI_ARGS_H

#include "../core/tensor.h"

/* The tensor behind h, contiguous; NULL with the error recorded. */
Tensor* arg_dense(int32_t h, const char* op, const char* arg);
/* The tensor behind h if it is contiguous (a tensor the call writes in place). */
Tensor* arg_writable(int32_t h, const char* op, const char* arg);

/* ARG: an input the op reads (contiguous); VIEW_ARG: one it views as is. */
#define ARG(var, h, op, name)                \
  Tensor* var = arg_dense((h), (op), (name)); \
  if (!var) return k_last_status()
#define VIEW_ARG(var, h, op, name)             \
  Tensor* var = handle_get((h), (op), (name)); \
  if (!var) return k_last_status()

/* Hands out an op's values and indices: the indices handle goes to scratch[0]. */
int32_t pair_out(Tensor* values, Tensor* indices);

#endif
