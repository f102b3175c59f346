/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind migration: a source QEMU binds thousands of mappings (VRAM and
 * system-memory BOs, 4 KiB and 2 MiB pages, sparse regions) and writes data
 * through them with the copy engine; after migration the destination holds
 * the same GPUVM state, its tables verify, the same VAs translate to the
 * same memory holding the same bytes, and the rings keep working.  A
 * nv-vmbind-gp107 keeps its BAR0 registers and its live-PDB set.  Streams
 * the device cannot have produced are refused.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/nv-vmbind.h"
#include "hw/display/nv-gp107.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"

#define DEVFN           QPCI_DEVFN(4, 0)
#define VRAM_BO_BASE    0x01000000ULL
#define BO_A            1
#define BO_S            2
#define BO_A_SIZE       0x02000000ULL   /* 32 MiB */
#define SYS_PAGES       256
#define N_SMALL         3000

typedef struct Side {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QNvVmbind d;
} Side;

static void side_attach(Side *s)
{
    pc_alloc_init(&s->alloc, s->qts, ALLOC_NO_FLAGS);
    s->bus = qpci_new_pc(s->qts, &s->alloc);
    qnvvb_init(&s->d, s->bus, DEVFN);
}

static void side_free(Side *s)
{
    qpci_free_pc(s->bus);
    alloc_destroy(&s->alloc);
    qtest_quit(s->qts);
}

static uint64_t pdb_of(QNvVmbind *d, uint32_t vm)
{
    qnvvb_writel(d, NVVB_REG_VM_PDB_SELECT, vm);
    return ((uint64_t)qnvvb_readl(d, NVVB_REG_VM_PDB_HI) << 32) |
           qnvvb_readl(d, NVVB_REG_VM_PDB_LO);
}

/*
 * Every VM with its GPUVM mappings and regions, its page directory address
 * and its page-table bytes: all must survive migration unchanged.
 */
static GString *vms_json(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-query-vms', "
                           "'arguments': { 'id': 'gpu0' } }");
    QList *vms = qdict_get_qlist(rsp, "return");
    GString *out;

    out = qobject_to_json(QOBJECT(vms));
    qobject_unref(rsp);
    return out;
}

static void assert_verified(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-verify', "
                           "'arguments': { 'id': 'gpu0' } }");

    g_assert_true(qlist_empty(qdict_get_qlist(rsp, "return")));
    qobject_unref(rsp);
}

/* Migrates @src to @dst (started with -incoming @uri) and waits. */
static void migrate_live(QTestState *src, QTestState *dst, const char *uri)
{
    QDict *rsp;
    int i;

    qtest_qmp_assert_success(src, "{ 'execute': 'migrate', "
                             "'arguments': { 'uri': %s } }", uri);
    for (i = 0; i < 6000; i++) {
        const char *st;

        rsp = qtest_qmp(src, "{ 'execute': 'query-migrate' }");
        st = qdict_get_try_str(qdict_get_qdict(rsp, "return"), "status");
        g_assert_cmpstr(st, !=, "failed");
        if (!g_strcmp0(st, "completed")) {
            qobject_unref(rsp);
            break;
        }
        qobject_unref(rsp);
        g_usleep(10000);
    }
    g_assert_cmpint(i, <, 6000);
    qtest_qmp_eventwait(dst, "RESUME");
}

