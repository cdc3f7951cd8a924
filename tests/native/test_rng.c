/* test_rng.c: src/core/rng.c against PyTorch 1.13's CPU generator, bit for bit.
 * Every expected array below was printed by Debian's python3-torch 1.13.1 on x86-64 (AVX2
 * kernels) with `/usr/bin/python3 -c "<PRE><code>"`; PRE (and FNV for the hashed checks)
 * are spelled out once below and each array's comment gives its <code>. Nothing here was
 * copied from kindling's own output. The generator has no SIMD path, so the wasm run
 * checks the same scalar code under musl's libm instead of glibc's.
 *
 * Native (sanitizers):
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -fsanitize=address,undefined \
 *       tests/native/test_rng.c src/core/rng.c -lm -o /tmp/test_rng && /tmp/test_rng
 * WebAssembly:
 *   NODE_PATH=/usr/share/nodejs emcc -std=c11 -O3 -msimd128 -Wall -Wextra -Werror \
 *       tests/native/test_rng.c src/core/rng.c -o /tmp/test_rng.js && \
 *   node --no-experimental-fetch /tmp/test_rng.js
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/error.h"
#include "../../src/core/rng.h"

static int passed = 0, failed = 0;

/* PRE = import torch;H=lambda t:','.join('0x%08x'%(v&0xffffffff) for v in t.reshape(-1).view(torch.int32).tolist());I=lambda t:','.join(map(str,t.reshape(-1).tolist())); */
/* FNV = F=lambda t:(lambda h:[h.__setitem__(0,((h[0]^(v&0xffffffff))*16777619)&0xffffffff) for v in t.reshape(-1).view(torch.int32).tolist()] and h[0])([2166136261]); */
/* PRE + torch.manual_seed(0);print(H(torch.rand(5))) */
static const uint32_t rand5_s0[] = {
    0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3e073300, 0x3e9d6686,
};
/* PRE + torch.manual_seed(42);print(H(torch.rand(5))) */
static const uint32_t rand5_s42[] = {
    0x3f61dc66, 0x3f6a3db3, 0x3ec406b8, 0x3f75950e, 0x3ec7e8d4,
};
/* PRE + torch.manual_seed(2**40+3);print(H(torch.rand(5))) */
static const uint32_t rand5_s2p40p3[] = {
    0x3b8bb500, 0x3dd834c0, 0x3e9259f2, 0x3cdcd060, 0x3ef17770,
};
/* PRE + torch.manual_seed(0);print(H(torch.rand(100))) */
static const uint32_t rand100_s0[] = {
    0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3e073300, 0x3e9d6686, 0x3f2252fb, 0x3efaed86, 0x3f657d67,
    0x3ee94812, 0x3f21ded3, 0x3eb2a22a, 0x3ecdade4, 0x3cb6e480, 0x3e2ce95c, 0x3e96788c, 0x3f04bdd8,
    0x3f329a58, 0x3f4ccd8c, 0x3e24e4e8, 0x3e908582, 0x3f2e7de6, 0x3f6a4a27, 0x3ecb50ae, 0x3f5fc8ae,
    0x3ed6bcb0, 0x3f0d8b51, 0x3f73e6a5, 0x3d142190, 0x3e3dad34, 0x3ebf3090, 0x3e9c3612, 0x3f6e9794,
    0x3e3421cc, 0x3e8a27a0, 0x3e1a4bcc, 0x3d01ec50, 0x3e551ff8, 0x3f6e074f, 0x3f391daf, 0x3f3e09c0,
    0x3f06bb52, 0x3e79818c, 0x3f15a7d8, 0x3d07cb10, 0x3e0e0bcc, 0x3e780c74, 0x3f50c293, 0x3f4b0c93,
    0x3e8e771c, 0x3ef6c34e, 0x3f51dd20, 0x3f7f3fc1, 0x3f32cd09, 0x3f114ab9, 0x3f55d27f, 0x3e528880,
    0x3f17da1f, 0x3de61650, 0x3e1d23d0, 0x3e77825c, 0x3f39eaa3, 0x3f3379fe, 0x3e50b72c, 0x3f26ab72,
    0x3f4644b7, 0x3edfb038, 0x3f04e322, 0x3f1da880, 0x3f4f6880, 0x3f7ae7a4, 0x3deae1a8, 0x3ea22f0a,
    0x3f324e26, 0x3f6a0de8, 0x3f6f62f4, 0x3f70f111, 0x3f19794f, 0x3d858c20, 0x3f0bc669, 0x3e3fb0a8,
    0x3d0b5ba0, 0x3f71ba1f, 0x3f615378, 0x3aa20200, 0x3f17f541, 0x3ed4dfce, 0x3ed5df52, 0x3e8ad072,
    0x3f313923, 0x3e50bd98, 0x3f2eec77, 0x3f40bb0b, 0x3f5ba1ae, 0x3f2fdc52, 0x3ba82d80, 0x3e33de00,
    0x3f3fe98e, 0x3f1aca63, 0x3de131a8, 0x3e592e30,
};
/* PRE + torch.manual_seed(0);print(H(torch.randn(7))) */
static const uint32_t randn7_s0[] = {
    0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1, 0xbfb3052d, 0x3ece837a,
};
/* PRE + torch.manual_seed(0);print(H(torch.randn(16))) */
static const uint32_t randn16_s0[] = {
    0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f594515, 0x3f312783, 0xbea1cc6d, 0xc0075fc1,
    0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3bb, 0x3df56f77, 0x3f9e6b93, 0x3f8ef28e, 0xbe7d367c,
};
/* PRE + torch.manual_seed(0);print(H(torch.randn(37))) */
static const uint32_t randn37_s0[] = {
    0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f594515, 0x3f312783, 0xbea1cc6d, 0xc0075fc1,
    0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3bb, 0x3df56f77, 0x3f9e6b93, 0x3f8ef28e, 0xbe7d367c,
    0xbfad23c2, 0xbfd91446, 0x3f111004, 0x3f4b235d, 0x3f194d8b, 0x3de637d6, 0x3f240af8, 0x3ee1df3c,
    0xbe5d0b42, 0xbf3e17a3, 0x3f100e82, 0x3e84ede2, 0xbe3222d5, 0x40135755, 0xbfbc04b7, 0xbfcb189e,
    0x3f9a033c, 0x3dad2087, 0xbf999e2b, 0xbb9cd1ae, 0xbf04a08d,
};
/* PRE + torch.manual_seed(42);print(H(torch.randn(37))) */
static const uint32_t randn37_s42[] = {
    0x3ff6a529, 0x3fbe5f53, 0x3f669567, 0xc006c0db, 0x3f2dacd5, 0xbf9e0591, 0xbd306786, 0xbfcd65ba,
    0xbf408bf0, 0x3fd3095b, 0xbec8f2f6, 0xbfb3a966, 0xbf3a566e, 0xbf0f36d1, 0xbf44d2a0, 0x3f432f9f,
    0x3fd23771, 0xbe236d85, 0xbefeaae4, 0x3ee111d8, 0xbf4214e2, 0xbed95a8d, 0x3e9c8774, 0xbf464bb2,
    0x3d0f003f, 0x3ea4679d, 0x3fc96bbb, 0xbf58708e, 0x3fa7f9b2, 0x4007dbb6, 0xbf9e091d, 0xbef9cfd9,
    0xbfb582fd, 0x3f6571d7, 0x3d4c6997, 0x401111e8, 0x3f96e7dd,
};
/* PRE + torch.manual_seed(2**40+3);print(H(torch.randn(7))) */
static const uint32_t randn7_s2p40p3[] = {
    0x3f4da380, 0x3e330786, 0x3db63a26, 0xbf1d1ca0, 0x3d3d29cf, 0xbfaf231e, 0x3eaccc28,
};
/* PRE + torch.manual_seed(0);print(I(torch.randint(0,10,(20,)))) */
static const int32_t randint20_s0[] = {
    4, 9, 3, 0, 3, 9, 7, 3, 7, 3, 1, 6, 6, 9, 8, 6,
    6, 8, 4, 3,
};
/* PRE + torch.manual_seed(42);print(I(torch.randint(-3,1000,(20,)))) */
static const int32_t randint20_s42[] = {
    61, 385, 654, 944, 565, 139, 33, 569, 677, 783, 414, 699, 44, 274, 15, 629,
    171, 976, 408, 154,
};
/* PRE + torch.manual_seed(0);print(I(torch.randperm(10))) */
static const int32_t randperm10_s0[] = {
    4, 1, 7, 5, 3, 9, 0, 8, 6, 2,
};
/* PRE + torch.manual_seed(0);print(I(torch.randperm(100))) */
static const int32_t randperm100_s0[] = {
    44, 19, 93, 90, 71, 69, 37, 95, 53, 91, 81, 42, 80, 85, 74, 56,
    76, 63, 82, 40, 26, 92, 57, 10, 16, 66, 89, 41, 97, 8, 31, 24,
    35, 30, 65, 7, 98, 23, 20, 29, 78, 61, 94, 15, 4, 52, 59, 5,
    54, 46, 3, 28, 2, 70, 6, 60, 49, 68, 55, 72, 79, 77, 45, 1,
    32, 34, 11, 0, 22, 12, 87, 50, 25, 47, 36, 96, 9, 83, 62, 84,
    18, 17, 75, 67, 13, 48, 39, 21, 64, 88, 38, 27, 14, 73, 33, 58,
    86, 43, 99, 51,
};
/* PRE + torch.manual_seed(2**40+3);print(I(torch.randperm(10))) */
static const int32_t randperm10_s2p40p3[] = {
    6, 0, 3, 7, 8, 5, 1, 9, 2, 4,
};
/* PRE + torch.manual_seed(0);print(H(torch.empty(30).bernoulli_(0.3))) */
static const uint32_t bern30_s0[] = {
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x3f800000, 0x00000000,
    0x00000000, 0x3f800000, 0x00000000, 0x3f800000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x3f800000, 0x00000000, 0x00000000, 0x3f800000, 0x00000000, 0x3f800000, 0x00000000,
    0x3f800000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x3f800000,
};
/* PRE + torch.manual_seed(0);print(H(torch.cat([torch.rand(3),torch.randn(5),torch.rand(3),torch.randn(3),torch.randn(20),torch.rand(2),torch.randn(1)]))) */
static const uint32_t interleaved_s0[] = {
    0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3eba8a89, 0x3e099f31, 0x3e28284e, 0x3e9c8cb5, 0x3e57053d,
    0x3f04bdd8, 0x3f329a58, 0x3f4ccd8c, 0x3f67d71d, 0xbe85cafa, 0x3f88899e, 0xbeaec6ca, 0x3fed2f4e,
    0x3eefaa55, 0xbe217f5f, 0x3f100e82, 0x3e84ede2, 0xbe3222d5, 0xbf2dc250, 0x3f7031db, 0x3efa4d25,
    0xbf2c4f9f, 0x3f5f71de, 0xbf999e2b, 0xbb9cd1ae, 0xbf04a08d, 0xbe9d0855, 0xbfca5e02, 0x3fda734a,
    0xbee47694, 0x3f3e7824, 0x3e1d23d0, 0x3e77825c, 0x3f04c561,
};
/* PRE + torch.manual_seed(42);print(H(torch.cat([torch.rand(3),torch.randn(5),torch.rand(3),torch.randn(3),torch.randn(20),torch.rand(2),torch.randn(1)]))) */
static const uint32_t interleaved_s42[] = {
    0x3f61dc66, 0x3f6a3db3, 0x3ec406b8, 0xbf544e43, 0xbfce8df3, 0xbe5bdb81, 0x3e990e13, 0xbc2f400b,
    0x3edbdae8, 0x3f62ac63, 0x3f12eb67, 0xbf9fe516, 0x3ec93b39, 0x3edd8b1e, 0x3f4d0144, 0x3fd71e93,
    0x3eb63345, 0xbf2fc686, 0x3fc96bbb, 0xbf58708e, 0x3fa7f9b2, 0x3f2fe9b1, 0xbf8b6a19, 0xbeb5e821,
    0xbf69f04e, 0xbf287baf, 0x3d4c6997, 0x401111e8, 0x3f96e7dd, 0xbede70cf, 0xbfb1746d, 0xbfa4a2b6,
    0xbfb39da0, 0x3d137895, 0x3f642c82, 0x3e143790, 0xbc0b3ea6,
};
/* PRE + torch.manual_seed(0);m=torch.nn.Linear(5,3);print(H(torch.cat([m.weight.detach().reshape(-1),m.bias.detach()]))) */
static const uint32_t linear53_s0[] = {
    0xbb5b6d9b, 0x3e75a99f, 0xbebc7496, 0xbea882ac, 0xbe306153, 0x3df59a83, 0xbc112c91, 0x3eb58cf2,
    0xbd228f68, 0x3df25b5e, 0xbe0a65c2, 0xbdb4086f, 0xbedabfd6, 0xbe97a51c, 0xbe3cc6b6, 0x3c87b63c,
    0x3e350ade, 0x3e8963a5,
};
/* PRE + torch.manual_seed(42);print(H(torch.empty(40).uniform_(-0.3,0.7))) */
static const uint32_t uniform_s42[] = {
    0x3f150f99, 0x3f1d70e6, 0x3da9b478, 0x3f28c841, 0x3db93ce8, 0x3e9a0ef4, 0xbd31e110, 0x3efcbe8e,
    0x3f240999, 0xbe2ad150, 0x3f227505, 0x3e965012, 0x3f11c47d, 0x3e8911fa, 0x3ee1d714, 0x3e04829c,
    0x3f15df96, 0x3e8c3d34, 0xbd08e360, 0x3ea7a76a, 0xbcf8c700, 0x3e10c19c, 0xbb49cc00, 0x3f081c8a,
    0xbe475b88, 0xbcf9e600, 0x3d70e580, 0xbdce1a60, 0x3e7d1fc8, 0xbe967224, 0x3f26cc47, 0xbe6620b4,
    0x3f1604fe, 0x3e9100d8, 0x3d1a3480, 0x3f024c2f, 0x3e8e4c3c, 0x3f1a9e8b, 0x3e8262c6, 0x3d2d50d0,
};
/* PRE + torch.manual_seed(42);print(H(torch.cat([torch.empty(5).normal_(0.37,1.73),torch.empty(21).normal_(-2.5,0.1)]))) */
static const uint32_t normal_s42[] = {
    0x3f73d55b, 0x3f17c461, 0x3f468f06, 0x3f44bada, 0xbfc9490a, 0xc02196bf, 0xc027bb8a, 0xc0230e9c,
    0xc01cabd1, 0xc0157d3a, 0xc025936f, 0xc0216df6, 0xc0150246, 0xc01df58c, 0xc022b788, 0xc01e0b1b,
    0xc024f518, 0xc01fc6cd, 0xc019a0c0, 0xc025a171, 0xc023d8e9, 0xc0282792, 0xc0126a07, 0xc027e6db,
    0xc0231f66, 0xc0291359,
};
/* PRE + from torch.utils.data import DataLoader,TensorDataset;torch.manual_seed(0);print(I(torch.cat([b[0] for b in DataLoader(TensorDataset(torch.arange(12)),batch_size=5,shuffle=True)]))) */
static const int32_t dataloader_s0[] = {
    6, 11, 9, 8, 2, 1, 4, 5, 3, 10, 7, 0,
};
/* PRE + torch.manual_seed(0);s=int(torch.empty((),dtype=torch.int64).random_().item());g=torch.Generator();g.manual_seed(s);print(s,I(torch.randperm(10,generator=g)),I(torch.randint(0,10,(3,)))) */
static const uint64_t sampler_seed_s0 = 900450186894289455ULL;
static const int32_t sampler_perm_s0[] = {6,9,0,7,3,5,4,2,1,8};
static const int32_t sampler_randint_s0[] = {3,0,3};
/* PRE + FNV + torch.manual_seed(7);print(F(torch.randn(100003))) */
static const uint32_t fnv_randn100003_s7 = 373594484u;
/* PRE + FNV + torch.manual_seed(7);print(F(torch.empty(100003).uniform_(-0.0441941738,0.0441941738))) */
static const uint32_t fnv_rand100003_s7 = 1996442890u;
/* PRE + FNV + torch.manual_seed(7);print(F(torch.randperm(100000).int())) */
static const uint32_t fnv_randperm100000_s7 = 622330687u;
/* PRE + FNV + torch.manual_seed(7);print(F(torch.empty(100000).bernoulli_(0.75))) */
static const uint32_t fnv_bern100000_s7 = 3911300677u;

