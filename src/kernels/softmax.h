/* softmax.h: softmax and log-softmax over one dimension of (outer, C, inner) float32 data,
 * with max subtraction for stability; and their backward passes. */
#ifndef KINDLING_SOFTMAX_H
#define KINDLING_SOFTMAX_H

#include <stdint.h>

void softmax_f32(float* y, const float* x, int64_t outer, int64_t C, int64_t inner, int log);
void softmax_f32_scalar(float* y, const float* x, int64_t outer, int64_t C, int64_t inner, int log);

/* dx = y * (dy - sum(dy * y)) for softmax; dx = dy - exp(y) * sum(dy) for log-softmax. Written. */
void softmax_backward_f32(float* dx, const float* dy, const float* y, int64_t outer, int64_t C, int64_t inner,
                          int log);

#endif
