/*
 * The dirty-bitmap cores of QEMU's migration: find_next_bit (util/bitops.c, its shape in QEMU 8.x to 10.x,
 * four-word scan and early exit included) and the loop that enumerates set bits with it (read-only, and
 * clearing each found bit with test_and_clear_bit as a migration round's migration_bitmap_clear_dirty does),
 * and the word-wise sync of a dirty log into the migration bitmap
 * (cpu_physical_memory_sync_dirty_bitmap in include/exec/ram_addr.h, its word-aligned fast path).
 * Words are unsigned longs, bit i in word i / 64 at bit i % 64, as in QEMU.
 */
#include "anchors.h"

#define BITS_PER_LONG ((unsigned long)(8 * sizeof(unsigned long)))

unsigned long lm_find_next_bit(const unsigned long *addr, unsigned long size, unsigned long offset)
{
    if (offset >= size) {
        return size;
    }
    const unsigned long *p = addr + offset / BITS_PER_LONG;
    unsigned long result = offset & ~(BITS_PER_LONG - 1);
    unsigned long tmp;

    size -= result;
    offset %= BITS_PER_LONG;
    if (offset) {
        /* the first word, without the bits below offset */
        tmp = *p++ & (~0UL << offset);
        if (size < BITS_PER_LONG) {
            goto found_first;
        }
        if (tmp) {
            goto found_middle;
        }
        size -= BITS_PER_LONG;
        result += BITS_PER_LONG;
    }
    /*
     * Four words per step while they are empty. All four are loaded first; a set bit in the first word is
     * returned at once, one in the other three ends the four-word scan, and the one-word loop below takes
     * over from the first of the four (which it reads again).
     */
    while (size >= 4 * BITS_PER_LONG) {
        const unsigned long w0 = p[0];
        const unsigned long w1 = p[1];
        const unsigned long w2 = p[2];
        const unsigned long w3 = p[3];
        if (w0) {
            tmp = w0;
            goto found_middle;
        }
        if (w1 | w2 | w3) {
            break;
        }
        p += 4;
        result += 4 * BITS_PER_LONG;
        size -= 4 * BITS_PER_LONG;
    }
    while (size >= BITS_PER_LONG) {
        if ((tmp = *p++)) {
            goto found_middle;
        }
        result += BITS_PER_LONG;
        size -= BITS_PER_LONG;
    }
    if (!size) {
        return result;
    }
    tmp = *p;

found_first:
    tmp &= ~0UL >> (BITS_PER_LONG - size);
    if (tmp == 0) {
        return result + size; /* nothing set below size */
    }
found_middle:
    return result + (unsigned long)__builtin_ctzl(tmp);
}

uint64_t lm_find_next_bit_count(const unsigned long *addr, unsigned long nbits)
{
    uint64_t count = 0;
    for (unsigned long i = lm_find_next_bit(addr, nbits, 0); i < nbits; i = lm_find_next_bit(addr, nbits, i + 1)) {
        count++;
    }
    return count;
}

uint64_t lm_find_next_bit_clear_count(unsigned long *addr, unsigned long nbits)
{
    uint64_t count = 0;
    for (unsigned long i = lm_find_next_bit(addr, nbits, 0); i < nbits; i = lm_find_next_bit(addr, nbits, i + 1)) {
        /* test_and_clear_bit (include/qemu/bitops.h), as migration_bitmap_clear_dirty calls it: a plain
         * read-modify-write, since QEMU holds bitmap_mutex over the migration bitmap */
        unsigned long *p = addr + i / BITS_PER_LONG;
        const unsigned long mask = 1UL << (i % BITS_PER_LONG);
        const unsigned long old = *p;
        *p = old & ~mask;
        count += (old & mask) != 0;
    }
    return count;
}

uint64_t lm_sync_bitmap(unsigned long *src, unsigned long *dest, size_t words)
{
    uint64_t num_dirty = 0;
    for (size_t k = 0; k < words; k++) {
        if (src[k]) {
            /* take the word from the dirty log; writers may set bits in it concurrently */
            const unsigned long bits = __atomic_exchange_n(&src[k], 0UL, __ATOMIC_SEQ_CST);
            const unsigned long new_dirty = ~dest[k] & bits;
            dest[k] |= bits;
            num_dirty += (uint64_t)__builtin_popcountl(new_dirty);
        }
    }
    return num_dirty;
}