static void test_migrate(void)
{
    g_autofree char *uri = g_strdup_printf("unix:%s/nvvb-mig-%d.sock",
                                           g_get_tmp_dir(), getpid());
    const char *args = "-M pc -m 512M -device nv-vmbind,id=gpu0,addr=04.0";
    g_autofree uint8_t *sg = g_malloc(SYS_PAGES * NVVB_SG_ENTRY_SIZE);
    g_autofree uint8_t *buf = g_malloc(0x1000);
    g_autoptr(GString) before = NULL, after = NULL;
    uint64_t probe_va[64], probe_pa[64], sgaddr, scratch;
    uint8_t d[NVVB_DESC_SIZE];
    QNvRing bind, ce;
    Side src, dst;
    int i;

    src.qts = qtest_initf("%s", args);
    side_attach(&src);
    qnvring_init(&bind, &src.d, &src.alloc, NVVB_REG_BIND_RING, 1024);
    qnvring_init(&ce, &src.d, &src.alloc, NVVB_REG_CE_RING, 16);
    /* Guest memory the destination will use: allocated here, migrated. */
    scratch = ROUND_UP(guest_alloc(&src.alloc, 0x2000), 0x1000);

    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, BO_A, BO_A_SIZE, VRAM_BO_BASE);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    for (i = 0; i < SYS_PAGES; i++) {
        uint64_t page = ROUND_UP(guest_alloc(&src.alloc, 0x2000), 0x1000);

        stq_le_p(sg + i * NVVB_SG_ENTRY_SIZE + NVVB_SG_ADDR, page);
        stq_le_p(sg + i * NVVB_SG_ENTRY_SIZE + NVVB_SG_LEN, 0x1000);
    }
    sgaddr = guest_alloc(&src.alloc, SYS_PAGES * NVVB_SG_ENTRY_SIZE);
    qtest_memwrite(src.qts, sgaddr, sg, SYS_PAGES * NVVB_SG_ENTRY_SIZE);
    qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, BO_S, SYS_PAGES * 0x1000ULL, sgaddr,
                   SYS_PAGES);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    for (i = 0; i < 2; i++) {
        qnvdesc_vm_create(d, i, 0, 0);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    }

    /*
     * VM 0: N_SMALL 4 KiB mappings every 64 KiB, alternating BOs, some in
     * sparse regions; 2 MiB mappings above 1 TiB.  VM 1: a few of each.
     */
    for (i = 0; i < 8; i++) {
        qnvdesc_map(d, 0, 0, 0x100000000ULL * (i + 1), 0x40000000, 0,
                    NVVB_MAP_SPARSE);
        qnvring_put(&bind, d);
    }
    for (i = 0; i < N_SMALL; i++) {
        uint64_t va = (i % 2 ? 0x100000000ULL : 0) + (uint64_t)i * 0x10000;

        qnvdesc_map(d, 0, i % 3 ? BO_A : BO_S, va, 0x1000,
                    (uint64_t)(i % SYS_PAGES) * 0x1000, i % 7);
        qnvring_put(&bind, d);
        if (i % 500 == 499) {
            qnvring_kick_wait(&bind);
        }
    }
    for (i = 0; i < 8; i++) {
        qnvdesc_map(d, 0, BO_A, 0x10000000000ULL + i * 0x200000ULL,
                    0x200000, i * 0x200000ULL, NVVB_MAP_READ_ONLY);
        qnvring_put(&bind, d);
        qnvdesc_map(d, 1, BO_S, 0x5000000 + i * 0x1000ULL, 0x1000,
                    i * 0x1000ULL, 0);
        qnvring_put(&bind, d);
    }
    qnvring_kick_wait(&bind);
    g_assert_cmpuint(qnvvb_readl(&src.d, NVVB_REG_BIND_RING +
                                 NVVB_RING_ERRORS), ==, 0);

    /* Data through the tables: a pattern in each 2 MiB page. */
    for (i = 0; i < 8; i++) {
        qnvdesc_ce(d, NVVB_OP_CE_FILL, 0, 0, 0x10000000000ULL +
                   i * 0x200000ULL + 0x1000, 0x1000, 0x5a000000 + i, 0);
        qnvring_put(&ce, d);
    }
    qnvring_kick_wait(&ce);
    /* The 2 MiB pages are read-only: each FILL faults with EFAULT. */
    g_assert_cmpuint(qnvvb_readl(&src.d, NVVB_REG_CE_RING + NVVB_RING_ERRORS),
                     ==, 8);
    for (i = 0; i < 8; i++) {
        qnvdesc_ce(d, NVVB_OP_CE_FILL, 0, 0, i * 0x20000ULL, 0x1000,
                   0xc0de0000 + i, 0);
        qnvring_put(&ce, d);
    }
    qnvring_kick_wait(&ce);
    g_assert_cmpuint(qnvvb_readl(&src.d, NVVB_REG_CE_RING + NVVB_RING_ERRORS),
                     ==, 8);

    assert_verified(src.qts);
    before = vms_json(src.qts);
    qnvvb_ctx_pdb(&src.d, NV_GMMU_APER_VID, pdb_of(&src.d, 0));
    for (i = 0; i < 64; i++) {
        probe_va[i] = (uint64_t)(i * 47 % N_SMALL) * 0x10000 +
                      ((i * 47 % N_SMALL) % 2 ? 0x100000000ULL : 0) + 0x88;
        g_assert_cmpuint(qnvvb_translate(&src.d, probe_va[i], 0) &
                         NVVB_PROBE_STATUS_RESULT_MASK, ==,
                         NVVB_PROBE_RESULT_MAPPED);
        probe_pa[i] = qnvvb_probe_pa(&src.d);
    }

    /* Migrate. */
    dst.qts = qtest_initf("%s -incoming %s", args, uri);
    migrate_live(src.qts, dst.qts, uri);
    side_attach(&dst);

    /* Same GPUVM state, consistent tables, same translations. */
    after = vms_json(dst.qts);
    g_assert_cmpstr(after->str, ==, before->str);
    g_assert_cmphex(pdb_of(&dst.d, 0), ==, pdb_of(&src.d, 0));
    g_assert_cmpuint(qnvvb_readl(&dst.d, NVVB_REG_PT_POOL_FREE), ==,
                     qnvvb_readl(&src.d, NVVB_REG_PT_POOL_FREE));
    /* The BOs too: their extents are held, their ids taken. */
    g_assert_cmpuint(qnvvb_readl(&dst.d, NVVB_REG_SG_FREE_ENTRIES), ==,
                     qnvvb_readl(&src.d, NVVB_REG_SG_FREE_ENTRIES));
    g_assert_cmpuint(qnvvb_readl(&dst.d, NVVB_REG_SG_FREE_ENTRIES), <,
                     qnvvb_readl(&dst.d, NVVB_REG_SG_MAX_ENTRIES));
    assert_verified(dst.qts);
    qnvvb_ctx_pdb(&dst.d, NV_GMMU_APER_VID, pdb_of(&dst.d, 0));
    for (i = 0; i < 64; i++) {
        g_assert_cmpuint(qnvvb_translate(&dst.d, probe_va[i], 0) &
                         NVVB_PROBE_STATUS_RESULT_MASK, ==,
                         NVVB_PROBE_RESULT_MAPPED);
        g_assert_cmphex(qnvvb_probe_pa(&dst.d), ==, probe_pa[i]);
    }
    /* Same bytes through the same VAs. */
    for (i = 0; i < 8; i++) {
        uint32_t st = qnvvb_dma(&dst.d, NVVB_PROBE_CMD_DMA_READ,
                                i * 0x20000ULL, scratch, 0x1000, 0);

        g_assert_cmpuint(st & NVVB_PROBE_STATUS_RESULT_MASK, ==,
                         NVVB_PROBE_RESULT_MAPPED);
        qtest_memread(dst.qts, scratch, buf, 0x1000);
        g_assert_cmphex((uint32_t)ldl_le_p(buf + 0x800), ==, 0xc0de0000 + i);
    }
    /* The rings go on where they were. */
    bind.d = &dst.d;
    bind.qts = dst.qts;
    qnvdesc_unmap(d, 0, 0, 0x100000, 0);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, BO_A, 0x1000, 0);
    g_assert_cmpuint(qnvring_exec(&bind, d), ==, NVVB_STATUS_EEXIST);
    assert_verified(dst.qts);

    side_free(&src);
    side_free(&dst);
}

