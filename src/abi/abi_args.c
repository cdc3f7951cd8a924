/* abi_args.c: see abi_args.h. */
#include "abi_args.h"

#include "../core/error.h"
#include "../core/handles.h"
#include "../kindling.h"
#include "../ops/ops.h"

Tensor* arg_dense(int32_t h, const char* op, const char* arg) {
  Tensor* t = handle_get(h, op, arg);
  if (!t || t->contiguous) return t;
  Tensor* copy = op_clone(t, op);
  return copy && handle_hold(copy) == K_OK ? copy : NULL;
}

Tensor* arg_writable(int32_t h, const char* op, const char* arg) {
  Tensor* t = handle_get(h, op, arg);
  if (!t || t->contiguous) return t;
  k_fail(K_ERR_RUNTIME, "%s: argument '%s' is a non-contiguous view, which this call cannot write in place; "
         "pass a contiguous tensor (.contiguous() or .clone())", op, arg);
  return NULL;
}

int32_t pair_out(Tensor* values, Tensor* indices) {
  if (!values) return k_last_status();
  int32_t hi = handle_new(indices);
  if (hi < 0) {
    tensor_release(values);
    return hi;
  }
  int32_t hv = handle_new(values);
  if (hv < 0) {
    handle_release(hi);
    return hv;
  }
  k_scratch()[0] = hi;
  return hv;
}
