/* reduce.h: sums and maxima over a whole buffer or over one dimension, float32.
 * A tensor reduced over dim d is viewed as (outer, D, inner): D is the reduced extent,
 * inner the product of the dimensions after it. */
#ifndef KINDLING_REDUCE_H
#define KINDLING_REDUCE_H

#include <stdint.h>

/* Sum of x[0..n); blocks are summed in float lanes and the blocks in double, so the error
 * stays near PyTorch's cascade summation for any n. */
float sum_f32(const float* x, int64_t n);
float sum_f32_scalar(const float* x, int64_t n);

/* out (outer, inner) = sum over D of x (outer, D, inner) */
void sum_dim_f32(float* out, const float* x, int64_t outer, int64_t D, int64_t inner);
void sum_dim_f32_scalar(float* out, const float* x, int64_t outer, int64_t D, int64_t inner);

/* out, idx (outer, inner) = max and first argmax over D; NaN wins, as in PyTorch. D >= 1. */
void max_dim_f32(float* out, int32_t* idx, const float* x, int64_t outer, int64_t D, int64_t inner);
/* The same with the minimum (NaN still wins). */
void min_dim_f32(float* out, int32_t* idx, const float* x, int64_t outer, int64_t D, int64_t inner);

#endif