/* Polls query-migrate until it ends; returns the final status. */
static char *migrate_wait(QTestState *qts)
{
    int i;

    for (i = 0; i < 6000; i++) {
        QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-migrate' }");
        const char *st = qdict_get_try_str(qdict_get_qdict(rsp, "return"),
                                           "status");
        char *ret = g_strdup(st);

        qobject_unref(rsp);
        if (!g_strcmp0(ret, "completed") || !g_strcmp0(ret, "failed")) {
            return ret;
        }
        g_free(ret);
        g_usleep(10000);
    }
    g_assert_not_reached();
}

/*
 * Saves the source's state to a file, replaces the first occurrence of
 * @find (big-endian u32s, as VMState writes them) by @repl, and loads the
 * result into a fresh destination; returns its final migration status.
 */
static char *load_patched(const char *args, QTestState *src,
                          const uint32_t *find, const uint32_t *repl, size_t n)
{
    g_autofree char *path = g_strdup_printf("%s/nvvb-mig-%d.img",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_autofree uint8_t *pat = g_malloc(n * 4);
    g_autofree char *st = NULL;
    g_autoptr(GError) err = NULL;
    QTestState *dst;
    gchar *img;
    gsize len, off;
    char *ret;
    size_t k;

    qtest_qmp_assert_success(src, "{ 'execute': 'stop' }");
    qtest_qmp_assert_success(src, "{ 'execute': 'migrate', "
                             "'arguments': { 'uri': %s } }", uri);
    st = migrate_wait(src);
    g_assert_cmpstr(st, ==, "completed");
    g_assert_true(g_file_get_contents(path, &img, &len, &err));
    for (k = 0; k < n; k++) {
        stl_be_p(pat + 4 * k, find[k]);
    }
    for (off = 0; off + n * 4 <= len; off++) {
        if (!memcmp(img + off, pat, n * 4)) {
            break;
        }
    }
    g_assert_cmpuint(off + n * 4, <=, len);
    for (k = 0; k < n; k++) {
        stl_be_p(img + off + 4 * k, repl[k]);
    }
    g_assert_true(g_file_set_contents(path, img, len, &err));
    g_free(img);

    dst = qtest_initf("%s -incoming defer", args);
    /* A failed load leaves the destination up to be asked. */
    qtest_qmp_assert_success(dst, "{ 'execute': 'migrate-incoming', "
                             "'arguments': { 'uri': %s, "
                             "'exit-on-error': false } }", uri);
    ret = migrate_wait(dst);
    qtest_quit(dst);
    unlink(path);
    return ret;
}

/*
 * A stream whose bind ring has TAIL >= SIZE (which a TAIL write refuses)
 * must fail the load: accepted, the destination's bottom half ran forever
 * (HEAD wraps modulo SIZE and never reaches TAIL).  Likewise a fault ring
 * PUT beyond its SIZE, and any register holding a bit no write of it can
 * leave (ring STATUS, FAULT_BUF_LO, INTR_ENABLE) or a value where no
 * register has storage (RESET).  The unpatched stream loads.
 */
static void test_bad_stream(void)
{
    const char *args = "-M pc -m 32M -device nv-vmbind,id=gpu0,addr=04.0";
    /* bind ring: BASE_LO (RAM: zeros, NOPs), BASE_HI, SIZE, HEAD, TAIL */
    const uint32_t ring[] = { 0x00abc000, 0, 16, 3, 3, 0 };
    const uint32_t bad_tail[] = { 0x00abc000, 0, 16, 3, 0x20, 0 };
    const uint32_t bad_head[] = { 0x00abc000, 0, 16, 0x1000, 3, 0 };
    const uint32_t bad_status[] = { 0x00abc000, 0, 16, 3, 3, 0x10 };
    /* fault ring: FAULT_BUF_LO, _HI, GET, PUT, SIZE */
    const uint32_t fault[] = { 0x00abe001, 0, 0, 2, 0x80000008 };
    const uint32_t bad_put[] = { 0x00abe001, 0, 0, 0x9999, 0x80000008 };
    const uint32_t bad_lo[] = { 0x00abe009, 0, 0, 2, 0x80000008 };
    /* SCRATCH, RESET, MSIX_VECTORS, INTR_STATUS (the faults'), _ENABLE */
    const uint32_t intr[] = { 0x5ca7c4ed, 0, 0, NVVB_INTR_FAULT, 0 };
    const uint32_t bad_enable[] = { 0x5ca7c4ed, 0, 0, NVVB_INTR_FAULT, 0x10 };
    const uint32_t bad_reset[] = { 0x5ca7c4ed, 1, 0, NVVB_INTR_FAULT, 0 };
    struct {
        const uint32_t *find, *repl;
        size_t n;
        const char *want;
    } cases[] = {
        { ring, ring, 6, "completed" },
        { ring, bad_tail, 6, "failed" },
        { ring, bad_head, 6, "failed" },
        { ring, bad_status, 6, "failed" },
        { fault, bad_put, 5, "failed" },
        { fault, bad_lo, 5, "failed" },
        { intr, bad_enable, 5, "failed" },
        { intr, bad_reset, 5, "failed" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *st = NULL;
        Side src;
        int j;

        src.qts = qtest_initf("%s", args);
        side_attach(&src);
        qnvvb_writel(&src.d, NVVB_REG_SCRATCH, 0x5ca7c4ed);
        qnvvb_writel(&src.d, NVVB_REG_BIND_RING + NVVB_RING_BASE_LO,
                     0x00abc000);
        qnvvb_writel(&src.d, NVVB_REG_BIND_RING + NVVB_RING_SIZE, 16);
        qnvvb_writel(&src.d, NVVB_REG_BIND_RING + NVVB_RING_TAIL, 3);
        for (j = 0; j < 1000 && qnvvb_readl(&src.d, NVVB_REG_BIND_RING +
                                            NVVB_RING_HEAD) != 3; j++) {
            qtest_clock_step(src.qts, 1000);
        }
        g_assert_cmpuint(qnvvb_readl(&src.d, NVVB_REG_BIND_RING +
                                     NVVB_RING_HEAD), ==, 3);
        qnvvb_writel(&src.d, NVVB_REG_FAULT_BUF_LO, 0x00abe001);
        qnvvb_writel(&src.d, NVVB_REG_FAULT_BUF_SIZE,
                     NVVB_FAULT_BUF_SIZE_ENABLE | 8);
        /* Two faults: PUT = 2. */
        qnvvb_ctx_pdb(&src.d, NV_GMMU_APER_VID, 0x100000);
        qnvvb_translate(&src.d, 0x1000, 0);
        qnvvb_translate(&src.d, 0x2000, 0);
        g_assert_cmpuint(qnvvb_readl(&src.d, NVVB_REG_FAULT_BUF_PUT), ==,
                         2);
        st = load_patched(args, src.qts, cases[i].find, cases[i].repl,
                          cases[i].n);
        g_test_message("case %zu: %s", i, st);
        g_assert_cmpstr(st, ==, cases[i].want);
        side_free(&src);
    }
}

/*
 * The objects' records as the destination sees them: a BO, an extent
 * count, a mapping or an array length that no device state has (a VRAM BO
 * inside the page-table pool, extents that do not add up, a mapping of a
 * BO that does not exist or at an unaligned VA, 2^31 - 1 BOs) fails the
 * load, as the same request fails from the guest; the unpatched stream
 * loads with the objects intact.
 */
static void test_objects_bad_stream(void)
{
    const char *args = "-M pc -m 64M -device nv-vmbind,id=gpu0,addr=04.0,"
                       "vram-size=32M";
    /* BO 1: id, placement VRAM, nsg 0, size 1 MiB, VRAM 1 MiB */
    const uint32_t bo[] = { 1, NVVB_BO_VRAM, 0, 0, 0x100000, 0, 0x100000 };
    const uint32_t bad_vram[] = { 1, NVVB_BO_VRAM, 0, 0, 0x100000, 0,
                                  0x01800000 };
    const uint32_t bad_nsg[] = { 1, NVVB_BO_VRAM, 1, 0, 0x100000, 0,
                                 0x100000 };
    /* the BO count before it */
    const uint32_t nbos[] = { 2, 1, NVVB_BO_VRAM, 0, 0, 0x100000 };
    const uint32_t bad_nbos[] = { 0x7fffffff, 1, NVVB_BO_VRAM, 0, 0,
                                  0x100000 };
    /* BO 2's mapping: VA, range, BO offset, BO, flags */
    const uint32_t map[] = { 0, 0x200000, 0, 0x1000, 0, 0, 2,
                             NVVB_MAP_READ_ONLY };
    const uint32_t bad_bo[] = { 0, 0x200000, 0, 0x1000, 0, 0, 7,
                                NVVB_MAP_READ_ONLY };
    const uint32_t bad_va[] = { 0, 0x200800, 0, 0x1000, 0, 0, 2,
                                NVVB_MAP_READ_ONLY };
    struct {
        const uint32_t *find, *repl;
        size_t n;
        const char *want;
    } cases[] = {
        { bo, bo, 7, "completed" },
        { bo, bad_vram, 7, "failed" },
        { bo, bad_nsg, 7, "failed" },
        { nbos, bad_nbos, 6, "failed" },
        { map, bad_bo, 8, "failed" },
        { map, bad_va, 8, "failed" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *st = NULL;
        uint8_t d[NVVB_DESC_SIZE], e[NVVB_SG_ENTRY_SIZE];
        uint64_t page, sgaddr;
        QNvRing bind;
        Side src;

        src.qts = qtest_initf("%s", args);
        side_attach(&src);
        qnvring_init(&bind, &src.d, &src.alloc, NVVB_REG_BIND_RING, 16);
        page = ROUND_UP(guest_alloc(&src.alloc, 0x2000), 0x1000);
        stq_le_p(e + NVVB_SG_ADDR, page);
        stq_le_p(e + NVVB_SG_LEN, 0x1000);
        sgaddr = guest_alloc(&src.alloc, sizeof(e));
        qtest_memwrite(src.qts, sgaddr, e, sizeof(e));
        qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, 1, 0x100000, 0x100000);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
        qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, 2, 0x1000, sgaddr, 1);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
        qnvdesc_vm_create(d, 0, 0, 0);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
        qnvdesc_map(d, 0, 0, 0x10000000, 0x200000, 0, NVVB_MAP_SPARSE);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
        qnvdesc_map(d, 0, 1, 0x100000, 0x1000, 0, 0);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
        qnvdesc_map(d, 0, 2, 0x200000, 0x1000, 0, NVVB_MAP_READ_ONLY);
        g_assert_cmpuint(qnvring_exec(&bind, d), ==, 0);
        st = load_patched(args, src.qts, cases[i].find, cases[i].repl,
                          cases[i].n);
        g_test_message("case %zu: %s", i, st);
        g_assert_cmpstr(st, ==, cases[i].want);
        side_free(&src);
    }
}

/* ---- nv-vmbind-gp107 ---- */

#define GP_ARGS     "-M pc -m 64M -device nv-vmbind-gp107,id=gp0,addr=05.0," \
                    "vram-size=32M,bar1-size=16M,bar3-size=16M,pdbs=2"
#define GP_INST     0x010000
#define GP_PD3      0x011000    /* BAR1's VMM */
#define GP_PD2      0x012000
#define GP_PD1      0x013000
#define GP_PD0      0x014000
#define GP_SPT      0x015000
#define GP_PD3U     0x020000    /* a user VMM sharing BAR1's PD2 */
#define GP_OTHER    0x030000    /* PDBs named once */
#define GP_OTHER2   0x031000
#define GP_PAGE     0x200000    /* VA 0 in both */

typedef struct GpSide {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0, bar1;
} GpSide;

static void gp_attach(GpSide *g)
{
    pc_alloc_init(&g->alloc, g->qts, ALLOC_NO_FLAGS);
    g->bus = qpci_new_pc(g->qts, &g->alloc);
    g->dev = qpci_device_find(g->bus, QPCI_DEVFN(5, 0));
    g_assert_nonnull(g->dev);
    qpci_device_enable(g->dev);
    g->bar0 = qpci_iomap(g->dev, NV_GP107_BAR_REGS, NULL);
    g->bar1 = qpci_iomap(g->dev, NV_GP107_BAR_FB, NULL);
}

static void gp_free(GpSide *g)
{
    g_free(g->dev);
    qpci_free_pc(g->bus);
    alloc_destroy(&g->alloc);
    qtest_quit(g->qts);
}

static void gp_wr(GpSide *g, uint32_t reg, uint32_t val)
{
    qpci_io_writel(g->dev, g->bar0, reg, val);
}

static void gp_vram_wr64(GpSide *g, uint64_t addr, uint64_t val)
{
    gp_wr(g, NV_PBUS_BAR0_WINDOW, addr >> 16);
    gp_wr(g, NV_PRAMIN_BASE + (addr & 0xffff), val);
    gp_wr(g, NV_PRAMIN_BASE + (addr & 0xffff) + 4, val >> 32);
}

/* An invalidate of all VAs under @pdb (VRAM), as nouveau's. */
static void gp_invalidate(GpSide *g, uint64_t pdb)
{
    gp_wr(g, NV_PFB_MMU_INVALIDATE_PDB, (uint32_t)((pdb >> 12) << 4));
    gp_wr(g, NV_PFB_MMU_INVALIDATE_UPPER_PDB, (uint32_t)(pdb >> 40));
    gp_wr(g, NV_PFB_MMU_INVALIDATE, 0x80000001);
}

/* A number of the x-nv-vmbind-query-pdbs answer. */
static uint64_t gp_pdbs_int(QTestState *qts, const char *key)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-query-pdbs', "
                           "'arguments': { 'id': 'gp0' } }");
    uint64_t v = qdict_get_int(qdict_get_qdict(rsp, "return"), key);

    qobject_unref(rsp);
    return v;
}

