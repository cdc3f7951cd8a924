/* abi_sched.c: the lr-scheduler part of the ABI (see kindling.h): a thin dispatcher over
 * the arithmetic of optim/schedulers.h, plus PyTorch's error messages for what the
 * arithmetic rejects.
 *
 * Why one dispatcher on a kind code instead of one export per scheduler: eleven
 * schedulers times (init, step, step(epoch), initial step) would be ~45 exports whose JS
 * bindings all look alike, while the JS side already treats every state struct the same
 * way (a Float64Array it packs from and unpacks into the scheduler's PyTorch-named
 * fields). So there are four exports, one argument layout per kind documented in
 * kindling.h, and the per-kind code is these switch statements.
 *
 * What this is not: argument checks that need JS types (integer vs float, strings,
 * list lengths) and warnings, which the JS side does first with PyTorch's wording; the
 * checks here only back them up. LambdaLR, MultiplicativeLR, SequentialLR and
 * ChainedScheduler live in JS (see schedulers.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/error.h"
#include "../kindling.h"
#include "../optim/schedulers.h"

typedef struct {
  const char* name;  /* PyTorch's class name, for messages */
  int32_t state;     /* doubles in the state struct */
  int32_t nargs;     /* k_sched_init argument count */
} KindInfo;

static const KindInfo KINDS[] = {
    [K_SCHED_STEP] = {"StepLR", sizeof(StepLRState) / sizeof(double), 3},
    [K_SCHED_MULTISTEP] = {"MultiStepLR", sizeof(MultiStepLRState) / sizeof(double), 2},
    [K_SCHED_CONSTANT] = {"ConstantLR", sizeof(ConstantLRState) / sizeof(double), 3},
    [K_SCHED_LINEAR] = {"LinearLR", sizeof(LinearLRState) / sizeof(double), 4},
    [K_SCHED_EXPONENTIAL] = {"ExponentialLR", sizeof(ExponentialLRState) / sizeof(double), 2},
    [K_SCHED_POLYNOMIAL] = {"PolynomialLR", sizeof(PolynomialLRState) / sizeof(double), 3},
    [K_SCHED_COSINE] = {"CosineAnnealingLR", sizeof(CosineAnnealingLRState) / sizeof(double), 3},
    [K_SCHED_WARM_RESTARTS] = {"CosineAnnealingWarmRestarts", sizeof(CosineWarmRestartsState) / sizeof(double), 4},
    [K_SCHED_CYCLIC] = {"CyclicLR", sizeof(CyclicLRState) / sizeof(double), 7},
    [K_SCHED_ONE_CYCLE] = {"OneCycleLR", sizeof(OneCycleLRState) / sizeof(double), 8},
    [K_SCHED_PLATEAU] = {"ReduceLROnPlateau", sizeof(ReduceLROnPlateauState) / sizeof(double), 7},
};
#define NKINDS ((int32_t)(sizeof KINDS / sizeof KINDS[0]))

/* A number as Python prints it in these messages: integers without a fraction, other
 * values in the shortest form that reads back exactly (Python's repr). */
typedef struct { char s[40]; } Num;
static Num num(double x) {
  Num n;
  if (isfinite(x) && x == floor(x) && fabs(x) < 1e15) {
    snprintf(n.s, sizeof n.s, "%.0f", x);
  } else if (isnan(x)) {
    snprintf(n.s, sizeof n.s, "nan");
  } else if (isinf(x)) {
    snprintf(n.s, sizeof n.s, x > 0 ? "inf" : "-inf");
  } else {
    for (int p = 15; p <= 17; p++) {
      snprintf(n.s, sizeof n.s, "%.*g", p, x);
      if (strtod(n.s, NULL) == x) break;
    }
  }
  return n;
}

static int is_int(double x) { return isfinite(x) && x == floor(x); }

static int32_t bad_kind(const char* fn, int32_t kind) {
  return k_fail(K_ERR_RANGE, "%s: unknown scheduler kind %d", fn, (int)kind);
}

int32_t k_sched_state_size(int32_t kind) {
  if (kind < 0 || kind >= NKINDS) return bad_kind("k_sched_state_size", kind);
  return KINDS[kind].state;
}

