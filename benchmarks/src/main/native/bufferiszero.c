/*
 * Zero-page detection in the shape of QEMU's util/bufferiszero.c (buffer_is_zero): sample the first,
 * middle and last byte for an early exit, a plain word loop below 256 bytes, and from 256 bytes an
 * accelerated loop chosen once at start-up from the CPU's flags (QEMU's select_accel_fn). The vector loops
 * follow QEMU 8.x's buffer_zero_sse2/avx2/avx512: one unaligned head vector, then aligned blocks of four
 * vectors ORed together and tested once per block, the last block finished with unaligned loads. Each
 * vector loop carries its own target attribute, so the file builds with plain -O2.
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

/* Below 256 bytes (QEMU's buffer_is_zero_int_lt256 shape): unaligned first and last word, words between. */
static bool zero_words_short(const void *vbuf, size_t len)
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
    for (size_t i = 8; i < len - 8; i += 8) { /* the last word covers what a whole step leaves */
        t |= load64(buf + i);
    }
    return t == 0;
}

/* The portable loop for 256 bytes and more: aligned blocks of eight words, tested once per block. */
static bool zero_words(const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    const uint64_t *p = (const uint64_t *)(((uintptr_t)buf + 8) & -(uintptr_t)8);
    const uint64_t *e = (const uint64_t *)(((uintptr_t)buf + len - 1) & -(uintptr_t)8);
    uint64_t t = load64(buf) | load64(buf + len - 8);

    /* the partial block at the tail end */
    t |= e[-1] | e[-2] | e[-3] | e[-4] | e[-5] | e[-6] | e[-7];
    for (; p < e - 7; p += 8) {
        if (t) {
            return false;
        }
        t = p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7];
    }
    return t == 0;
}

#if defined(__x86_64__)

__attribute__((target("sse2"))) static bool zero_sse2(const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    const __m128i zero = _mm_setzero_si128();
    __m128i t = _mm_loadu_si128((const __m128i *)buf);
    const __m128i *p = (const __m128i *)(((uintptr_t)buf + 5 * 16) & -(uintptr_t)16);
    const __m128i *e = (const __m128i *)(((uintptr_t)buf + len) & -(uintptr_t)16);

    while (p <= e) {
        if (__builtin_expect(_mm_movemask_epi8(_mm_cmpeq_epi8(t, zero)) != 0xffff, 0)) {
            return false;
        }
        t = _mm_or_si128(_mm_or_si128(p[-4], p[-3]), _mm_or_si128(p[-2], p[-1]));
        p += 4;
    }
    t = _mm_or_si128(t, _mm_loadu_si128((const __m128i *)(buf + len - 4 * 16)));
    t = _mm_or_si128(t, _mm_loadu_si128((const __m128i *)(buf + len - 3 * 16)));
    t = _mm_or_si128(t, _mm_loadu_si128((const __m128i *)(buf + len - 2 * 16)));
    t = _mm_or_si128(t, _mm_loadu_si128((const __m128i *)(buf + len - 1 * 16)));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(t, zero)) == 0xffff;
}

__attribute__((target("avx2"))) static bool zero_avx2(const void *vbuf, size_t len)
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

__attribute__((target("avx512f"))) static bool zero_avx512(const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    __m512i t = _mm512_loadu_si512((const void *)buf);
    const __m512i *p = (const __m512i *)(((uintptr_t)buf + 5 * 64) & -(uintptr_t)64);
    const __m512i *e = (const __m512i *)(((uintptr_t)buf + len) & -(uintptr_t)64);

    while (p <= e) {
        if (__builtin_expect(_mm512_test_epi64_mask(t, t) != 0, 0)) {
            return false;
        }
        t = _mm512_or_si512(_mm512_or_si512(p[-4], p[-3]), _mm512_or_si512(p[-2], p[-1]));
        p += 4;
    }
    t = _mm512_or_si512(t, _mm512_loadu_si512((const void *)(buf + len - 4 * 64)));
    t = _mm512_or_si512(t, _mm512_loadu_si512((const void *)(buf + len - 3 * 64)));
    t = _mm512_or_si512(t, _mm512_loadu_si512((const void *)(buf + len - 2 * 64)));
    t = _mm512_or_si512(t, _mm512_loadu_si512((const void *)(buf + len - 1 * 64)));
    return _mm512_test_epi64_mask(t, t) == 0;
}

#endif

/* Chosen once, by the constructor below, before any JNI call can arrive. */
static zero_fn zero_accel = zero_words;
static size_t zero_accel_min = 256;
static const char *zero_accel_name = "words";
static int cpu_features;

__attribute__((constructor)) static void select_accel_fn(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    cpu_features = (__builtin_cpu_supports("avx2") ? LM_CPU_AVX2 : 0) |
                   (__builtin_cpu_supports("avx512f") ? LM_CPU_AVX512F : 0) |
                   (__builtin_cpu_supports("avx512bw") ? LM_CPU_AVX512BW : 0);
    if (cpu_features & LM_CPU_AVX512F) {
        /* the avx512 loop reads its unaligned tail block of 4 x 64 bytes: 256 bytes at least */
        zero_accel = zero_avx512;
        zero_accel_name = "avx512";
    } else if (cpu_features & LM_CPU_AVX2) {
        zero_accel = zero_avx2;
        zero_accel_name = "avx2";
    } else {
        zero_accel = zero_sse2; /* SSE2 is part of x86-64 */
        zero_accel_name = "sse2";
    }
#endif
}

/* buffer_is_zero's shape with the bulk loop given: the loop chosen at load time, or a named one */
static bool buffer_is_zero_with(zero_fn accel, const void *vbuf, size_t len)
{
    const uint8_t *buf = vbuf;
    if (len == 0) {
        return true;
    }
    /* sample first, last and middle byte: most non-zero pages leave here */
    if (buf[0] || buf[len - 1] || buf[len / 2]) {
        return false;
    }
    if (len <= 3) {
        return true;
    }
    if (len >= zero_accel_min) {
        return accel(buf, len);
    }
    return zero_words_short(buf, len);
}

bool lm_buffer_is_zero(const void *vbuf, size_t len)
{
    return buffer_is_zero_with(zero_accel, vbuf, len);
}

bool lm_buffer_is_zero_avx2(const void *vbuf, size_t len)
{
#if defined(__x86_64__)
    /* QEMU 9+'s loop on x86-64 (it dropped AVX-512 from buffer_is_zero); callers check LM_CPU_AVX2 */
    return buffer_is_zero_with(zero_avx2, vbuf, len);
#else
    return buffer_is_zero_with(zero_accel, vbuf, len);
#endif
}

const char *lm_zero_path(void)
{
    return zero_accel_name;
}

int lm_cpu_features(void)
{
    return cpu_features;
}
