/* loss.c: the loss functions of torch.nn.functional as one autograd op (OP_LOSS) whose
 * node records which loss it is; kernels in kernels/loss.c. inputs[0] is the input,
 * inputs[1] the target (a float target gets its gradient too, as in PyTorch); saved[0]
 * is the class / element weight and saved[1] BCEWithLogits' pos_weight. */
#include "../kernels/loss.h"

#include <string.h>

#include "../core/error.h"
#include "../ops/ops.h"
#include "nn_ops.h"

typedef struct LossGeometry {
  int N, C, S; /* class losses: input (N, C, S), target (N, S) */
  int n;       /* elementwise losses: element count */
} LossGeometry;

static int shapes_equal(const Tensor* a, const Tensor* b, const char* name) {
  char sa[96], sb[96];
  if (!tensor_same_shape(a, b))
    return k_fail(K_ERR_RUNTIME, "%s: the target size %s must be the same as the input size %s", name,
                  shape_str(b->shape, b->ndim, sb, sizeof sb), shape_str(a->shape, a->ndim, sa, sizeof sa));
  return K_OK;
}

static int float_input(const Tensor* t, const char* what, const char* name) {
  if (t && t->dtype != K_FLOAT32)
    return k_fail(K_ERR_TYPE, "%s: expected %s to be float32, got %s", name, what, dtype_name(t->dtype));
  return K_OK;
}

/* Class losses: input (N, C, d1...) or unbatched (C); target (N, d1...) class indices, or
 * float probabilities shaped like the input. */
static int class_geometry(const Tensor* in, const Tensor* target, const Tensor* weight, int probabilities,
                          LossGeometry* g, const char* name) {
  char si[96], st[96];
  if (float_input(in, "input", name) || float_input(weight, "weight", name)) return k_last_status();
  if (in->ndim < 1) return k_fail(K_ERR_RUNTIME, "%s: input must have at least 1 dimension (C) or (N, C, ...)", name);
  int batched = in->ndim >= 2;
  g->N = batched ? in->shape[0] : 1;
  g->C = in->shape[batched ? 1 : 0];
  g->S = 1;
  for (int i = 2; i < in->ndim; i++) g->S *= in->shape[i];
  if (probabilities) {
    if (!tensor_same_shape(in, target))
      return k_fail(K_ERR_RUNTIME, "%s: class-probability targets must have the input's shape %s, got %s", name,
                    shape_str(in->shape, in->ndim, si, sizeof si), shape_str(target->shape, target->ndim, st, sizeof st));
  } else {
    if (target->dtype != K_INT64)
      return k_fail(K_ERR_TYPE, "%s: expected class-index targets of dtype int64 (or float32 probabilities), got %s",
                    name, dtype_name(target->dtype));
    int ok = target->ndim == (batched ? in->ndim - 1 : 0);
    if (ok && batched && target->shape[0] != in->shape[0])
      return k_fail(K_ERR_RUNTIME, "%s: expected input batch_size (%d) to match target batch_size (%d)", name,
                    (int)in->shape[0], (int)target->shape[0]);
    for (int i = 1; ok && i < target->ndim; i++) ok = target->shape[i] == in->shape[i + 1];
    if (!ok) {
      int32_t want[K_MAX_DIMS];
      int nd = 0;
      for (int i = 0; i < in->ndim; i++)
        if (i != 1 && batched) want[nd++] = in->shape[i];
      return k_fail(K_ERR_RUNTIME, "%s: expected target size %s, got %s", name, shape_str(want, nd, si, sizeof si),
                    shape_str(target->shape, target->ndim, st, sizeof st));
    }
  }
  if (weight && (weight->ndim != 1 || weight->shape[0] != g->C))
    return k_fail(K_ERR_RUNTIME,
                  "%s: weight tensor should be defined either for all %d classes or no classes but got weight tensor of "
                  "shape: %s",
                  name, g->C, shape_str(weight->shape, weight->ndim, si, sizeof si));
  return K_OK;
}

/* Shape of the per-element losses of reduction 'none'. */
static int none_shape(int kind, const Tensor* in, int32_t* shape) {
  if (kind != LK_CROSS_ENTROPY && kind != LK_CROSS_ENTROPY_PROB && kind != LK_NLL) {
    memcpy(shape, in->shape, sizeof(int32_t) * (size_t)in->ndim);
    return in->ndim;
  }
  int nd = 0;
  if (in->ndim >= 2)
    for (int i = 0; i < in->ndim; i++)
      if (i != 1) shape[nd++] = in->shape[i];
  return nd;
}

