/* abi_optim.c: the optimizer half of the ABI (see kindling.h): fused in-place updates of
 * one parameter from its .grad, on kernels/optim_update.c. Every tensor is checked before
 * anything is written, so a failed step leaves the parameter and its state as they were. */
#include "../core/autograd.h"
#include "../core/error.h"
#include "../core/handles.h"
#include "abi_args.h"
#include "../kernels/optim_update.h"
#include "../kindling.h"

/* The parameter's data and grad, checked; NULL with the error recorded. */
static Tensor* param_with_grad(int32_t h, const char* op) {
  char a[96], b[96];
  Tensor* p = arg_writable(h, op, "param");
  if (!p) return NULL;
  if (p->dtype != K_FLOAT32) return k_fail(K_ERR_TYPE, "%s: parameters must be float32, got %s", op, dtype_name(p->dtype)), NULL;
  if (!p->grad) return k_fail(K_ERR_RUNTIME, "%s: the parameter has no .grad (call backward() first)", op), NULL;
  if (!tensor_same_shape(p, p->grad))
    return k_fail(K_ERR_RUNTIME, "%s: grad of shape %s does not match the parameter's shape %s", op,
                  shape_str(p->grad->shape, p->grad->ndim, a, sizeof a), shape_str(p->shape, p->ndim, b, sizeof b)), NULL;
  p->storage->version++; /* an in-place update, as PyTorch counts it */
  return p;
}

/* A state buffer shaped like p (h == 0 gives NULL without error). */
static int state(int32_t h, const Tensor* p, const char* op, const char* name, float** out) {
  *out = NULL;
  if (h == 0) return K_OK;
  Tensor* t = arg_writable(h, op, name);
  if (!t) return k_last_status();
  if (t->dtype != K_FLOAT32 || t->numel != p->numel)
    return k_fail(K_ERR_RUNTIME, "%s: state '%s' does not match the parameter's shape", op, name);
  *out = tensor_f32(t);
  return K_OK;
}

static int status_of(int code, const char* op) {
  return code == OPTIM_OK ? K_OK : k_fail(K_ERR_RUNTIME, "%s: %s", op, optim_status_string(code));
}

int32_t k_sgd_update(int32_t param, int32_t momentum_buf, double lr, double momentum, double dampening,
                     double weight_decay, int32_t nesterov, int32_t maximize, int32_t first_step) {
  Tensor* p = param_with_grad(param, "SGD.step");
  float* buf;
  if (!p || state(momentum_buf, p, "SGD.step", "momentum_buffer", &buf)) return k_last_status();
  if (momentum != 0.0 && !buf) return k_fail(K_ERR_RUNTIME, "SGD.step: momentum needs a momentum_buffer");
  return status_of(sgd_update(tensor_f32(p), tensor_f32(p->grad), buf, (size_t)p->numel, lr, momentum, dampening,
                              weight_decay, nesterov, maximize, first_step),
                   "SGD.step");
}

int32_t k_adam_update(int32_t param, int32_t exp_avg, int32_t exp_avg_sq, int32_t max_exp_avg_sq, double step,
                      double lr, double beta1, double beta2, double eps, double weight_decay, int32_t amsgrad,
                      int32_t maximize, int32_t decoupled_weight_decay) {
  const char* op = decoupled_weight_decay ? "AdamW.step" : "Adam.step";
  Tensor* p = param_with_grad(param, op);
  float *m, *v, *vmax;
  if (!p || state(exp_avg, p, op, "exp_avg", &m) || state(exp_avg_sq, p, op, "exp_avg_sq", &v) ||
      state(max_exp_avg_sq, p, op, "max_exp_avg_sq", &vmax))
    return k_last_status();
  if (!m || !v || (amsgrad && !vmax)) return k_fail(K_ERR_RUNTIME, "%s: missing optimizer state", op);
  return status_of(adam_update(tensor_f32(p), tensor_f32(p->grad), m, v, vmax, (size_t)p->numel, step, lr, beta1,
                               beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay),
                   op);
}

int32_t k_rmsprop_update(int32_t param, int32_t square_avg, int32_t grad_avg, int32_t momentum_buf, double lr,
                         double alpha, double eps, double weight_decay, double momentum, int32_t centered,
                         int32_t maximize) {
  Tensor* p = param_with_grad(param, "RMSprop.step");
  float *sq, *ga, *buf;
  if (!p || state(square_avg, p, "RMSprop.step", "square_avg", &sq) ||
      state(grad_avg, p, "RMSprop.step", "grad_avg", &ga) ||
      state(momentum_buf, p, "RMSprop.step", "momentum_buffer", &buf))
    return k_last_status();
  if (!sq || (centered && !ga) || (momentum > 0 && !buf))
    return k_fail(K_ERR_RUNTIME, "RMSprop.step: missing optimizer state");
  return status_of(rmsprop_update(tensor_f32(p), tensor_f32(p->grad), sq, ga, buf, (size_t)p->numel, lr, alpha, eps,
                                  weight_decay, momentum, centered, maximize),
                   "RMSprop.step");
}

int32_t k_adagrad_update(int32_t param, int32_t state_sum, double step, double lr, double lr_decay,
                         double weight_decay, double eps, int32_t maximize) {
  Tensor* p = param_with_grad(param, "Adagrad.step");
  float* sum;
  if (!p || state(state_sum, p, "Adagrad.step", "sum", &sum)) return k_last_status();
  if (!sum) return k_fail(K_ERR_RUNTIME, "Adagrad.step: missing optimizer state");
  return status_of(adagrad_update(tensor_f32(p), tensor_f32(p->grad), sum, (size_t)p->numel, step, lr, lr_decay,
                                  weight_decay, eps, maximize),
                   "Adagrad.step");
}

int32_t k_adadelta_update(int32_t param, int32_t square_avg, int32_t acc_delta, double lr, double rho, double eps,
                          double weight_decay, int32_t maximize) {
  Tensor* p = param_with_grad(param, "Adadelta.step");
  float *sq, *acc;
  if (!p || state(square_avg, p, "Adadelta.step", "square_avg", &sq) ||
      state(acc_delta, p, "Adadelta.step", "acc_delta", &acc))
    return k_last_status();
  if (!sq || !acc) return k_fail(K_ERR_RUNTIME, "Adadelta.step: missing optimizer state");
  return status_of(adadelta_update(tensor_f32(p), tensor_f32(p->grad), sq, acc, (size_t)p->numel, lr, rho, eps,
                                   weight_decay, maximize),
                   "Adadelta.step");
}
