/* abi_grad_fn.c: Tensor.grad_fn and next_functions for the shim (see kindling.h). A node is
 * named by the tensor it produced plus a path of next_functions indices; the walk steps
 * through kindling's nodes, the leaves' AccumulateGrad, and the nodes PyTorch has where
 * kindling fuses two into one (GradEdge.via). Nothing is allocated. */
#include "../core/autograd.h"
#include "../core/error.h"
#include "../core/handles.h"
#include "../kindling.h"

#define MAX_PATH 256

typedef struct Place {
  const Node* node;  /* a kindling node, or NULL */
  const char* via;   /* a fused-away PyTorch node whose one edge leads to t */
  Tensor* t;         /* via's input, or the leaf of an AccumulateGrad */
} Place;

static const char* const ACCUMULATE = "torch::autograd::AccumulateGrad";

/* Where an edge leads: a node, a leaf's AccumulateGrad, or nowhere (None: returns 0). */
static int follow(GradEdge e, Place* out) {
  *out = (Place){0};
  if (e.via) return *out = (Place){NULL, e.via, e.t}, 1;
  if (!e.t) return 0;
  if (e.t->grad_fn) return out->node = e.t->grad_fn, 1;
  if (e.t->requires_grad) return out->t = e.t, 1;
  return 0;
}

static int edges_of(const Place* p, GradEdge* e) {
  if (p->node) return p->node->released ? 0 : grad_fn_edges(p->node, e);
  if (p->via) return e[0] = (GradEdge){p->t, NULL}, 1;
  return 0; /* AccumulateGrad */
}

const char* k_grad_fn(int32_t h, int32_t depth) {
  Tensor* t = handle_get(h, "grad_fn", "tensor");
  if (!t) return NULL;
  if (depth < 0 || depth > MAX_PATH) return k_fail(K_ERR_RANGE, "grad_fn: path of %d steps", depth), NULL;
  if (!t->grad_fn) return k_fail(K_ERR_RUNTIME, "grad_fn: the tensor has no grad_fn (it is a leaf)"), NULL;
  int32_t path[MAX_PATH];
  for (int i = 0; i < depth; i++) path[i] = k_scratch()[i];
  Place at = {t->grad_fn, NULL, NULL};
  GradEdge e[K_MAX_EDGES];
  for (int i = 0; i < depth; i++) {
    int n = edges_of(&at, e);
    if (path[i] < 0 || path[i] >= n || !follow(e[path[i]], &at))
      return k_fail(K_ERR_RANGE, "grad_fn: next_functions[%d] of step %d is not a node", path[i], i), NULL;
  }
  int n = edges_of(&at, e);
  int32_t* out = k_scratch();
  out[0] = n;
  Place next;
  for (int i = 0; i < n; i++) out[1 + i] = follow(e[i], &next);
  return at.node ? grad_fn_name(at.node) : at.via ? at.via : ACCUMULATE;
}
