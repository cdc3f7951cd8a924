/* matmul.c: torch.matmul for 1-D to 3-D (and higher, batch dims flattened) operands. Each
 * operand is seen as a batch of matrices a (Ba, M, K) and b (Bb, K, N) with Ba == Bb or one
 * of them 1, so every case is a loop of GEMMs; a batch-1 left operand against a 2-D right
 * one folds into a single tall GEMM. */
#include <string.h>

#include "../core/error.h"
#include "../kernels/gemm.h"
#include "ops.h"

typedef struct MatmulShape {
  int64_t Ba, Bb, M, K, N;
  int32_t out_shape[K_MAX_DIMS];
  int out_ndim;
} MatmulShape;

static int matmul_shape(const Tensor* a, const Tensor* b, MatmulShape* s, const char* name) {
  char sa[96], sb[96];
  if (a->ndim == 0 || b->ndim == 0)
    return k_fail(K_ERR_RUNTIME, "%s: both arguments need at least 1 dimension, got %dD and %dD tensors", name,
                  a->ndim, b->ndim);
  if (a->dtype != K_FLOAT32 || b->dtype != K_FLOAT32)
    return k_fail(K_ERR_TYPE, "%s: expected float32 tensors, got %s and %s", name, dtype_name(a->dtype),
                  dtype_name(b->dtype));
  s->M = a->ndim >= 2 ? a->shape[a->ndim - 2] : 1;
  s->K = a->shape[a->ndim - 1];
  int64_t kb = b->ndim >= 2 ? b->shape[b->ndim - 2] : b->shape[0];
  s->N = b->ndim >= 2 ? b->shape[b->ndim - 1] : 1;
  if (s->K != kb)
    return k_fail(K_ERR_RUNTIME, "%s: shapes %s and %s cannot be multiplied (%lld != %lld)", name,
                  shape_str(a->shape, a->ndim, sa, sizeof sa), shape_str(b->shape, b->ndim, sb, sizeof sb),
                  (long long)s->K, (long long)kb);
  s->Ba = s->Bb = 1;
  for (int i = 0; i < a->ndim - 2; i++) s->Ba *= a->shape[i];
  for (int i = 0; i < b->ndim - 2; i++) s->Bb *= b->shape[i];
  int nd = 0;
  const Tensor* batch_src = s->Ba >= s->Bb ? a : b;
  if (a->ndim > 2 && b->ndim > 2 && s->Ba != s->Bb && s->Ba != 1 && s->Bb != 1)
    return k_fail(K_ERR_RUNTIME, "%s: batch dimensions of %s and %s do not broadcast", name,
                  shape_str(a->shape, a->ndim, sa, sizeof sa), shape_str(b->shape, b->ndim, sb, sizeof sb));
  if (a->ndim > 2 && b->ndim > 2 && a->ndim != b->ndim && s->Ba != 1 && s->Bb != 1)
    return k_fail(K_ERR_RUNTIME, "%s: batch dimensions of %s and %s do not broadcast", name,
                  shape_str(a->shape, a->ndim, sa, sizeof sa), shape_str(b->shape, b->ndim, sb, sizeof sb));
  for (int i = 0; i < batch_src->ndim - 2; i++) s->out_shape[nd++] = batch_src->shape[i];
  if (a->ndim >= 2) s->out_shape[nd++] = (int32_t)s->M;
  if (b->ndim >= 2) s->out_shape[nd++] = (int32_t)s->N;
  s->out_ndim = nd;
  return K_OK;
}

static int gemm_checked(int ta, int tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                        const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (gemm_f32(ta, tb, (int)M, (int)N, (int)K, 1.0f, A, (int)lda, B, (int)ldb, beta, C, (int)ldc) != 0)
    return k_fail(K_ERR_OOM, "matmul: out of memory for GEMM packing buffers");
  return K_OK;
}

Tensor* op_matmul(Tensor* a, Tensor* b, const char* name) {
  MatmulShape s;
  if (matmul_shape(a, b, &s, name) != K_OK) return NULL;
  Tensor* out = tensor_new(K_FLOAT32, s.out_ndim, s.out_shape, name);
  if (!out) return NULL;
  const float *A = tensor_f32(a), *B = tensor_f32(b);
  float* C = tensor_f32(out);
  int status = K_OK;
  if (s.Bb == 1) { /* every left matrix against one right matrix: one (Ba*M, K) @ (K, N) */
    status = gemm_checked(0, 0, s.Ba * s.M, s.N, s.K, A, s.K, B, s.N, 0.0f, C, s.N);
  } else {
    int64_t batches = s.Ba > s.Bb ? s.Ba : s.Bb;
    for (int64_t i = 0; i < batches && status == K_OK; i++)
      status = gemm_checked(0, 0, s.M, s.N, s.K, A + (s.Ba == 1 ? 0 : i) * s.M * s.K, s.K,
                            B + i * s.K * s.N, s.N, 0.0f, C + i * s.M * s.N, s.N);
  }
  Node* node = NULL;
  Tensor* inputs[2] = {a, b};
  if (status == K_OK) status = autograd_record(out, OP_MATMUL, 2, inputs, &node);
  if (status != K_OK) {
    tensor_release(out);
    return NULL;
  }
  return out;
}

int matmul_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *a = n->inputs[0], *b = n->inputs[1];
  MatmulShape s;
  if (matmul_shape(a, b, &s, "matmul backward") != K_OK) return k_last_status();
  const float *A = tensor_f32(a), *B = tensor_f32(b), *G = tensor_f32(g);
  int64_t batches = s.Ba > s.Bb ? s.Ba : s.Bb;
  Tensor *ga = NULL, *gb = NULL;
  int status = K_OK;
  if (a->requires_grad) { /* dA = dC @ B^T, summed over batches where a was broadcast */
    ga = tensor_zeros(K_FLOAT32, a->ndim, a->shape, "backward");
    if (!ga) return k_last_status();
    float* dA = tensor_f32(ga);
    if (s.Bb == 1) {
      status = gemm_checked(0, 1, s.Ba * s.M, s.K, s.N, G, s.N, B, s.N, 0.0f, dA, s.K);
    } else {
      for (int64_t i = 0; i < batches && status == K_OK; i++)
        status = gemm_checked(0, 1, s.M, s.K, s.N, G + i * s.M * s.N, s.N, B + i * s.K * s.N, s.N, 1.0f,
                              dA + (s.Ba == 1 ? 0 : i) * s.M * s.K, s.K);
    }
  }
  if (status == K_OK && b->requires_grad) { /* dB = A^T @ dC, summed over batches where b was broadcast */
    gb = tensor_zeros(K_FLOAT32, b->ndim, b->shape, "backward");
    if (!gb) status = k_last_status();
    else if (s.Bb == 1)
      status = gemm_checked(1, 0, s.K, s.N, s.Ba * s.M, A, s.K, G, s.N, 0.0f, tensor_f32(gb), s.N);
    else
      for (int64_t i = 0; i < batches && status == K_OK; i++)
        status = gemm_checked(1, 0, s.K, s.N, s.M, A + (s.Ba == 1 ? 0 : i) * s.M * s.K, s.K, G + i * s.M * s.N,
                              s.N, 1.0f, tensor_f32(gb) + i * s.K * s.N, s.N);
  }
  if (status != K_OK) {
    if (ga) tensor_release(ga);
    if (gb) tensor_release(gb);
    return status;
  }
  gi[0] = ga;
  gi[1] = gb;
  return K_OK;
}
