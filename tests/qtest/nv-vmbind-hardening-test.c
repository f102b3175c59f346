/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for nv-vmbind as a security boundary: each test is the reproducer
 * of a finding of issue 14 (a guest or a management client driving the
 * device as an attacker would), turned into a regression test.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "libqos/libqos-malloc.h"
#include "libqos/nv-vmbind.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

#define VRAM_BO_BASE    0x01000000ULL   /* 16 MiB */
#define BO_SIZE         0x00200000ULL   /* 2 MiB */
#define SYS_PTE_LIMIT   (1ULL << 58)    /* sysmem PTE address field */

typedef struct Ctx {
    QNvVmbind *d;
    QTestState *qts;
    QGuestAllocator *alloc;
    QNvRing bind;
} Ctx;

static void ctx_init(Ctx *c, void *obj, QGuestAllocator *alloc)
{
    c->d = obj;
    c->qts = c->d->dev.bus->qts;
    c->alloc = alloc;
    qnvvb_writel(c->d, NVVB_REG_RESET, NVVB_RESET_VALUE);
    qnvring_init(&c->bind, c->d, alloc, NVVB_REG_BIND_RING, 256);
}

static uint32_t exec(Ctx *c, const uint8_t *d)
{
    return qnvring_exec(&c->bind, d);
}

static uint32_t vm_create(Ctx *c, uint32_t vm)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_vm_create(d, vm, 0, 0);
    return exec(c, d);
}

static uint32_t bo_vram(Ctx *c, uint16_t op, uint32_t bo, uint64_t addr)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_bo_vram(d, op, bo, BO_SIZE, addr);
    return exec(c, d);
}

/* A system-memory BO_CREATE/BO_MOVE of one extent at @pa (not in RAM). */
static uint32_t bo_sys1(Ctx *c, uint16_t op, uint32_t bo, uint64_t pa)
{
    uint64_t sg = guest_alloc(c->alloc, NVVB_SG_ENTRY_SIZE);
    uint8_t d[NVVB_DESC_SIZE];

    qtest_writeq(c->qts, sg + NVVB_SG_ADDR, pa);
    qtest_writeq(c->qts, sg + NVVB_SG_LEN, BO_SIZE);
    qnvdesc_bo_sys(d, op, bo, BO_SIZE, sg, 1);
    return exec(c, d);
}

static uint32_t map(Ctx *c, uint32_t vm, uint32_t bo, uint64_t va,
                    uint64_t range, uint64_t off)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_map(d, vm, bo, va, range, off, 0);
    return exec(c, d);
}

static uint64_t vm_pdb(Ctx *c, uint32_t vm)
{
    qnvvb_writel(c->d, NVVB_REG_VM_PDB_SELECT, vm);
    return ((uint64_t)qnvvb_readl(c->d, NVVB_REG_VM_PDB_HI) << 32) |
           qnvvb_readl(c->d, NVVB_REG_VM_PDB_LO);
}

/* Where @va of @vm translates to (asserts it is mapped). */
static uint64_t translate(Ctx *c, uint32_t vm, uint64_t va)
{
    qnvvb_ctx_pdb(c->d, NV_GMMU_APER_VID, vm_pdb(c, vm));
    g_assert_cmpuint(qnvvb_translate(c->d, va, 0) &
                     NVVB_PROBE_STATUS_RESULT_MASK, ==,
                     NVVB_PROBE_RESULT_MAPPED);
    return qnvvb_probe_pa(c->d);
}

/* x-nv-vmbind-verify finds every VM's tables equal to its GPUVM. */
static void assert_verified(Ctx *c)
{
    QDict *rsp = qtest_qmp(c->qts, "{ 'execute': 'x-nv-vmbind-verify', "
                           "'arguments': { 'id': 'gpu0' } }");

    g_assert_nonnull(qdict_get_qlist(rsp, "return"));
    g_assert_true(qlist_empty(qdict_get_qlist(rsp, "return")));
    qobject_unref(rsp);
}

/*
 * A scatter list the PTE address field cannot express (>= 2^58) is refused
 * by BO_CREATE and BO_MOVE, before anything is committed; before the fix it
 * was accepted and a MAP changed the GPUVM, then failed in the tables.
 */