static uint32_t fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static void check_f32(const char* name, const float* got, const uint32_t* want, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if (fbits(got[i]) != want[i]) {
      printf("FAIL %s[%lld]: got 0x%08x (%.9g) want 0x%08x\n", name, (long long)i,
             (unsigned)fbits(got[i]), (double)got[i], (unsigned)want[i]);
      failed++;
      return;
    }
  }
  passed++;
}

static void check_i32(const char* name, const int32_t* got, const int32_t* want, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    if (got[i] != want[i]) {
      printf("FAIL %s[%lld]: got %d want %d\n", name, (long long)i, got[i], want[i]);
      failed++;
      return;
    }
  }
  passed++;
}

static void check_true(const char* name, int ok) {
  if (ok) {
    passed++;
  } else {
    printf("FAIL %s\n", name);
    failed++;
  }
}

/* Same hash as FNV in the generating one-liners: FNV-1a over 32-bit words. */
static uint32_t fnv_words(const uint32_t* w, int64_t n) {
  uint32_t h = 2166136261u;
  for (int64_t i = 0; i < n; i++) h = (h ^ w[i]) * 16777619u;
  return h;
}
static uint32_t fnv_f32(const float* x, int64_t n) {
  uint32_t* w = malloc(sizeof(uint32_t) * (size_t)(n > 0 ? n : 1));
  if (!w) return 0;
  for (int64_t i = 0; i < n; i++) w[i] = fbits(x[i]);
  uint32_t h = fnv_words(w, n);
  free(w);
  return h;
}

