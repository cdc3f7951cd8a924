/* op_table.c: every differentiable op's name and backward, in one place (see autograd.h). */
#include "../nn/nn_ops.h"
#include "ops.h"

const OpInfo op_table[] = {
    [OP_ADD] = {"add", binary_backward},
    [OP_SUB] = {"sub", binary_backward},
    [OP_MUL] = {"mul", binary_backward},
    [OP_DIV] = {"div", binary_backward},
    [OP_SCALAR] = {"scalar arithmetic", scalar_backward},
    [OP_UNARY] = {"unary", unary_backward},
    [OP_SUM] = {"sum", sum_backward},
    [OP_MAX_DIM] = {"max", max_dim_backward},
    [OP_MATMUL] = {"matmul", matmul_backward},
    [OP_VIEW] = {"view", view_backward},
    [OP_PERMUTE] = {"permute", permute_backward},
    [OP_CLONE] = {"clone", clone_backward},
    [OP_EXPAND] = {"expand", expand_backward},
    [OP_SOFTMAX] = {"softmax", softmax_backward},
    [OP_CONV2D] = {"conv2d", conv2d_backward},
    [OP_LINEAR] = {"linear", linear_backward},
    [OP_MAX_POOL2D] = {"max_pool2d", max_pool2d_backward},
    [OP_AVG_POOL2D] = {"avg_pool2d", avg_pool2d_backward},
    [OP_ADAPTIVE_AVG_POOL2D] = {"adaptive_avg_pool2d", adaptive_avg_pool2d_backward},
    [OP_BATCH_NORM] = {"batch_norm", batch_norm_backward},
    [OP_DROPOUT] = {"dropout", dropout_backward},
    [OP_LOSS] = {"loss", loss_backward},
    [OP_INDEX_SELECT] = {"index_select", index_select_backward},
    [OP_NARROW] = {"narrow", narrow_backward},
    [OP_CAT] = {"cat", cat_backward},
    /* math-ops */
    [OP_BINARY_MATH] = {"pow / maximum / minimum", binary_backward},
    [OP_CLAMP] = {"clamp", clamp_backward},
    [OP_WHERE] = {"where", where_backward},
    [OP_SORT] = {"sort", sort_backward},
    [OP_NORM] = {"norm", norm_backward},
    [OP_VAR] = {"var", var_backward},
    [OP_PROD] = {"prod", prod_backward},
};

const int op_count = (int)(sizeof op_table / sizeof op_table[0]);
