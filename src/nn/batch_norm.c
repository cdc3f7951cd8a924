/* batch_norm.c: torch.nn.functional.batch_norm for (N, C) and (N, C, H, W) input;
 * kernels in kernels/batchnorm.c. Training normalises with batch statistics (saved for
 * backward) and updates the running ones in place; eval uses the running statistics. */
#include "../kernels/batchnorm.h"

#include "../core/error.h"
#include "../ops/ops.h"
#include "nn_ops.h"

static int check_param(const Tensor* t, int C, const char* what, const char* name) {
  char buf[96];
  if (t && (t->ndim != 1 || t->shape[0] != C || t->dtype != K_FLOAT32))
    return k_fail(K_ERR_RUNTIME, "%s: expected %s to be a float32 tensor of shape [%d], got %s", name, what, C,
                  shape_str(t->shape, t->ndim, buf, sizeof buf));
  return K_OK;
}

Tensor* op_batch_norm(Tensor* x, Tensor* running_mean, Tensor* running_var, Tensor* gamma, Tensor* beta,
                      int training, double momentum, double eps, const char* name) {
  char sx[96];
  if (x->dtype != K_FLOAT32) return k_fail(K_ERR_TYPE, "%s: expected a float32 input", name), NULL;
  if (x->ndim != 2 && x->ndim != 3 && x->ndim != 4)
    return k_fail(K_ERR_RUNTIME, "%s: expected 2D, 3D or 4D input, got input of size %s", name,
                  shape_str(x->shape, x->ndim, sx, sizeof sx)), NULL;
  int N = x->shape[0], C = x->shape[1];
  int HW = (int)(C && N ? x->numel / ((int64_t)N * C) : 1);
  if (check_param(running_mean, C, "running_mean", name) || check_param(running_var, C, "running_var", name) ||
      check_param(gamma, C, "weight", name) || check_param(beta, C, "bias", name))
    return NULL;
  if (!training && (!running_mean || !running_var))
    return k_fail(K_ERR_RUNTIME, "%s: running_mean and running_var must be defined in evaluation mode", name), NULL;
  if (!(eps > 0.0)) return k_fail(K_ERR_RUNTIME, "%s: eps must be positive, got %g", name, eps), NULL;
  Tensor* y = tensor_new_like(x, name);
  if (!y) return NULL;
  int32_t cshape[1] = {C};
  Tensor *mean = NULL, *invstd = NULL;
  const float* g = gamma ? tensor_f32(gamma) : NULL;
  const float* b = beta ? tensor_f32(beta) : NULL;
  if (training) {
    mean = tensor_new(K_FLOAT32, 1, cshape, name);
    invstd = mean ? tensor_new(K_FLOAT32, 1, cshape, name) : NULL;
    if (!invstd ||
        batchnorm_forward_train(N, C, HW, eps, momentum, tensor_f32(y), tensor_f32(mean), tensor_f32(invstd),
                                running_mean ? tensor_f32(running_mean) : NULL,
                                running_var ? tensor_f32(running_var) : NULL, tensor_f32(x), g, b) != BATCHNORM_OK) {
      if (invstd)
        k_fail(K_ERR_RUNTIME, "%s: expected more than 1 value per channel when training, got input size %s", name,
               shape_str(x->shape, x->ndim, sx, sizeof sx));
      tensor_release(y);
      if (mean) tensor_release(mean);
      if (invstd) tensor_release(invstd);
      return NULL;
    }
  } else {
    batchnorm_forward_eval(N, C, HW, eps, tensor_f32(y), tensor_f32(x), tensor_f32(running_mean),
                           tensor_f32(running_var), g, b);
  }
  Node* node;
  Tensor* inputs[3] = {x, gamma, beta};
  int status = autograd_record(y, OP_BATCH_NORM, 3, inputs, &node);
  if (status == K_OK && node) {
    node->i[0] = training;
    node->f[0] = eps;
    if (training) {
      node_save(node, 0, mean);
      node_save(node, 1, invstd);
    } else { /* eval backward needs the statistics as they were: copy them */
      Tensor* rm = op_clone(running_mean, name);
      Tensor* rv = rm ? op_clone(running_var, name) : NULL;
      if (rv) {
        node->saved[0] = rm;
        node->saved[1] = rv;
      } else {
        if (rm) tensor_release(rm);
        status = k_last_status();
      }
    }
  }
  if (mean) tensor_release(mean);
  if (invstd) tensor_release(invstd);
  if (status != K_OK) {
    tensor_release(y);
    return NULL;
  }
  return y;
}

int batch_norm_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *x = n->inputs[0], *gamma = n->inputs[1], *beta = n->inputs[2];
  int N = x->shape[0], C = x->shape[1];
  int HW = (int)(C && N ? x->numel / ((int64_t)N * C) : 1);
  Tensor* dx = x->requires_grad ? tensor_zeros(K_FLOAT32, x->ndim, x->shape, "backward") : NULL;
  Tensor* dgamma = gamma && gamma->requires_grad ? tensor_zeros(K_FLOAT32, 1, gamma->shape, "backward") : NULL;
  Tensor* dbeta = beta && beta->requires_grad ? tensor_zeros(K_FLOAT32, 1, beta->shape, "backward") : NULL;
  if ((x->requires_grad && !dx) || (gamma && gamma->requires_grad && !dgamma) ||
      (beta && beta->requires_grad && !dbeta)) {
    if (dx) tensor_release(dx);
    if (dgamma) tensor_release(dgamma);
    if (dbeta) tensor_release(dbeta);
    return k_last_status();
  }
  float* pdx = dx ? tensor_f32(dx) : NULL;
  float* pdg = dgamma ? tensor_f32(dgamma) : NULL;
  float* pdb = dbeta ? tensor_f32(dbeta) : NULL;
  const float* pg = gamma ? tensor_f32(gamma) : NULL;
  if (n->i[0])
    batchnorm_backward(N, C, HW, pdx, pdg, pdb, tensor_f32(g), tensor_f32(x), tensor_f32(n->saved[0]),
                       tensor_f32(n->saved[1]), pg);
  else
    batchnorm_backward_eval(N, C, HW, n->f[0], pdx, pdg, pdb, tensor_f32(g), tensor_f32(x), tensor_f32(n->saved[0]),
                            tensor_f32(n->saved[1]), pg);
  gi[0] = dx;
  gi[1] = dgamma;
  gi[2] = dbeta;
  return K_OK;
}