static void test_sg_pte_field(void *obj, void *data, QGuestAllocator *alloc)
{
    Ctx c;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    /* The highest expressible extent is accepted (never touched). */
    g_assert_cmpuint(bo_sys1(&c, NVVB_OP_BO_CREATE, 1,
                             SYS_PTE_LIMIT - BO_SIZE), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(map(&c, 0, 1, 0x200000, BO_SIZE, 0), ==, NVVB_STATUS_OK);
    g_assert_cmphex(translate(&c, 0, 0x200000 + 0x1234), ==,
                    SYS_PTE_LIMIT - BO_SIZE + 0x1234);
    /* One page further is not. */
    g_assert_cmpuint(bo_sys1(&c, NVVB_OP_BO_CREATE, 2,
                             SYS_PTE_LIMIT - BO_SIZE + 0x1000), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(bo_sys1(&c, NVVB_OP_BO_CREATE, 2, SYS_PTE_LIMIT), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 0, 2, 0x400000, BO_SIZE, 0), ==,
                     NVVB_STATUS_ENOENT);
    /* BO_MOVE of a mapped BO to such a backing: refused, nothing moved. */
    g_assert_cmpuint(bo_sys1(&c, NVVB_OP_BO_MOVE, 1, SYS_PTE_LIMIT), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmphex(translate(&c, 0, 0x200000 + 0x1234), ==,
                    SYS_PTE_LIMIT - BO_SIZE + 0x1234);
    assert_verified(&c);
}

/*
 * Cross-BO aliasing: a failed BO_MOVE of BO 1 must not leave state that
 * makes the next BO_MOVE (of BO 2) rewrite BO 1's mappings with BO 2's
 * backing.
 */
static void test_move_alias(void *obj, void *data, QGuestAllocator *alloc)
{
    uint64_t bo1 = VRAM_BO_BASE, bo2 = VRAM_BO_BASE + BO_SIZE;
    Ctx c;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 1, bo1), ==, 0);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 2, bo2), ==, 0);
    g_assert_cmpuint(map(&c, 0, 1, 0x100000, 0x1000, 0), ==, 0);
    g_assert_cmpuint(map(&c, 0, 2, 0x900000, 0x1000, 0), ==, 0);
    g_assert_cmpuint(bo_sys1(&c, NVVB_OP_BO_MOVE, 1, SYS_PTE_LIMIT), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_MOVE, 2, bo2 + 4 * BO_SIZE), ==,
                     0);
    g_assert_cmphex(translate(&c, 0, 0x100000), ==, bo1);
    g_assert_cmphex(translate(&c, 0, 0x900000), ==, bo2 + 4 * BO_SIZE);
    assert_verified(&c);
}

/*
 * BO_MOVE of a BO mapped nowhere, then a MAP of it, then a BO_MOVE of
 * another BO: the first BO's mapping must keep its own backing, in the same
 * VM and in another one (drm_gpuvm: eviction is per vm_bo, validate
 * revalidates each vm_bo with its own BO).
 */
static void test_move_unmapped(void *obj, void *data, QGuestAllocator *alloc)
{
    uint64_t bo1 = VRAM_BO_BASE, bo2 = VRAM_BO_BASE + BO_SIZE;
    uint64_t bo1_new = VRAM_BO_BASE + 2 * BO_SIZE;
    uint64_t bo2_new = VRAM_BO_BASE + 3 * BO_SIZE;
    Ctx c;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(vm_create(&c, 1), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 1, bo1), ==, 0);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 2, bo2), ==, 0);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_MOVE, 1, bo1_new), ==, 0);
    /* Same VM. */
    g_assert_cmpuint(map(&c, 0, 1, 0x100000, 0x2000, 0), ==, 0);
    g_assert_cmpuint(map(&c, 0, 2, 0x900000, 0x1000, 0), ==, 0);
    /* Another VM: VM 1 maps BO 1, BO 2 lives in VM 0 only. */
    g_assert_cmpuint(map(&c, 1, 1, 0x300000, 0x1000, 0x1000), ==, 0);
    g_assert_cmphex(translate(&c, 0, 0x101000), ==, bo1_new + 0x1000);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_MOVE, 2, bo2_new), ==, 0);
    g_assert_cmphex(translate(&c, 0, 0x100000), ==, bo1_new);
    g_assert_cmphex(translate(&c, 0, 0x101000), ==, bo1_new + 0x1000);
    g_assert_cmphex(translate(&c, 0, 0x900000), ==, bo2_new);
    g_assert_cmphex(translate(&c, 1, 0x300000), ==, bo1_new + 0x1000);
    assert_verified(&c);
    /* Moving BO 1 again still moves it everywhere. */
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_MOVE, 1, bo1), ==, 0);
    g_assert_cmphex(translate(&c, 0, 0x100000), ==, bo1);
    g_assert_cmphex(translate(&c, 1, 0x300000), ==, bo1 + 0x1000);
    g_assert_cmphex(translate(&c, 0, 0x900000), ==, bo2_new);
    assert_verified(&c);
}

