/* conv2d.h: 2-D convolution kernels on raw NCHW float32 arrays, with PyTorch's
 * semantics (cross-correlation, zero padding, stride, dilation, groups, optional bias):
 * forward, and the three gradients (input, weight, bias).
 * It is not an op: no tensors, no autograd, no messages; shapes are trusted once
 * conv2d_shape_init has accepted them.
 *
 * Letters: N batch, C input channels, H W input height/width, K output channels,
 * R S kernel height/width, OH OW output height/width, G groups (C/G and K/G per group).
 *   x  (N, C, H, W)     w  (K, C/G, R, S)     b (K)     y  (N, K, OH, OW)
 *
 * Padding is given per side (pt, pl, pb, pr) so that PyTorch's padding='same' with an
 * even kernel (total padding d*(k-1), the extra row/column at the bottom/right) can be
 * expressed; symmetric padding p is pt = pb = p, pl = pr = p.
 *
 * Workspace: every fast function takes `ws`, scratch of at least
 * conv2d_workspace_bytes(shape) bytes (any alignment of 4). The same size serves all
 * four functions, so one buffer can be kept per layer or per model. ws == NULL makes the
 * function allocate (and free) the scratch itself. Fast functions return 0, or -1 when
 * memory could not be had (scratch or GEMM packing); outputs are then unspecified.
 *
 * Gradients ACCUMULATE (+=) into dx, dw and db; forward overwrites y.
 * Not reentrant: the GEMM underneath packs into one static buffer.
 * The *_scalar functions are the naive nested loops: test oracles, not for speed. */
#ifndef KINDLING_CONV2D_H
#define KINDLING_CONV2D_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int N, C, H, W;      /* input; N may be 0 (everything is then a no-op) */
  int K, R, S;         /* output channels, kernel height, kernel width */
  int sh, sw;          /* stride */
  int pt, pl, pb, pr;  /* zero padding: top, left, bottom, right */
  int dh, dw;          /* dilation */
  int groups;
  int OH, OW;          /* output size, set by conv2d_shape_init */
} Conv2dShape;

/* Status of conv2d_shape_init: 0 or one of these positive codes. */
enum {
  CONV2D_OK = 0,
  CONV2D_ERR_DIM = 1,      /* N < 0, or C, H, W, K, R or S < 1 */
  CONV2D_ERR_STRIDE = 2,   /* sh or sw < 1 */
  CONV2D_ERR_PADDING = 3,  /* a negative padding */
  CONV2D_ERR_DILATION = 4, /* dh or dw < 1 */
  CONV2D_ERR_GROUPS = 5,   /* groups < 1, or C or K not divisible by groups */
  CONV2D_ERR_OUTPUT = 6,   /* (dilated) kernel larger than the padded input: OH or OW < 1 */
  CONV2D_ERR_TOO_BIG = 7   /* a size beyond int (padded input, output, any GEMM matrix),
                              or a workspace beyond the heap limit (KINDLING_HEAP_LIMIT) */
};

/* Validates s and fills s->OH, s->OW (left 0 when the padded input or the output size
 * does not fit int):
 *   OH = (H + pt + pb - dh*(R-1) - 1) / sh + 1,  OW likewise. */
int conv2d_shape_init(Conv2dShape* s);

/* Bytes of scratch the four fast functions need for shape s (0 when none is needed).
 * 64-bit so that it never wraps (size_t is 32 bits in wasm); meaningful once OH and OW
 * are set, also for a shape refused as CONV2D_ERR_TOO_BIG (for the error message). */
uint64_t conv2d_workspace_bytes(const Conv2dShape* s);

/* y = conv(x, w) + b. b may be NULL. */
int conv2d_forward(const Conv2dShape* s, float* y, const float* x, const float* w,
                   const float* b, void* ws);
/* dx += conv_transpose(dy, w): the gradient with respect to x. */
int conv2d_backward_input(const Conv2dShape* s, float* dx, const float* dy, const float* w,
                          void* ws);
/* dw += gradient with respect to w, given dy and the forward input x. */
int conv2d_backward_weight(const Conv2dShape* s, float* dw, const float* dy, const float* x,
                           void* ws);
/* db[k] += sum over n, oh, ow of dy[n][k][oh][ow]. Needs no scratch, cannot fail. */
void conv2d_backward_bias(const Conv2dShape* s, float* db, const float* dy);

/* The naive references (direct loops, double accumulation). */
void conv2d_forward_scalar(const Conv2dShape* s, float* y, const float* x, const float* w,
                           const float* b);
void conv2d_backward_input_scalar(const Conv2dShape* s, float* dx, const float* dy,
                                  const float* w);
void conv2d_backward_weight_scalar(const Conv2dShape* s, float* dw, const float* dy,
                                   const float* x);
void conv2d_backward_bias_scalar(const Conv2dShape* s, float* db, const float* dy);

#endif
