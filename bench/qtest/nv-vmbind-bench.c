/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind device benchmark (not a test: it prints numbers, it never
 * fails on them).  Run by `scripts/nvvb bench`.
 *
 * - binds per second through the bind queue, one descriptor per doorbell
 *   and 256 per doorbell;
 * - page-table bytes per mapping for 4 KiB, 64 KiB and 2 MiB mappings;
 * - copy-engine GB/s through 4 KiB, 64 KiB and 2 MiB pages, with a memcpy
 *   baseline measured in the same run.
 *
 * Times include qtest's socket round trips, which a guest does not pay, so
 * the bind rates are a lower bound for the device itself.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/nv-vmbind.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

#define VRAM_MIB        1024
#define BO_VRAM         1
#define BO_SIZE         (256ULL << 20)
#define BATCH           256

static double now(void)
{
    return g_get_monotonic_time() / 1e6;
}

static uint64_t table_bytes(QTestState *qts, uint32_t vm)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-query-vms', "
                           "'arguments': { 'id': 'gpu0' } }");
    QListEntry *e;
    uint64_t bytes = 0;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(rsp, "return"), e) {
        QDict *v = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(v, "id") == vm) {
            bytes = qdict_get_int(v, "table-bytes");
        }
    }
    qobject_unref(rsp);
    return bytes;
}

/* Writes @n descriptors at the ring's tail in one guest-memory write. */
static void put_batch(QNvRing *r, const uint8_t *descs, uint32_t n)
{
    g_assert(r->tail + n <= r->size);
    qtest_memwrite(r->qts, r->base + (uint64_t)r->tail * NVVB_DESC_SIZE,
                   descs, (size_t)n * NVVB_DESC_SIZE);
    r->tail = (r->tail + n) % r->size;
}

static void bench_binds(QNvVmbind *d, QNvRing *bind, QTestState *qts)
{
    g_autofree uint8_t *descs = g_malloc(BATCH * NVVB_DESC_SIZE);
    uint8_t desc[NVVB_DESC_SIZE];
    const int n_single = 2000, n_batches = 40;
    double t0, single, batched;
    int i, j;

    qnvdesc_vm_create(desc, 1, 0, 0);
    g_assert_cmpuint(qnvring_exec(bind, desc), ==, 0);
    t0 = now();
    for (i = 0; i < n_single; i++) {
        qnvdesc_map(desc, 1, BO_VRAM, (uint64_t)i << 16, 0x1000,
                    (uint64_t)i << 12, 0);
        qnvring_exec(bind, desc);
    }
    single = n_single / (now() - t0);

    t0 = now();
    for (i = 0; i < n_batches; i++) {
        if (bind->tail + BATCH > bind->size) {
            /* Pad to the end of the ring with NOPs so batches stay whole. */
            memset(desc, 0, sizeof(desc));
            while (bind->tail) {
                qnvring_put(bind, desc);
            }
        }
        for (j = 0; j < BATCH; j++) {
            uint64_t k = (uint64_t)i * BATCH + j;

            qnvdesc_map(descs + j * NVVB_DESC_SIZE, 1, BO_VRAM,
                        (1ULL << 36) + (k << 16), 0x1000, (k % 4096) << 12,
                        0);
        }
        put_batch(bind, descs, BATCH);
        qnvring_kick_wait(bind);
    }
    batched = (double)n_batches * BATCH / (now() - t0);
    g_assert_cmpuint(qnvvb_readl(d, NVVB_REG_BIND_RING + NVVB_RING_ERRORS),
                     ==, 0);
    printf("binds through the queue, 4 KiB MAP each (qtest round trips "
           "included):\n");
    printf("  one per doorbell     %10.0f binds/s\n", single);
    printf("  %d per doorbell     %10.0f binds/s  (%.1fx)\n", BATCH, batched,
           batched / single);
}

/* Page-table bytes per mapping for N mappings of one page size, spread. */
static void bench_table_bytes(QNvRing *bind, QTestState *qts)
{
    static const struct {
        const char *name;
        uint64_t size, stride;
    } kinds[] = {
        { "4 KiB", 0x1000, 0x10000 },           /* 16 per small PT */
        { "64 KiB", 0x10000, 0x200000 },        /* one per PD0 entry */
        { "2 MiB", 0x200000, 0x400000 },
    };
    uint8_t desc[NVVB_DESC_SIZE];
    const int n = 512;
    size_t k;
    int i;

    printf("page-table bytes per mapping (%d mappings each, spread):\n", n);
    for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
        uint32_t vm = 10 + k;
        uint64_t base;

        qnvdesc_vm_create(desc, vm, 0, 0);
        g_assert_cmpuint(qnvring_exec(bind, desc), ==, 0);
        base = table_bytes(qts, vm);
        for (i = 0; i < n; i++) {
            qnvdesc_map(desc, vm, BO_VRAM, (1ULL << 40) + i * kinds[k].stride,
                        kinds[k].size, (i * kinds[k].size) % BO_SIZE, 0);
            qnvring_put(bind, desc);
            if (i % 128 == 127) {
                qnvring_kick_wait(bind);
            }
        }
        qnvring_kick_wait(bind);
        printf("  %-7s %8.1f bytes/mapping\n", kinds[k].name,
               (double)(table_bytes(qts, vm) - base) / n);
    }
}

