/* kindling.h: the whole C ABI the JS shim may call. Plain integers, doubles and pointers
 * into the wasm heap only. Tensors cross as handles (int32 > 0). Every function that can
 * fail returns a status < 0 (see core/error.h) and leaves a message naming the PyTorch-
 * level call in k_error_message(); functions that make a tensor return its new handle.
 * Shapes and dim lists are passed through the scratch buffer (k_scratch()). */
#ifndef KINDLING_H
#define KINDLING_H

#include <stdint.h>

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define KAPI EMSCRIPTEN_KEEPALIVE
#else
#define KAPI
#endif

/* --- instance: memory, errors, switches ------------------------------------------- */
KAPI void* k_malloc(int32_t bytes);                /* raw buffer for the shim; NULL on failure */
KAPI void k_free(void* ptr);
KAPI int32_t* k_scratch(void);                     /* 8-byte aligned, K_SCRATCH_BYTES long */
#define K_SCRATCH_BYTES 1024
KAPI int32_t k_error_status(void);
KAPI const char* k_error_message(void);
KAPI void k_set_simd(int32_t on);                  /* 0 runs every kernel's scalar reference */
KAPI int32_t k_simd_available(void);
KAPI double k_live_tensors(void);
KAPI double k_live_bytes(void);
KAPI double k_live_handles(void);
KAPI double k_heap_limit(void);

/* --- tensors ------------------------------------------------------------------------- */
KAPI int32_t k_empty(int32_t dtype, int32_t ndim, const int32_t* shape);
KAPI int32_t k_full(int32_t dtype, int32_t ndim, const int32_t* shape, double value);
KAPI int32_t k_arange(double start, double end, double step, int32_t dtype);
KAPI int32_t k_release(int32_t h);
KAPI int32_t k_share(int32_t h);                   /* a second handle to the same tensor */
/* The elements, row-major; NULL (status set) on error. For a strided view this is a
 * contiguous copy, valid until the next call that makes a tensor: read it, never write it. */
KAPI void* k_data(int32_t h);
/* Writes [dtype, ndim, shape[0..5], requires_grad, is_leaf, uid, has_grad_fn, contiguous,
 * storage_offset, stride[0..5], version, is_view] as int32. */
KAPI int32_t k_info(int32_t h, int32_t* out);
KAPI int32_t k_set_requires_grad(int32_t h, int32_t on);
KAPI int32_t k_grad(int32_t h);                    /* a handle to .grad, 0 when None */
KAPI int32_t k_grad_uid(int32_t h);                /* .grad's uid, 0 when None */
KAPI int32_t k_set_grad(int32_t h, int32_t g);     /* g == 0 sets None */
KAPI int32_t k_backward(int32_t h, int32_t grad, int32_t retain_graph); /* grad == 0: implicit 1 for scalars */
KAPI void k_set_grad_enabled(int32_t on);
KAPI int32_t k_grad_enabled(void);

/* --- ops (kind codes from kernels/elementwise.h) ------------------------------------ */
KAPI int32_t k_binary(int32_t kind, int32_t a, int32_t b);
KAPI int32_t k_binary_scalar(int32_t kind, int32_t a, double s, int32_t scalar_first);
KAPI int32_t k_compare(int32_t kind, int32_t a, int32_t b);
KAPI int32_t k_compare_scalar(int32_t kind, int32_t a, double s);
KAPI int32_t k_unary(int32_t kind, int32_t a, double p);
KAPI int32_t k_sum(int32_t a, int32_t dim, int32_t keepdim, int32_t mean); /* dim 0x7fff: all */
KAPI int32_t k_max_dim(int32_t a, int32_t dim, int32_t keepdim);  /* indices handle -> scratch[0] */
KAPI int32_t k_max_all(int32_t a);
KAPI int32_t k_argmax(int32_t a, int32_t dim, int32_t keepdim);
KAPI int32_t k_matmul(int32_t a, int32_t b);
KAPI int32_t k_reshape(int32_t a, int32_t ndim, const int32_t* shape);
KAPI int32_t k_permute(int32_t a, int32_t ndim, const int32_t* dims);
KAPI int32_t k_transpose(int32_t a, int32_t d0, int32_t d1);
KAPI int32_t k_flatten(int32_t a, int32_t start, int32_t end);
KAPI int32_t k_expand(int32_t a, int32_t ndim, const int32_t* shape);
KAPI int32_t k_clone(int32_t a);
KAPI int32_t k_detach(int32_t a);
KAPI int32_t k_cast(int32_t a, int32_t dtype);
KAPI int32_t k_softmax(int32_t a, int32_t dim, int32_t log);

