/*
 * Zero-page detection in two of QEMU's shapes (util/bufferiszero.c and include/qemu/cutils.h), written for
 * livemig from public descriptions of them (see README.md, which also says where each differs):
 *
 *  - lm_buffer_is_zero_qemu9: QEMU 9.0+'s buffer_is_zero on an AVX2 CPU. The inline part samples the first,
 *    last and middle byte (most non-zero pages leave there), accepts len <= 3, and calls the out-of-line part,
 *    which runs a word loop below 256 bytes and otherwise the accelerated loop chosen once at start-up through
 *    a function pointer. That loop is 9.0's buffer_zero_avx2: unaligned head and tail vectors, the partial
 *    block at the tail end ORed in before the loop, then aligned blocks of eight 32-byte vectors ORed into two
 *    accumulators and tested with cmpeq + movemask once per block.
 *  - lm_buffer_is_zero_qemu8: QEMU 8.x's buffer_is_zero on an AVX2 CPU, with no byte sampling: below 8 bytes a
 *    byte loop; from the accelerator's minimum length (128 bytes for AVX2) 8.x's buffer_zero_avx2: an
 *    unaligned head vector, aligned blocks of four vectors ORed together and tested with PTEST once per
 *    block, and the last block by unaligned loads; a word loop between.
 *
 * Each vector loop carries its own target attribute, so the file builds with plain -O2 and the library runs on
 * any x86-64 (callers check LM_CPU_AVX2 first). Off x86-64 both fall back to the word loops.
 */
#include <string.h>

#include "anchors.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef bool (*zero_fn)(const void *buf, size_t len);

static inline uint64_t load64(const void *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

/* Any length: bytes below 8, else the unaligned first and last word and every word between. */
static bool zero_words_any(const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    if (len < 8) {
        uint8_t t = 0;
        for (size_t i = 0; i < len; i++) {
            t |= buf[i];
        }
        return t == 0;
    }
    uint64_t t = load64(buf) | load64(buf + len - 8);
    for (size_t i = 8; i + 8 < len; i += 8) {
        t |= load64(buf + i);
    }
    return t == 0;
}

/* ------------------------------------------------------------------------------------------ QEMU 9.0+ */

#if defined(__x86_64__)

/* Keeps the compiler from folding the two OR chains into one (the two accumulators are the point). */
#define TWO_CHAINS(a, b) __asm__("" : "+x"(a), "+x"(b))

/* 9.0's AVX2 loop; len >= 256 (the out-of-line part sends shorter buffers to the word loop). */
__attribute__((target("avx2"))) static bool zero_avx2_qemu9(const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    const __m256i zero = _mm256_setzero_si256();
    __m256i a = _mm256_loadu_si256((const __m256i *)buf);
    __m256i b = _mm256_loadu_si256((const __m256i *)(buf + len - 32));
    /* the aligned vector after the head, and the aligned vector that holds the last byte */
    const __m256i *p = (const __m256i *)(((uintptr_t)buf + 32) & -(uintptr_t)32);
    const __m256i *end = (const __m256i *)(((uintptr_t)buf + len - 1) & -(uintptr_t)32);

    /* the up to seven aligned vectors below `end`, before the loop */
    a = _mm256_or_si256(a, end[-1]);
    b = _mm256_or_si256(b, end[-2]);
    TWO_CHAINS(a, b);
    a = _mm256_or_si256(a, end[-3]);
    b = _mm256_or_si256(b, end[-4]);
    TWO_CHAINS(a, b);
    a = _mm256_or_si256(a, end[-5]);
    b = _mm256_or_si256(b, end[-6]);
    TWO_CHAINS(a, b);
    a = _mm256_or_si256(a, end[-7]);
    a = _mm256_or_si256(a, b);

    /* whole blocks of eight aligned vectors; each block tests what the one before gathered */
    for (; p + 8 <= end; p += 8) {
        if (__builtin_expect(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, zero)) != -1, 0)) {
            return false;
        }
        a = p[0];
        b = p[1];
        TWO_CHAINS(a, b);
        a = _mm256_or_si256(a, p[2]);
        b = _mm256_or_si256(b, p[3]);
        TWO_CHAINS(a, b);
        a = _mm256_or_si256(a, p[4]);
        b = _mm256_or_si256(b, p[5]);
        TWO_CHAINS(a, b);
        a = _mm256_or_si256(a, p[6]);
        b = _mm256_or_si256(b, p[7]);
        TWO_CHAINS(a, b);
        a = _mm256_or_si256(a, b);
    }
    return _mm256_movemask_epi8(_mm256_cmpeq_epi8(a, zero)) == -1;
}