static void bench_copy(QNvRing *bind, QNvRing *ce)
{
    static const struct {
        const char *name;
        uint64_t va_src, va_dst, off_src, off_dst;
    } kinds[] = {
        /* VA and BO offset congruent mod 2 MiB: 2 MiB pages. */
        { "2 MiB", 1ULL << 41, (1ULL << 41) + (64ULL << 20), 0, 64ULL << 20 },
        /* Congruent mod 64 KiB only. */
        { "64 KiB", (1ULL << 42) + 0x10000, (1ULL << 42) + (64ULL << 20) +
          0x10000, 0x20000, (64ULL << 20) + 0x20000 },
        /* 4 KiB apart from 64 KiB alignment. */
        { "4 KiB", (1ULL << 43) + 0x1000, (1ULL << 43) + (64ULL << 20) +
          0x1000, 0x2000, (64ULL << 20) + 0x2000 },
    };
    const uint64_t len = 32ULL << 20;
    g_autofree uint8_t *a = g_malloc(len), *b = g_malloc(len);
    uint8_t desc[NVVB_DESC_SIZE];
    double t0 = 0, memcpy_gbs;
    size_t k;
    int i;

    memset(a, 1, len);
    memset(b, 2, len);
    t0 = now();
    for (i = 0; i < 8; i++) {
        memcpy(i % 2 ? a : b, i % 2 ? b : a, len);
    }
    memcpy_gbs = 8.0 * len / (now() - t0) / 1e9;
    printf("copy engine, %llu MiB COPY through VRAM pages:\n",
           (unsigned long long)(len >> 20));
    printf("  memcpy baseline      %6.2f GB/s\n", memcpy_gbs);

    qnvdesc_vm_create(desc, 20, 0, 0);
    g_assert_cmpuint(qnvring_exec(bind, desc), ==, 0);
    for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
        double gbs;

        qnvdesc_map(desc, 20, BO_VRAM, kinds[k].va_src, len, kinds[k].off_src,
                    0);
        g_assert_cmpuint(qnvring_exec(bind, desc), ==, 0);
        qnvdesc_map(desc, 20, BO_VRAM, kinds[k].va_dst, len, kinds[k].off_dst,
                    0);
        g_assert_cmpuint(qnvring_exec(bind, desc), ==, 0);
        /* i == -1 warms up: the first touch of VRAM faults its pages in. */
        for (i = -1; i < 4; i++) {
            if (i == 0) {
                t0 = now();
            }
            qnvdesc_ce(desc, NVVB_OP_CE_COPY, 20, kinds[k].va_src,
                       kinds[k].va_dst, len, 0, 0);
            g_assert_cmpuint(qnvring_exec(ce, desc), ==, 0);
        }
        gbs = 4.0 * len / (now() - t0) / 1e9;
        printf("  %-7s pages        %6.2f GB/s  (%.2fx memcpy)\n",
               kinds[k].name, gbs, gbs / memcpy_gbs);
    }
}

int main(int argc, char **argv)
{
    QGuestAllocator alloc;
    QNvRing bind, ce;
    QTestState *qts;
    QPCIBus *bus;
    QNvVmbind d;
    uint8_t desc[NVVB_DESC_SIZE];

    g_test_init(&argc, &argv, NULL);
    qts = qtest_initf("-M pc -m 512M -device nv-vmbind,id=gpu0,addr=04.0,"
                      "vram-size=%dM,pt-pool-size=64M", VRAM_MIB);
    pc_alloc_init(&alloc, qts, ALLOC_NO_FLAGS);
    bus = qpci_new_pc(qts, &alloc);
    /*
     * The libqos PCI window is 512 MiB, too small for a 1 GiB VRAM BAR:
     * this benchmark only touches VRAM through the device, never the BAR.
     */
    memset(&d, 0, sizeof(d));
    {
        QPCIAddress addr = {
            .vendor_id = NVVB_PCI_VENDOR_ID,
            .device_id = NVVB_PCI_DEVICE_ID,
            .devfn = QPCI_DEVFN(4, 0),
        };

        qpci_device_init(&d.dev, bus, &addr);
        d.mmio = qpci_iomap(&d.dev, NVVB_BAR_MMIO, &d.mmio_size);
        qpci_device_enable(&d.dev);
    }
    qnvring_init(&bind, &d, &alloc, NVVB_REG_BIND_RING, 4096);
    qnvring_init(&ce, &d, &alloc, NVVB_REG_CE_RING, 16);
    qnvdesc_bo_vram(desc, NVVB_OP_BO_CREATE, BO_VRAM, BO_SIZE, 0);
    g_assert_cmpuint(qnvring_exec(&bind, desc), ==, 0);

    bench_binds(&d, &bind, qts);
    bench_table_bytes(&bind, qts);
    bench_copy(&bind, &ce);

    qpci_free_pc(bus);
    alloc_destroy(&alloc);
    qtest_quit(qts);
    return 0;
}