static void test_rand(void) {
  float out[100];
  rng_seed(NULL, 0);
  rng_uniform_f32(NULL, out, 5, 0.0, 1.0);
  check_f32("rand(5) seed 0", out, rand5_s0, 5);
  rng_seed(NULL, 42);
  rng_uniform_f32(NULL, out, 5, 0.0, 1.0);
  check_f32("rand(5) seed 42", out, rand5_s42, 5);
  rng_seed(NULL, (UINT64_C(1) << 40) + 3);
  rng_uniform_f32(NULL, out, 5, 0.0, 1.0);
  check_f32("rand(5) seed 2**40+3", out, rand5_s2p40p3, 5);
  check_true("initial_seed keeps all 64 bits", rng_initial_seed(NULL) == (UINT64_C(1) << 40) + 3);
  rng_seed(NULL, 0);
  rng_uniform_f32(NULL, out, 100, 0.0, 1.0);
  check_f32("rand(100) seed 0", out, rand100_s0, 100);
  rng_seed(NULL, 42);
  float u[40];
  rng_uniform_f32(NULL, u, 40, -0.3, 0.7);
  check_f32("uniform_(-0.3, 0.7) seed 42", u, uniform_s42, 40);
}

static void test_randn(void) {
  float out[37];
  rng_seed(NULL, 0);
  rng_normal_f32(NULL, out, 7, 0.0, 1.0);
  check_f32("randn(7) seed 0 (scalar path)", out, randn7_s0, 7);
  rng_seed(NULL, 0);
  rng_normal_f32(NULL, out, 16, 0.0, 1.0);
  check_f32("randn(16) seed 0 (vectorised)", out, randn16_s0, 16);
  rng_seed(NULL, 0);
  rng_normal_f32(NULL, out, 37, 0.0, 1.0);
  check_f32("randn(37) seed 0 (vectorised + tail)", out, randn37_s0, 37);
  rng_seed(NULL, 42);
  rng_normal_f32(NULL, out, 37, 0.0, 1.0);
  check_f32("randn(37) seed 42", out, randn37_s42, 37);
  rng_seed(NULL, (UINT64_C(1) << 40) + 3);
  rng_normal_f32(NULL, out, 7, 0.0, 1.0);
  check_f32("randn(7) seed 2**40+3", out, randn7_s2p40p3, 7);
  float nm[26];
  rng_seed(NULL, 42);
  rng_normal_f32(NULL, nm, 5, 0.37, 1.73);
  rng_normal_f32(NULL, nm + 5, 21, -2.5, 0.1);
  check_f32("normal_(mean, std) both paths", nm, normal_s42, 26);
}