/* A system-memory BO whose @nsg entries all name the same guest page. */
static uint32_t bo_sys_same_page(Ctx *c, uint16_t op, uint32_t bo,
                                 uint32_t nsg, uint64_t sg)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_bo_sys(d, op, bo, nsg * 0x1000ULL, sg, nsg);
    return exec(c, d);
}

static uint64_t sg_list_same_page(Ctx *c, uint32_t nsg)
{
    g_autofree uint8_t *sg = g_malloc(nsg * NVVB_SG_ENTRY_SIZE);
    uint64_t page = ROUND_UP(guest_alloc(c->alloc, 0x2000), 0x1000);
    uint64_t addr = guest_alloc(c->alloc, nsg * NVVB_SG_ENTRY_SIZE);
    uint32_t i;

    for (i = 0; i < nsg; i++) {
        stq_le_p(sg + i * NVVB_SG_ENTRY_SIZE + NVVB_SG_ADDR, page);
        stq_le_p(sg + i * NVVB_SG_ENTRY_SIZE + NVVB_SG_LEN, 0x1000);
    }
    qtest_memwrite(c->qts, addr, sg, nsg * NVVB_SG_ENTRY_SIZE);
    return addr;
}

/*
 * Host memory from guest memory: one 1 MiB scatter list of 65,536 entries
 * naming one page, reused for BO after BO, made the device hold 1.5 MiB
 * per BO for up to 65,535 BOs.  The total is bounded by max-sg-entries
 * (default 1 M entries): the 17th such BO is ENOSPC, a destroy gives the
 * entries back.
 */
static void test_sg_total_default(void *obj, void *data,
                                  QGuestAllocator *alloc)
{
    uint8_t d[NVVB_DESC_SIZE];
    uint64_t sg;
    uint32_t i, max;
    Ctx c;

    ctx_init(&c, obj, alloc);
    max = 1u << 20;
    sg = sg_list_same_page(&c, NVVB_MAX_SG_ENTRIES);
    for (i = 0; i < max / NVVB_MAX_SG_ENTRIES; i++) {
        g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_CREATE, 100 + i,
                                          NVVB_MAX_SG_ENTRIES, sg), ==,
                         NVVB_STATUS_OK);
    }
    g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_CREATE, 200,
                                      NVVB_MAX_SG_ENTRIES, sg), ==,
                     NVVB_STATUS_ENOSPC);
    /* The guest can see the limit and what is left of it. */
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_CAPS) & NVVB_CAP_LIMITS);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_MAX_ENTRIES), ==, max);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_MAX_PER_BO), ==,
                     NVVB_MAX_SG_ENTRIES);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_FREE_ENTRIES), ==, 0);
    g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_CREATE, 200, 1, sg), ==,
                     NVVB_STATUS_ENOSPC);
    qnvdesc_bo_destroy(d, 100);
    g_assert_cmpuint(exec(&c, d), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_FREE_ENTRIES), ==,
                     NVVB_MAX_SG_ENTRIES);
    g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_CREATE, 200, 1, sg), ==,
                     NVVB_STATUS_OK);
    /* Reset drops every BO: all entries are free again. */
    qnvvb_writel(c.d, NVVB_REG_RESET, NVVB_RESET_VALUE);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_FREE_ENTRIES), ==, max);
}

