/* op_table.c: every differentiable op's name, backward and PyTorch node name (grad_fn), with
 * the next_functions edges PyTorch shows, in one place (see autograd.h). */
#include "../nn/nn_ops.h"
#include "ops.h"
#include "../kernels/elementwise.h"

const OpInfo op_table[] = {
    [OP_ADD] = {"add", binary_backward, "AddBackward0"},
    [OP_SUB] = {"sub", binary_backward, "SubBackward0"},
    [OP_MUL] = {"mul", binary_backward, "MulBackward0"},
    [OP_DIV] = {"div", binary_backward, "DivBackward0"},
    [OP_SCALAR] = {"scalar arithmetic", scalar_backward, "MulBackward0"},
    [OP_UNARY] = {"unary", unary_backward, "NegBackward0"},
    [OP_SUM] = {"sum", sum_backward, "SumBackward0"},
    [OP_MAX_DIM] = {"max", max_dim_backward, "MaxBackward0"},
    [OP_MATMUL] = {"matmul", matmul_backward, "MmBackward0"},
    [OP_VIEW] = {"view", view_backward, "ViewBackward0"},
    [OP_PERMUTE] = {"permute", permute_backward, "PermuteBackward0"},
    [OP_CLONE] = {"clone", clone_backward, "CloneBackward0"},
    [OP_EXPAND] = {"expand", expand_backward, "ExpandBackward0"},
    [OP_SOFTMAX] = {"softmax", softmax_backward, "SoftmaxBackward0"},
    [OP_CONV2D] = {"conv2d", conv2d_backward, "ConvolutionBackward0"},
    [OP_LINEAR] = {"linear", linear_backward, "AddmmBackward0"},
    [OP_MAX_POOL2D] = {"max_pool2d", max_pool2d_backward, "MaxPool2DWithIndicesBackward0"},
    [OP_AVG_POOL2D] = {"avg_pool2d", avg_pool2d_backward, "AvgPool2DBackward0"},
    [OP_ADAPTIVE_AVG_POOL2D] = {"adaptive_avg_pool2d", adaptive_avg_pool2d_backward, "AdaptiveAvgPool2DBackward0"},
    [OP_BATCH_NORM] = {"batch_norm", batch_norm_backward, "NativeBatchNormBackward0"},
    [OP_DROPOUT] = {"dropout", dropout_backward, "MulBackward0"},
    [OP_LOSS] = {"loss", loss_backward, "NllLossBackward0"},
    [OP_INDEX_SELECT] = {"index_select", index_select_backward, "IndexSelectBackward0"},
    [OP_CAT] = {"cat", cat_backward, "CatBackward0"},
    /* math-ops */
    [OP_BINARY_MATH] = {"pow / maximum / minimum", binary_backward, "PowBackward1"},
    [OP_CLAMP] = {"clamp", clamp_backward, "ClampBackward1"},
    [OP_WHERE] = {"where", where_backward, "WhereBackward0"},
    [OP_SORT] = {"sort", sort_backward, "SortBackward0"},
    [OP_NORM] = {"norm", norm_backward, "LinalgVectorNormBackward0"},
    [OP_VAR] = {"var", var_backward, "VarBackward0"},
    [OP_PROD] = {"prod", prod_backward, "ProdBackward0"},
    [OP_CLAMP_TENSOR] = {"clamp", clamp_tensor_backward, "ClampBackward0"},
    /* views, indexing and in-place ops (OP_AS_VIEW and OP_OVERWRITE named in grad_fn_name) */
    [OP_AS_VIEW] = {"view", as_view_backward, "SliceBackward0"},
    [OP_INDEX] = {"index", index_backward, "IndexBackward0"},
    [OP_GATHER] = {"gather", gather_backward, "GatherBackward0"},
    [OP_INDEX_PUT] = {"index_put_", index_put_backward, "IndexPutBackward0"},
    [OP_OVERWRITE] = {"fill_ / copy_", overwrite_backward, "FillBackward0"},
    [OP_CLAMP_INPLACE] = {"clamp_", clamp_inplace_backward, "ClampBackward1"},
};

const int op_count = (int)(sizeof op_table / sizeof op_table[0]);

/* --- grad_fn: PyTorch 2.x's node names and next_functions (math-ops) -------------------- */

