/* abi_tensor.c: the instance-level and tensor-level half of the ABI (see kindling.h):
 * memory, errors, creation, metadata, gradients and backward. */
#include <stdlib.h>
#include <string.h>

#include "../core/autograd.h"
#include "../core/error.h"
#include "../core/handles.h"
#include "../kernels/gemm.h"
#include "../kernels/simd_switch.h"
#include "../kindling.h"
#include "abi_args.h"

static int64_t scratch[K_SCRATCH_BYTES / 8];

void* k_malloc(int32_t bytes) { return bytes > 0 ? malloc((size_t)bytes) : NULL; }
void k_free(void* ptr) { free(ptr); }
int32_t* k_scratch(void) { return (int32_t*)scratch; }
int32_t k_error_status(void) { return k_last_status(); }
const char* k_error_message(void) { return k_last_message(); }
void k_set_simd(int32_t on) { kernel_simd_enabled = on != 0; }
int32_t k_simd_available(void) {
#ifdef __wasm_simd128__
  return 1;
#else
  return 0;
#endif
}
double k_live_tensors(void) {
  handle_drop_held();
  return (double)tensor_live_count();
}
double k_live_bytes(void) {
  handle_drop_held();
  return (double)tensor_live_bytes();
}
double k_live_handles(void) { return (double)handle_live_count(); }
double k_heap_limit(void) { return (double)tensor_heap_limit(); }

int32_t k_empty(int32_t dtype, int32_t ndim, const int32_t* shape) {
  return handle_new(tensor_new(dtype, ndim, shape, "empty"));
}

int32_t k_full(int32_t dtype, int32_t ndim, const int32_t* shape, double value) {
  Tensor* t = tensor_new(dtype, ndim, shape, "full");
  if (t) {
    if (dtype == K_FLOAT32)
      for (int64_t i = 0; i < t->numel; i++) tensor_f32(t)[i] = (float)value;
    else
      for (int64_t i = 0; i < t->numel; i++) tensor_i32(t)[i] = (int32_t)value;
  }
  return handle_new(t);
}

int32_t k_arange(double start, double end, double step, int32_t dtype) {
  if (step == 0.0 || step != step) return k_fail(K_ERR_RUNTIME, "arange: step must be nonzero");
  if ((end - start) / step < 0)
    return k_fail(K_ERR_RUNTIME, "arange: upper bound and larger bound inconsistent with step sign");
  double count = (end - start) / step;
  int64_t n = (int64_t)count;
  if ((double)n < count) n++;
  if (n > 0x7fffffff) return k_fail(K_ERR_RANGE, "arange: too many elements (%lld)", (long long)n);
  int32_t shape[1] = {(int32_t)n};
  Tensor* t = tensor_new(dtype, 1, shape, "arange");
  if (t)
    for (int64_t i = 0; i < n; i++) {
      double v = start + (double)i * step;
      if (dtype == K_FLOAT32) tensor_f32(t)[i] = (float)v;
      else tensor_i32(t)[i] = (int32_t)v;
    }
  return handle_new(t);
}

int32_t k_release(int32_t h) { return handle_release(h); }

int32_t k_share(int32_t h) {
  Tensor* t = handle_get(h, "share", "tensor");
  if (!t) return k_last_status();
  tensor_retain(t);
  return handle_new(t);
}

void* k_data(int32_t h) {
  Tensor* t = handle_get(h, "data", "tensor");
  if (!t || t->contiguous) return t ? tensor_data(t) : NULL;
  Tensor* copy = tensor_dense(t, "data"); /* a read-only snapshot, no autograd */
  return copy && handle_hold(copy) == K_OK ? tensor_data(copy) : NULL;
}

