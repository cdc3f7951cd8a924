/* loss.h: loss functions on raw float arrays (forward value and gradients w.r.t. the
 * inputs), following PyTorch 1.13's semantics exactly: cross_entropy (class-index and
 * probability targets, weight, ignore_index, label_smoothing), nll_loss, l1, mse,
 * smooth_l1, huber, binary_cross_entropy (+ with_logits) and kl_div.
 *
 * Not here: tensors, broadcasting, shape checks between arguments, autograd wiring and
 * error messages (the caller builds those from the status codes below). Every function
 * checks only what it can see: sizes >= 0, a known reduction, hyper-parameter ranges,
 * class-index targets in range, BCE inputs in [0, 1].
 *
 * Shapes: N = batch, C = classes, S = product of the dims after the class dim (S = 1 for
 * an (N, C) input; a (C,) input with a scalar target is N = 1, S = 1). Element (n, c, s)
 * of an (N, C, S) array is at n*C*S + c*S + s; target element (n, s) is at n*S + s.
 *
 * Outputs: with LOSS_NONE, `out` receives one loss per element (N*S for the class losses,
 * n for the elementwise ones); otherwise out[0] receives the scalar. `dout` (grad_output)
 * is read the same way: N*S (or n) values for LOSS_NONE, one value otherwise.
 * Backward functions ACCUMULATE (+=) into dinput / dlogits / dtarget; a NULL dtarget is
 * skipped. Backward recomputes what it needs from the inputs (nothing is saved).
 *
 * Mean of zero elements (or of an all-ignored batch) is NaN, as in PyTorch (0/0).
 * Accuracy: sums accumulate in double; results agree with PyTorch float32 to ~1e-6
 * relative. The wasm SIMD paths use a polynomial expf (max 8e-8 relative; see loss.c).
 * Tests: tests/native/test_loss.c (naive double references, finite differences, SIMD
 * against scalar, and a few values printed by PyTorch 1.13). */
#ifndef KINDLING_LOSS_H
#define KINDLING_LOSS_H

#include <stdint.h>

enum { LOSS_NONE = 0, LOSS_MEAN = 1, LOSS_SUM = 2, LOSS_BATCHMEAN = 3 /* kl_div only */ };

/* Status codes. Nothing is written (out, gradients, error info aside) when non-zero. */
enum {
    LOSS_OK = 0,
    LOSS_ERR_ARG = -1,          /* NULL pointer, negative size, C < 1, unknown reduction,
                                   label_smoothing outside [0,1], beta < 0, delta <= 0,
                                   pos_weight length < 1 */
    LOSS_ERR_TARGET_OOB = -2,   /* class-index target outside [0, C) and != ignore_index:
                                   *bad_index = flat target index (n*S + s),
                                   *bad_value = the target; PyTorch says
                                   "Target <bad_value> is out of bounds." (IndexError) */
    LOSS_ERR_INPUT_RANGE = -3,  /* bce input outside [0, 1] or NaN: *bad_index = flat
                                   index; PyTorch says "all elements of input should be
                                   between 0 and 1" (RuntimeError) */
};

/* ---- cross_entropy with class-index targets (log_softmax over C, then nll) ----
 * weight (C) or NULL; label_smoothing in [0, 1]. bad_index / bad_value may be NULL.
 * Mean divides by the sum of weight[target] over non-ignored targets (the count when
 * weight is NULL), for both the nll part and the smoothing part. */
int cross_entropy_forward(float* out,              /* (N*S) or (1) */
                          const float* logits,     /* (N, C, S) */
                          const int32_t* target,   /* (N, S) */
                          const float* weight,     /* (C) or NULL */
                          int N, int C, int S, int ignore_index, int reduction,
                          float label_smoothing, int* bad_index, int* bad_value);
int cross_entropy_forward_scalar(float* out, const float* logits, const int32_t* target,
                                 const float* weight, int N, int C, int S,
                                 int ignore_index, int reduction, float label_smoothing,
                                 int* bad_index, int* bad_value);
int cross_entropy_backward(float* dlogits,         /* (N, C, S), accumulated */
                           const float* dout,      /* (N*S) or (1) */
                           const float* logits,    /* (N, C, S) */
                           const int32_t* target,  /* (N, S) */
                           const float* weight,    /* (C) or NULL */
                           int N, int C, int S, int ignore_index, int reduction,
                           float label_smoothing, int* bad_index, int* bad_value);
int cross_entropy_backward_scalar(float* dlogits, const float* dout, const float* logits,
                                  const int32_t* target, const float* weight,
                                  int N, int C, int S, int ignore_index, int reduction,
                                  float label_smoothing, int* bad_index, int* bad_value);

/* ---- cross_entropy with probability targets ----
 * target' = target*(1-eps) + eps/C; loss = -sum_c weight_c * target'_c * logp_c.
 * Mean divides by N*S (never by the weights). dtarget (N, C, S) may be NULL. */
int cross_entropy_prob_forward(float* out,            /* (N*S) or (1) */
                               const float* logits,   /* (N, C, S) */
                               const float* target,   /* (N, C, S) */
                               const float* weight,   /* (C) or NULL */
                               int N, int C, int S, int reduction, float label_smoothing);