/* The live-PDB set with its walks, without the access statistics. */
static GString *gp_pdbs_json(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-nv-vmbind-query-pdbs', "
                           "'arguments': { 'id': 'gp0', 'mappings': true } }");
    QDict *ret = qdict_get_qdict(rsp, "return");
    GString *out;

    qdict_del(ret, "bar1");
    qdict_del(ret, "bar2");
    qdict_del(ret, "unhandled");
    out = qobject_to_json(QOBJECT(ret));
    qobject_unref(rsp);
    return out;
}

/*
 * Tables for VA 0 -> GP_PAGE under BAR1's instance block and under a user
 * PD3; BAR1 bound; invalidates naming GP_OTHER (then evicted: the set holds
 * 2), BAR1's PD3 and the user PD3 twice.
 */
static void gp_setup(GpSide *g)
{
    gp_vram_wr64(g, GP_INST + 0x200,
                 nv_gmmu_ramin_pdb_encode(0, GP_PD3,
                                          NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                          NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    gp_vram_wr64(g, GP_INST + 0x208, nv_gmmu_ramin_limit_encode(0xffffff));
    gp_vram_wr64(g, GP_PD3, nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP_PD2,
                                               false));
    gp_vram_wr64(g, GP_PD3U, nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP_PD2,
                                                false));
    gp_vram_wr64(g, GP_PD2, nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP_PD1,
                                               false));
    gp_vram_wr64(g, GP_PD1, nv_gmmu_pde_encode(NV_GMMU_APER_VID, GP_PD0,
                                               false));
    gp_vram_wr64(g, GP_PD0 + 8, nv_gmmu_pd0_small_encode(NV_GMMU_APER_VID,
                                                         GP_SPT, false));
    gp_vram_wr64(g, GP_SPT, nv_gmmu_pte_encode(NV_GMMU_APER_VID, GP_PAGE,
                                               0, 0));
    gp_vram_wr64(g, GP_PAGE, 0xfeed0001);
    gp_wr(g, NV_PBUS_BAR1_BLOCK, NV_PBUS_BLOCK_MODE_VIRTUAL |
          (GP_INST >> 12));
    gp_invalidate(g, GP_OTHER);
    gp_invalidate(g, GP_PD3);
    gp_invalidate(g, GP_PD3U);
    gp_invalidate(g, GP_PD3U);
    g_assert_cmphex(qpci_io_readl(g->dev, g->bar1, 0), ==, 0xfeed0001);
}

