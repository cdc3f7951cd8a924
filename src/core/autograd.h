/* autograd.h: the reverse-mode graph. Each differentiable op attaches a Node to its
 * output; the node names its op (an index into op_table, src/ops/op_table.c, where each
 * op's backward is registered), holds its inputs, and saves what backward needs.
 * backward() walks the nodes in reverse topological order, accumulates into the .grad of
 * leaves, and releases the graph unless asked to retain it (PyTorch's retain_graph). */
#ifndef KINDLING_AUTOGRAD_H
#define KINDLING_AUTOGRAD_H

#include "tensor.h"

#define K_MAX_INPUTS 3
#define K_MAX_SAVED 3

typedef struct Node {
  int32_t op;
  int32_t refcount;            /* held by the output tensor, by consumers' edges and by a backward walk */
  int32_t released;            /* backward already ran through it */
  int32_t ninputs;
  Tensor* inputs[K_MAX_INPUTS];
  /* The edges as they were when the op ran (PyTorch's next_functions): an in-place op may
   * later give an input new history, which must not change where this node's gradient goes. */
  struct Node* next[K_MAX_INPUTS];      /* the input's grad_fn, retained; NULL for a leaf */
  int32_t needs_grad[K_MAX_INPUTS];     /* the input required grad */
  /* Version counters seen when the op ran; backward refuses to read a tensor written since. */
  int32_t version[K_MAX_INPUTS];
  int32_t saved_version[K_MAX_SAVED];
  int32_t reads;               /* bit i: backward reads the values of inputs[i] (all, unless the op says) */
  Tensor* saved[K_MAX_SAVED];  /* extra tensors for backward: an output alias, argmax indices */
  double f[4];                 /* op arguments: scalar operand, exponent, negative slope */
  int32_t i[12];               /* op arguments: dims, flags, conv and pooling geometry */
  Tensor* grad;                /* gradient w.r.t. the output, gathered during the walk */
  int32_t pending;             /* consumers not yet processed during the walk */
  int32_t mark;                /* the walk that last visited this node */
} Node;

/* Writes one gradient per input into grad_in (NULL where an input needs none). Each is a
 * new tensor of that input's shape, owned by the caller. Returns K_OK or an error status. */
typedef int (*BackwardFn)(Node* node, const Tensor* grad_out, Tensor** grad_in);

typedef struct OpInfo {
  const char* name;            /* PyTorch's op, for messages */
  BackwardFn backward;
  const char* grad_fn; /* PyTorch's node name (2.x); ops whose name depends on their arguments
                          are resolved by grad_fn_name() in op_table.c */
} OpInfo;

/* One edge of a node's next_functions as PyTorch lists them: the input tensor t (NULL: None),
 * reached through a node PyTorch has and kindling fuses away when via is not NULL (the
 * TBackward0 of Linear's weight, the LogSoftmaxBackward0 inside cross_entropy). */
typedef struct GradEdge {
  Tensor* t;
  const char* via;
} GradEdge;
#define K_MAX_EDGES 4

/* PyTorch's name of the node (AddmmBackward0, ...) and its next_functions edges. */
const char* grad_fn_name(const Node* node);
int grad_fn_edges(const Node* node, GradEdge* edges);

extern const OpInfo op_table[];
extern const int op_count;

int autograd_enabled(void);
void autograd_set_enabled(int on);

/* When grad mode is on and an input requires grad, attaches a new node to out and returns
 * it through node_out (else *node_out = NULL). Returns K_OK or K_ERR_OOM. */
int autograd_record(Tensor* out, int op, int ninputs, Tensor* const* inputs, Node** node_out);
void node_save(Node* node, int slot, Tensor* t);
void node_release(Node* node);

/* Backpropagates from root; grad_root (float32) may be NULL for a one-element root
 * (gradient 1). retain_graph keeps the graph for another backward (PyTorch's retain_graph). */
int autograd_backward(Tensor* root, Tensor* grad_root, int retain_graph);

#endif