int cross_entropy_prob_backward(float* dlogits,       /* (N, C, S), accumulated */
                                float* dtarget,       /* (N, C, S), accumulated, or NULL */
                                const float* dout,    /* (N*S) or (1) */
                                const float* logits, const float* target,
                                const float* weight,
                                int N, int C, int S, int reduction, float label_smoothing);

/* ---- nll_loss: as cross_entropy with class-index targets, input = log-probabilities,
 * no label smoothing. */
int nll_loss_forward(float* out, const float* logp /* (N, C, S) */,
                     const int32_t* target /* (N, S) */, const float* weight /* (C)|NULL */,
                     int N, int C, int S, int ignore_index, int reduction,
                     int* bad_index, int* bad_value);
int nll_loss_backward(float* dlogp /* (N, C, S), accumulated */, const float* dout,
                      const int32_t* target, const float* weight,
                      int N, int C, int S, int ignore_index, int reduction,
                      int* bad_index, int* bad_value);

/* ---- elementwise regression losses over n elements; mean divides by n ----
 * l1: |x-y|; mse: (x-y)^2; smooth_l1: |d|<beta ? 0.5 d^2/beta : |d|-0.5 beta (beta >= 0;
 * beta == 0 is exactly l1, gradient 0 at d == 0); huber: |d|<delta ? 0.5 d^2 :
 * delta (|d| - 0.5 delta) (delta > 0). dtarget = -dinput, may be NULL. */
int l1_loss_forward(float* out, const float* input, const float* target, int n,
                    int reduction);
int l1_loss_forward_scalar(float* out, const float* input, const float* target, int n,
                           int reduction);
int l1_loss_backward(float* dinput, float* dtarget, const float* dout,
                     const float* input, const float* target, int n, int reduction);
int l1_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                            const float* input, const float* target, int n,
                            int reduction);
int mse_loss_forward(float* out, const float* input, const float* target, int n,
                     int reduction);
int mse_loss_forward_scalar(float* out, const float* input, const float* target, int n,
                            int reduction);
int mse_loss_backward(float* dinput, float* dtarget, const float* dout,
                      const float* input, const float* target, int n, int reduction);
int mse_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                             const float* input, const float* target, int n,
                             int reduction);
int smooth_l1_loss_forward(float* out, const float* input, const float* target, int n,
                           int reduction, float beta);
int smooth_l1_loss_forward_scalar(float* out, const float* input, const float* target,
                                  int n, int reduction, float beta);
int smooth_l1_loss_backward(float* dinput, float* dtarget, const float* dout,
                            const float* input, const float* target, int n,
                            int reduction, float beta);
int smooth_l1_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                                   const float* input, const float* target, int n,
                                   int reduction, float beta);
int huber_loss_forward(float* out, const float* input, const float* target, int n,
                       int reduction, float delta);
int huber_loss_forward_scalar(float* out, const float* input, const float* target,
                              int n, int reduction, float delta);
int huber_loss_backward(float* dinput, float* dtarget, const float* dout,
                        const float* input, const float* target, int n, int reduction,
                        float delta);
int huber_loss_backward_scalar(float* dinput, float* dtarget, const float* dout,
                               const float* input, const float* target, int n,
                               int reduction, float delta);

/* ---- binary cross entropy on probabilities: -w (t max(log x, -100) +
 * (1-t) max(log(1-x), -100)). weight is full-size (n) or NULL (the caller expands a
 * broadcast weight). Forward fails with LOSS_ERR_INPUT_RANGE on x outside [0,1] or NaN;
 * targets are not checked (PyTorch 1.13 does not). Gradients as PyTorch:
 * dx = g w (x-t) / max(x(1-x), 1e-12); dt = -g w log(x/(1-x)). */
int bce_forward(float* out, const float* input, const float* target,
                const float* weight /* (n) or NULL */, int n, int reduction,
                int* bad_index);
int bce_backward(float* dinput, float* dtarget /* or NULL */, const float* dout,
                 const float* input, const float* target, const float* weight,
                 int n, int reduction);

/* ---- binary cross entropy with logits. weight (n) or NULL; pos_weight (P) or NULL,
 * element i uses pos_weight[i % P] (PyTorch broadcasts pos_weight over the last dim, so
 * P = size of the last dim). Same formula as PyTorch (max_val trick), so saturated
 * logits give exactly PyTorch's values. */
int bce_with_logits_forward(float* out, const float* input, const float* target,
                            const float* weight, const float* pos_weight, int P,
                            int n, int reduction);
int bce_with_logits_backward(float* dinput, float* dtarget /* or NULL */,
                             const float* dout, const float* input, const float* target,
                             const float* weight, const float* pos_weight, int P,
                             int n, int reduction);

/* ---- kl_div(input = log-probabilities, target): log_target ? exp(t)(t - x)
 * : xlogy(t, t) - t x (t < 0 gives NaN, t == 0 gives 0, as PyTorch). reduction may be
 * LOSS_BATCHMEAN (sum / batch, batch = input.size(0); PyTorch uses 1 row for a 0-d
 * input). Mean divides by n. dtarget as PyTorch's autograd (NaN at t == 0 without
 * log_target). */
int kl_div_forward(float* out, const float* input, const float* target, int n,
                   int batch, int reduction, int log_target);
int kl_div_backward(float* dinput, float* dtarget /* or NULL */, const float* dout,
                    const float* input, const float* target, int n, int batch,
                    int reduction, int log_target);

#endif