static const char* const unary_names[UN_COUNT] = {
    [UN_NEG] = "NegBackward0", [UN_EXP] = "ExpBackward0", [UN_LOG] = "LogBackward0", [UN_SQRT] = "SqrtBackward0",
    [UN_RELU] = "ReluBackward0", [UN_SIGMOID] = "SigmoidBackward0", [UN_TANH] = "TanhBackward0",
    [UN_POW] = "PowBackward0", [UN_LEAKY_RELU] = "LeakyReluBackward0", [UN_ABS] = "AbsBackward0",
    [UN_ELU] = "EluBackward0", [UN_GELU] = "GeluBackward0", [UN_GELU_TANH] = "GeluBackward0",
    [UN_SIN] = "SinBackward0", [UN_COS] = "CosBackward0", [UN_TAN] = "TanBackward0", [UN_ASIN] = "AsinBackward0",
    [UN_ACOS] = "AcosBackward0", [UN_ATAN] = "AtanBackward0", [UN_SINH] = "SinhBackward0",
    [UN_COSH] = "CoshBackward0", [UN_ASINH] = "AsinhBackward0", [UN_ACOSH] = "AcoshBackward0",
    [UN_ATANH] = "AtanhBackward0", [UN_LOG1P] = "Log1PBackward0", [UN_EXPM1] = "Expm1Backward0",
    [UN_LOG2] = "Log2Backward0", [UN_LOG10] = "Log10Backward0", [UN_EXP2] = "Exp2Backward0",
    [UN_RSQRT] = "RsqrtBackward0", [UN_SIGN] = "SignBackward0", [UN_FLOOR] = "FloorBackward0",
    [UN_CEIL] = "CeilBackward0", [UN_ROUND] = "RoundBackward0", [UN_TRUNC] = "TruncBackward0",
    [UN_RECIPROCAL] = "ReciprocalBackward0", [UN_ERF] = "ErfBackward0", [UN_SILU] = "SiluBackward0",
    [UN_SOFTPLUS] = "SoftplusBackward0", [UN_FRAC] = "FracBackward0"};

static const char* loss_name(const Node* n) {
  switch (n->i[0]) {
    case LK_CROSS_ENTROPY: case LK_NLL: return n->i[5] > 1 || n->inputs[0]->ndim > 2 ? "NllLoss2DBackward0" : "NllLossBackward0";
    case LK_CROSS_ENTROPY_PROB: return "DivBackward1"; /* PyTorch's probability-target branch ends in a division */
    case LK_L1: return "MeanBackward0"; /* l1_loss is (input - target).abs().mean() in PyTorch */
    case LK_MSE: return "MseLossBackward0";
    case LK_SMOOTH_L1: return "SmoothL1LossBackward0";
    case LK_HUBER: return "HuberLossBackward0";
    case LK_BCE: return "BinaryCrossEntropyBackward0";
    case LK_BCE_LOGITS: return "BinaryCrossEntropyWithLogitsBackward0";
    default: return "KlDivBackward0";
  }
}