#endif

/* 9.0's accelerated loop, chosen once by the constructor below (QEMU's buffer_is_zero_accel). */
static zero_fn zero_accel_qemu9 = zero_words_any;

/* 9.0's out-of-line part (buffer_is_zero_ool), after the inline sampling. */
__attribute__((noinline)) static bool zero_ool_qemu9(const uint8_t *buf, size_t len)
{
    if (__builtin_expect(len >= 256, 1)) {
        return zero_accel_qemu9(buf, len);
    }
    return zero_words_any(buf, len);
}

bool lm_buffer_is_zero_qemu9(const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    if (len == 0) {
        return true;
    }
    if (buf[0] || buf[len - 1] || buf[len / 2]) {
        return false;
    }
    if (len <= 3) {
        return true; /* the three samples covered every byte */
    }
    return zero_ool_qemu9(buf, len);
}

/* --------------------------------------------------------------------------------------------- QEMU 8.x */

#if defined(__x86_64__)

/* 8.x's AVX2 loop; len >= 128 (8.x's minimum length for it). */
__attribute__((target("avx2"))) static bool zero_avx2_qemu8(const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    __m256i t = _mm256_loadu_si256((const __m256i *)buf);
    const __m256i *p = (const __m256i *)(((uintptr_t)buf + 5 * 32) & -(uintptr_t)32);
    const __m256i *e = (const __m256i *)(((uintptr_t)buf + len) & -(uintptr_t)32);

    while (p <= e) {
        if (__builtin_expect(!_mm256_testz_si256(t, t), 0)) {
            return false;
        }
        t = _mm256_or_si256(_mm256_or_si256(p[-4], p[-3]), _mm256_or_si256(p[-2], p[-1]));
        p += 4;
    }
    t = _mm256_or_si256(t, _mm256_loadu_si256((const __m256i *)(buf + len - 4 * 32)));
    t = _mm256_or_si256(t, _mm256_loadu_si256((const __m256i *)(buf + len - 3 * 32)));
    t = _mm256_or_si256(t, _mm256_loadu_si256((const __m256i *)(buf + len - 2 * 32)));
    t = _mm256_or_si256(t, _mm256_loadu_si256((const __m256i *)(buf + len - 1 * 32)));
    return _mm256_testz_si256(t, t);
}

#endif

static zero_fn zero_accel_qemu8 = zero_words_any;
static size_t zero_accel_qemu8_min = 8;

bool lm_buffer_is_zero_qemu8(const void *vbuf, size_t len)
{
    if (len < 8) {
        return zero_words_any(vbuf, len);
    }
    __builtin_prefetch(vbuf);
    if (len >= zero_accel_qemu8_min) {
        return zero_accel_qemu8(vbuf, len);
    }
    return zero_words_any(vbuf, len);
}

/* ---------------------------------------------------------------------------------------------- platform */

static int cpu_features;

/* Runs when the library loads, before any JNI call can arrive (QEMU chooses its loop at start-up too). */
__attribute__((constructor)) static void select_accel_fn(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    cpu_features = (__builtin_cpu_supports("avx2") ? LM_CPU_AVX2 : 0) |
                   (__builtin_cpu_supports("avx512f") ? LM_CPU_AVX512F : 0) |
                   (__builtin_cpu_supports("avx512bw") ? LM_CPU_AVX512BW : 0);
    if (cpu_features & LM_CPU_AVX2) {
        zero_accel_qemu9 = zero_avx2_qemu9;
        zero_accel_qemu8 = zero_avx2_qemu8;
        zero_accel_qemu8_min = 128;
    }
#endif
}

int lm_cpu_features(void)
{
    return cpu_features;
}