/* The constructor checks PyTorch makes, with its messages (ValueError -> RangeError). */
static int32_t check_init_args(int32_t kind, const double* a) {
  const char* name = KINDS[kind].name;
  switch (kind) {
    case K_SCHED_CONSTANT:
      if (!(a[0] >= 0 && a[0] <= 1.0))
        return k_fail(K_ERR_RANGE, "%s: Constant multiplicative factor expected to be between 0 and 1.", name);
      break;
    case K_SCHED_LINEAR:
      if (!(a[0] >= 0 && a[0] <= 1.0))
        return k_fail(K_ERR_RANGE, "%s: Starting multiplicative factor expected to be between 0 and 1.", name);
      if (!(a[1] >= 0 && a[1] <= 1.0))
        return k_fail(K_ERR_RANGE, "%s: Ending multiplicative factor expected to be between 0 and 1.", name);
      break;
    case K_SCHED_WARM_RESTARTS:
      if (!(a[0] > 0) || !is_int(a[0]))
        return k_fail(K_ERR_RANGE, "%s: Expected positive integer T_0, but got %s", name, num(a[0]).s);
      if (!(a[1] >= 1) || !is_int(a[1]))
        return k_fail(K_ERR_RANGE, "%s: Expected integer T_mult >= 1, but got %s", name, num(a[1]).s);
      break;
    case K_SCHED_CYCLIC:
      if (!(a[2] >= CYCLIC_TRIANGULAR && a[2] <= CYCLIC_CUSTOM) || !is_int(a[2]))
        return k_fail(K_ERR_RANGE, "%s: mode is invalid and scale_fn is None", name);
      if (a[0] + (isnan(a[1]) ? a[0] : a[1]) == 0)
        return k_fail(K_ERR_RUNTIME, "%s: float division by zero (step_size_up + step_size_down is 0)", name);
      break;
    case K_SCHED_ONE_CYCLE:
      if (!(a[0] > 0) || !is_int(a[0]))
        return k_fail(K_ERR_RANGE, "%s: Expected positive integer total_steps, but got %s", name, num(a[0]).s);
      if (!(a[1] >= 0 && a[1] <= 1))
        return k_fail(K_ERR_RANGE, "%s: Expected float between 0 and 1 pct_start, but got %s", name, num(a[1]).s);
      if (a[2] != ONECYCLE_COS && a[2] != ONECYCLE_LINEAR)
        return k_fail(K_ERR_RANGE, "%s: anneal_strategy must by one of 'cos' or 'linear', instead got %s", name,
                      num(a[2]).s);
      if (a[6] == 0 || a[7] == 0) return k_fail(K_ERR_RUNTIME, "%s: float division by zero", name);
      break;
    case K_SCHED_PLATEAU:
      if (!(a[1] < 1.0)) return k_fail(K_ERR_RANGE, "%s: Factor should be < 1.0.", name);
      if (a[0] != PLATEAU_MIN && a[0] != PLATEAU_MAX)
        return k_fail(K_ERR_RANGE, "%s: mode %s is unknown!", name, num(a[0]).s);
      if (a[4] != PLATEAU_REL && a[4] != PLATEAU_ABS)
        return k_fail(K_ERR_RANGE, "%s: threshold mode %s is unknown!", name, num(a[4]).s);
      break;
    default: break;
  }
  return K_OK;
}

int32_t k_sched_init(int32_t kind, double* state, const double* args, int32_t nargs, double* extra,
                     int32_t ngroups) {
  if (kind < 0 || kind >= NKINDS) return bad_kind("k_sched_init", kind);
  const char* name = KINDS[kind].name;
  if (!state || nargs != KINDS[kind].nargs || (nargs > 0 && !args) || ngroups < 0)
    return k_fail(K_ERR_RUNTIME, "%s: k_sched_init expects a state and %d arguments, got %d", name,
                  (int)KINDS[kind].nargs, (int)nargs);
  int32_t st = check_init_args(kind, args);
  if (st) return st;
  const double* a = args;
  int r = SCHED_OK;
  switch (kind) {
    case K_SCHED_STEP: r = step_lr_init((StepLRState*)state, a[0], a[1], a[2]); break;
    case K_SCHED_MULTISTEP: r = multi_step_lr_init((MultiStepLRState*)state, a[0], a[1]); break;
    case K_SCHED_CONSTANT: r = constant_lr_init((ConstantLRState*)state, a[0], a[1], a[2]); break;
    case K_SCHED_LINEAR: r = linear_lr_init((LinearLRState*)state, a[0], a[1], a[2], a[3]); break;
    case K_SCHED_EXPONENTIAL: r = exponential_lr_init((ExponentialLRState*)state, a[0], a[1]); break;
    case K_SCHED_POLYNOMIAL: r = polynomial_lr_init((PolynomialLRState*)state, a[0], a[1], a[2]); break;
    case K_SCHED_COSINE: r = cosine_annealing_lr_init((CosineAnnealingLRState*)state, a[0], a[1], a[2]); break;
    case K_SCHED_WARM_RESTARTS:
      r = cosine_warm_restarts_init((CosineWarmRestartsState*)state, a[0], a[1], a[2], a[3]);
      break;
    case K_SCHED_CYCLIC:
      r = cyclic_lr_init((CyclicLRState*)state, a[0], a[1], (int)a[2], a[3], (int)a[4], a[5] != 0, a[6]);
      break;
    case K_SCHED_ONE_CYCLE:
      r = one_cycle_lr_init((OneCycleLRState*)state, a[0], a[1], (int)a[2], a[3] != 0, a[4] != 0, a[5]);
      if (r == SCHED_OK && extra) {
        OneCycleLRGroup* g = (OneCycleLRGroup*)extra;   /* (ngroups,) */
        for (int32_t i = 0; i < ngroups && r == SCHED_OK; i++)
          r = one_cycle_lr_group_init(&g[i], g[i].max_lr, a[6], a[7], g[i].max_momentum, g[i].base_momentum);
      }
      break;
    case K_SCHED_PLATEAU:
      r = reduce_lr_on_plateau_init((ReduceLROnPlateauState*)state, (int)a[0], a[1], a[2], a[3], (int)a[4], a[5],
                                    a[6]);
      break;
  }
  if (r == SCHED_OK) return K_OK;
  if (r == SCHED_ERR_ZERO_DIV) return k_fail(K_ERR_RUNTIME, "%s: float division by zero", name);
  return k_fail(r == SCHED_ERR_ARG ? K_ERR_RANGE : K_ERR_RUNTIME, "%s: %s", name, sched_status_string(r));
}