/* --- math-ops: clamp (missing bound = +-inf), where, min / argmin, sort / topk (indices
 * handle -> scratch[0]), norm (p may be +-inf), var / std (correction as PyTorch 2), prod;
 * dim 0x7fff: all. Range factories as ATen's kernels. --------------------------------- */
KAPI const char* k_unary_name(int32_t kind);       /* NULL past the last kind */
KAPI const char* k_binary_name(int32_t kind);
/* grad_fn: PyTorch's name of the node reached from h's grad_fn along the next_functions
 * indices in scratch[0..depth); writes its next_functions to scratch: [count, then 1 for a
 * node or 0 for None each]. NULL (status set) for a leaf or a path that leads nowhere. */
KAPI const char* k_grad_fn(int32_t h, int32_t depth);
KAPI int32_t k_clamp(int32_t a, double lo, double hi);
KAPI int32_t k_clamp_tensor(int32_t a, int32_t lo, int32_t hi);   /* tensor bounds; 0 = None */
KAPI int32_t k_where(int32_t cond, int32_t a, int32_t b);
KAPI int32_t k_min_dim(int32_t a, int32_t dim, int32_t keepdim);
KAPI int32_t k_min_all(int32_t a);
KAPI int32_t k_argmin(int32_t a, int32_t dim, int32_t keepdim);
KAPI int32_t k_sort(int32_t a, int32_t dim, int32_t descending, int32_t stable); /* always stable */
KAPI int32_t k_topk(int32_t a, int32_t k, int32_t dim, int32_t largest);
KAPI int32_t k_norm(int32_t a, double p, int32_t dim, int32_t keepdim);
KAPI int32_t k_var(int32_t a, int32_t dim, double correction, int32_t keepdim, int32_t take_sqrt);
KAPI int32_t k_prod(int32_t a, int32_t dim, int32_t keepdim);
KAPI int32_t k_linspace(double start, double end, int32_t steps, int32_t dtype);
KAPI int32_t k_logspace(double start, double end, int32_t steps, double base, int32_t dtype);
KAPI int32_t k_eye(int32_t n, int32_t m, int32_t dtype);

/* --- nn layers (handles may be 0 for an absent bias / weight / running stat) -------- */
/* args: stride h, w; padding top, left, bottom, right; dilation h, w; groups */
KAPI int32_t k_conv2d(int32_t x, int32_t w, int32_t b, const int32_t* args);
KAPI int32_t k_linear(int32_t x, int32_t w, int32_t b);
/* args: kernel h, w; stride h, w; padding h, w; dilation h, w; ceil_mode; want_indices (then their
 * handle -> scratch[0], else 0 there) */
KAPI int32_t k_max_pool2d(int32_t x, const int32_t* args);
/* args: kernel h, w; stride h, w; padding h, w; ceil_mode; count_include_pad; divisor_override (0: none) */
KAPI int32_t k_avg_pool2d(int32_t x, const int32_t* args);
KAPI int32_t k_adaptive_avg_pool2d(int32_t x, int32_t oh, int32_t ow);
KAPI int32_t k_batch_norm(int32_t x, int32_t running_mean, int32_t running_var, int32_t weight, int32_t bias,
                          int32_t training, double momentum, double eps);
KAPI int32_t k_dropout(int32_t x, double p, int32_t channel_wise);

/* --- indexing and joining ---------------------------------------------------------- */
KAPI int32_t k_index_select(int32_t a, int32_t dim, int32_t index);   /* index: 1-D int64 */
KAPI int32_t k_narrow(int32_t a, int32_t dim, int32_t start, int32_t length);
KAPI int32_t k_cat(int32_t n, const int32_t* handles, int32_t dim);

/* --- views, indexing and in-place ops (src/abi/abi_views.c) ------------------------- */
/* Views share a's storage. items: nitems groups of 4 int32 (ops/ops.h, IDX_*). */
KAPI int32_t k_index_view(int32_t a, int32_t nitems, const int32_t* items);
KAPI int32_t k_select(int32_t a, int32_t dim, int32_t index);
KAPI int32_t k_view(int32_t a, int32_t ndim, const int32_t* shape);  /* never copies (reshape may) */
KAPI int32_t k_data_alias(int32_t a);                                 /* Tensor.data */
KAPI int32_t k_contiguous(int32_t a);                                 /* a itself when contiguous */
/* Advanced indexing: indices[d] is an int64 index tensor handle for dim d, or 0 for ':'. */
KAPI int32_t k_index(int32_t a, int32_t n, const int32_t* indices);
KAPI int32_t k_gather(int32_t a, int32_t dim, int32_t index);
KAPI int32_t k_nonzero(int32_t a);
/* self[pos[i]] = values[i] (accumulate: +=), pos int64 row-major positions in self. */
KAPI int32_t k_put_(int32_t self, int32_t pos, int32_t values, int32_t accumulate);
/* kind: 0 add_, 1 sub_, 2 mul_, 3 div_ (other handle or 0 for the scalar s; alpha scales
 * other for add_ / sub_), 4 fill_ (s, or a 0-d tensor other), 5 copy_ (other), 6 clamp_
 * (lo, hi; NaN for None). */
