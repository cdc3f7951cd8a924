/* batchnorm.h: batch normalisation kernels on raw float32 arrays, PyTorch semantics
 * (BatchNorm1d on (N, C) and BatchNorm2d on (N, C, H, W)). Not an op: no tensors, no
 * autograd, no messages.
 *
 *   x, y, dx, dy  (N, C, HW)   HW = H*W for 4-D input, 1 for 2-D (N, C) input
 *   gamma, beta, dgamma, dbeta, save_mean, save_invstd, running_mean, running_var  (C)
 * gamma / beta may be NULL (affine=False: scale 1, shift 0).
 * Statistics are accumulated in double, as PyTorch's CPU kernels do. */
#ifndef KINDLING_BATCHNORM_H
#define KINDLING_BATCHNORM_H

enum {
  BATCHNORM_OK = 0,
  BATCHNORM_ERR_COUNT = 1 /* training with N*HW < 2: PyTorch's "Expected more than 1 value
                             per channel when training" */
};

/* Training forward: per channel the batch mean and biased variance over (N, HW);
 *   y = (x - mean) * invstd * gamma + beta,   invstd = 1 / sqrt(var + eps),
 * save_mean / save_invstd (both required) keep mean and invstd for the backward pass.
 * running_mean / running_var (NULL when not tracked) become
 *   (1 - momentum) * running + momentum * batch_stat, with the UNBIASED variance
 *   (var * count / (count - 1)). For momentum=None (cumulative average) pass
 *   momentum = 1 / num_batches_tracked (after incrementing it).
 * Returns 0, or BATCHNORM_ERR_COUNT with nothing written. */
int batchnorm_forward_train(int N, int C, int HW, double eps, double momentum, float* y,
                            float* save_mean, float* save_invstd, float* running_mean,
                            float* running_var, const float* x, const float* gamma,
                            const float* beta);

/* Eval forward with the running statistics: y = (x - rm) / sqrt(rv + eps) * gamma + beta. */
void batchnorm_forward_eval(int N, int C, int HW, double eps, float* y, const float* x,
                            const float* running_mean, const float* running_var,
                            const float* gamma, const float* beta);

/* Backward of the training forward (the batch statistics depend on x):
 *   dx     += gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat))
 *   dgamma += sum(dy * xhat),  dbeta += sum(dy),   xhat = (x - save_mean) * save_invstd.
 * Any of dx, dgamma, dbeta may be NULL (not wanted). All three ACCUMULATE. */
void batchnorm_backward(int N, int C, int HW, float* dx, float* dgamma, float* dbeta,
                        const float* dy, const float* x, const float* save_mean,
                        const float* save_invstd, const float* gamma);

/* Backward of the eval forward (statistics are constants):
 *   dx += dy * gamma / sqrt(rv + eps); dgamma += sum(dy * (x - rm) / sqrt(rv + eps));
 *   dbeta += sum(dy). NULL outputs are skipped; all ACCUMULATE. */
void batchnorm_backward_eval(int N, int C, int HW, double eps, float* dx, float* dgamma,
                             float* dbeta, const float* dy, const float* x,
                             const float* running_mean, const float* running_var,
                             const float* gamma);

/* Scalar references of the three passes above (plain loops; the public functions use
 * SIMD under wasm when kernel_simd_enabled). */
int batchnorm_forward_train_scalar(int N, int C, int HW, double eps, double momentum, float* y,
                                   float* save_mean, float* save_invstd, float* running_mean,
                                   float* running_var, const float* x, const float* gamma,
                                   const float* beta);
void batchnorm_forward_eval_scalar(int N, int C, int HW, double eps, float* y, const float* x,
                                   const float* running_mean, const float* running_var,
                                   const float* gamma, const float* beta);
void batchnorm_backward_scalar(int N, int C, int HW, float* dx, float* dgamma, float* dbeta,
                               const float* dy, const float* x, const float* save_mean,
                               const float* save_invstd, const float* gamma);

#endif
