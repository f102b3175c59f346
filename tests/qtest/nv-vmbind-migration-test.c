/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind migration: a source QEMU binds thousands of mappings (VRAM and
 * system-memory BOs, 4 KiB and 2 MiB pages, sparse regions) and writes data
 * through them with the copy engine; after migration the destination holds
 * the same GPUVM state, its tables verify, the same VAs translate to the
 * same memory holding the same bytes, and the rings keep working.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/nv-vmbind.h"
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
    QDict *rsp;
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
    qtest_qmp_assert_success(src.qts, "{ 'execute': 'migrate', "
                             "'arguments': { 'uri': %s } }", uri);
    for (i = 0; i < 6000; i++) {
        const char *st;

        rsp = qtest_qmp(src.qts, "{ 'execute': 'query-migrate' }");
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
    qtest_qmp_eventwait(dst.qts, "RESUME");
    side_attach(&dst);

    /* Same GPUVM state, consistent tables, same translations. */
    after = vms_json(dst.qts);
    g_assert_cmpstr(after->str, ==, before->str);
    g_assert_cmphex(pdb_of(&dst.d, 0), ==, pdb_of(&src.d, 0));
    g_assert_cmpuint(qnvvb_readl(&dst.d, NVVB_REG_PT_POOL_FREE), ==,
                     qnvvb_readl(&src.d, NVVB_REG_PT_POOL_FREE));
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
    assert_verified(dst.qts);

    side_free(&src);
    side_free(&dst);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nv-vmbind/migration/round-trip", test_migrate);
    return g_test_run();
}