static int report(int status, int bad_index, int bad_value, const char* name) {
  if (status == LOSS_ERR_TARGET_OOB) {
    (void)bad_index;
    return k_fail(K_ERR_RANGE, "%s: Target %d is out of bounds.", name, bad_value);
  }
  if (status == LOSS_ERR_INPUT_RANGE)
    return k_fail(K_ERR_RUNTIME, "%s: all elements of input should be between 0 and 1 (element %d is not)", name,
                  bad_index);
  if (status != LOSS_OK) return k_fail(K_ERR_RUNTIME, "%s: invalid arguments (status %d)", name, status);
  return K_OK;
}

/* Runs a loss kernel forward (grad_out NULL) or backward for the node's arguments. */
static int run(int kind, int forward, float* out, float* dinput, float* dtarget, const float* dout, const Tensor* in,
               const Tensor* target, const Tensor* weight, const Tensor* pos_weight, const LossGeometry* g,
               int ignore_index, int reduction, double param, const char* name) {
  const float* x = tensor_f32(in);
  const float* w = weight ? tensor_f32(weight) : NULL;
  int bad_index = 0, bad_value = 0, status;
  int P = pos_weight ? (int)pos_weight->numel : 1;
  const float* pw = pos_weight ? tensor_f32(pos_weight) : NULL;
  const float* t = target->dtype == K_FLOAT32 ? tensor_f32(target) : NULL;
  const int32_t* ti = target->dtype == K_FLOAT32 ? NULL : tensor_i32(target);
  int batch = in->ndim ? in->shape[0] : 1;
  switch (kind) {
    case LK_CROSS_ENTROPY:
      status = forward ? cross_entropy_forward(out, x, ti, w, g->N, g->C, g->S, ignore_index, reduction, (float)param,
                                               &bad_index, &bad_value)
                       : cross_entropy_backward(dinput, dout, x, ti, w, g->N, g->C, g->S, ignore_index, reduction,
                                                (float)param, &bad_index, &bad_value);
      break;
    case LK_CROSS_ENTROPY_PROB:
      status = forward ? cross_entropy_prob_forward(out, x, t, w, g->N, g->C, g->S, reduction, (float)param)
                       : cross_entropy_prob_backward(dinput, dtarget, dout, x, t, w, g->N, g->C, g->S, reduction,
                                                     (float)param);
      break;
    case LK_NLL:
      status = forward ? nll_loss_forward(out, x, ti, w, g->N, g->C, g->S, ignore_index, reduction, &bad_index,
                                          &bad_value)
                       : nll_loss_backward(dinput, dout, ti, w, g->N, g->C, g->S, ignore_index, reduction, &bad_index,
                                           &bad_value);
      break;
    case LK_L1:
      status = forward ? l1_loss_forward(out, x, t, g->n, reduction)
                       : l1_loss_backward(dinput, dtarget, dout, x, t, g->n, reduction);
      break;
    case LK_MSE:
      status = forward ? mse_loss_forward(out, x, t, g->n, reduction)
                       : mse_loss_backward(dinput, dtarget, dout, x, t, g->n, reduction);
      break;
    case LK_SMOOTH_L1:
      status = forward ? smooth_l1_loss_forward(out, x, t, g->n, reduction, (float)param)
                       : smooth_l1_loss_backward(dinput, dtarget, dout, x, t, g->n, reduction, (float)param);
      break;
    case LK_HUBER:
      status = forward ? huber_loss_forward(out, x, t, g->n, reduction, (float)param)
                       : huber_loss_backward(dinput, dtarget, dout, x, t, g->n, reduction, (float)param);
      break;
    case LK_BCE:
      status = forward ? bce_forward(out, x, t, w, g->n, reduction, &bad_index)
                       : bce_backward(dinput, dtarget, dout, x, t, w, g->n, reduction);
      break;
    case LK_BCE_LOGITS:
      status = forward ? bce_with_logits_forward(out, x, t, w, pw, P, g->n, reduction)
                       : bce_with_logits_backward(dinput, dtarget, dout, x, t, w, pw, P, g->n, reduction);
      break;
    default: /* LK_KL_DIV; param is log_target */
      status = forward ? kl_div_forward(out, x, t, g->n, batch, reduction, param != 0.0)
                       : kl_div_backward(dinput, dtarget, dout, x, t, g->n, batch, reduction, param != 0.0);
      break;
  }
  return report(status, bad_index, bad_value, name);
}

