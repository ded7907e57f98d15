/*
 * livemig's C anchors: own implementations of the QEMU migration cores that the benchmark report compares
 * against, written from livemig's spec and from public descriptions of QEMU's algorithms (see README.md).
 * Built by the bench runner (AnchorBuild) into liblivemig-anchors.so with -fvisibility=hidden: these lm_
 * functions are internal to the library (calls between them are direct, never through the PLT); only the JNI
 * entry points (JNIEXPORT) are exported. Never linked into livemig-core.
 */
#ifndef LIVEMIG_ANCHORS_H
#define LIVEMIG_ANCHORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest value of a two-byte ULEB128 length, and so of any run. */
#define LM_XBZRLE_MAX_LENGTH 0x3fff

/* Shapes of lm_buffer_is_zero_pages' zero check: QEMU 9.0+'s and 8.x's buffer_is_zero (bufferiszero.c). */
#define LM_ZERO_QEMU9 9
#define LM_ZERO_QEMU8 8

/* cpu_features() bits */
#define LM_CPU_AVX2 1
#define LM_CPU_AVX512F 2
#define LM_CPU_AVX512BW 4

/* xbzrle.c: QEMU migration/xbzrle.c */
int lm_xbzrle_encode(const uint8_t *old_buf, const uint8_t *new_buf, int slen, uint8_t *dst, int dlen);
int lm_xbzrle_encode_avx512(const uint8_t *old_buf, const uint8_t *new_buf, int slen, uint8_t *dst, int dlen);
int lm_xbzrle_decode(const uint8_t *src, int slen, uint8_t *dst, int dlen);

/* bufferiszero.c: QEMU util/bufferiszero.c, 9.0+ and 8.x */
bool lm_buffer_is_zero_qemu9(const void *buf, size_t len);
bool lm_buffer_is_zero_qemu8(const void *buf, size_t len);
int lm_cpu_features(void);

/* bitmap.c: QEMU util/bitops.c find_next_bit, include/exec/ram_addr.h dirty-bitmap sync */
unsigned long lm_find_next_bit(const unsigned long *addr, unsigned long size, unsigned long offset);
uint64_t lm_find_next_bit_count(const unsigned long *addr, unsigned long nbits);
uint64_t lm_find_next_bit_clear_count(unsigned long *addr, unsigned long nbits);
uint64_t lm_sync_bitmap(unsigned long *src, unsigned long *dest, size_t words);

/* digest.c: the input digest shared with the Java InputDigest */
uint64_t lm_digest(const void *buf, size_t bytes, uint64_t seed);

#endif