KAPI int32_t k_inplace(int32_t kind, int32_t self, int32_t other, double s, double alpha, double lo, double hi);

/* --- losses (reduction: 0 'none', 1 'mean', 2 'sum', 3 'batchmean') ---------------- */
/* target int64 class indices (N, d1, ...) or float32 class probabilities (N, C, d1, ...) */
KAPI int32_t k_cross_entropy(int32_t input, int32_t target, int32_t weight, int32_t ignore_index, int32_t reduction,
                             double label_smoothing);
KAPI int32_t k_nll_loss(int32_t input, int32_t target, int32_t weight, int32_t ignore_index, int32_t reduction);
/* kind: 0 l1, 1 mse, 2 smooth_l1 (param = beta), 3 huber (param = delta) */
KAPI int32_t k_pointwise_loss(int32_t kind, int32_t input, int32_t target, int32_t reduction, double param);
KAPI int32_t k_bce(int32_t input, int32_t target, int32_t weight, int32_t reduction);
KAPI int32_t k_bce_with_logits(int32_t input, int32_t target, int32_t weight, int32_t pos_weight, int32_t reduction);
KAPI int32_t k_kl_div(int32_t input, int32_t target, int32_t reduction, int32_t log_target);

/* --- optimizer updates: in place on a parameter from its .grad; state handles may be 0
 * where the options need none. Nothing is written when a check fails. ------------------ */
KAPI int32_t k_sgd_update(int32_t param, int32_t momentum_buf, double lr, double momentum, double dampening,
                          double weight_decay, int32_t nesterov, int32_t maximize, int32_t first_step);
KAPI int32_t k_adam_update(int32_t param, int32_t exp_avg, int32_t exp_avg_sq, int32_t max_exp_avg_sq, double step,
                           double lr, double beta1, double beta2, double eps, double weight_decay, int32_t amsgrad,
                           int32_t maximize, int32_t decoupled_weight_decay);
KAPI int32_t k_rmsprop_update(int32_t param, int32_t square_avg, int32_t grad_avg, int32_t momentum_buf, double lr,
                              double alpha, double eps, double weight_decay, double momentum, int32_t centered,
                              int32_t maximize);
KAPI int32_t k_adagrad_update(int32_t param, int32_t state_sum, double step, double lr, double lr_decay,
                              double weight_decay, double eps, int32_t maximize);
KAPI int32_t k_adadelta_update(int32_t param, int32_t square_avg, int32_t acc_delta, double lr, double rho, double eps,
                               double weight_decay, int32_t maximize);

/* --- lr schedulers: the arithmetic of src/optim/schedulers.c (src/abi/abi_sched.c) ---- */
/* One dispatcher over a kind code (why: see abi_sched.c). state is the scheduler's struct
 * of doubles (k_sched_state_size(kind) of them, field order of schedulers.h). groups is
 * (3, ngroups): row 0 the group lrs (read and written in place), row 1 base_lrs (the
 * groups' initial_lr; for CyclicLR's initial step the initial_lrs), row 2 momentums
 * (written by CyclicLR / OneCycleLR when cycle_momentum). extra, per kind: MultiStepLR
 * the milestones (nextra of them, repeats count); CyclicLR CyclicLRGroup[ngroups];
 * OneCycleLR OneCycleLRGroup[ngroups]; ReduceLROnPlateau min_lrs[ngroups]; else unused.
 * init args, in this order (last_epoch -1 = fresh; step_size_down NaN = None):
 *   STEP step_size, gamma, last_epoch        MULTISTEP gamma, last_epoch
 *   CONSTANT factor, total_iters, last_epoch LINEAR start_factor, end_factor, total_iters, last_epoch
 *   EXPONENTIAL gamma, last_epoch            POLYNOMIAL total_iters, power, last_epoch
 *   COSINE T_max, eta_min, last_epoch        WARM_RESTARTS T_0, T_mult, eta_min, last_epoch
 *   CYCLIC step_size_up, step_size_down, mode (CYCLIC_*), gamma, scale_mode, cycle_momentum, last_epoch
 *   ONE_CYCLE total_steps, pct_start, anneal, cycle_momentum, three_phase, last_epoch, div_factor,
 *     final_div_factor; when extra != NULL each group's initial_lr and min_lr are computed from
 *     its max_lr (max_momentum, base_momentum kept), as the constructor does when last_epoch == -1
 *   PLATEAU mode, factor, patience, threshold, threshold_mode, cooldown, eps */
