/* autograd.c: recording nodes and the backward walk (see autograd.h). */
#include "autograd.h"

#include <stdlib.h>
#include <string.h>

#include "../kernels/elementwise.h"
#include "error.h"

static int grad_mode = 1;

int autograd_enabled(void) { return grad_mode; }
void autograd_set_enabled(int on) { grad_mode = on != 0; }

int autograd_record(Tensor* out, int op, int ninputs, Tensor* const* inputs, Node** node_out) {
  *node_out = NULL;
  if (!grad_mode || out->dtype != K_FLOAT32) return K_OK;
  int needed = 0;
  for (int i = 0; i < ninputs; i++) {
    Tensor* in = inputs[i];
    if (!in || !in->requires_grad) continue;
    needed = 1;
    /* An in-place op with grad history rewrote the base after this view was made; PyTorch
     * would regenerate the view's history, kindling asks for a fresh view instead. */
    if (in->is_view && in->grad_fn && in->view_rebases != in->storage->rebases)
      return k_fail(K_ERR_RUNTIME,
                    "%s: this view's base was modified by an in-place operation with autograd history after "
                    "the view was made; index the base again to get a view with the current history",
                    op_table[op].name);
  }
  if (!needed) return K_OK;
  Node* node = calloc(1, sizeof *node);
  if (!node) return k_fail(K_ERR_OOM, "%s: out of memory recording the autograd graph", op_table[op].name);
  node->op = op;
  node->refcount = 1;
  node->ninputs = ninputs;
  node->reads = (1 << ninputs) - 1;
  for (int i = 0; i < ninputs; i++) {
    Tensor* in = inputs[i];
    node->inputs[i] = in;
    if (!in) continue;
    tensor_retain(in);
    node->needs_grad[i] = in->requires_grad;
    node->version[i] = in->storage->version;
    if ((node->next[i] = in->grad_fn)) in->grad_fn->refcount++;
  }
  out->grad_fn = node;
  out->requires_grad = 1;
  *node_out = node;
  return K_OK;
}

void node_save(Node* node, int slot, Tensor* t) {
  tensor_retain(t);
  node->saved[slot] = t;
  node->saved_version[slot] = t->storage->version;
}

/* PyTorch's check that nothing backward reads was written in place after the op ran. */
static int check_versions(const Node* node) {
  const Tensor* stale = NULL;
  int32_t expected = 0;
  for (int i = 0; i < node->ninputs && !stale; i++)
    if (node->inputs[i] && (node->reads >> i & 1) && node->inputs[i]->storage->version != node->version[i])
      stale = node->inputs[i], expected = node->version[i];
  for (int i = 0; i < K_MAX_SAVED && !stale; i++)
    if (node->saved[i] && node->saved[i]->storage->version != node->saved_version[i])
      stale = node->saved[i], expected = node->saved_version[i];
  if (!stale) return K_OK;
  char buf[96];
  return k_fail(K_ERR_RUNTIME,
                "backward: one of the variables needed for gradient computation has been modified by an inplace "
                "operation: [torch.%s %s], which is used by %s, is at version %d; expected version %d instead",
                stale->dtype == K_FLOAT32 ? "FloatTensor" : "LongTensor",
                shape_str(stale->shape, stale->ndim, buf, sizeof buf), op_table[node->op].name,
                (int)stale->storage->version, (int)expected);
}

/* Drops what backward needed; the node itself stays while its output points to it, so a
 * second backward can say the graph is gone instead of computing garbage. */
static void node_free_graph(Node* node) {
  for (int i = 0; i < K_MAX_INPUTS; i++) {
    if (node->inputs[i]) tensor_release(node->inputs[i]);
    node->inputs[i] = NULL;
    if (node->next[i]) node_release(node->next[i]);
    node->next[i] = NULL;
  }
  for (int i = 0; i < K_MAX_SAVED; i++) {
    if (node->saved[i]) tensor_release(node->saved[i]);
    node->saved[i] = NULL;
  }
  if (node->grad) tensor_release(node->grad);
  node->grad = NULL;
  node->released = 1;
}

void node_release(Node* node) {
  if (--node->refcount > 0) return;
  node_free_graph(node);
  free(node);
}

/* *slot += g, taking g's reference (g is a fresh tensor owned by the caller). */
static int accumulate(Tensor** slot, Tensor* g) {
  if (!*slot) {
    *slot = g;
    return K_OK;
  }
  binary_f32(BIN_ADD, tensor_f32(*slot), tensor_f32(*slot), 1, tensor_f32(g), 1, (*slot)->numel);
  tensor_release(g);
  return K_OK;
}

/* A leaf's .grad is its own tensor (never an alias of a graph buffer) so that in-place
 * updates by the user or the optimizer cannot reach into anything else. */
static int accumulate_leaf(Tensor* leaf, Tensor* g) {
  if (leaf->grad) return accumulate(&leaf->grad, g);
  if (g->refcount == 1 && g->storage->refcount == 1) {
    leaf->grad = g;
    return K_OK;
  }
  Tensor* copy = tensor_new_like(g, "backward");
  if (!copy) return k_last_status();
  memcpy(tensor_f32(copy), tensor_f32(g), (size_t)g->numel * 4);
  tensor_release(g);
  leaf->grad = copy;
  return K_OK;
}

