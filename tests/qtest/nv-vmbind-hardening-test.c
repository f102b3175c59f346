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

static void nv_vmbind_hardening_register_tests(void)
{
    qos_add_test("hardening/sg-pte-field", "nv-vmbind", test_sg_pte_field,
                 NULL);
    qos_add_test("hardening/move-alias", "nv-vmbind", test_move_alias, NULL);
    qos_add_test("hardening/move-unmapped", "nv-vmbind", test_move_unmapped,
                 NULL);
}

libqos_init(nv_vmbind_hardening_register_tests);
