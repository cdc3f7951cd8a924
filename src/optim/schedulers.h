/* schedulers.h: learning-rate scheduler arithmetic of PyTorch 1.13's
 * torch.optim.lr_scheduler, in double precision, as pure functions over plain
 * state structs.
 *
 * What this is: for each scheduler, the exact recursive ("chainable") get_lr() that
 * PyTorch's step() uses, so the printed numbers agree to the last bit wherever libm's
 * cos/pow agree, plus the step(epoch) path (closed form where PyTorch has
 * _get_closed_form_lr): SequentialLR calls step(0) on a scheduler at its milestone,
 * so that path is reachable from user code.
 * What this is not: LambdaLR and MultiplicativeLR (they call user JS functions;
 * trivial in JS: lr = base_lr * f(last_epoch), resp. lr *= f(last_epoch) when
 * last_epoch > 0), SequentialLR and ChainedScheduler (compositions; recipe below),
 * argument messages (the JS side words them), warnings.
 *
 * Conventions
 * - Every state struct consists of doubles only (no padding), so the JS side may view
 *   it as a Float64Array and (de)serialise it by field order for state_dict() /
 *   load_state_dict(). Integer-valued fields hold exact integers. Each field's
 *   comment names its key in PyTorch's state_dict. PyTorch's state_dict also holds
 *   base_lrs, _last_lr, verbose and _get_lr_called_within_step; base_lrs (and the
 *   other per-group lists) live on the JS side and are passed in as arrays;
 *   _last_lr is the copy of the group lrs the JS side takes after every step.
 * - double* lrs is the optimizer's param_groups[i]['lr'] for i < ngroups, read and
 *   written in place (the recursive forms read the current lr, as PyTorch does).
 * - <name>_init() only stores the arguments (PyTorch's constructor up to
 *   super().__init__). The constructor's _initial_step() is then:
 *     s.step_count = 0; <name>_step(&s, ..., lrs, ngroups);
 *   which makes last_epoch 0 (from the default last_epoch = -1) and step_count 1.
 *   base_lrs passed to later calls are group['initial_lr'] (setdefault'ed to the
 *   group lr when last_epoch == -1).
 * - <name>_step() is step() without argument: last_epoch += 1, step_count += 1, then
 *   the lrs are recomputed. <name>_step_epoch() is step(epoch): last_epoch = epoch,
 *   step_count += 1, then the closed form (or get_lr() where PyTorch has none).
 * - Errors: a status < 0 where PyTorch raises. Validation in *_init matches the
 *   constructor's ValueErrors. When a step fails, last_epoch and step_count have
 *   been advanced (PyTorch increments them before get_lr() raises) but no lr or
 *   momentum is written, exactly as after PyTorch's exception.
 *
 * Composition (done by the JS side):
 * - ChainedScheduler([s0..sk]): its constructor does nothing numeric (each scheduler
 *   already made its initial step); step() calls s0.step() ... sk.step() in order on
 *   the same group lrs; _last_lr = the group lrs afterwards.
 * - SequentialLR(opt, [s0..sk], milestones): constructor: lrs[i] = initial_lr[i];
 *   every sub-scheduler's last_epoch -= 1; s0.step_count = 0; s0 step (no epoch);
 *   own last_epoch = 0 (last_epoch + 1); _last_lr = s0's. step(): last_epoch += 1;
 *   idx = number of milestones <= last_epoch (bisect_right); if idx > 0 and
 *   milestones[idx-1] == last_epoch: s_idx step_epoch(0) else s_idx step();
 *   _last_lr = the group lrs. (The other schedulers' step_count is not reset.)
 * - LambdaLR: lr[i] = base_lrs[i] * lambda_i(last_epoch). MultiplicativeLR:
 *   if last_epoch > 0: lr[i] *= lambda_i(last_epoch). Neither has a closed form, so
 *   their step(epoch) sets last_epoch = epoch and applies the same rule.
 */
#ifndef KINDLING_SCHEDULERS_H
#define KINDLING_SCHEDULERS_H

#define SCHED_OK 0
#define SCHED_ERR_ARG (-1)        /* an argument the constructor / step rejects (ValueError) */
#define SCHED_ERR_ZERO_DIV (-2)   /* PyTorch raises ZeroDivisionError at this step */
#define SCHED_ERR_STEPS (-3)      /* OneCycleLR: "Tried to step {last_epoch+1} times.
                                     The specified number of total steps is {total_steps}" */