/* Every limit is a property and reads back from its register. */
static void test_limits(void *obj, void *data, QGuestAllocator *alloc)
{
    uint64_t sg;
    Ctx c;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_MAX_VMS), ==, 4);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_MAX_BOS), ==, 10);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_MAX_ENTRIES), ==, 100);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_BIND_WORK_BUDGET), ==, 1024);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_QMP_MAX_ENTRIES), ==, 8);
    g_assert_cmpuint(vm_create(&c, 4), ==, NVVB_STATUS_EINVAL);
    g_assert_cmpuint(vm_create(&c, 3), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(map(&c, 4, 1, 0, 0x1000, 0), ==, NVVB_STATUS_ENODEV);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 11, VRAM_BO_BASE), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 10, VRAM_BO_BASE), ==,
                     NVVB_STATUS_OK);
    sg = sg_list_same_page(&c, 100);
    g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_CREATE, 1, 60, sg), ==,
                     NVVB_STATUS_OK);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_FREE_ENTRIES), ==, 40);
    g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_CREATE, 2, 41, sg), ==,
                     NVVB_STATUS_ENOSPC);
    /* A move gives the entries it replaces back first. */
    g_assert_cmpuint(map(&c, 3, 1, 0x100000, 60 * 0x1000, 0), ==, 0);
    g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_MOVE, 1, 60, sg), ==,
                     NVVB_STATUS_OK);
    g_assert_cmpuint(bo_sys_same_page(&c, NVVB_OP_BO_CREATE, 2, 40, sg), ==,
                     NVVB_STATUS_OK);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_FREE_ENTRIES), ==, 0);
    assert_verified(&c);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_DIVERGENCES), ==, 0);
}

/*
 * Main-loop stall: one MAP of a large system-memory BO writes thousands of
 * PTEs, and 256 of them ran in one bottom half.  Now a slice stops at
 * bind-work-budget entries: 32 descriptors of 16 K PTEs each (64 MiB in
 * 4 KiB pages) run in at least 8 slices.
 */
static void test_bind_slices(void *obj, void *data, QGuestAllocator *alloc)
{
    const uint64_t size = 64ULL << 20, va = 0x40001000;
    uint32_t slices0, budget, slots[32];
    uint8_t d[NVVB_DESC_SIZE];
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    budget = 65536;             /* the default bind-work-budget */
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    /* One extent above RAM: never touched, only pointed to. */
    {
        uint64_t sg = guest_alloc(c.alloc, NVVB_SG_ENTRY_SIZE);

        qtest_writeq(c.qts, sg + NVVB_SG_ADDR, 1ULL << 40);
        qtest_writeq(c.qts, sg + NVVB_SG_LEN, size);
        qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, 1, size, sg, 1);
        g_assert_cmpuint(exec(&c, d), ==, NVVB_STATUS_OK);
    }
    slices0 = qnvvb_readl(c.d, NVVB_REG_BIND_SLICES);
    for (i = 0; i < 32; i++) {
        /* VA and PA differ modulo 64 KiB: 4 KiB pages only. */
        if (i & 1) {
            qnvdesc_unmap(d, 0, va, size, 0);
        } else {
            qnvdesc_map(d, 0, 1, va, size, 0, 0);
        }
        slots[i] = qnvring_put(&c.bind, d);
    }
    qnvvb_writel(c.d, NVVB_REG_BIND_RING + NVVB_RING_TAIL, c.bind.tail);
    qnvring_kick_wait(&c.bind);
    for (i = 0; i < 32; i++) {
        g_assert_cmpuint(qnvring_status(&c.bind, slots[i]), ==, 0);
    }
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_BIND_SLICES) - slices0, >=,
                     32 * (size >> 12) / budget);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_BIND_WORK_BUDGET), ==,
                     budget);
    assert_verified(&c);
}

