/*
 * XBZRLE encode and decode in the shape of QEMU's migration/xbzrle.c (xbzrle_encode_buffer,
 * xbzrle_decode_buffer, and since QEMU 8.1 xbzrle_encode_buffer_avx512), written for livemig from the
 * format of spec/xbzrle.md. The scalar encoder and the AVX-512BW encoder produce the same bytes and the
 * same results (0, -1 or the length) for every input, including QEMU's three -1 checks.
 */
#include <string.h>

#include "anchors.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

typedef unsigned long word_t; /* QEMU works in longs: 8 bytes on x86-64 */

#define WORD_BYTES ((int)sizeof(word_t))
#define ONES ((word_t)0x0101010101010101ULL)
#define HIGHS (ONES << 7)

/* An unaligned word load; compiles to one mov (QEMU casts the pointer, with -fno-strict-aliasing). */
static inline word_t load_word(const uint8_t *p)
{
    word_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

/* ULEB128 of at most two bytes (QEMU's uleb128_encode_small): the caller keeps n <= 0x3fff. */
static inline int put_length(uint8_t *out, uint32_t n)
{
    if (n < 0x80) {
        out[0] = (uint8_t)n;
        return 1;
    }
    out[0] = (uint8_t)((n & 0x7f) | 0x80);
    out[1] = (uint8_t)(n >> 7);
    return 2;
}

/* The matching decoder (QEMU's uleb128_decode_small): two bytes must be readable; -1 if invalid. */
static inline int get_length(const uint8_t *in, uint32_t *n)
{
    if (!(in[0] & 0x80)) {
        *n = in[0];
        return 1;
    }
    if (in[1] & 0x80) {
        return -1;
    }
    *n = (uint32_t)(in[0] & 0x7f) | ((uint32_t)in[1] << 7);
    return 2;
}

int lm_xbzrle_encode(const uint8_t *old_buf, const uint8_t *new_buf, int slen, uint8_t *dst, int dlen)
{
    int i = 0;
    int d = 0;

    while (i < slen) {
        uint32_t zrun_len = 0;
        uint32_t nzrun_len = 0;

        /* check 1: room for a pair's two lengths */
        if (d + 2 > dlen) {
            return -1;
        }

        /* unchanged run: bytes up to word alignment (counted from the end, as QEMU does), then words */
        int res = (slen - i) % WORD_BYTES;
        while (res && old_buf[i] == new_buf[i]) {
            zrun_len++;
            i++;
            res--;
        }
        if (!res) {
            while (i < slen && load_word(old_buf + i) == load_word(new_buf + i)) {
                i += WORD_BYTES;
                zrun_len += WORD_BYTES;
            }
            while (i < slen && old_buf[i] == new_buf[i]) {
                zrun_len++;
                i++;
            }
        }

        if (zrun_len == (uint32_t)slen) {
            return 0; /* page unchanged */
        }
        if (i == slen) {
            return d; /* the final unchanged run is not written */
        }

        d += put_length(dst + d, zrun_len);

        /* check 2 */
        if (d + 2 > dlen) {
            return -1;
        }

        /* changed run: bytes up to alignment, then words until one holds an equal byte */
        const uint8_t *nzrun_start = new_buf + i;
        res = (slen - i) % WORD_BYTES;
        while (res && old_buf[i] != new_buf[i]) {
            i++;
            nzrun_len++;
            res--;
        }
        if (!res) {
            while (i < slen) {
                const word_t x = load_word(old_buf + i) ^ load_word(new_buf + i);
                if ((x - ONES) & ~x & HIGHS) {
                    /* this word has a zero byte in old ^ new: the run ends inside it */
                    while (old_buf[i] != new_buf[i]) {
                        nzrun_len++;
                        i++;
                    }
                    break;
                }
                i += WORD_BYTES;
                nzrun_len += WORD_BYTES;
            }
        }

        if (nzrun_len > LM_XBZRLE_MAX_LENGTH) {
            return -1; /* a wholly changed 16 KiB page: no length can say so (livemig's Java does the same) */
        }
        d += put_length(dst + d, nzrun_len);

        /* check 3 */
        if (d + (int)nzrun_len > dlen) {
            return -1;
        }
        memcpy(dst + d, nzrun_start, nzrun_len);
        d += (int)nzrun_len;
    }
    return d;
}

#if defined(__x86_64__)

/*
 * Writes a finished changed run ending at page position `end`; returns the new d, or -1 (check 3).
 */
static inline int put_changed_run(const uint8_t *new_buf, int end, uint32_t nzrun_len, uint8_t *dst, int d,
                                  int dlen)
{
    if (nzrun_len > LM_XBZRLE_MAX_LENGTH) {
        return -1;
    }
    d += put_length(dst + d, nzrun_len);
    if (d + (int)nzrun_len > dlen) {
        return -1;
    }
    memcpy(dst + d, new_buf + end - nzrun_len, nzrun_len);
    return d + (int)nzrun_len;
}

/*
 * The AVX-512BW encoder in the shape of QEMU 8.1+'s xbzrle_encode_buffer_avx512: slen / 64 + 1 steps, every
 * step loading 64 bytes of each page with _mm512_mask_loadu_epi8 into zeros (the mask is all ones but on the
 * last step, which holds the slen % 64 residual bytes, none for a 4 KiB page), compared
 * with _mm512_cmpeq_epi8_mask; a step wholly equal inside an unchanged run, or wholly different inside a
 * changed run, adds 64 to the run at once; otherwise the runs are cut from the mask bits with ctz, carried
 * across steps. Unlike QEMU's (whose -1 answers differ from its scalar encoder in places), the three capacity
 * checks sit where the scalar encoder has them, so both give the same bytes and results.
 */
__attribute__((target("avx512bw"))) int lm_xbzrle_encode_avx512(const uint8_t *old_buf, const uint8_t *new_buf,
                                                                int slen, uint8_t *dst, int dlen)
{
    const __m512i zero = _mm512_setzero_si512();
    const int residual = slen & 63;
    const uint64_t residual_mask = (1ULL << residual) - 1;
    int steps = (slen >> 6) + 1;
    int d = 0;
    int i = 0;
    uint32_t zrun_len = 0;
    uint32_t nzrun_len = 0;
    bool in_changed_run = false;

    /* check 1 for the first pair */
    if (slen > 0 && d + 2 > dlen) {
        return -1;
    }
    while (steps--) {
        const int bytes = steps ? 64 : residual;
        /*
         * Masked loads on every step, as QEMU writes them. The compiler is left free, as it is with QEMU's: gcc 12
         * at -O2 turns a full step's all-ones mask into a plain load and keeps the mask for the residual step, as
         * it does for a loop of QEMU's own control flow (README.md, "The AVX-512BW encoder's loads").
         */
        const uint64_t valid = steps ? ~0ULL : residual_mask;
        const __m512i old_data = _mm512_mask_loadu_epi8(zero, valid, old_buf + i);
        const __m512i new_data = _mm512_mask_loadu_epi8(zero, valid, new_buf + i);
        const uint64_t same = _mm512_cmpeq_epi8_mask(old_data, new_data) & valid;
        const uint64_t diff = ~same & valid;

        if (bytes == 64 && (in_changed_run ? same == 0 : diff == 0)) {
            /* the whole step continues the current run */
            if (in_changed_run) {
                nzrun_len += 64;
            } else {
                zrun_len += 64;
            }
            i += 64;
            continue;
        }
        int pos = 0;
        while (pos < bytes) {
            if (!in_changed_run) {
                const uint64_t rest = diff >> pos;
                if (rest == 0) {
                    zrun_len += (uint32_t)(bytes - pos);
                    break;
                }
                const int n = __builtin_ctzll(rest);
                zrun_len += (uint32_t)n;
                pos += n;
                d += put_length(dst + d, zrun_len);
                zrun_len = 0;
                /* check 2 */
                if (d + 2 > dlen) {
                    return -1;
                }
                in_changed_run = true;
            } else {
                const uint64_t rest = same >> pos;
                if (rest == 0) {
                    nzrun_len += (uint32_t)(bytes - pos);
                    break;
                }
                const int n = __builtin_ctzll(rest);
                nzrun_len += (uint32_t)n;
                pos += n;
                d = put_changed_run(new_buf, i + pos, nzrun_len, dst, d, dlen);
                if (d < 0) {
                    return -1;
                }
                nzrun_len = 0;
                in_changed_run = false;
                /* check 1 for the next pair: an equal byte at i + pos, so bytes remain */
                if (d + 2 > dlen) {
                    return -1;
                }
            }
        }
        i += bytes;
    }
    if (in_changed_run) {
        return put_changed_run(new_buf, slen, nzrun_len, dst, d, dlen);
    }
    return d; /* 0 for an unchanged page; a final unchanged run is not written */
}

#else

int lm_xbzrle_encode_avx512(const uint8_t *old_buf, const uint8_t *new_buf, int slen, uint8_t *dst, int dlen)
{
    return lm_xbzrle_encode(old_buf, new_buf, slen, dst, dlen);
}

#endif

int lm_xbzrle_decode(const uint8_t *src, int slen, uint8_t *dst, int dlen)
{
    int i = 0;
    int d = 0;
    uint32_t count = 0;

    while (i < slen) {
        /* unchanged run */
        if (slen - i < 2) {
            return -1;
        }
        int ret = get_length(src + i, &count);
        if (ret < 0 || (i && !count)) {
            return -1;
        }
        i += ret;
        d += (int)count;
        if (d > dlen) {
            return -1;
        }

        /* changed run */
        if (slen - i < 2) {
            return -1;
        }
        ret = get_length(src + i, &count);
        if (ret < 0 || !count) {
            return -1;
        }
        i += ret;
        if (d + (int)count > dlen || i + (int)count > slen) {
            return -1;
        }
        memcpy(dst + d, src + i, count);
        d += (int)count;
        i += (int)count;
    }
    return d;
}