#define SCHED_ERR_NULL (-4)       /* a required array is NULL (ngroups > 0) */

/* Short English text for a SCHED_* status (never NULL). */
const char* sched_status_string(int status);

/* ---- StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1) */
typedef struct {
  double last_epoch;  /* last_epoch */
  double step_count;  /* _step_count */
  double step_size;   /* step_size */
  double gamma;       /* gamma */
} StepLRState;
int step_lr_init(StepLRState* s, double step_size, double gamma, double last_epoch);
int step_lr_step(StepLRState* s, double* lrs, int ngroups);
int step_lr_step_epoch(StepLRState* s, double epoch, const double* base_lrs, double* lrs,
                       int ngroups);

/* ---- MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)
 * milestones: PyTorch keeps a Counter; here the plain list (any order, repeats
 * count: a milestone listed k times multiplies by gamma**k). Held by the JS side. */
typedef struct {
  double last_epoch;  /* last_epoch */
  double step_count;  /* _step_count */
  double gamma;       /* gamma */
} MultiStepLRState;
int multi_step_lr_init(MultiStepLRState* s, double gamma, double last_epoch);
int multi_step_lr_step(MultiStepLRState* s, const double* milestones, int nmilestones,
                       double* lrs, int ngroups);
int multi_step_lr_step_epoch(MultiStepLRState* s, double epoch, const double* milestones,
                             int nmilestones, const double* base_lrs, double* lrs,
                             int ngroups);

/* ---- ConstantLR(optimizer, factor=1/3, total_iters=5, last_epoch=-1) */
typedef struct {
  double last_epoch;   /* last_epoch */
  double step_count;   /* _step_count */
  double factor;       /* factor */
  double total_iters;  /* total_iters */
} ConstantLRState;
int constant_lr_init(ConstantLRState* s, double factor, double total_iters, double last_epoch);
int constant_lr_step(ConstantLRState* s, double* lrs, int ngroups);
int constant_lr_step_epoch(ConstantLRState* s, double epoch, const double* base_lrs,
                           double* lrs, int ngroups);

/* ---- LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5, last_epoch=-1) */
typedef struct {
  double last_epoch;    /* last_epoch */
  double step_count;    /* _step_count */
  double start_factor;  /* start_factor */
  double end_factor;    /* end_factor */
  double total_iters;   /* total_iters */
} LinearLRState;
int linear_lr_init(LinearLRState* s, double start_factor, double end_factor,
                   double total_iters, double last_epoch);
int linear_lr_step(LinearLRState* s, double* lrs, int ngroups);
int linear_lr_step_epoch(LinearLRState* s, double epoch, const double* base_lrs, double* lrs,
                         int ngroups);

/* ---- ExponentialLR(optimizer, gamma, last_epoch=-1) */
typedef struct {
  double last_epoch;  /* last_epoch */
  double step_count;  /* _step_count */
  double gamma;       /* gamma */
} ExponentialLRState;
int exponential_lr_init(ExponentialLRState* s, double gamma, double last_epoch);
int exponential_lr_step(ExponentialLRState* s, double* lrs, int ngroups);
int exponential_lr_step_epoch(ExponentialLRState* s, double epoch, const double* base_lrs,
                              double* lrs, int ngroups);

/* ---- PolynomialLR(optimizer, total_iters=5, power=1.0, last_epoch=-1) */
typedef struct {
  double last_epoch;   /* last_epoch */
  double step_count;   /* _step_count */
  double total_iters;  /* total_iters */
  double power;        /* power */
} PolynomialLRState;
int polynomial_lr_init(PolynomialLRState* s, double total_iters, double power,
                       double last_epoch);
int polynomial_lr_step(PolynomialLRState* s, double* lrs, int ngroups);
int polynomial_lr_step_epoch(PolynomialLRState* s, double epoch, const double* base_lrs,
                             double* lrs, int ngroups);

/* ---- CosineAnnealingLR(optimizer, T_max, eta_min=0, last_epoch=-1) */
typedef struct {
  double last_epoch;  /* last_epoch */
  double step_count;  /* _step_count (its == 1 case is the resume branch of get_lr) */
  double T_max;       /* T_max */
  double eta_min;     /* eta_min */
} CosineAnnealingLRState;
int cosine_annealing_lr_init(CosineAnnealingLRState* s, double T_max, double eta_min,
                             double last_epoch);