#define K_SCHED_STEP 0
#define K_SCHED_MULTISTEP 1
#define K_SCHED_CONSTANT 2
#define K_SCHED_LINEAR 3
#define K_SCHED_EXPONENTIAL 4
#define K_SCHED_POLYNOMIAL 5
#define K_SCHED_COSINE 6
#define K_SCHED_WARM_RESTARTS 7
#define K_SCHED_CYCLIC 8
#define K_SCHED_ONE_CYCLE 9
#define K_SCHED_PLATEAU 10
/* k_sched_step ops */
#define K_SCHED_OP_STEP 0     /* step(); ReduceLROnPlateau: step(metric = arg) */
#define K_SCHED_OP_EPOCH 1    /* step(epoch = arg): the closed form where PyTorch has one */
#define K_SCHED_OP_INITIAL 2  /* the constructor's _initial_step() */
#define K_SCHED_OP_ADVANCE 3  /* CyclicLR with a JS scale_fn: last_epoch += 1, _step_count += 1 */
#define K_SCHED_OP_GET_LR 4   /* CyclicLR with a JS scale_fn: get_lr() with scale_fn(...) = arg */
KAPI int32_t k_sched_state_size(int32_t kind);     /* doubles in the state struct */
KAPI int32_t k_sched_init(int32_t kind, double* state, const double* args, int32_t nargs, double* extra,
                          int32_t ngroups);
/* On failure nothing is written to groups, but state may have advanced (PyTorch increments
 * last_epoch before get_lr() raises); the caller keeps that state, as PyTorch does. */
KAPI int32_t k_sched_step(int32_t kind, int32_t op, double* state, double arg, double* groups, int32_t ngroups,
                          double* extra, int32_t nextra);
KAPI double k_sched_cyclic_scale_arg(const double* state);  /* scale_fn's argument: cycle or iterations */

/* --- random (one generator, PyTorch's CPU streams) ---------------------------------- */
KAPI void k_manual_seed(double seed);
KAPI double k_initial_seed(void);
KAPI int32_t k_rand(int32_t ndim, const int32_t* shape);
KAPI int32_t k_randn(int32_t ndim, const int32_t* shape);
KAPI int32_t k_randint(double low, double high, int32_t ndim, const int32_t* shape);
KAPI int32_t k_randperm(int32_t n);
KAPI int32_t k_uniform_(int32_t h, double from, double to);
KAPI int32_t k_normal_(int32_t h, double mean, double std);
KAPI int32_t k_rng_state_size(void);
KAPI int32_t k_rng_get_state(uint8_t* out);
KAPI int32_t k_rng_set_state(const uint8_t* in);

/* --- generators: torch.Generator objects (src/abi/abi_generator.c) ------------------ */
/* A generator is a pointer the shim owns; NULL means the default generator everywhere.
 * 64-bit values cross as two uint32 halves (lo, hi): seeds in, out[0..1] out. */
struct Rng;
KAPI struct Rng* k_generator_new(uint32_t seed_lo, uint32_t seed_hi);  /* NULL (status set) on OOM */
KAPI void k_generator_free(struct Rng* g);
KAPI void k_generator_manual_seed(struct Rng* g, uint32_t seed_lo, uint32_t seed_hi);
KAPI int32_t k_generator_initial_seed(const struct Rng* g, uint32_t* out);
/* Tensor.random_() on an int64 scalar: random64() mod 2^63 (RandomSampler's seed draw). */
KAPI int32_t k_generator_random_i64(struct Rng* g, uint32_t* out);
KAPI int32_t k_generator_randperm(struct Rng* g, int32_t n);          /* int64 tensor handle */
/* One torch.randint(low, high, (1,)) draw; NaN (status set) when the range is invalid. */
KAPI double k_generator_randint(struct Rng* g, double low, double high);
/* One torch.empty(1).uniform_(from, to) draw (float32 arithmetic, as ATen). */
KAPI double k_generator_uniform(struct Rng* g, double from, double to);
KAPI int32_t k_generator_get_state(const struct Rng* g, uint8_t* out);  /* k_rng_state_size() bytes */
KAPI int32_t k_generator_set_state(struct Rng* g, const uint8_t* in);

/* --- kernels exposed for benchmarks and SIMD-vs-scalar tests ------------------------ */
KAPI int32_t k_gemm(int32_t transA, int32_t transB, int32_t M, int32_t N, int32_t K, float alpha, const float* A,
                    int32_t lda, const float* B, int32_t ldb, float beta, float* C, int32_t ldc);

#endif