int32_t k_info(int32_t h, int32_t* out) {
  Tensor* t = handle_get(h, "tensor", "self");
  if (!t) return k_last_status();
  out[0] = t->dtype;
  out[1] = t->ndim;
  for (int i = 0; i < K_MAX_DIMS; i++) out[2 + i] = i < t->ndim ? t->shape[i] : 0;
  out[8] = t->requires_grad;
  out[9] = t->grad_fn == NULL;
  out[10] = (int32_t)t->uid;
  out[11] = t->grad_fn != NULL;
  out[12] = t->contiguous;
  out[13] = (int32_t)t->offset;
  for (int i = 0; i < K_MAX_DIMS; i++) out[14 + i] = i < t->ndim ? (int32_t)t->stride[i] : 0;
  out[20] = t->storage->version;
  out[21] = t->is_view;
  return K_OK;
}

int32_t k_set_requires_grad(int32_t h, int32_t on) {
  Tensor* t = handle_get(h, "requires_grad_", "self");
  if (!t) return k_last_status();
  if (t->grad_fn && !on)
    return k_fail(K_ERR_RUNTIME,
                  "requires_grad_: you can only change requires_grad flags of leaf variables; use .detach() "
                  "to get a tensor that does not require grad");
  if (on && t->dtype != K_FLOAT32)
    return k_fail(K_ERR_TYPE, "requires_grad_: only tensors of floating point dtype can require gradients, got %s",
                  dtype_name(t->dtype));
  if (!t->grad_fn) t->requires_grad = on != 0;
  return K_OK;
}

int32_t k_grad(int32_t h) {
  Tensor* t = handle_get(h, "grad", "self");
  if (!t) return k_last_status();
  if (!t->grad) return 0;
  tensor_retain(t->grad);
  return handle_new(t->grad);
}

int32_t k_grad_uid(int32_t h) {
  Tensor* t = handle_get(h, "grad", "self");
  if (!t) return k_last_status();
  return t->grad ? (int32_t)t->grad->uid : 0;
}

int32_t k_set_grad(int32_t h, int32_t g) {
  Tensor* t = handle_get(h, "grad", "self");
  if (!t) return k_last_status();
  Tensor* grad = NULL;
  if (g) {
    if (!(grad = handle_get(g, "grad", "value"))) return k_last_status();
    char a[96], b[96];
    if (!tensor_same_shape(t, grad) || grad->dtype != t->dtype)
      return k_fail(K_ERR_RUNTIME, "grad: assigned grad has shape %s (%s) but the tensor has shape %s (%s)",
                    shape_str(grad->shape, grad->ndim, a, sizeof a), dtype_name(grad->dtype),
                    shape_str(t->shape, t->ndim, b, sizeof b), dtype_name(t->dtype));
    if (grad == t) return k_fail(K_ERR_RUNTIME, "grad: a tensor cannot be its own gradient");
    /* .grad is read flat by the optimizers: a strided view is stored as a contiguous copy */
    if (!(grad = tensor_dense(grad, "grad"))) return k_last_status();
  }
  if (t->grad) tensor_release(t->grad);
  t->grad = grad;
  return K_OK;
}

int32_t k_backward(int32_t h, int32_t grad, int32_t retain_graph) {
  Tensor* t = handle_get(h, "backward", "self");
  Tensor* g = NULL;
  if (!t) return k_last_status();
  if (grad && !(g = arg_dense(grad, "backward", "gradient"))) return k_last_status(); /* read flat */
  int status = autograd_backward(t, g, retain_graph != 0);
  handle_drop_held();
  return status;
}

void k_set_grad_enabled(int32_t on) { autograd_set_enabled(on); }
int32_t k_grad_enabled(void) { return autograd_enabled(); }

int32_t k_gemm(int32_t transA, int32_t transB, int32_t M, int32_t N, int32_t K, float alpha, const float* A,
               int32_t lda, const float* B, int32_t ldb, float beta, float* C, int32_t ldc) {
  return gemm_f32(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) == 0
             ? K_OK
             : k_fail(K_ERR_OOM, "gemm: out of memory for packing buffers");
}
