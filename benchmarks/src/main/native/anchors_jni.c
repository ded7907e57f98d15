/*
 * JNI entry points of io.livemig.bench.anchor.QemuAnchors. Each runs a whole batch (one JMH invocation's
 * worth of pages or a whole bitmap) per call, so the JNI transition costs once per batch, not per page.
 * The Java wrappers check every range against its buffer before calling; these functions trust them,
 * except for what only a per-page look can check (the decode index), which throws here.
 */
#include <jni.h>
#include <stdio.h>

#include "anchors.h"

#define PTR(address) ((void *)(intptr_t)(address))

static void throw_new(JNIEnv *env, const char *class_name, const char *message)
{
    jclass type = (*env)->FindClass(env, class_name);
    if (type != NULL) {
        (*env)->ThrowNew(env, type, message);
    }
}

typedef int (*encode_fn)(const uint8_t *, const uint8_t *, int, uint8_t *, int);

static jlong encode_pages(encode_fn encode, jlong old_addr, jlong new_addr, jint pages, jint page_size,
                          jlong dst_addr, jint dst_capacity)
{
    const uint8_t *old_pages = PTR(old_addr);
    const uint8_t *new_pages = PTR(new_addr);
    uint8_t *dst = PTR(dst_addr);
    jlong total = 0;
    for (jint p = 0; p < pages; p++) {
        const size_t offset = (size_t)p * (size_t)page_size;
        total += encode(old_pages + offset, new_pages + offset, page_size, dst, dst_capacity);
    }
    return total;
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_xbzrleEncodePages0(
    JNIEnv *env, jclass cls, jlong old_addr, jlong new_addr, jint pages, jint page_size, jlong dst_addr,
    jint dst_capacity)
{
    (void)env;
    (void)cls;
    return encode_pages(lm_xbzrle_encode, old_addr, new_addr, pages, page_size, dst_addr, dst_capacity);
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_xbzrleEncodePagesAvx5120(
    JNIEnv *env, jclass cls, jlong old_addr, jlong new_addr, jint pages, jint page_size, jlong dst_addr,
    jint dst_capacity)
{
    (void)cls;
    if (!(lm_cpu_features() & LM_CPU_AVX512BW)) {
        throw_new(env, "java/lang/IllegalStateException", "this CPU has no AVX-512BW");
        return 0;
    }
    return encode_pages(lm_xbzrle_encode_avx512, old_addr, new_addr, pages, page_size, dst_addr, dst_capacity);
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_xbzrleDecodePages0(
    JNIEnv *env, jclass cls, jlong deltas_addr, jlong deltas_capacity, jlong index_addr, jint pages,
    jlong target_addr, jint page_size)
{
    (void)cls;
    const uint8_t *deltas = PTR(deltas_addr);
    const int32_t *index = PTR(index_addr);
    uint8_t *target = PTR(target_addr);
    jlong total = 0;
    for (jint p = 0; p < pages; p++) {
        const int32_t offset = index[2 * p];
        const int32_t length = index[2 * p + 1];
        /* the same check the Java decoder makes on (offset, length): a -1 "overflow" length is refused */
        if (offset < 0 || length < 0 || (jlong)offset + length > deltas_capacity) {
            char message[160];
            snprintf(message, sizeof(message), "deltas: page %d's range [%d, %d + %d) is outside [0, %lld)",
                     (int)p, (int)offset, (int)offset, (int)length, (long long)deltas_capacity);
            throw_new(env, "java/lang/IndexOutOfBoundsException", message);
            return 0;
        }
        total += lm_xbzrle_decode(deltas + offset, length, target + (size_t)p * (size_t)page_size, page_size);
    }
    return total;
}

JNIEXPORT jint JNICALL Java_io_livemig_bench_anchor_QemuAnchors_bufferIsZeroPages0(
    JNIEnv *env, jclass cls, jlong addr, jint count, jint page_mask, jint page_size, jint shape)
{
    (void)cls;
    if (!(lm_cpu_features() & LM_CPU_AVX2)) {
        throw_new(env, "java/lang/IllegalStateException", "this CPU has no AVX2");
        return 0;
    }
    /* through a pointer, as QEMU's migration reaches its selected loop */
    bool (*is_zero)(const void *, size_t) = shape == LM_ZERO_QEMU8 ? lm_buffer_is_zero_qemu8 : lm_buffer_is_zero_qemu9;
    const uint8_t *pages = PTR(addr);
    jint zero = 0;
    for (jint i = 0; i < count; i++) {
        if (is_zero(pages + (size_t)(i & page_mask) * (size_t)page_size, (size_t)page_size)) {
            zero++;
        }
    }
    return zero;
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_findNextBitCount0(
    JNIEnv *env, jclass cls, jlong words_addr, jlong nbits)
{
    (void)env;
    (void)cls;
    return (jlong)lm_find_next_bit_count(PTR(words_addr), (unsigned long)nbits);
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_findNextBitClearCount0(
    JNIEnv *env, jclass cls, jlong words_addr, jlong nbits)
{
    (void)env;
    (void)cls;
    return (jlong)lm_find_next_bit_clear_count(PTR(words_addr), (unsigned long)nbits);
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_syncBitmap0(
    JNIEnv *env, jclass cls, jlong src_addr, jlong dst_addr, jlong words)
{
    (void)env;
    (void)cls;
    return (jlong)lm_sync_bitmap(PTR(src_addr), PTR(dst_addr), (size_t)words);
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_digest0(
    JNIEnv *env, jclass cls, jlong addr, jlong bytes, jlong seed)
{
    (void)cls;
    if (bytes < 0 || (bytes & 7) != 0) {
        throw_new(env, "java/lang/IllegalArgumentException", "digest: bytes must be a non-negative multiple of 8");
        return 0;
    }
    return (jlong)lm_digest(PTR(addr), (size_t)bytes, (uint64_t)seed);
}

JNIEXPORT jint JNICALL Java_io_livemig_bench_anchor_QemuAnchors_cpuFeatures0(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return lm_cpu_features();
}

/* The call floor's per-page function: it does nothing, but the compiler may neither drop nor inline it. */
__attribute__((noinline)) static int empty_page(const uint8_t *page, size_t len)
{
    (void)page;
    (void)len;
    __asm__ volatile("");
    return 0;
}

static int (*volatile empty_page_fn)(const uint8_t *, size_t) = empty_page;

JNIEXPORT jint JNICALL Java_io_livemig_bench_anchor_QemuAnchors_emptyCall0(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return 0;
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_emptyPageCalls0(
    JNIEnv *env, jclass cls, jlong addr, jint count, jint page_size)
{
    (void)env;
    (void)cls;
    /* the loop of the page anchors above, calling a per-page function that does nothing */
    int (*fn)(const uint8_t *, size_t) = empty_page_fn;
    const uint8_t *pages = PTR(addr);
    jlong total = 0;
    for (jint i = 0; i < count; i++) {
        total += fn(pages + (size_t)i * (size_t)page_size, (size_t)page_size);
    }
    return total;
}

JNIEXPORT jlong JNICALL Java_io_livemig_bench_anchor_QemuAnchors_arrayAddress0(JNIEnv *env, jclass cls, jarray array)
{
    (void)cls;
    /* HotSpot hands out the array itself here (it never copies for critical access); the address outlives the
     * call only while the array does not move, which G1 guarantees for the humongous arrays it is used on */
    void *data = (*env)->GetPrimitiveArrayCritical(env, array, NULL);
    if (data == NULL) {
        return 0;
    }
    const jlong address = (jlong)(intptr_t)data;
    (*env)->ReleasePrimitiveArrayCritical(env, array, data, JNI_ABORT);
    return address;
}
