/*
 * The input digest: FNV-1a's shape over 64-bit little-endian words, so that a benchmark can show that the
 * C anchor and the Java code read the same bytes. io.livemig.bench.anchor.InputDigest computes the same.
 *   h = seed; for each 8-byte word w: h = (h ^ w) * 0x100000001b3; finally h ^= bytes.
 * bytes must be a multiple of 8 (the JNI entry rejects others).
 */
#include <string.h>

#include "anchors.h"

#define DIGEST_PRIME 0x100000001b3ULL

uint64_t lm_digest(const void *vbuf, size_t bytes, uint64_t seed)
{
    const uint8_t *buf = vbuf;
    uint64_t h = seed;
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, buf + i, sizeof(w)); /* x86-64 is little-endian */
        h = (h ^ w) * DIGEST_PRIME;
    }
    return h ^ (uint64_t)bytes;
}