double k_sched_cyclic_scale_arg(const double* state) {
  return state ? cyclic_lr_scale_arg((const CyclicLRState*)state) : NAN;
}

/* A SCHED_* status of a step as the error PyTorch raises at that step. */
static int32_t step_failed(int32_t kind, int r, const double* state, double arg) {
  const char* name = KINDS[kind].name;
  switch (r) {
    case SCHED_ERR_ZERO_DIV: return k_fail(K_ERR_RUNTIME, "%s.step: float division by zero", name);
    case SCHED_ERR_STEPS: {
      const OneCycleLRState* s = (const OneCycleLRState*)state;
      return k_fail(K_ERR_RUNTIME, "%s.step: Tried to step %s times. The specified number of total steps is %s", name,
                    num(s->last_epoch + 1).s, num(s->total_steps).s);
    }
    case SCHED_ERR_ARG:
      if (kind == K_SCHED_WARM_RESTARTS)
        return k_fail(K_ERR_RANGE, "%s.step: Expected non-negative epoch, but got %s", name, num(arg).s);
      if (kind == K_SCHED_CYCLIC)
        return k_fail(K_ERR_RUNTIME, "%s.step: a scale_fn scheduler steps with ADVANCE then GET_LR", name);
      break;
    default: break;
  }
  return k_fail(K_ERR_RUNTIME, "%s.step: %s", name, sched_status_string(r));
}