/* A system-memory BO of one extent of @size at @pa (never touched). */
static uint32_t bo_sys_extent(Ctx *c, uint16_t op, uint32_t bo, uint64_t pa,
                              uint64_t size)
{
    uint64_t sg = guest_alloc(c->alloc, NVVB_SG_ENTRY_SIZE);
    uint8_t d[NVVB_DESC_SIZE];

    qtest_writeq(c->qts, sg + NVVB_SG_ADDR, pa);
    qtest_writeq(c->qts, sg + NVVB_SG_LEN, size);
    qnvdesc_bo_sys(d, op, bo, size, sg, 1);
    return exec(c, d);
}

/*
 * The monitor is answered while bind work is still queued: 256 descriptors
 * of 16 K PTEs each (64 slices) are queued with one doorbell, and the first
 * QMP command sent after it reports most of them still pending.  Before the
 * fix all 256 ran in one bottom half and the answer came after them.
 */
static void test_qmp_during_work(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    const uint64_t size = 64ULL << 20, va = 0x40001000;
    uint8_t d[NVVB_DESC_SIZE];
    uint64_t sg, pending;
    QDict *rsp, *dev;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    qnvring_init(&c.bind, c.d, alloc, NVVB_REG_BIND_RING, 512);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    sg = guest_alloc(c.alloc, NVVB_SG_ENTRY_SIZE);
    qtest_writeq(c.qts, sg + NVVB_SG_ADDR, 1ULL << 40);
    qtest_writeq(c.qts, sg + NVVB_SG_LEN, size);
    qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, 1, size, sg, 1);
    g_assert_cmpuint(exec(&c, d), ==, NVVB_STATUS_OK);
    for (i = 0; i < 256; i++) {
        if (i & 1) {
            qnvdesc_unmap(d, 0, va, size, 0);
        } else {
            qnvdesc_map(d, 0, 1, va, size, 0, 0);
        }
        qnvring_put(&c.bind, d);
    }
    qnvvb_writel(c.d, NVVB_REG_BIND_RING + NVVB_RING_TAIL, c.bind.tail);
    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-query-devices' }");
    dev = qobject_to(QDict, qlist_peek(qdict_get_qlist(rsp, "return")));
    pending = qdict_get_int(dev, "bind-pending");
    g_test_message("answered with %" PRIu64 " of 256 pending", pending);
    g_assert_cmpuint(pending, >, 0);
    qobject_unref(rsp);
    qnvring_kick_wait(&c.bind);
    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-query-devices' }");
    dev = qobject_to(QDict, qlist_peek(qdict_get_qlist(rsp, "return")));
    g_assert_cmpuint(qdict_get_int(dev, "bind-pending"), ==, 0);
    g_assert_cmpuint(qdict_get_int(dev, "bind-slices"), ==,
                     qnvvb_readl(c.d, NVVB_REG_BIND_SLICES));
    qobject_unref(rsp);
    assert_verified(&c);
}

/*
 * One descriptor is never split across slices, so one request's work is
 * bounded too (max-bind-work, default 256 MiB of 4 KiB pages): a MAP, UNMAP
 * or BO_MOVE beyond it fails with E2BIG before anything changes; large
 * pages count one entry each.
 */
static void test_bind_work_limit(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    const uint64_t pa = 1ULL << 40, gib = 1ULL << 30, lim = 256ULL << 20;
    uint8_t d[NVVB_DESC_SIZE];
    Ctx c;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(bo_sys_extent(&c, NVVB_OP_BO_CREATE, 1, pa, 2 * gib),
                     ==, NVVB_STATUS_OK);
    /* 4 KiB pages (VA and PA differ modulo 64 KiB): 65,536 PTEs pass. */
    g_assert_cmpuint(map(&c, 0, 1, 0x40001000, lim + 0x1000, 0), ==,
                     NVVB_STATUS_E2BIG);
    g_assert_cmpuint(map(&c, 0, 1, 0x40001000, lim, 0), ==, NVVB_STATUS_OK);
    /* 2 MiB pages: 2 GiB is 1,024 PTEs. */
    g_assert_cmpuint(map(&c, 0, 1, 0x200000000ULL, 2 * gib, 0), ==,
                     NVVB_STATUS_OK);
    /* Moving the BO would rewrite 2 GiB in 4 KiB pages: refused. */
    g_assert_cmpuint(bo_sys_extent(&c, NVVB_OP_BO_MOVE, 1, pa + 0x1000,
                                   2 * gib), ==, NVVB_STATUS_E2BIG);
    g_assert_cmphex(translate(&c, 0, 0x200000000ULL + 0x5000), ==,
                    pa + 0x5000);
    /* Unmapping the 4 KiB mapping and 4 KiB more of the other: too much. */
    qnvdesc_unmap(d, 0, 0x40001000, 0x200000000ULL + 0x1000 - 0x40001000, 0);
    g_assert_cmpuint(exec(&c, d), ==, NVVB_STATUS_E2BIG);
    qnvdesc_unmap(d, 0, 0x40001000, lim, 0);
    g_assert_cmpuint(exec(&c, d), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(bo_sys_extent(&c, NVVB_OP_BO_MOVE, 1, pa + 0x200000,
                                   2 * gib), ==, NVVB_STATUS_OK);
    g_assert_cmphex(translate(&c, 0, 0x200000000ULL + 0x5000), ==,
                    pa + 0x205000);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_MAX_BIND_WORK), ==, 1u << 16);
    assert_verified(&c);
}