typedef struct NodeList {
  Node** items;
  int count, capacity;
} NodeList;

static int list_push(NodeList* list, Node* node) {
  if (list->count == list->capacity) {
    int capacity = list->capacity ? list->capacity * 2 : 64;
    Node** items = realloc(list->items, (size_t)capacity * sizeof *items);
    if (!items) return k_fail(K_ERR_OOM, "backward: out of memory walking the graph");
    list->items = items;
    list->capacity = capacity;
  }
  list->items[list->count++] = node;
  return K_OK;
}

/* Collects every node reachable from root (each retained once, marked with this walk's
 * number) and counts, for each, how many edges from collected nodes point at it. */
static int collect(Node* root, NodeList* all) {
  static int32_t walks = 0;
  int32_t walk = ++walks;
  root->mark = walk;
  NodeList stack = {0};
  int status = list_push(&stack, root);
  root->refcount++;
  root->pending = 0;
  if (status == K_OK) status = list_push(all, root);
  while (status == K_OK && stack.count) {
    Node* node = stack.items[--stack.count];
    if (node->released) {
      status = k_fail(K_ERR_RUNTIME,
                      "backward: Trying to backward through the graph a second time (or directly access saved "
                      "tensors after they have already been freed). Saved intermediate values of the graph are "
                      "freed when you call .backward(). Specify retain_graph=True if you need to backward through "
                      "the graph a second time");
      break;
    }
    for (int i = 0; i < node->ninputs && status == K_OK; i++) {
      Node* next = node->next[i];
      if (!next) continue;
      if (next->mark != walk) {
        next->mark = walk;
        next->refcount++;
        next->pending = 0;
        status = list_push(all, next);
        if (status == K_OK) status = list_push(&stack, next);
      }
      next->pending++;
    }
  }
  free(stack.items);
  return status;
}

int autograd_backward(Tensor* root, Tensor* grad_root, int retain_graph) {
  if (!root->requires_grad)
    return k_fail(K_ERR_RUNTIME,
                  "backward: element 0 of tensors does not require grad and does not have a grad_fn");
  if (!grad_root && root->numel != 1) {
    char buf[96];
    return k_fail(K_ERR_RUNTIME, "backward: grad can be implicitly created only for scalar outputs, got shape %s",
                  shape_str(root->shape, root->ndim, buf, sizeof buf));
  }
  if (grad_root && !tensor_same_shape(root, grad_root)) {
    char a[96], b[96];
    return k_fail(K_ERR_RUNTIME, "backward: gradient of shape %s does not match the tensor's shape %s",
                  shape_str(grad_root->shape, grad_root->ndim, a, sizeof a),
                  shape_str(root->shape, root->ndim, b, sizeof b));
  }
  /* the bits are read as float32 below: another dtype is cast by the shim (as PyTorch does) */
  if (grad_root && grad_root->dtype != K_FLOAT32)
    return k_fail(K_ERR_TYPE, "backward: expected a float32 gradient, got %s", dtype_name(grad_root->dtype));
  Tensor* seed = tensor_new_like(root, "backward");
  if (!seed) return k_last_status();
  if (grad_root) memcpy(tensor_f32(seed), tensor_f32(grad_root), (size_t)root->numel * 4);
  else tensor_f32(seed)[0] = 1.0f;
  if (!root->grad_fn) return accumulate_leaf(root, seed);

  NodeList all = {0};
  int status = collect(root->grad_fn, &all);
  if (status == K_OK) {
    root->grad_fn->grad = seed;
    seed = NULL;
  }
  /* Kahn's algorithm: a node runs once every consumer has delivered its gradient. */
  NodeList ready = {0};
  if (status == K_OK) status = list_push(&ready, root->grad_fn);
  while (status == K_OK && ready.count) {
    Node* node = ready.items[--ready.count];
    Tensor* grads[K_MAX_INPUTS] = {0};
    if (node->grad && status == K_OK) status = check_versions(node);
    if (node->grad && status == K_OK) status = op_table[node->op].backward(node, node->grad, grads);
    for (int i = 0; i < node->ninputs; i++) {
      Tensor* in = node->inputs[i];
      Node* next = node->next[i];
      if (!next) {
        if (grads[i] && in && node->needs_grad[i] && status == K_OK) status = accumulate_leaf(in, grads[i]);
        else if (grads[i]) tensor_release(grads[i]);
        continue;
      }
      if (grads[i] && status == K_OK) status = accumulate(&next->grad, grads[i]);
      else if (grads[i]) tensor_release(grads[i]);
      if (--next->pending == 0 && status == K_OK) status = list_push(&ready, next);
    }
    if (!retain_graph) node_free_graph(node);
    else if (node->grad) { /* the graph stays for another backward; only this walk's gradient goes */
      tensor_release(node->grad);
      node->grad = NULL;
    }
  }
  if (seed) tensor_release(seed);
  for (int k = 0; k < all.count; k++) {
    if (status != K_OK && all.items[k]->grad) {
      tensor_release(all.items[k]->grad);
      all.items[k]->grad = NULL;
    }
    node_release(all.items[k]);
  }
  free(all.items);
  free(ready.items);
  return status;
}