/* rand(3) randn(5) rand(3) randn(3) randn(20) rand(2) randn(1): the scalar normal path
 * caches a value across calls (randn(5) leaves one for randn(3); randn(3) leaves one for
 * randn(1)), and the vectorised path neither uses nor clears it. */
static void interleaved(uint64_t seed, const uint32_t* want, const char* name) {
  float out[37];
  rng_seed(NULL, seed);
  rng_uniform_f32(NULL, out, 3, 0.0, 1.0);
  rng_normal_f32(NULL, out + 3, 5, 0.0, 1.0);
  rng_uniform_f32(NULL, out + 8, 3, 0.0, 1.0);
  rng_normal_f32(NULL, out + 11, 3, 0.0, 1.0);
  rng_normal_f32(NULL, out + 14, 20, 0.0, 1.0);
  rng_uniform_f32(NULL, out + 34, 2, 0.0, 1.0);
  rng_normal_f32(NULL, out + 36, 1, 0.0, 1.0);
  check_f32(name, out, want, 37);
}

static void test_interleaved(void) {
  interleaved(0, interleaved_s0, "interleaved seed 0");
  interleaved(42, interleaved_s42, "interleaved seed 42");
}

static void test_ints(void) {
  int32_t out[100];
  rng_seed(NULL, 0);
  check_true("randint status", rng_randint_i32(NULL, out, 20, 0, 10) == K_OK);
  check_i32("randint(0, 10, (20,)) seed 0", out, randint20_s0, 20);
  rng_seed(NULL, 42);
  rng_randint_i32(NULL, out, 20, -3, 1000);
  check_i32("randint(-3, 1000, (20,)) seed 42", out, randint20_s42, 20);
  check_true("randint low >= high", rng_randint_i32(NULL, out, 1, 5, 5) == K_ERR_RANGE);
  check_true("randint beyond int32", rng_randint_i32(NULL, out, 1, 0, INT64_C(1) << 40) == K_ERR_RANGE);

  rng_seed(NULL, 0);
  check_true("randperm status", rng_randperm_i32(NULL, out, 10) == K_OK);
  check_i32("randperm(10) seed 0", out, randperm10_s0, 10);
  rng_seed(NULL, 0);
  rng_randperm_i32(NULL, out, 100);
  check_i32("randperm(100) seed 0", out, randperm100_s0, 100);
  rng_seed(NULL, (UINT64_C(1) << 40) + 3);
  rng_randperm_i32(NULL, out, 10);
  check_i32("randperm(10) seed 2**40+3", out, randperm10_s2p40p3, 10);
  check_true("randperm(0)", rng_randperm_i32(NULL, out, 0) == K_OK);
  check_true("randperm(-1)", rng_randperm_i32(NULL, out, -1) == K_ERR_RANGE);
}