int cosine_annealing_lr_step(CosineAnnealingLRState* s, const double* base_lrs, double* lrs,
                             int ngroups);
int cosine_annealing_lr_step_epoch(CosineAnnealingLRState* s, double epoch,
                                   const double* base_lrs, double* lrs, int ngroups);

/* ---- CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0, last_epoch=-1)
 * Its step() is its own: it never touches _step_count (which stays 0 after the
 * initial step), and step(epoch) accepts fractional epochs (T_cur then fractional,
 * last_epoch = floor(epoch)). The initial step is cosine_warm_restarts_step(), which
 * maps to step(epoch=0) while last_epoch < 0. */
typedef struct {
  double last_epoch;  /* last_epoch */
  double step_count;  /* _step_count */
  double T_0;         /* T_0 */
  double T_i;         /* T_i */
  double T_mult;      /* T_mult */
  double eta_min;     /* eta_min */
  double T_cur;       /* T_cur */
} CosineWarmRestartsState;
int cosine_warm_restarts_init(CosineWarmRestartsState* s, double T_0, double T_mult,
                              double eta_min, double last_epoch);
int cosine_warm_restarts_step(CosineWarmRestartsState* s, const double* base_lrs,
                              double* lrs, int ngroups);
int cosine_warm_restarts_step_epoch(CosineWarmRestartsState* s, double epoch,
                                    const double* base_lrs, double* lrs, int ngroups);

/* ---- CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
 *               mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle',
 *               cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1)
 * Construction on the JS side, as PyTorch does it: if last_epoch == -1, group lr =
 * base_lr and (cycle_momentum) group momentum = base_momentum; the group's base
 * momentum is then read back from the group. Per-group values go in CyclicLRGroup
 * (base_lrs, max_lrs, base_momentums, max_momentums of PyTorch's state_dict).
 * Quirk kept: PyTorch's initial step runs before it assigns self.base_lrs = base_lr,
 * so it uses group['initial_lr'] (= base_lr unless the group already had one, e.g.
 * from an earlier scheduler): pass initial_lrs for the initial step (or NULL for
 * "same as base_lr") to cyclic_lr_initial_step().
 * A user scale_fn (mode CYCLIC_CUSTOM): call cyclic_lr_advance(), evaluate the JS
 * function at cyclic_lr_scale_arg(), then cyclic_lr_get_lr() with that value. */
#define CYCLIC_TRIANGULAR 0
#define CYCLIC_TRIANGULAR2 1
#define CYCLIC_EXP_RANGE 2
#define CYCLIC_CUSTOM 3        /* scale_fn given: mode is ignored */
#define CYCLIC_SCALE_CYCLE 0
#define CYCLIC_SCALE_ITERATIONS 1
typedef struct {
  double last_epoch;      /* last_epoch */
  double step_count;      /* _step_count */
  double total_size;      /* total_size */
  double step_ratio;      /* step_ratio */
  double mode;            /* mode: CYCLIC_* (CUSTOM = PyTorch's _scale_fn_custom set) */
  double gamma;           /* gamma */
  double scale_mode;      /* scale_mode: CYCLIC_SCALE_* */
  double cycle_momentum;  /* cycle_momentum (0/1) */
} CyclicLRState;
typedef struct {
  double base_lr, max_lr;              /* base_lrs[i], max_lrs[i] */
  double base_momentum, max_momentum;  /* base_momentums[i], max_momentums[i] */
} CyclicLRGroup;
/* step_size_down: NaN for None. scale_mode is used only with CYCLIC_CUSTOM (the
 * built-in modes fix it as PyTorch does). */
int cyclic_lr_init(CyclicLRState* s, double step_size_up, double step_size_down, int mode,
                   double gamma, int scale_mode, int cycle_momentum, double last_epoch);
/* momentums: written (group['momentum']) when cycle_momentum, else may be NULL. */
int cyclic_lr_step(CyclicLRState* s, const CyclicLRGroup* groups, double* lrs,
                   double* momentums, int ngroups);
int cyclic_lr_step_epoch(CyclicLRState* s, double epoch, const CyclicLRGroup* groups,
                         double* lrs, double* momentums, int ngroups);
int cyclic_lr_initial_step(CyclicLRState* s, const CyclicLRGroup* groups,
                           const double* initial_lrs, double* lrs, double* momentums,
                           int ngroups);