/*
 * The destination holds the same live-PDB set (entries, roles, sequence
 * numbers, counts, evictions, the walk under each), BAR1 still translates
 * through its learnt PDB, and the next invalidates behave as on the
 * source: a repeat counts, a new PDB evicts the same entry.
 */
static void test_gp107_pdbs(void)
{
    g_autofree char *uri = g_strdup_printf("unix:%s/nvvb-gp-%d.sock",
                                           g_get_tmp_dir(), getpid());
    g_autoptr(GString) before = NULL, after = NULL;
    g_autoptr(GString) src_next = NULL, dst_next = NULL;
    GpSide src, dst;

    src.qts = qtest_initf("%s", GP_ARGS);
    gp_attach(&src);
    gp_setup(&src);
    before = gp_pdbs_json(src.qts);
    g_assert_cmpuint(gp_pdbs_int(src.qts, "evictions"), ==, 1);

    dst.qts = qtest_initf("%s -incoming %s", GP_ARGS, uri);
    migrate_live(src.qts, dst.qts, uri);
    gp_attach(&dst);
    after = gp_pdbs_json(dst.qts);
    g_assert_cmpstr(after->str, ==, before->str);
    g_assert_cmphex(qpci_io_readl(dst.dev, dst.bar1, 0), ==, 0xfeed0001);

    gp_invalidate(&src, GP_PD3U);
    gp_invalidate(&src, GP_OTHER2);
    gp_invalidate(&dst, GP_PD3U);
    gp_invalidate(&dst, GP_OTHER2);
    src_next = gp_pdbs_json(src.qts);
    dst_next = gp_pdbs_json(dst.qts);
    g_assert_cmpstr(dst_next->str, ==, src_next->str);
    g_assert_cmpstr(dst_next->str, !=, after->str);
    g_assert_cmpuint(gp_pdbs_int(dst.qts, "evictions"), ==, 2);
    g_assert_cmpuint(gp_pdbs_int(dst.qts, "invalidates"), ==, 6);
    gp_free(&src);
    gp_free(&dst);
}