const char* grad_fn_name(const Node* n) {
  switch (n->op) {
    case OP_SCALAR: {
      int kind = n->i[0], first = n->i[1];
      if (kind == BIN_ADD) return "AddBackward0";
      if (kind == BIN_SUB) return first ? "RsubBackward1" : "SubBackward0";
      if (kind == BIN_POW) return "PowBackward2";
      return kind == BIN_DIV && !first ? "DivBackward0" : "MulBackward0"; /* s / x is reciprocal(x) * s */
    }
    case OP_UNARY: return n->i[0] >= 0 && n->i[0] < UN_COUNT ? unary_names[n->i[0]] : "UnaryBackward0";
    case OP_SUM: return n->i[2] ? (n->i[0] ? "MeanBackward0" : "MeanBackward1") : (n->i[0] ? "SumBackward0" : "SumBackward1");
    case OP_MAX_DIM:
      return n->i[1] ? (n->i[2] ? "MaxBackward1" : "MaxBackward0") : (n->i[2] ? "MinBackward1" : "MinBackward0");
    case OP_MATMUL: {
      int a = n->inputs[0] ? n->inputs[0]->ndim : 2, b = n->inputs[1] ? n->inputs[1]->ndim : 2;
      if (a == 1 && b == 1) return "DotBackward0";
      if (a == 2 && b == 1) return "MvBackward0";
      if (a == 2 && b == 2) return "MmBackward0";
      return a == 3 && b == 3 ? "BmmBackward0" : "UnsafeViewBackward0";
    }
    case OP_PERMUTE: return n->i[11] ? "TransposeBackward0" : "PermuteBackward0";
    case OP_SOFTMAX: return n->i[1] ? "LogSoftmaxBackward0" : "SoftmaxBackward0";
    case OP_LINEAR: { /* addmm for a 2-D input with bias; mm without; matmul + add otherwise */
      const Tensor *x = n->inputs[0], *b = n->inputs[2];
      if (x && x->ndim == 2) return b ? "AddmmBackward0" : "MmBackward0";
      if (x && x->ndim == 3 && b) return "ViewBackward0";
      return b ? "AddBackward0" : "UnsafeViewBackward0";
    }
    case OP_LOSS: return loss_name(n);
    case OP_BINARY_MATH: return n->i[0] == BIN_MAX ? "MaximumBackward0" : n->i[0] == BIN_MIN ? "MinimumBackward0" : "PowBackward1";
    case OP_SORT: return n->i[1] == 1 ? "TopkBackward0" : n->i[1] == 2 ? "SortBackward1" : "SortBackward0";
    case OP_VAR: return n->f[1] != 0 ? "StdBackward0" : "VarBackward0";
    case OP_PROD: return n->i[0] == DIM_ALL ? "ProdBackward0" : "ProdBackward1";
    case OP_AS_VIEW: return n->i[7] == 1 ? "SelectBackward0" : n->i[7] == 2 ? "UnsqueezeBackward0" : "SliceBackward0";
    case OP_OVERWRITE: return n->ninputs == 2 ? "CopyBackwards" : "FillBackward0";
    default: return n->op >= 0 && n->op < op_count && op_table[n->op].grad_fn ? op_table[n->op].grad_fn : "Backward";
  }
}

/* The inputs PyTorch's node lists, in its order. Inputs that are not differentiable
 * arguments in PyTorch (class targets, indices, where's condition) are left out; after
 * backward the graph is released and every edge reads None. */
int grad_fn_edges(const Node* n, GradEdge* e) {
  Tensor* const* in = n->inputs;
  switch (n->op) {
    case OP_SCALAR: { /* a + s: (a, the scalar as a tensor); s - a: (a); s ** a: (a) */
      int kind = n->i[0], first = n->i[1];
      e[0] = (GradEdge){in[0], NULL};
      if ((kind == BIN_SUB && first) || kind == BIN_POW) return 1;
      e[1] = (GradEdge){NULL, NULL};
      return 2;
    }
    case OP_DROPOUT: e[0] = (GradEdge){in[0], NULL}, e[1] = (GradEdge){NULL, NULL}; return 2;
    case OP_WHERE: e[0] = (GradEdge){in[0], NULL}, e[1] = (GradEdge){in[1], NULL}; return 2;
    case OP_INDEX_SELECT: e[0] = (GradEdge){in[0], NULL}; return 1;
    case OP_MAX_DIM: /* max() / min() of everything run on a flat view: PyTorch has no view node */
      if (n->i[2] && in[0] && in[0]->grad_fn && in[0]->grad_fn->op == OP_VIEW && !in[0]->grad_fn->released) {
        e[0] = (GradEdge){in[0]->grad_fn->inputs[0], NULL};
        return 1;
      }
      break;
    case OP_LINEAR:
      if (in[0] && in[0]->ndim == 2) {
        int k = 0;
        if (in[2]) e[k++] = (GradEdge){in[2], NULL};     /* addmm(bias, input, weight.t()) */
        e[k++] = (GradEdge){in[0], NULL};
        e[k++] = (GradEdge){in[1], "TBackward0"};
        return k;
      }
      break;
    case OP_LOSS:
      switch (n->i[0]) {
        case LK_CROSS_ENTROPY: e[0] = (GradEdge){in[0], "LogSoftmaxBackward0"}; return 1;
        case LK_NLL: e[0] = (GradEdge){in[0], NULL}; return 1;
        default: e[0] = (GradEdge){in[0], NULL}, e[1] = (GradEdge){in[1], NULL}; return 2;
      }
    default: break;
  }
  int count = n->ninputs < K_MAX_EDGES ? n->ninputs : K_MAX_EDGES;
  for (int i = 0; i < count; i++) e[i] = (GradEdge){in[i], NULL};
  return count;
}