static void test_bernoulli(void) {
  float out[30];
  rng_seed(NULL, 0);
  rng_bernoulli_f32(NULL, out, 30, 0.3);
  check_f32("bernoulli_(0.3) seed 0", out, bern30_s0, 30);
}

/* nn.Linear(5, 3): weight kaiming_uniform_(a=sqrt(5)) then bias uniform_(-1/sqrt(5), ..).
 * The bounds are computed in double exactly as torch.nn.init does. */
static void test_linear_init(void) {
  float out[18];                        /* weight (3, 5) then bias (3) */
  double a = sqrt(5.0);                 /* sqrt is correctly rounded, like math.sqrt */
  double gain = sqrt(2.0 / (1.0 + a * a));
  double std = gain / sqrt(5.0);
  double bound = sqrt(3.0) * std;
  double bias_bound = 1.0 / sqrt(5.0);
  rng_seed(NULL, 0);
  rng_uniform_f32(NULL, out, 15, -bound, bound);
  rng_uniform_f32(NULL, out + 15, 3, -bias_bound, bias_bound);
  check_f32("nn.Linear(5, 3) init seed 0", out, linear53_s0, 18);
}

/* DataLoader(shuffle=True) per epoch: random_() for the loader's base seed, random_() for
 * RandomSampler's seed, then randperm on a fresh Generator seeded with it. */