/*
 * A gp107 stream is refused when a live-PDB entry is one no invalidate
 * leaves (unaligned address, PEER aperture, more invalidates than sequence
 * numbers, a sequence number past the device's count) or a read-only
 * register differs (PMC_BOOT_0).  The unpatched stream loads.
 */
static void test_gp107_bad_stream(void)
{
    /* The user PD3's entry: aperture, tag, addr, first, last, count. */
    const uint32_t user[] = { 0, 0, 0, GP_PD3U, 0, 3, 0, 4, 0, 2 };
    const uint32_t bad_addr[] = { 0, 0, 0, GP_PD3U | 0x800, 0, 3, 0, 4, 0, 2 };
    const uint32_t bad_aper[] = { 1, 0, 0, GP_PD3U, 0, 3, 0, 4, 0, 2 };
    const uint32_t bad_count[] = { 0, 0, 0, GP_PD3U, 0, 3, 0, 4, 0, 3 };
    const uint32_t bad_seq[] = { 0, 0, 0, GP_PD3U, 0, 3, 0, 9, 0, 2 };
    /* The first registers: PMC_BOOT_0, PMC_BOOT_1. */
    const uint32_t boot[] = { NV_PMC_BOOT_0_GP107, 0 };
    const uint32_t bad_boot[] = { NV_PMC_BOOT_0_GP107 ^ 1, 0 };
    struct {
        const uint32_t *find, *repl;
        size_t n;
        const char *want;
    } cases[] = {
        { user, user, 10, "completed" },
        { user, bad_addr, 10, "failed" },
        { user, bad_aper, 10, "failed" },
        { user, bad_count, 10, "failed" },
        { user, bad_seq, 10, "failed" },
        { boot, bad_boot, 2, "failed" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *st = NULL;
        GpSide src;

        src.qts = qtest_initf("%s", GP_ARGS);
        gp_attach(&src);
        gp_setup(&src);
        st = load_patched(GP_ARGS, src.qts, cases[i].find, cases[i].repl,
                          cases[i].n);
        g_test_message("case %zu: %s", i, st);
        g_assert_cmpstr(st, ==, cases[i].want);
        gp_free(&src);
    }

    /*
     * nv-vmbind-migration fuzz finding: config space is in the stream and
     * the PCI core leaves INTERRUPT_PIN unchecked; loaded as 0x41, the next
     * interrupt aborted QEMU in pci_irq_handler().  Config 0x34-0x3f as
     * the device has it (raw bytes, so big-endian u32s of the LE dwords)
     * finds the place; pin 1 loads, pin 0x41 must fail.
     */
    for (i = 0; i < 2; i++) {
        g_autofree char *st = NULL;
        uint32_t find[3], repl[3];
        GpSide src;
        unsigned j;

        src.qts = qtest_initf("%s", GP_ARGS);
        gp_attach(&src);
        gp_setup(&src);
        for (j = 0; j < 3; j++) {
            find[j] = bswap32(qpci_config_readl(src.dev, 0x34 + 4 * j));
            repl[j] = find[j];
        }
        g_assert_cmphex(find[2] & 0x00ff0000, ==, 0x00010000);
        if (i) {
            repl[2] = (repl[2] & ~0x00ff0000u) | 0x00410000u;
        }
        st = load_patched(GP_ARGS, src.qts, find, repl, 3);
        g_assert_cmpstr(st, ==, i ? "failed" : "completed");
        gp_free(&src);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nv-vmbind/migration/round-trip", test_migrate);
    qtest_add_func("/nv-vmbind/migration/bad-stream", test_bad_stream);
    qtest_add_func("/nv-vmbind/migration/objects-bad-stream",
                   test_objects_bad_stream);
    qtest_add_func("/nv-vmbind/migration/gp107-pdbs", test_gp107_pdbs);
    qtest_add_func("/nv-vmbind/migration/gp107-bad-stream",
                   test_gp107_bad_stream);
    return g_test_run();
}