Tensor* op_loss(int kind, Tensor* in, Tensor* target, Tensor* weight, Tensor* pos_weight, int ignore_index,
                int reduction, double param, const char* name) {
  LossGeometry g = {0};
  int class_loss = kind == LK_CROSS_ENTROPY || kind == LK_CROSS_ENTROPY_PROB || kind == LK_NLL;
  if (reduction < 0 || reduction > 3 || (reduction == 3 && kind != LK_KL_DIV))
    return k_fail(K_ERR_RUNTIME, "%s: invalid reduction code %d", name, reduction), NULL;
  if (class_loss) {
    if (class_geometry(in, target, weight, kind == LK_CROSS_ENTROPY_PROB, &g, name) != K_OK) return NULL;
  } else {
    if (float_input(in, "input", name) || float_input(target, "target", name) || float_input(weight, "weight", name) ||
        shapes_equal(in, target, name))
      return NULL;
    if (weight && !tensor_same_shape(weight, in)) return k_fail(K_ERR_RUNTIME, "%s: weight must be expanded to the input's shape", name), NULL;
    if (pos_weight && (pos_weight->dtype != K_FLOAT32 || pos_weight->numel < 1 ||
                       (in->ndim && pos_weight->numel != in->shape[in->ndim - 1] && pos_weight->numel != 1)))
      return k_fail(K_ERR_RUNTIME, "%s: pos_weight must be a float32 vector with one entry per class (the input's last dim)",
                    name), NULL;
    g.n = (int)in->numel;
  }
  int32_t shape[K_MAX_DIMS];
  int nd = reduction == 0 ? none_shape(kind, in, shape) : 0;
  Tensor* out = tensor_new(K_FLOAT32, nd, shape, name);
  if (!out) return NULL;
  if (run(kind, 1, tensor_f32(out), NULL, NULL, NULL, in, target, weight, pos_weight, &g, ignore_index, reduction,
          param, name) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  Node* node;
  Tensor* inputs[2] = {in, target};
  if (autograd_record(out, OP_LOSS, 2, inputs, &node) != K_OK) {
    tensor_release(out);
    return NULL;
  }
  if (node) {
    int32_t v[6] = {kind, ignore_index, reduction, g.N, g.C, g.S};
    memcpy(node->i, v, sizeof v);
    node->i[6] = g.n;
    node->f[0] = param;
    if (weight) node_save(node, 0, weight);
    if (pos_weight) node_save(node, 1, pos_weight);
  }
  return out;
}

int loss_backward(Node* n, const Tensor* g, Tensor** gi) {
  Tensor *in = n->inputs[0], *target = n->inputs[1];
  LossGeometry geom = {.N = n->i[3], .C = n->i[4], .S = n->i[5], .n = n->i[6]};
  Tensor* din = in->requires_grad ? tensor_zeros(K_FLOAT32, in->ndim, in->shape, "backward") : NULL;
  int want_target = target->dtype == K_FLOAT32 && target->requires_grad;
  Tensor* dtarget = want_target ? tensor_zeros(K_FLOAT32, target->ndim, target->shape, "backward") : NULL;
  if ((in->requires_grad && !din) || (want_target && !dtarget)) {
    if (din) tensor_release(din);
    return k_last_status();
  }
  /* Some kernels always write the input gradient: give them a scratch one when unwanted. */
  Tensor* scratch = din ? NULL : tensor_zeros(K_FLOAT32, in->ndim, in->shape, "backward");
  if (!din && !scratch) {
    if (dtarget) tensor_release(dtarget);
    return k_last_status();
  }
  int status = run(n->i[0], 0, NULL, tensor_f32(din ? din : scratch), dtarget ? tensor_f32(dtarget) : NULL,
                   tensor_f32(g), in, target, n->saved[0], n->saved[1], &geom, n->i[1], n->i[2], n->f[0], "backward");
  if (scratch) tensor_release(scratch);
  if (status != K_OK) {
    if (din) tensor_release(din);
    if (dtarget) tensor_release(dtarget);
    return status;
  }
  gi[0] = din;
  gi[1] = dtarget;
  return K_OK;
}