static void test_dataloader(void) {
  Rng gen;
  int32_t perm[12];
  rng_seed(NULL, 0);
  (void)rng_random_i64(NULL);
  uint64_t s = (uint64_t)rng_random_i64(NULL);
  rng_seed(&gen, s);
  rng_randperm_i32(&gen, perm, 12);
  check_i32("DataLoader(arange(12), shuffle) seed 0", perm, dataloader_s0, 12);

  rng_seed(NULL, 0);
  s = (uint64_t)rng_random_i64(NULL);
  check_true("random_() int64 seed 0", s == sampler_seed_s0);
  rng_seed(&gen, s);
  rng_randperm_i32(&gen, perm, 10);
  check_i32("randperm(10, generator=g)", perm, sampler_perm_s0, 10);
  int32_t ri[3];
  rng_randint_i32(NULL, ri, 3, 0, 10);
  check_i32("default generator unaffected by g", ri, sampler_randint_s0, 3);
}

static void test_large(void) {
  enum { N = 100003 };
  float* f = malloc(sizeof(float) * N);
  int32_t* p = malloc(sizeof(int32_t) * N);
  if (!f || !p) {
    check_true("malloc", 0);
    free(f);
    free(p);
    return;
  }
  rng_seed(NULL, 7);
  rng_normal_f32(NULL, f, N, 0.0, 1.0);
  check_true("randn(100003) seed 7 hash", fnv_f32(f, N) == fnv_randn100003_s7);
  rng_seed(NULL, 7);
  rng_uniform_f32(NULL, f, N, -0.0441941738, 0.0441941738);
  check_true("uniform_(+-0.0442) x100003 seed 7 hash", fnv_f32(f, N) == fnv_rand100003_s7);
  rng_seed(NULL, 7);
  rng_randperm_i32(NULL, p, 100000);
  check_true("randperm(100000) seed 7 hash", fnv_words((const uint32_t*)p, 100000) == fnv_randperm100000_s7);
  rng_seed(NULL, 7);
  rng_bernoulli_f32(NULL, f, 100000, 0.75);
  check_true("bernoulli_(0.75) x100000 seed 7 hash", fnv_f32(f, 100000) == fnv_bern100000_s7);
  free(f);
  free(p);
}