int32_t k_sched_step(int32_t kind, int32_t op, double* state, double arg, double* groups, int32_t ngroups,
                     double* extra, int32_t nextra) {
  if (kind < 0 || kind >= NKINDS) return bad_kind("k_sched_step", kind);
  const char* name = KINDS[kind].name;
  if (!state || ngroups < 0 || (ngroups > 0 && !groups) || nextra < 0 || (nextra > 0 && !extra))
    return k_fail(K_ERR_RUNTIME, "%s.step: k_sched_step expects a state, groups and extra", name);
  int32_t want_extra = kind == K_SCHED_CYCLIC ? 4 * ngroups
                       : kind == K_SCHED_ONE_CYCLE ? 5 * ngroups
                       : kind == K_SCHED_PLATEAU ? ngroups
                                                 : -1;
  if (want_extra >= 0 && nextra != want_extra)
    return k_fail(K_ERR_RUNTIME, "%s.step: expected %d extra values for %d groups, got %d", name, (int)want_extra,
                  (int)ngroups, (int)nextra);
  int custom_op = op == K_SCHED_OP_ADVANCE || op == K_SCHED_OP_GET_LR;
  if (op < K_SCHED_OP_STEP || op > K_SCHED_OP_GET_LR || (custom_op && kind != K_SCHED_CYCLIC) ||
      (kind == K_SCHED_PLATEAU && op != K_SCHED_OP_STEP))
    return k_fail(K_ERR_RUNTIME, "%s.step: unsupported op %d", name, (int)op);
  if (kind == K_SCHED_PLATEAU && !isfinite(arg))
    return k_fail(K_ERR_RANGE, "%s.step: expected a finite metric, got %s", name, num(arg).s);

  double* lrs = groups;                  /* (ngroups,) */
  double* base = groups + ngroups;       /* (ngroups,) */
  double* mom = groups + 2 * ngroups;    /* (ngroups,) */
  /* _initial_step(): _step_count = 0, then step(); field 1 is step_count in every
   * _LRScheduler struct. CyclicLR's own initial step differs (initial_lrs). */
  if (op == K_SCHED_OP_INITIAL && kind != K_SCHED_CYCLIC) {
    state[1] = 0;
    op = K_SCHED_OP_STEP;
  }
  int epoch = op == K_SCHED_OP_EPOCH;
  int r = SCHED_OK;
  switch (kind) {
    case K_SCHED_STEP: {
      StepLRState* s = (StepLRState*)state;
      r = epoch ? step_lr_step_epoch(s, arg, base, lrs, ngroups) : step_lr_step(s, lrs, ngroups);
      break;
    }
    case K_SCHED_MULTISTEP: {
      MultiStepLRState* s = (MultiStepLRState*)state;
      r = epoch ? multi_step_lr_step_epoch(s, arg, extra, nextra, base, lrs, ngroups)
                : multi_step_lr_step(s, extra, nextra, lrs, ngroups);
      break;
    }
    case K_SCHED_CONSTANT: {
      ConstantLRState* s = (ConstantLRState*)state;
      r = epoch ? constant_lr_step_epoch(s, arg, base, lrs, ngroups) : constant_lr_step(s, lrs, ngroups);
      break;
    }
    case K_SCHED_LINEAR: {
      LinearLRState* s = (LinearLRState*)state;
      r = epoch ? linear_lr_step_epoch(s, arg, base, lrs, ngroups) : linear_lr_step(s, lrs, ngroups);
      break;
    }
    case K_SCHED_EXPONENTIAL: {
      ExponentialLRState* s = (ExponentialLRState*)state;
      r = epoch ? exponential_lr_step_epoch(s, arg, base, lrs, ngroups) : exponential_lr_step(s, lrs, ngroups);
      break;
    }
    case K_SCHED_POLYNOMIAL: {
      PolynomialLRState* s = (PolynomialLRState*)state;
      r = epoch ? polynomial_lr_step_epoch(s, arg, base, lrs, ngroups) : polynomial_lr_step(s, lrs, ngroups);
      break;
    }
    case K_SCHED_COSINE: {
      CosineAnnealingLRState* s = (CosineAnnealingLRState*)state;
      r = epoch ? cosine_annealing_lr_step_epoch(s, arg, base, lrs, ngroups)
                : cosine_annealing_lr_step(s, base, lrs, ngroups);
      break;
    }
    case K_SCHED_WARM_RESTARTS: {
      CosineWarmRestartsState* s = (CosineWarmRestartsState*)state;
      r = epoch ? cosine_warm_restarts_step_epoch(s, arg, base, lrs, ngroups)
                : cosine_warm_restarts_step(s, base, lrs, ngroups);
      break;
    }
    case K_SCHED_CYCLIC: {
      CyclicLRState* s = (CyclicLRState*)state;
      const CyclicLRGroup* g = (const CyclicLRGroup*)extra;   /* (ngroups,) */
      switch (op) {
        case K_SCHED_OP_STEP: r = cyclic_lr_step(s, g, lrs, mom, ngroups); break;
        case K_SCHED_OP_EPOCH: r = cyclic_lr_step_epoch(s, arg, g, lrs, mom, ngroups); break;
        case K_SCHED_OP_INITIAL: r = cyclic_lr_initial_step(s, g, base, lrs, mom, ngroups); break;
        case K_SCHED_OP_ADVANCE: cyclic_lr_advance(s); break;
        default: r = cyclic_lr_get_lr(s, arg, g, lrs, mom, ngroups); break;
      }
      break;
    }
    case K_SCHED_ONE_CYCLE: {
      OneCycleLRState* s = (OneCycleLRState*)state;
      const OneCycleLRGroup* g = (const OneCycleLRGroup*)extra;   /* (ngroups,) */
      r = epoch ? one_cycle_lr_step_epoch(s, arg, g, lrs, mom, ngroups) : one_cycle_lr_step(s, g, lrs, mom, ngroups);
      break;
    }
    case K_SCHED_PLATEAU:
      r = reduce_lr_on_plateau_step((ReduceLROnPlateauState*)state, arg, extra, lrs, ngroups);
      break;
  }
  return r == SCHED_OK ? K_OK : step_failed(kind, r, state, arg);
}
