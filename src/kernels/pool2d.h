/* pool2d.h: 2-D pooling kernels on raw NCHW float32 arrays with PyTorch's semantics:
 * MaxPool2d (with argmax indices), AvgPool2d, AdaptiveAvgPool2d; forward and backward.
 * It is not an op: no tensors, no autograd, no messages.
 *
 *   x (N, C, H, W)   y (N, C, OH, OW)   idx (N, C, OH, OW) int32: flat index into the
 *   (H, W) plane of the input, as PyTorch's return_indices.
 * Backward functions ACCUMULATE (+=) into dx. */
#ifndef KINDLING_POOL2D_H
#define KINDLING_POOL2D_H

#include <stdint.h>

typedef struct {
  int N, C, H, W;  /* input; N or C may be 0 (a no-op) */
  int kh, kw;      /* kernel */
  int sh, sw;      /* stride (PyTorch's default stride is the kernel size: the caller fills it) */
  int ph, pw;      /* padding, both sides (implicit -inf for max, zeros for avg) */
  int dh, dw;      /* dilation (max only; must be 1 for avg) */
  int ceil_mode;
  int OH, OW;      /* set by pool2d_shape_init */
} Pool2dShape;

/* Status of pool2d_shape_init: 0 or one of these positive codes. */
enum {
  POOL2D_OK = 0,
  POOL2D_ERR_DIM = 1,      /* N or C < 0, H or W < 1, or H*W >= 2^31 */
  POOL2D_ERR_KERNEL = 2,   /* kh or kw < 1 */
  POOL2D_ERR_STRIDE = 3,   /* sh or sw < 1 */
  POOL2D_ERR_PADDING = 4,  /* padding < 0 or > kernel / 2 (PyTorch: "pad should be at most
                              half of effective kernel size" uses kernel, not dilated) */
  POOL2D_ERR_DILATION = 5, /* dh or dw < 1 */
  POOL2D_ERR_OUTPUT = 6,   /* OH or OW < 1 ("Output size is too small") */
  POOL2D_ERR_TOO_BIG = 7   /* padded input (I + 2p) or dilated kernel (d*(k-1)+1) beyond INT_MAX */
};

/* Validates s and fills OH, OW by PyTorch's rule:
 *   O = floor_or_ceil((I + 2p - d*(k-1) - 1) / s) + 1, and with ceil_mode the last window
 *   must start inside the input or the left padding: if (O-1)*s >= I + p then O -= 1. */
int pool2d_shape_init(Pool2dShape* s);

/* Max over each window; padding never wins. NaN propagates (a NaN in the window is the
 * max, its index the last NaN's), as PyTorch's CPU kernel. idx may be NULL (no indices). */
void maxpool2d_forward(const Pool2dShape* s, float* y, int32_t* idx, const float* x);
void maxpool2d_forward_scalar(const Pool2dShape* s, float* y, int32_t* idx, const float* x);
/* dx[n][c][idx] += dy: scatters by the indices of the forward pass. */
void maxpool2d_backward(const Pool2dShape* s, float* dx, const float* dy, const int32_t* idx);

/* Average over each window (dilation must be 1). Divisor as PyTorch's CPU kernel:
 * divisor_override if > 0; else with count_include_pad the window clipped to the padded
 * input (I + p on each side; so ceil_mode's overhang past the padding is not counted);
 * else the window clipped to the input. A window wholly in the padding gives 0. */
void avgpool2d_forward(const Pool2dShape* s, int count_include_pad, int divisor_override,
                       float* y, const float* x);
void avgpool2d_backward(const Pool2dShape* s, int count_include_pad, int divisor_override,
                        float* dx, const float* dy);

/* AdaptiveAvgPool2d to (OH, OW): window of output i is [floor(i*I/O), ceil((i+1)*I/O)).
 *   x (N, C, H, W)  y (N, C, OH, OW); OH, OW >= 1. */
void adaptive_avgpool2d_forward(int N, int C, int H, int W, int OH, int OW, float* y,
                                const float* x);
void adaptive_avgpool2d_backward(int N, int C, int H, int W, int OH, int OW, float* dx,
                                 const float* dy);

#endif