/* Save / restore: the continuation after set_state must equal the uninterrupted stream,
 * including a pending cached normal. */
static void test_state(void) {
  size_t sz = rng_state_size();
  uint8_t* st = malloc(sz);
  uint8_t* bad = malloc(sz);
  if (!st || !bad) {
    check_true("malloc", 0);
    free(st);
    free(bad);
    return;
  }
  float a[40], b[40];
  rng_seed(NULL, 42);
  rng_normal_f32(NULL, a, 3, 0.0, 1.0);   /* leaves a cached value */
  rng_get_state(NULL, st);
  rng_normal_f32(NULL, a, 1, 0.0, 1.0);
  rng_uniform_f32(NULL, a + 1, 39, 0.0, 1.0);
  rng_seed(NULL, 5);                       /* disturb */
  rng_uniform_f32(NULL, b, 40, 0.0, 1.0);
  check_true("set_state ok", rng_set_state(NULL, st) == K_OK);
  rng_normal_f32(NULL, b, 1, 0.0, 1.0);
  rng_uniform_f32(NULL, b + 1, 39, 0.0, 1.0);
  check_true("state round trip", memcmp(a, b, sizeof a) == 0);

  /* across a twist: 700 draws put the state mid-way into the second block */
  Rng g1, g2;
  rng_seed(&g1, 123);
  for (int i = 0; i < 700; i++) (void)rng_u32(&g1);
  rng_get_state(&g1, st);
  check_true("set_state into a struct", rng_set_state(&g2, st) == K_OK);
  int same = 1;
  for (int i = 0; i < 1000; i++) same &= rng_u32(&g1) == rng_u32(&g2);
  check_true("state round trip across a twist", same);
  rng_seed(&g1, 9);
  rng_seed(&g2, 9);
  uint64_t hi = rng_u32(&g2);
  uint64_t lo = rng_u32(&g2);
  check_true("u64 is the first draw in the high half", rng_u64(&g1) == ((hi << 32) | lo));

  memcpy(bad, st, sz);
  bad[0] ^= 0xff;
  check_true("set_state rejects a wrong magic", rng_set_state(&g2, bad) == K_ERR_RUNTIME);
  memcpy(bad, st, sz);
  memset(bad + 8 + 4 * RNG_MT_N, 0, 4);    /* left = 0 */
  check_true("set_state rejects left = 0", rng_set_state(&g2, bad) == K_ERR_RUNTIME);
  free(st);
  free(bad);
}

int main(void) {
  test_rand();
  test_randn();
  test_interleaved();
  test_ints();
  test_bernoulli();
  test_linear_init();
  test_dataloader();
  test_large();
  test_state();
  printf("test_rng: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
