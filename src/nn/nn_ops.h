/* nn_ops.h: the differentiable layer ops behind torch.nn / torch.nn.functional — conv2d,
 * linear, pooling, batch norm, dropout. Same conventions as ops/ops.h: a new tensor or NULL
 * with the error recorded under the PyTorch-level name; forward and backward side by side
 * in each file, registered in ops/op_table.c. Inputs are batched (N, C, H, W) here; the
 * shim turns unbatched (C, H, W) input into a batch of one. */
#ifndef KINDLING_NN_OPS_H
#define KINDLING_NN_OPS_H

#include "../core/autograd.h"

typedef struct Conv2dArgs {
  int sh, sw, pt, pl, pb, pr, dh, dw, groups;
} Conv2dArgs;

Tensor* op_conv2d(Tensor* x, Tensor* w, Tensor* b, const Conv2dArgs* a, const char* name);
Tensor* op_linear(Tensor* x, Tensor* w, Tensor* b, const char* name);

typedef struct Pool2dArgs {
  int kh, kw, sh, sw, ph, pw, dh, dw, ceil_mode, count_include_pad, divisor_override;
} Pool2dArgs;

Tensor* op_max_pool2d(Tensor* x, const Pool2dArgs* a, Tensor** indices, const char* name);
Tensor* op_avg_pool2d(Tensor* x, const Pool2dArgs* a, const char* name);
Tensor* op_adaptive_avg_pool2d(Tensor* x, int oh, int ow, const char* name);

/* running_mean / running_var may be NULL (not tracked); they are updated in place when
 * training. gamma / beta may be NULL (affine=False). */
Tensor* op_batch_norm(Tensor* x, Tensor* running_mean, Tensor* running_var, Tensor* gamma, Tensor* beta,
                      int training, double momentum, double eps, const char* name);

/* Zeroes elements (channel_wise = 0) or whole (n, c) planes (channel_wise = 1) with
 * probability p and scales the rest by 1 / (1 - p). */
Tensor* op_dropout(Tensor* x, double p, int channel_wise, const char* name);

/* The losses (loss.c). reduction: 0 none, 1 mean, 2 sum, 3 batchmean (kl_div only);
 * param: label_smoothing, smooth_l1's beta, huber's delta, or kl_div's log_target. */
enum {
  LK_CROSS_ENTROPY, LK_CROSS_ENTROPY_PROB, LK_NLL, LK_L1, LK_MSE, LK_SMOOTH_L1, LK_HUBER, LK_BCE, LK_BCE_LOGITS,
  LK_KL_DIV
};
Tensor* op_loss(int kind, Tensor* input, Tensor* target, Tensor* weight, Tensor* pos_weight, int ignore_index,
                int reduction, double param, const char* name);

int conv2d_backward(Node* n, const Tensor* g, Tensor** gi);
int linear_backward(Node* n, const Tensor* g, Tensor** gi);
int max_pool2d_backward(Node* n, const Tensor* g, Tensor** gi);
int avg_pool2d_backward(Node* n, const Tensor* g, Tensor** gi);
int adaptive_avg_pool2d_backward(Node* n, const Tensor* g, Tensor** gi);
int batch_norm_backward(Node* n, const Tensor* g, Tensor** gi);
int dropout_backward(Node* n, const Tensor* g, Tensor** gi);
int loss_backward(Node* n, const Tensor* g, Tensor** gi);

#endif