/*
 * QMP answers are bounded by max-qmp-entries: tables whose PTEs alternate
 * attributes give one range per PTE, and the answer stops at the bound
 * with complete: false and next-va; query-vms flags the VM truncated.
 */
static void test_qmp_bounds(void *obj, void *data, QGuestAllocator *alloc)
{
    g_autofree char *hmp = NULL;
    uint64_t pdb;
    QDict *rsp, *ret, *vm;
    QList *l;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 1, VRAM_BO_BASE), ==, 0);
    for (i = 0; i < 20; i++) {
        uint8_t d[NVVB_DESC_SIZE];

        qnvdesc_map(d, 0, 1, 0x100000 + i * 0x1000, 0x1000, i * 0x1000,
                    (i & 1) ? NVVB_MAP_READ_ONLY : 0);
        g_assert_cmpuint(exec(&c, d), ==, 0);
    }
    pdb = vm_pdb(&c, 0);
    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-query-mappings', "
                    "'arguments': { 'id': 'gpu0', 'pdb': %" PRIu64 " } }",
                    pdb);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(ret, "mappings")), ==, 8);
    g_assert_false(qdict_get_bool(ret, "complete"));
    g_assert_cmphex(qdict_get_int(ret, "next-va"), ==, 0x108000);
    qobject_unref(rsp);

    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-query-vms', "
                    "'arguments': { 'id': 'gpu0' } }");
    l = qdict_get_qlist(rsp, "return");
    vm = qobject_to(QDict, qlist_peek(l));
    g_assert_cmpuint(qlist_size(qdict_get_qlist(vm, "mappings")), ==, 8);
    g_assert_true(qdict_get_bool(vm, "truncated"));
    qobject_unref(rsp);

    hmp = qtest_hmp(c.qts, "info nv-vmbind gpu0 vid:0x%" PRIx64, pdb);
    g_assert_nonnull(strstr(hmp, "max-qmp-entries lines printed; continue "
                            "from 0x108000"));
}

/*
 * A bind whose tables cannot follow the GPUVM (a device bug; injected here
 * with x-fail-tables) completes with EFAULT and is counted in DIVERGENCES;
 * the host log gets the 1st, 2nd, 4th ... report only (rate-limited: the
 * unthrottled message reached 4,600 lines/s).
 */
static void test_divergence_counted(void *obj, void *data,
                                    QGuestAllocator *alloc)
{
    QDict *rsp;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, 1, VRAM_BO_BASE), ==, 0);
    for (i = 0; i < 5; i++) {
        g_assert_cmpuint(map(&c, 0, 1, 0x100000 * (i + 1), 0x1000, 0), ==,
                         NVVB_STATUS_EFAULT);
    }
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_DIVERGENCES), ==, 5);
    g_assert_cmpuint(map(&c, 0, 1, 0x800000, 0x1000, 0), ==, 0);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_DIVERGENCES), ==, 5);
    /* x-nv-vmbind-verify shows where. */
    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-verify', "
                    "'arguments': { 'id': 'gpu0' } }");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(rsp, "return")), ==, 5);
    qobject_unref(rsp);
}