void cyclic_lr_advance(CyclicLRState* s);                 /* last_epoch += 1, step_count += 1 */
double cyclic_lr_scale_arg(const CyclicLRState* s);       /* cycle or last_epoch, per scale_mode */
/* get_lr() at the current last_epoch; scale = scale_fn(cyclic_lr_scale_arg(s)) for
 * CYCLIC_CUSTOM, ignored otherwise. */
int cyclic_lr_get_lr(const CyclicLRState* s, double scale, const CyclicLRGroup* groups,
                     double* lrs, double* momentums, int ngroups);

/* ---- OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
 *                 pct_start=0.3, anneal_strategy='cos', cycle_momentum=True,
 *                 base_momentum=0.85, max_momentum=0.95, div_factor=25.0,
 *                 final_div_factor=1e4, three_phase=False, last_epoch=-1)
 * The per-group numbers live in PyTorch's param_groups (initial_lr, max_lr, min_lr,
 * max_momentum, base_momentum: saved with the optimizer, not the scheduler);
 * one_cycle_lr_group_init() computes them as the constructor does when
 * last_epoch == -1 (and the constructor then sets group momentum, or betas[0] for
 * Adam-like optimizers (use_beta1), to max_momentum). The computed momentum of each
 * step goes to group['momentum'] or group['betas'][0] likewise.
 * total_steps: the given one, else epochs * steps_per_epoch (JS side). */
#define ONECYCLE_COS 0
#define ONECYCLE_LINEAR 1
typedef struct {
  double last_epoch;      /* last_epoch */
  double step_count;      /* _step_count */
  double total_steps;     /* total_steps */
  double anneal;          /* anneal_func: ONECYCLE_COS / ONECYCLE_LINEAR */
  double cycle_momentum;  /* cycle_momentum (0/1) */
  double three_phase;     /* len(_schedule_phases) == 3 */
  double end_step[3];     /* _schedule_phases[k]['end_step'] */
} OneCycleLRState;
typedef struct {
  double initial_lr, max_lr, min_lr, max_momentum, base_momentum;
} OneCycleLRGroup;
int one_cycle_lr_init(OneCycleLRState* s, double total_steps, double pct_start, int anneal,
                      int cycle_momentum, int three_phase, double last_epoch);
int one_cycle_lr_group_init(OneCycleLRGroup* g, double max_lr, double div_factor,
                            double final_div_factor, double max_momentum,
                            double base_momentum);
int one_cycle_lr_step(OneCycleLRState* s, const OneCycleLRGroup* groups, double* lrs,
                      double* momentums, int ngroups);
int one_cycle_lr_step_epoch(OneCycleLRState* s, double epoch, const OneCycleLRGroup* groups,
                            double* lrs, double* momentums, int ngroups);

/* ---- ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
 *                        threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)
 * Not an _LRScheduler: no initial step, no _step_count, last_epoch starts at 0, and
 * _last_lr exists only after the first step. min_lrs (state_dict 'min_lrs') is
 * per group, held by the JS side. The metric must be finite (the caller rejects
 * NaN/Inf before calling). */
#define PLATEAU_MIN 0
#define PLATEAU_MAX 1
#define PLATEAU_REL 0
#define PLATEAU_ABS 1
typedef struct {
  double last_epoch;        /* last_epoch */
  double factor;            /* factor */
  double patience;          /* patience */
  double cooldown;          /* cooldown */
  double cooldown_counter;  /* cooldown_counter */
  double mode;              /* mode: PLATEAU_MIN / PLATEAU_MAX */
  double threshold;         /* threshold */
  double threshold_mode;    /* threshold_mode: PLATEAU_REL / PLATEAU_ABS */
  double best;              /* best (starts at mode_worse) */
  double num_bad_epochs;    /* num_bad_epochs */
  double mode_worse;        /* mode_worse: +inf for min, -inf for max */
  double eps;               /* eps */
} ReduceLROnPlateauState;
int reduce_lr_on_plateau_init(ReduceLROnPlateauState* s, int mode, double factor,
                              double patience, double threshold, int threshold_mode,
                              double cooldown, double eps);
/* step(metrics): returns SCHED_OK; lrs reduced in place when patience runs out. */
int reduce_lr_on_plateau_step(ReduceLROnPlateauState* s, double metric, const double* min_lrs,
                              double* lrs, int ngroups);
/* is_better(a, best) as PyTorch computes it (exposed for tests and the JS side). */
int reduce_lr_on_plateau_is_better(const ReduceLROnPlateauState* s, double a, double best);

#endif
