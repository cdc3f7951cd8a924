/* optim_update.h: fused, in-place optimizer update kernels over one flat float32
 * parameter (SGD, Adam/AdamW, RMSprop, Adagrad, Adadelta), reproducing PyTorch 1.13's
 * single-tensor ("for-loop", foreach=False) algorithms op for op.
 *
 * What this is: per-element float32 math in exactly the order of PyTorch's
 * _single_tensor_<name>() functions, with the Python-side scalars (lr, betas,
 * bias corrections, ...) computed in double and rounded to float where PyTorch's
 * kernels do (Scalar::to<float>()). With no fused multiply-add on either side the
 * results are bit-identical to PyTorch run with ATEN_CPU_CAPABILITY=default;
 * against its AVX2 kernels (which fuse a*b+c in add(alpha=)) they differ by ulps.
 *
 * What this is not: argument validation in PyTorch's sense (lr >= 0, betas in
 * [0, 1), nesterov needs momentum > 0 and dampening == 0, ...): the caller checks
 * those and raises the PyTorch error. The kernels only refuse what would make them
 * read or write out of bounds (missing buffers) or divide by an impossible step,
 * and they refuse BEFORE writing anything, so a failed call changes nothing.
 * State allocation (zeros, Adagrad's initial_accumulator_value) and the per-tensor
 * step counter are the caller's too.
 *
 * N = number of elements of the parameter; every buffer is (N,), contiguous, and
 * must not overlap another buffer of the same call. */
#ifndef KINDLING_OPTIM_UPDATE_H
#define KINDLING_OPTIM_UPDATE_H

#include <stddef.h>

#define OPTIM_OK 0
#define OPTIM_ERR_NULL (-1) /* a buffer the options require is NULL (and N > 0) */
#define OPTIM_ERR_STEP (-2) /* step < 1, or Adagrad's 1 + (step-1)*lr_decay == 0 */

/* Short English text for an OPTIM_* status (never NULL). */
const char* optim_status_string(int status);

/* SGD. momentum_buf may be NULL when momentum == 0. first_step != 0 means the
 * buffer does not exist yet in PyTorch's state (momentum_buffer is None): it is set
 * to a copy of d_p (grad after maximize and weight decay), PyTorch's
 * torch.clone(d_p), instead of buf*momentum + (1-dampening)*d_p. */
int sgd_update(float* param,              // (N,)
               const float* grad,         // (N,)
               float* momentum_buf,       // (N,) or NULL when momentum == 0
               size_t n, double lr, double momentum, double dampening,
               double weight_decay, int nesterov, int maximize, int first_step);
int sgd_update_scalar(float* param, const float* grad, float* momentum_buf,
                      size_t n, double lr, double momentum, double dampening,
                      double weight_decay, int nesterov, int maximize, int first_step);

/* Adam (decoupled_weight_decay == 0) and AdamW (decoupled_weight_decay != 0).
 * step is the value of PyTorch's float32 state['step'] AFTER its increment (1 on
 * the first call). max_exp_avg_sq is required only when amsgrad != 0. */
int adam_update(float* param,             // (N,)
                const float* grad,        // (N,)
                float* exp_avg,           // (N,)
                float* exp_avg_sq,        // (N,)
                float* max_exp_avg_sq,    // (N,) or NULL unless amsgrad
                size_t n, double step, double lr, double beta1, double beta2,
                double eps, double weight_decay, int amsgrad, int maximize,
                int decoupled_weight_decay);
int adam_update_scalar(float* param, const float* grad, float* exp_avg,
                       float* exp_avg_sq, float* max_exp_avg_sq, size_t n,
                       double step, double lr, double beta1, double beta2,
                       double eps, double weight_decay, int amsgrad, int maximize,
                       int decoupled_weight_decay);

/* RMSprop. grad_avg is required only when centered != 0; momentum_buf only when
 * momentum > 0 (PyTorch creates it as zeros). RMSprop's step counter does not
 * enter the math, so it is not an argument. */
int rmsprop_update(float* param,          // (N,)
                   const float* grad,     // (N,)
                   float* square_avg,     // (N,)
                   float* grad_avg,       // (N,) or NULL unless centered
                   float* momentum_buf,   // (N,) or NULL unless momentum > 0
                   size_t n, double lr, double alpha, double eps,
                   double weight_decay, double momentum, int centered, int maximize);
int rmsprop_update_scalar(float* param, const float* grad, float* square_avg,
                          float* grad_avg, float* momentum_buf, size_t n, double lr,
                          double alpha, double eps, double weight_decay,
                          double momentum, int centered, int maximize);

/* Adagrad (dense gradients). step is state['step'] AFTER its increment;
 * clr = lr / (1 + (step - 1) * lr_decay). state_sum starts at
 * initial_accumulator_value (the caller fills it). */
int adagrad_update(float* param,          // (N,)
                   const float* grad,     // (N,)
                   float* state_sum,      // (N,)
                   size_t n, double step, double lr, double lr_decay,
                   double weight_decay, double eps, int maximize);
int adagrad_update_scalar(float* param, const float* grad, float* state_sum,
                          size_t n, double step, double lr, double lr_decay,
                          double weight_decay, double eps, int maximize);

/* Adadelta. square_avg and acc_delta start as zeros (the caller makes them); the step
 * counter does not enter the math. */
int adadelta_update(float* param,         // (N,)
                    const float* grad,    // (N,)
                    float* square_avg,    // (N,)
                    float* acc_delta,     // (N,)
                    size_t n, double lr, double rho, double eps,
                    double weight_decay, int maximize);
int adadelta_update_scalar(float* param, const float* grad, float* square_avg,
                           float* acc_delta, size_t n, double lr, double rho,
                           double eps, double weight_decay, int maximize);

#endif