/*
 * Executes @n descriptors from @descs in batches written with one memwrite
 * each; fills @st with their statuses.
 */
static void exec_many(Ctx *c, const uint8_t *descs, uint32_t n, uint32_t *st)
{
    QNvRing *r = &c->bind;
    uint32_t done = 0;

    while (done < n) {
        uint32_t k = MIN(n - done, r->size - 1 - r->tail), j;
        g_autofree uint8_t *back = g_malloc(k * NVVB_DESC_SIZE);

        if (!k) {
            /* Wrap: restart the ring at 0. */
            qnvring_init(r, c->d, c->alloc, NVVB_REG_BIND_RING, r->size);
            continue;
        }
        qtest_memwrite(c->qts, r->base + (uint64_t)r->tail * NVVB_DESC_SIZE,
                       descs + (uint64_t)done * NVVB_DESC_SIZE,
                       k * NVVB_DESC_SIZE);
        r->tail += k;
        qnvring_kick_wait(r);
        qtest_memread(c->qts, r->base + (uint64_t)(r->tail - k) *
                      NVVB_DESC_SIZE, back, k * NVVB_DESC_SIZE);
        for (j = 0; j < k; j++) {
            st[done + j] = ldl_le_p(back + j * NVVB_DESC_SIZE +
                                    NVVB_DESC_STATUS);
        }
        done += k;
    }
}

/*
 * Every id to its limit and back: 64 VMs and 65,535 BOs, EINVAL beyond,
 * then all destroyed and created again; nothing leaks (the pool and the
 * scatter entries are whole again).
 */
static void test_ids_to_limit(void *obj, void *data, QGuestAllocator *alloc)
{
    const uint32_t nbo = NVVB_MAX_BOS - 1;
    g_autofree uint8_t *descs = g_malloc((uint64_t)nbo * NVVB_DESC_SIZE);
    g_autofree uint32_t *st = g_new(uint32_t, nbo);
    uint64_t sg;
    uint32_t i, pool, round;
    Ctx c;

    ctx_init(&c, obj, alloc);
    qnvring_init(&c.bind, c.d, alloc, NVVB_REG_BIND_RING, 4096);
    pool = qnvvb_readl(c.d, NVVB_REG_PT_POOL_FREE);
    sg = sg_list_same_page(&c, 1);
    for (round = 0; round < 2; round++) {
        for (i = 0; i < NVVB_MAX_VMS; i++) {
            g_assert_cmpuint(vm_create(&c, i), ==, NVVB_STATUS_OK);
        }
        g_assert_cmpuint(vm_create(&c, NVVB_MAX_VMS), ==, NVVB_STATUS_EINVAL);
        /* Half VRAM BOs, half one-page system BOs. */
        for (i = 0; i < nbo; i++) {
            if (i & 1) {
                qnvdesc_bo_sys(descs + i * NVVB_DESC_SIZE, NVVB_OP_BO_CREATE,
                               i + 1, 0x1000, sg, 1);
            } else {
                qnvdesc_bo_vram(descs + i * NVVB_DESC_SIZE, NVVB_OP_BO_CREATE,
                                i + 1, 0x1000, 0);
            }
        }
        exec_many(&c, descs, nbo, st);
        for (i = 0; i < nbo; i++) {
            g_assert_cmpuint(st[i], ==, NVVB_STATUS_OK);
        }
        g_assert_cmpuint(bo_vram(&c, NVVB_OP_BO_CREATE, nbo + 1, 0), ==,
                         NVVB_STATUS_EINVAL);
        g_assert_cmpuint(map(&c, NVVB_MAX_VMS - 1, nbo, 0x100000, 0x1000, 0),
                         ==, 0);
        g_assert_cmpuint(map(&c, 0, 1, 0x100000, 0x1000, 0), ==, 0);
        assert_verified(&c);
        for (i = 0; i < NVVB_MAX_VMS; i++) {
            uint8_t d[NVVB_DESC_SIZE];

            qnvdesc_vm_destroy(d, i);
            g_assert_cmpuint(exec(&c, d), ==, NVVB_STATUS_OK);
        }
        for (i = 0; i < nbo; i++) {
            qnvdesc_bo_destroy(descs + i * NVVB_DESC_SIZE, i + 1);
        }
        exec_many(&c, descs, nbo, st);
        for (i = 0; i < nbo; i++) {
            g_assert_cmpuint(st[i], ==, NVVB_STATUS_OK);
        }
        g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_PT_POOL_FREE), ==, pool);
        g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_SG_FREE_ENTRIES), ==,
                         qnvvb_readl(c.d, NVVB_REG_SG_MAX_ENTRIES));
    }
}

/*
 * Rings aimed at the device's own BAR 0: descriptors read from (and
 * statuses written to) the register BAR go through QEMU's re-entrancy
 * guard; the device neither recurses nor stops working.
 */
static void test_ring_at_own_bar(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    uint64_t bar0 = ((QNvVmbind *)obj)->mmio.addr;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    g_assert_cmphex(bar0, !=, 0);
    for (i = 0; i < 2; i++) {
        uint32_t reg = i ? NVVB_REG_CE_RING : NVVB_REG_BIND_RING;

        qnvvb_writel(c.d, reg + NVVB_RING_BASE_LO, (uint32_t)bar0);
        qnvvb_writel(c.d, reg + NVVB_RING_BASE_HI, bar0 >> 32);
        qnvvb_writel(c.d, reg + NVVB_RING_SIZE, 16);
        qnvvb_writel(c.d, reg + NVVB_RING_TAIL, 8);
        qtest_clock_step(c.qts, 1000000);
        /* The guard refuses the access: the ring stops with DMA_ERROR. */
        g_assert_true(qnvvb_readl(c.d, reg + NVVB_RING_STATUS) &
                      NVVB_RING_STATUS_DMA_ERROR);
        g_assert_cmpuint(qnvvb_readl(c.d, reg + NVVB_RING_HEAD), ==, 0);
    }
    /* Still alive, and a normal ring works. */
    g_assert_cmphex(qnvvb_readl(c.d, NVVB_REG_MAGIC), ==, NVVB_MAGIC_VALUE);
    qnvring_init(&c.bind, c.d, alloc, NVVB_REG_BIND_RING, 16);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
}

static void nv_vmbind_hardening_register_tests(void)
{
    qos_add_test("hardening/sg-pte-field", "nv-vmbind", test_sg_pte_field,
                 NULL);
    qos_add_test("hardening/move-alias", "nv-vmbind", test_move_alias, NULL);
    QOSGraphTestOptions limits = {
        .edge.extra_device_opts = "max-vms=4,max-bos=10,max-sg-entries=100,"
                                  "bind-work-budget=1024,max-qmp-entries=8",
    };
    QOSGraphTestOptions fail5 = {
        .edge.extra_device_opts = "x-fail-tables=5",
    };
    QOSGraphTestOptions qmp8 = {
        .edge.extra_device_opts = "max-qmp-entries=8",
    };

    qos_add_test("hardening/move-unmapped", "nv-vmbind", test_move_unmapped,
                 NULL);
    qos_add_test("hardening/sg-total-default", "nv-vmbind",
                 test_sg_total_default, NULL);
    qos_add_test("hardening/limits", "nv-vmbind", test_limits, &limits);
    qos_add_test("hardening/bind-slices", "nv-vmbind", test_bind_slices,
                 NULL);
    qos_add_test("hardening/qmp-during-work", "nv-vmbind",
                 test_qmp_during_work, NULL);
    qos_add_test("hardening/bind-work-limit", "nv-vmbind",
                 test_bind_work_limit, NULL);
    qos_add_test("hardening/divergence-counted", "nv-vmbind",
                 test_divergence_counted, &fail5);
    qos_add_test("hardening/ids-to-limit", "nv-vmbind", test_ids_to_limit,
                 NULL);
    qos_add_test("hardening/ring-at-own-bar", "nv-vmbind",
                 test_ring_at_own_bar, NULL);
    qos_add_test("hardening/qmp-bounds", "nv-vmbind", test_qmp_bounds,
                 &qmp8);
}

libqos_init(nv_vmbind_hardening_register_tests);
