/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM object (core/vm.h) driven directly: VA manager + page-table
 * manager + invalidate callback over fake VRAM, without QEMU.
 *
 * Oracle: after each step the tables are walked with the core walker and
 * compared with the GPUVM (every mapped page translates to its buffer's
 * backing with its attributes, unmapped pages of a sparse region read as
 * sparse, nothing else is mapped or sparse).  A refused request must leave
 * everything as it was: GPUVM mappings and regions, evict lists, the pool
 * and every byte of it, and no invalidate.
 *
 * The issue-14 regressions (scatter extents beyond the PTE address field,
 * cross-BO aliasing through the evict list, a BO moved while mapped
 * nowhere) are here too, in one VM and across two.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "gmmu-dump.h"
#include "gmmu-fake.h"
#include "gmmu-walk.h"
#include "vm.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH

#define K4      0x1000ull
#define K64     0x10000ull
#define M2      0x200000ull
#define MiB     0x100000ull

#define VRAM_SIZE   (32 * MiB)
#define POOL_SIZE   (4 * MiB)
#define POOL_BASE   (VRAM_SIZE - POOL_SIZE)
#define NVMS        4
#define NBOS        16

/* The first system address a PTE cannot hold. */
#define SYS_PTE_LIMIT   (1ull << NV_GMMU_SYS_PA_BITS)

/*
 * ---- Environment ----
 * Fake VRAM with the pool at its top, NVMS VM slots, buffers by id, the
 * invalidate callback counted.
 */

typedef struct T {
    FakeMem fm;
    GArray *held;               /* pool granules taken by pool_fill() */
    NvvbVmEnv env;
    NvvbVm *vms[NVMS];
    NvvbBuffer *bos[NBOS];
    unsigned invalidates;
    uint32_t inval_vm;
    NvvbVmResult last;
} T;

static void on_invalidate(void *opaque, NvvbVm *vm, const NvvbPtmResult *res)
{
    T *t = opaque;

    g_assert_true(res->changed);
    t->invalidates++;
    t->inval_vm = vm->id;
}

static void t_init(T *t)
{
    memset(t, 0, sizeof(*t));
    fake_init(&t->fm, VRAM_SIZE, 0);
    /* Stale bytes in the pool: nothing may rely on zeroes. */
    memset(t->fm.vram + POOL_BASE, 0xa5, POOL_SIZE);
    t->env.pool = nvvb_pt_pool_new(POOL_BASE, POOL_SIZE);
    t->env.mem = t->fm.mem;
    t->env.invalidate = on_invalidate;
    t->env.opaque = t;
    t->env.max_work = UINT32_MAX;
}

/* Takes all but one pool granule: no request can be sure to fit. */
static void pool_fill(T *t)
{
    uint64_t a;

    t->held = g_array_new(false, false, sizeof(uint64_t));
    while (nvvb_pt_pool_free_granules(t->env.pool) > 1) {
        g_assert_cmpint(nvvb_pt_pool_alloc(t->env.pool, 4096, &a), ==, 0);
        g_array_append_val(t->held, a);
    }
}

static void pool_unfill(T *t)
{
    guint i;

    for (i = 0; i < t->held->len; i++) {
        g_assert_true(nvvb_pt_pool_release(t->env.pool,
                                           g_array_index(t->held, uint64_t,
                                                         i), 4096));
    }
    g_array_free(t->held, true);
    t->held = NULL;
}

static void t_vm(T *t, uint32_t id)
{
    g_assert_cmpint(nvvb_vm_new(&t->vms[id], &t->env, id, 0, 0,
                                NVVB_VM_TABLES_NEW), ==, 0);
}

static void t_free(T *t)
{
    unsigned i;

    for (i = 0; i < NVMS; i++) {
        nvvb_vm_free(t->vms[i]);
    }
    for (i = 0; i < NBOS; i++) {
        nvvb_buffer_free(t->bos[i]);
    }
    /* Every table went back. */
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(t->env.pool), ==, POOL_SIZE);
    nvvb_pt_pool_free(t->env.pool);
    fake_free(&t->fm);
}

/* A backing as the device reads it from a descriptor. */
static NvvbBuffer backing_vram(uint64_t addr, uint64_t size)
{
    NvvbBuffer b = {
        .placement = NVVB_BO_VRAM, .size = size, .vram_addr = addr,
    };

    return b;
}

/* One extent per (addr, len) pair; @n pairs. */
static NvvbBuffer backing_sys(const uint64_t *ext, unsigned n)
{
    NvvbBuffer b = { .placement = NVVB_BO_SYSMEM, .nsg = n };
    unsigned i;

    b.sg = g_new0(NvvbSgEntry, n);
    for (i = 0; i < n; i++) {
        b.sg[i].addr = ext[2 * i];
        b.sg[i].len = ext[2 * i + 1];
        b.size += ext[2 * i + 1];
    }
    return b;
}

/* BO_CREATE as the device does it: check, then publish. */
static int t_bo(T *t, uint32_t id, NvvbBuffer b)
{
    NvvbBuffer *bo;

    if (!nvvb_buffer_check(&b, POOL_BASE)) {
        g_free(b.sg);
        return -EINVAL;
    }
    bo = g_new(NvvbBuffer, 1);
    *bo = b;
    nvvb_buffer_publish(bo, id);
    t->bos[id] = bo;
    return 0;
}

/* BO_MOVE as the device does it: check the backing, then move. */
static int t_move(T *t, uint32_t id, NvvbBuffer to)
{
    int ret = -EINVAL;

    if (nvvb_buffer_check(&to, POOL_BASE)) {
        ret = nvvb_vm_move_buffer(&t->env, t->vms, NVMS, t->bos[id], &to,
                                  &t->last);
    }
    g_free(to.sg);
    return ret;
}

static int t_bind(T *t, uint32_t vm, uint32_t opc, uint32_t flags,
                  uint32_t bo, uint64_t va, uint64_t range, uint64_t off)
{
    NvvbVmBindOp op = {
        .op = opc, .flags = flags, .bo_id = bo,
        .bo = bo < NBOS ? t->bos[bo] : NULL,
        .va = va, .range = range, .bo_offset = off,
    };

    return nvvb_vm_bind(t->vms[vm], &op, &t->last);
}

static int t_map(T *t, uint32_t vm, uint32_t bo, uint64_t va,
                 uint64_t range, uint64_t off)
{
    return t_bind(t, vm, NVVB_OP_MAP, 0, bo, va, range, off);
}

static int t_unmap(T *t, uint32_t vm, uint64_t va, uint64_t range)
{
    return t_bind(t, vm, NVVB_OP_UNMAP, 0, 0, va, range, 0);
}

static guint t_evicted(T *t, uint32_t vm)
{
    guint n;

    nvvb_gpuvm_lock(t->vms[vm]->uvmm->vm);
    n = nvvb_gpuvm_evict_count(t->vms[vm]->uvmm->vm);
    nvvb_gpuvm_unlock(t->vms[vm]->uvmm->vm);
    return n;
}

/* ---- Walking the tables ---- */

static NvGmmuWalkStatus walk(T *t, NvvbVm *vm, uint64_t va,
                             NvGmmuWalkResult *r)
{
    NvGmmuAccess acc = { .type = NV_GMMU_ACCESS_TYPE_VIRT_READ, .priv = true };
    NvGmmuPdb pdb;

    nv_gmmu_pdb_init(&pdb, VID, nvvb_ptm_pdb(vm->ptm));
    return nv_gmmu_walk(&t->fm.mem, &pdb, va, &acc, r);
}

/* Where @va of VM @vm translates to; asserts it is mapped in @aper. */
static uint64_t translate(T *t, uint32_t vm, uint64_t va,
                          NvGmmuAperture aper)
{
    NvGmmuWalkResult r;

    g_assert_cmpint(walk(t, t->vms[vm], va, &r), ==, NV_GMMU_WALK_OK);
    g_assert_cmpint(r.tr.aperture, ==, aper);
    return r.pa;
}

/* The backing of byte @off of @b, computed here, not by the core. */
static void expect_backing(const NvvbBuffer *b, uint64_t off,
                           NvGmmuAperture *aper, uint64_t *pa)
{
    uint64_t start = 0;
    uint32_t i;

    if (b->placement == NVVB_BO_VRAM) {
        *aper = VID;
        *pa = b->vram_addr + off;
        return;
    }
    for (i = 0; i < b->nsg; i++) {
        if (off - start < b->sg[i].len) {
            *aper = SYS;
            *pa = b->sg[i].addr + (off - start);
            return;
        }
        start += b->sg[i].len;
    }
    g_assert_not_reached();
}

static bool page_ok(T *t, NvvbVm *vm, const NvvbGpuVa *va, uint64_t off)
{
    uint32_t attrs = nvvb_vm_va_attrs(va);
    uint8_t flags = (attrs & NVVB_MAP_READ_ONLY ? NV_GMMU_PTE_READ_ONLY : 0) |
                    (attrs & NVVB_MAP_PRIV ? NV_GMMU_PTE_PRIVILEGE : 0) |
                    (attrs & NVVB_MAP_NO_ATOMIC ?
                     NV_GMMU_PTE_ATOMIC_DISABLE : 0);
    uint8_t mask = NV_GMMU_PTE_READ_ONLY | NV_GMMU_PTE_PRIVILEGE |
                   NV_GMMU_PTE_ATOMIC_DISABLE;
    NvGmmuWalkResult r;
    NvGmmuAperture aper;
    uint64_t pa;

    expect_backing(va->bo->opaque, va->bo_offset + off, &aper, &pa);
    return walk(t, vm, va->addr + off, &r) == NV_GMMU_WALK_OK &&
           r.tr.aperture == aper && r.pa == pa &&
           r.tr.kind == (attrs & NVVB_MAP_KIND_MASK) &&
           (r.tr.flags & mask) == flags;
}

typedef struct Extra {
    NvvbVm *vm;
    unsigned bad;
} Extra;

/* A range the tables map or mark sparse must be the GPUVM's. */
static bool extra_cb(void *opaque, const NvGmmuMapping *m)
{
    Extra *x = opaque;
    uint64_t v;

    for (v = m->va; v < m->va + m->size; v += K4) {
        NvvbGpuVa *va = nvvb_gpuva_find_first(x->vm->uvmm->vm, v, K4);

        if (m->sparse ? va || !nvvb_uvmm_region_find_first(x->vm->uvmm, v,
                                                            K4)
                      : !va) {
            x->bad++;
        }
    }
    return true;
}

/* Pages where @vm's tables and its GPUVM disagree (0: they agree). */
static unsigned mismatches(T *t, uint32_t id)
{
    NvvbVm *vm = t->vms[id];
    const NvvbSparseRegion *reg;
    Extra x = { .vm = vm };
    NvGmmuWalkResult r;
    NvGmmuPdb pdb;
    NvvbGpuVa *va;
    uint64_t v;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
        for (v = 0; v < va->range; v += K4) {
            x.bad += !page_ok(t, vm, va, v);
        }
    }
    NVVB_UVMM_FOREACH_REGION(reg, vm->uvmm) {
        for (v = reg->addr; v < reg->addr + reg->range; v += K4) {
            if (!nvvb_gpuva_find_first(vm->uvmm->vm, v, K4)) {
                x.bad += walk(t, vm, v, &r) != NV_GMMU_WALK_SPARSE;
            }
        }
    }
    nv_gmmu_pdb_init(&pdb, VID, nvvb_ptm_pdb(vm->ptm));
    g_assert_cmpint(nv_gmmu_dump(&t->fm.mem, &pdb, 0, NV_GMMU_VA_LIMIT, 0,
                                 extra_cb, &x, NULL), ==, NV_GMMU_DUMP_DONE);
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    return x.bad;
}

static void assert_agree(T *t)
{
    unsigned i;

    for (i = 0; i < NVMS; i++) {
        if (t->vms[i]) {
            g_assert_cmpuint(mismatches(t, i), ==, 0);
        }
    }
}

/* ---- Snapshots: a refused request changes nothing ---- */

typedef struct Snap {
    GString *gpuvm;             /* mappings, regions, evict counts */
    uint8_t *pool;              /* every byte of the pool */
    uint64_t pool_free;
    unsigned invalidates;
} Snap;

static void snap_take(T *t, Snap *s)
{
    const NvvbSparseRegion *r;
    NvvbGpuVa *va;
    unsigned i;

    s->gpuvm = g_string_new(NULL);
    for (i = 0; i < NVMS; i++) {
        NvvbVm *vm = t->vms[i];

        if (!vm) {
            continue;
        }
        nvvb_gpuvm_lock(vm->uvmm->vm);
        g_string_append_printf(s->gpuvm, "vm %u evict %u\n", i,
                               nvvb_gpuvm_evict_count(vm->uvmm->vm));
        NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
            g_string_append_printf(s->gpuvm, " va %" G_GINT64_MODIFIER "x+%"
                                   G_GINT64_MODIFIER "x bo %" G_GINT64_MODIFIER
                                   "u off %" G_GINT64_MODIFIER "x fl %x\n",
                                   va->addr, va->range,
                                   va->bo ? va->bo->handle : 0,
                                   va->bo_offset, va->flags);
        }
        NVVB_UVMM_FOREACH_REGION(r, vm->uvmm) {
            g_string_append_printf(s->gpuvm, " region %" G_GINT64_MODIFIER
                                   "x+%" G_GINT64_MODIFIER "x\n",
                                   r->addr, r->range);
        }
        nvvb_gpuvm_unlock(vm->uvmm->vm);
    }
    for (i = 0; i < NBOS; i++) {
        NvvbBuffer *b = t->bos[i];

        if (b) {
            g_string_append_printf(s->gpuvm, "bo %u pl %u vram %"
                                   G_GINT64_MODIFIER "x nsg %u sg0 %"
                                   G_GINT64_MODIFIER "x\n", i, b->placement,
                                   b->vram_addr, b->nsg,
                                   b->nsg ? b->sg[0].addr : 0);
        }
    }
    s->pool = g_memdup2(t->fm.vram + POOL_BASE, POOL_SIZE);
    memset(&t->last, 0, sizeof(t->last));
    s->pool_free = nvvb_pt_pool_free_bytes(t->env.pool);
    s->invalidates = t->invalidates;
}

/* Asserts nothing changed since @before was taken; frees it. */
static void assert_unchanged(T *t, Snap *before)
{
    Snap now;

    snap_take(t, &now);
    g_assert_cmpstr(now.gpuvm->str, ==, before->gpuvm->str);
    g_assert_true(memcmp(now.pool, before->pool, POOL_SIZE) == 0);
    g_assert_cmpuint(now.pool_free, ==, before->pool_free);
    g_assert_cmpuint(now.invalidates, ==, before->invalidates);
    g_assert_cmpuint(t->last.work, ==, 0);
    g_assert_cmpint(t->last.diverged, ==, 0);
    g_string_free(now.gpuvm, true);
    g_free(now.pool);
    g_string_free(before->gpuvm, true);
    g_free(before->pool);
}

/* ---- Life cycle, map / unmap, sparse ---- */

static void test_create_destroy(void)
{
    T t;
    uint64_t free0;

    t_init(&t);
    free0 = nvvb_pt_pool_free_bytes(t.env.pool);
    t_vm(&t, 0);
    g_assert_cmpuint(t.vms[0]->id, ==, 0);
    g_assert_nonnull(t.vms[0]->ptm);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(t.env.pool), <, free0);
    /* The VM's own reservation: every buffer is an external object. */
    g_assert_cmphex(t.vms[0]->uvmm->vm->resv_id, ==, NVVB_VM_RESV(0));
    g_assert_cmphex(NVVB_VM_RESV(0), >, NVVB_BO_RESV(UINT32_MAX));
    g_assert_cmpint(t_bo(&t, 1, backing_vram(MiB, 64 * K4)), ==, 0);
    g_assert_true(nvvb_gpuvm_is_extobj(t.vms[0]->uvmm->vm, t.bos[1]->core));
    /* A kernel-managed range beyond the VA space is refused. */
    g_assert_cmpint(nvvb_vm_new(&t.vms[1], &t.env, 1, NVVB_UVMM_VA_SPACE_END,
                                K4, NVVB_VM_TABLES_NEW), ==, -EINVAL);
    g_assert_null(t.vms[1]);
    /* Freeing invalidates everything the VM translated. */
    g_assert_cmpint(t_map(&t, 0, 1, 0x100000, 64 * K4, 0), ==, 0);
    t.invalidates = 0;
    g_assert_cmpuint(nvvb_vm_teardown_work(t.vms[0]), >, 0);
    nvvb_vm_free(t.vms[0]);
    t.vms[0] = NULL;
    g_assert_cmpuint(t.invalidates, ==, 1);
    g_assert_cmpuint(nvvb_pt_pool_free_bytes(t.env.pool), ==, free0);
    /* With no mapping left the BO has no vm_bo (BO_DESTROY may go). */
    g_assert_cmpuint(nvvb_bo_vm_bo_count(t.bos[1]->core), ==, 0);
    t_free(&t);
}

static void test_map_unmap(void)
{
    static const uint64_t ext[] = { 0x7000, 2 * K4, 0x30000, 6 * K4 };
    uint32_t attrs = 0x12 | NVVB_MAP_READ_ONLY | NVVB_MAP_NO_ATOMIC;
    T t;

    t_init(&t);
    t_vm(&t, 0);
    t_vm(&t, 1);
    /* A 2 MiB-aligned VRAM BO (large pages) and a scattered SYSMEM one. */
    g_assert_cmpint(t_bo(&t, 1, backing_vram(4 * MiB, 4 * MiB)), ==, 0);
    g_assert_cmpint(t_bo(&t, 2, backing_sys(ext, 2)), ==, 0);

    g_assert_cmpint(t_bind(&t, 0, NVVB_OP_MAP, attrs, 1, 8 * MiB, 4 * MiB,
                           0), ==, 0);
    g_assert_cmpuint(t.invalidates, ==, 1);
    g_assert_cmpuint(t.inval_vm, ==, 0);
    g_assert_cmpuint(t.last.work, >, 0);
    g_assert_cmpint(t_map(&t, 0, 2, 0x40000000, 8 * K4, 0), ==, 0);
    g_assert_cmpint(t_map(&t, 1, 2, 0x10000, 6 * K4, 2 * K4), ==, 0);
    g_assert_cmpuint(t.inval_vm, ==, 1);
    g_assert_cmphex(translate(&t, 0, 8 * MiB + 0x1234, VID), ==,
                    4 * MiB + 0x1234);
    g_assert_cmphex(translate(&t, 0, 0x40000000 + K4 + 8, SYS), ==,
                    0x7000 + K4 + 8);
    g_assert_cmphex(translate(&t, 0, 0x40000000 + 2 * K4, SYS), ==, 0x30000);
    g_assert_cmphex(translate(&t, 1, 0x10000, SYS), ==, 0x30000);
    assert_agree(&t);

    /* Unmapping the middle splits the mapping (REMAP). */
    g_assert_cmpint(t_unmap(&t, 0, 9 * MiB, 64 * K4), ==, 0);
    assert_agree(&t);
    /* Mapping over an existing mapping replaces it. */
    g_assert_cmpint(t_map(&t, 0, 2, 8 * MiB + M2, 8 * K4, 0), ==, 0);
    assert_agree(&t);
    g_assert_cmphex(translate(&t, 0, 8 * MiB + M2, SYS), ==, 0x7000);
    g_assert_cmphex(translate(&t, 0, 8 * MiB + M2 + 8 * K4, VID), ==,
                    4 * MiB + M2 + 8 * K4);
    /* An unmap of nothing changes nothing and invalidates nothing. */
    t.invalidates = 0;
    g_assert_cmpint(t_unmap(&t, 0, 0x80000000, M2), ==, 0);
    g_assert_cmpuint(t.invalidates, ==, 0);
    g_assert_cmpint(t_unmap(&t, 0, 0, 1ull << 40), ==, 0);
    g_assert_cmpint(t_unmap(&t, 1, 0, 1ull << 40), ==, 0);
    assert_agree(&t);
    g_assert_cmpuint(nvvb_bo_vm_bo_count(t.bos[1]->core), ==, 0);
    g_assert_cmpuint(nvvb_bo_vm_bo_count(t.bos[2]->core), ==, 0);
    t_free(&t);
}

static void test_sparse(void)
{
    uint64_t reg = 0x200000000ull;
    NvGmmuWalkResult r;
    T t;

    t_init(&t);
    t_vm(&t, 0);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(MiB, 16 * K4)), ==, 0);
    g_assert_cmpint(t_bind(&t, 0, NVVB_OP_MAP, NVVB_MAP_SPARSE, 0, reg,
                           4 * MiB, 0), ==, 0);
    assert_agree(&t);
    g_assert_cmpint(walk(&t, t.vms[0], reg + 3 * MiB, &r), ==,
                    NV_GMMU_WALK_SPARSE);
    /* Mapped inside the region, then unmapped: back to sparse. */
    g_assert_cmpint(t_map(&t, 0, 1, reg + M2, 16 * K4, 0), ==, 0);
    g_assert_cmphex(translate(&t, 0, reg + M2 + K4, VID), ==, MiB + K4);
    assert_agree(&t);
    g_assert_cmpint(t_unmap(&t, 0, reg + M2, 8 * K4), ==, 0);
    assert_agree(&t);
    g_assert_cmpint(walk(&t, t.vms[0], reg + M2, &r), ==,
                    NV_GMMU_WALK_SPARSE);
    /* UNMAP+SPARSE names the region exactly and takes its mappings. */
    g_assert_cmpint(t_bind(&t, 0, NVVB_OP_UNMAP, NVVB_MAP_SPARSE, 0, reg,
                           M2, 0), ==, -ENOENT);
    g_assert_cmpint(t_bind(&t, 0, NVVB_OP_UNMAP, NVVB_MAP_SPARSE, 0, reg,
                           4 * MiB, 0), ==, 0);
    assert_agree(&t);
    g_assert_cmpint(walk(&t, t.vms[0], reg + M2 + 8 * K4, &r), ==,
                    NV_GMMU_WALK_FAULT);
    g_assert_cmpuint(nvvb_uvmm_region_count(t.vms[0]->uvmm), ==, 0);
    t_free(&t);
}

/* ---- Refused requests change nothing ---- */

/* Runs @call expecting @err, asserting nothing changed. */
#define REFUSED(t_, err_, call_) do { \
        Snap s_; \
        snap_take((t_), &s_); \
        g_assert_cmpint((call_), ==, (err_)); \
        assert_unchanged((t_), &s_); \
        assert_agree(t_); \
    } while (0)

static void test_refused(void)
{
    uint64_t reg = 0x100000000ull;
    T t;

    t_init(&t);
    t_vm(&t, 0);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(MiB, 16 * K4)), ==, 0);
    g_assert_cmpint(t_map(&t, 0, 1, 0x100000, 16 * K4, 0), ==, 0);
    g_assert_cmpint(t_bind(&t, 0, NVVB_OP_MAP, NVVB_MAP_SPARSE, 0, reg, M2,
                           0), ==, 0);

    /* The VM object's own checks. */
    REFUSED(&t, -EINVAL, t_bind(&t, 0, NVVB_OP_MAP, 1u << 20, 1, 0x400000,
                                K4, 0));
    REFUSED(&t, -EINVAL, t_bind(&t, 0, NVVB_OP_MAP, NVVB_MAP_SPARSE, 1,
                                0x400000, K4, 0));
    REFUSED(&t, -EINVAL, t_bind(&t, 0, NVVB_OP_UNMAP, NVVB_MAP_READ_ONLY, 0,
                                0x100000, K4, 0));
    /* A BO id that names nothing with SPARSE is malformed, not ENOENT. */
    REFUSED(&t, -EINVAL, t_bind(&t, 0, NVVB_OP_MAP, NVVB_MAP_SPARSE, 9,
                                0x400000, K4, 0));
    /* The GPUVM's checks. */
    REFUSED(&t, -ENOENT, t_map(&t, 0, 9, 0x400000, K4, 0));
    REFUSED(&t, -EINVAL, t_map(&t, 0, 1, 0x400000, 17 * K4, 0));
    REFUSED(&t, -EINVAL, t_map(&t, 0, 1, 0x400800, K4, 0));
    REFUSED(&t, -EINVAL, t_map(&t, 0, 1, 0x400000, K4, 16 * K4));
    REFUSED(&t, -EINVAL, t_map(&t, 0, 1, NVVB_UVMM_VA_SPACE_END, K4, 0));
    /* A MAP straddling a sparse region, a region over a mapping. */
    REFUSED(&t, -ENOSPC, t_map(&t, 0, 1, reg - K4, 2 * K4, 0));
    REFUSED(&t, -ENOSPC, t_bind(&t, 0, NVVB_OP_MAP, NVVB_MAP_SPARSE, 0,
                                0x100000, M2, 0));
    REFUSED(&t, -ENOSPC, t_bind(&t, 0, NVVB_OP_MAP, NVVB_MAP_SPARSE, 0,
                                reg + K4, K4, 0));

    /* Too much table work for one request. */
    t.env.max_work = 8;
    REFUSED(&t, -E2BIG, t_map(&t, 0, 1, 0x400000, 16 * K4, 0));
    REFUSED(&t, -E2BIG, t_unmap(&t, 0, 0x100000, 16 * K4));
    t.env.max_work = UINT32_MAX;

    /* A pool that may not hold the tables: refused before the GPUVM. */
    pool_fill(&t);
    REFUSED(&t, -ENOSPC, t_map(&t, 0, 1, 0x40000000, 16 * K4, 0));
    REFUSED(&t, -ENOSPC, t_bind(&t, 0, NVVB_OP_MAP, NVVB_MAP_SPARSE, 0,
                                0x80000000, M2, 0));
    REFUSED(&t, -ENOSPC, t_unmap(&t, 0, 0x100000, K4));
    pool_unfill(&t);
    g_assert_cmpint(t_unmap(&t, 0, 0x100000, K4), ==, 0);
    assert_agree(&t);
    t_free(&t);
}

/* A bind the tables cannot follow after the GPUVM changed is reported. */
static void test_divergence(void)
{
    T t;

    t_init(&t);
    t_vm(&t, 0);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(MiB, 16 * K4)), ==, 0);
    t.env.fail_tables = 1;
    g_assert_cmpint(t_map(&t, 0, 1, 0x100000, 16 * K4, 0), ==, -EFAULT);
    g_assert_cmpint(t.last.diverged, ==, -EIO);
    g_assert_cmpuint(t.env.fail_tables, ==, 0);
    /* The GPUVM has the mapping, the tables do not: the oracle sees it. */
    g_assert_cmpuint(mismatches(&t, 0), ==, 16);
    g_assert_cmpint(t_unmap(&t, 0, 0x100000, 16 * K4), ==, 0);
    assert_agree(&t);
    t_free(&t);
}

/* The migration path: a VM rebuilt from its GPUVM and its saved tables. */
static void test_restore(void)
{
    uint64_t reg = 0x100000000ull;
    GByteArray *blob;
    NvvbVm *vm;
    T t;

    t_init(&t);
    t_vm(&t, 2);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(MiB, 16 * K4)), ==, 0);
    g_assert_cmpint(t_bind(&t, 2, NVVB_OP_MAP, 0x7 | NVVB_MAP_PRIV, 1,
                           0x100000, 16 * K4, 0), ==, 0);
    g_assert_cmpint(t_bind(&t, 2, NVVB_OP_MAP, NVVB_MAP_SPARSE, 0, reg, M2,
                           0), ==, 0);
    g_assert_cmpint(t_map(&t, 2, 1, reg + K64, K64, 0), ==, 0);
    blob = nvvb_ptm_save(t.vms[2]->ptm);
    /* The tables stay in VRAM; the bookkeeping goes. */
    nvvb_ptm_free(t.vms[2]->ptm);
    t.vms[2]->ptm = NULL;

    g_assert_cmpint(nvvb_vm_new(&vm, &t.env, 3, 0, 0,
                                NVVB_VM_TABLES_RESTORE), ==, 0);
    g_assert_null(vm->ptm);
    g_assert_cmpint(nvvb_vm_bind(vm, &(NvvbVmBindOp){ .op = NVVB_OP_UNMAP,
                                 .va = 0, .range = K4 }, &t.last), ==,
                    -ENODEV);
    /* Replay the GPUVM as the migration stream does. */
    {
        NvvbGpuVa *va;
        const NvvbSparseRegion *r;

        nvvb_gpuvm_lock(vm->uvmm->vm);
        NVVB_UVMM_FOREACH_REGION(r, t.vms[2]->uvmm) {
            NvvbBindOp op = { .op = NVVB_BIND_OP_MAP,
                              .flags = NVVB_BIND_SPARSE,
                              .addr = r->addr, .range = r->range };

            g_assert_cmpint(nvvb_uvmm_bind(vm->uvmm, &op, NULL), ==, 0);
        }
        NVVB_GPUVM_FOREACH_VA(va, t.vms[2]->uvmm->vm) {
            NvvbBindOp op = { .op = NVVB_BIND_OP_MAP, .bo = va->bo,
                              .addr = va->addr, .range = va->range,
                              .bo_offset = va->bo_offset };

            g_assert_cmpint(nvvb_uvmm_bind(vm->uvmm, &op, NULL), ==, 0);
            nvvb_vm_va_set_attrs(nvvb_gpuva_find(vm->uvmm->vm, va->addr,
                                                 va->range),
                                 nvvb_vm_va_attrs(va));
        }
        nvvb_gpuvm_unlock(vm->uvmm->vm);
    }
    nvvb_vm_free(t.vms[2]);
    t.vms[2] = NULL;
    g_assert_cmpint(nvvb_vm_restore_tables(vm, blob->data, blob->len), ==, 0);
    g_assert_cmpint(nvvb_vm_restore_tables(vm, blob->data, blob->len), ==,
                    -EEXIST);
    g_byte_array_unref(blob);
    t.vms[3] = vm;
    assert_agree(&t);
    g_assert_cmphex(translate(&t, 3, 0x100000 + K4, VID), ==, MiB + K4);
    /* And it works as any other VM. */
    g_assert_cmpint(t_unmap(&t, 3, 0x100000, 16 * K4), ==, 0);
    assert_agree(&t);
    t_free(&t);
}

/* ---- Moving buffers ---- */

static void test_move(void)
{
    static const uint64_t ext[] = { 0x100000, 8 * K4, 0x300000, 8 * K4 };
    T t;

    t_init(&t);
    t_vm(&t, 0);
    t_vm(&t, 1);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(MiB, 16 * K4)), ==, 0);
    g_assert_cmpint(t_bind(&t, 0, NVVB_OP_MAP, 0x33 | NVVB_MAP_READ_ONLY, 1,
                           0x100000, 16 * K4, 0), ==, 0);
    g_assert_cmpint(t_map(&t, 1, 1, 0x900000, 8 * K4, 8 * K4), ==, 0);
    t.invalidates = 0;

    /* VRAM -> SYSMEM: both VMs follow, attributes kept. */
    g_assert_cmpint(t_move(&t, 1, backing_sys(ext, 2)), ==, 0);
    g_assert_cmpuint(t.invalidates, ==, 2);
    g_assert_cmpuint(t.last.work, >=, 24);
    g_assert_cmphex(translate(&t, 0, 0x100000 + 9 * K4, SYS), ==,
                    0x300000 + K4);
    g_assert_cmphex(translate(&t, 1, 0x900000, SYS), ==, 0x300000);
    assert_agree(&t);
    g_assert_cmpuint(t_evicted(&t, 0) + t_evicted(&t, 1), ==, 0);

    /* Refused moves change nothing. */
    REFUSED(&t, -EINVAL, t_move(&t, 1, backing_vram(2 * MiB, 15 * K4)));
    REFUSED(&t, -EINVAL, t_move(&t, 1, backing_vram(POOL_BASE - 8 * K4,
                                                    16 * K4)));
    t.env.max_work = 8;
    REFUSED(&t, -E2BIG, t_move(&t, 1, backing_vram(2 * MiB, 16 * K4)));
    t.env.max_work = UINT32_MAX;
    pool_fill(&t);
    REFUSED(&t, -ENOSPC, t_move(&t, 1, backing_vram(2 * MiB, 16 * K4)));
    pool_unfill(&t);

    /* SYSMEM -> VRAM again. */
    g_assert_cmpint(t_move(&t, 1, backing_vram(2 * MiB, 16 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 1, 0x900000 + K4, VID), ==,
                    2 * MiB + 9 * K4);
    assert_agree(&t);
    t_free(&t);
}

/* ---- Issue 14 regressions ---- */

/*
 * (a) A scatter extent the PTE address field cannot hold (>= 2^58) is
 * refused when the BO is created and when it is moved to, with nothing
 * committed.  Without the check, BO_CREATE passed and the MAP changed the
 * GPUVM, then failed in the tables (a divergence).
 */
static void test_i14_sg_pte_field(void)
{
    const uint64_t top[] = { SYS_PTE_LIMIT - 4 * K4, 4 * K4 };
    const uint64_t over[] = { SYS_PTE_LIMIT - 3 * K4, 4 * K4 };
    const uint64_t beyond[] = { SYS_PTE_LIMIT, 4 * K4 };
    T t;

    t_init(&t);
    t_vm(&t, 0);
    /* The highest expressible extent is accepted and maps. */
    g_assert_cmpint(t_bo(&t, 1, backing_sys(top, 1)), ==, 0);
    g_assert_cmpint(t_map(&t, 0, 1, 0x200000, 4 * K4, 0), ==, 0);
    g_assert_cmphex(translate(&t, 0, 0x200000 + 0x1234, SYS), ==,
                    SYS_PTE_LIMIT - 4 * K4 + 0x1234);
    /* One page further is not; a MAP of it finds no BO. */
    REFUSED(&t, -EINVAL, t_bo(&t, 2, backing_sys(over, 1)));
    REFUSED(&t, -ENOENT, t_map(&t, 0, 2, 0x400000, 4 * K4, 0));
    REFUSED(&t, -EINVAL, t_bo(&t, 2, backing_sys(beyond, 1)));
    REFUSED(&t, -ENOENT, t_map(&t, 0, 2, 0x400000, 4 * K4, 0));
    /* Moving the mapped BO there: refused, it still translates. */
    REFUSED(&t, -EINVAL, t_move(&t, 1, backing_sys(beyond, 1)));
    g_assert_cmphex(translate(&t, 0, 0x200000, SYS), ==,
                    SYS_PTE_LIMIT - 4 * K4);
    g_assert_cmpuint(t_evicted(&t, 0), ==, 0);
    t_free(&t);
}

/* Marks @bo's vm_bo in @vm evicted, as a failed validate would leave it. */
static void leave_evicted(T *t, uint32_t vm, uint32_t bo)
{
    NvvbGpuVm *g = t->vms[vm]->uvmm->vm;
    NvvbGpuVmBo *vm_bo;

    nvvb_gpuvm_lock(g);
    vm_bo = nvvb_gpuvm_bo_find(g, t->bos[bo]->core);
    g_assert_nonnull(vm_bo);
    nvvb_gpuvm_bo_evict(vm_bo, true);
    nvvb_gpuvm_bo_put(vm_bo);
    nvvb_gpuvm_unlock(g);
}

/*
 * (b) Cross-BO aliasing: a BO_MOVE of BO 1 to a backing the tables cannot
 * express fails cleanly (nothing evicted), and a later move of BO 2 never
 * makes BO 1's VA translate to BO 2's pages -- not even when BO 1's vm_bo
 * was left on the evict list: validate rewrites each vm_bo with its own
 * BO's backing.
 */
static void test_i14_move_alias(void)
{
    const uint64_t beyond[] = { SYS_PTE_LIMIT, 4 * K4 };
    uint64_t bo1 = MiB, bo2 = MiB + 4 * K4;
    T t;

    t_init(&t);
    t_vm(&t, 0);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(bo1, 4 * K4)), ==, 0);
    g_assert_cmpint(t_bo(&t, 2, backing_vram(bo2, 4 * K4)), ==, 0);
    g_assert_cmpint(t_map(&t, 0, 1, 0x100000, K4, 0), ==, 0);
    g_assert_cmpint(t_map(&t, 0, 2, 0x900000, K4, 0), ==, 0);
    REFUSED(&t, -EINVAL, t_move(&t, 1, backing_sys(beyond, 1)));
    g_assert_cmpint(t_move(&t, 2, backing_vram(bo2 + 16 * K4, 4 * K4)), ==,
                    0);
    g_assert_cmphex(translate(&t, 0, 0x100000, VID), ==, bo1);
    g_assert_cmphex(translate(&t, 0, 0x900000, VID), ==, bo2 + 16 * K4);
    assert_agree(&t);

    /* BO 1's vm_bo stale on the list: BO 2's move must not alias it. */
    leave_evicted(&t, 0, 1);
    g_assert_cmpint(t_move(&t, 2, backing_vram(bo2, 4 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 0, 0x100000, VID), ==, bo1);
    g_assert_cmphex(translate(&t, 0, 0x900000, VID), ==, bo2);
    g_assert_cmpuint(t_evicted(&t, 0), ==, 0);
    assert_agree(&t);
    t_free(&t);
}

/*
 * (c) BO_MOVE of a BO mapped nowhere, then a MAP of it, then a BO_MOVE of
 * another BO: the first BO's mapping keeps its own pages.  The move had
 * nothing to evict, so the new vm_bo must start valid, not evicted.
 */
static void test_i14_move_unmapped(void)
{
    uint64_t bo1 = MiB, bo2 = MiB + 2 * K4;
    uint64_t bo1_new = MiB + 4 * K4, bo2_new = MiB + 6 * K4;
    T t;

    t_init(&t);
    t_vm(&t, 0);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(bo1, 2 * K4)), ==, 0);
    g_assert_cmpint(t_bo(&t, 2, backing_vram(bo2, 2 * K4)), ==, 0);
    g_assert_cmpint(t_move(&t, 1, backing_vram(bo1_new, 2 * K4)), ==, 0);
    g_assert_cmpuint(t.last.work, ==, 0);
    g_assert_cmpint(t_map(&t, 0, 1, 0x100000, 2 * K4, 0), ==, 0);
    g_assert_cmpuint(t_evicted(&t, 0), ==, 0);
    g_assert_cmpint(t_map(&t, 0, 2, 0x900000, K4, 0), ==, 0);
    g_assert_cmpint(t_move(&t, 2, backing_vram(bo2_new, 2 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 0, 0x100000, VID), ==, bo1_new);
    g_assert_cmphex(translate(&t, 0, 0x101000, VID), ==, bo1_new + K4);
    g_assert_cmphex(translate(&t, 0, 0x900000, VID), ==, bo2_new);
    g_assert_cmpuint(t_evicted(&t, 0), ==, 0);
    assert_agree(&t);
    /* Moving BO 1 again still moves it. */
    g_assert_cmpint(t_move(&t, 1, backing_vram(bo1, 2 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 0, 0x101000, VID), ==, bo1 + K4);
    assert_agree(&t);
    t_free(&t);
}

/*
 * (d) The same across VMs: BO 1 lives in VM 1, BO 2 in VM 0.  A move of
 * BO 1 while mapped nowhere, a failed move to an inexpressible backing and
 * a stale vm_bo in VM 1 all leave VM 1's translation of BO 1 alone when
 * BO 2 moves.
 */
static void test_i14_cross_vm(void)
{
    const uint64_t beyond[] = { SYS_PTE_LIMIT, 2 * K4 };
    uint64_t bo1 = MiB, bo2 = MiB + 2 * K4;
    uint64_t bo1_new = MiB + 4 * K4, bo2_new = MiB + 6 * K4;
    T t;

    t_init(&t);
    t_vm(&t, 0);
    t_vm(&t, 1);
    g_assert_cmpint(t_bo(&t, 1, backing_vram(bo1, 2 * K4)), ==, 0);
    g_assert_cmpint(t_bo(&t, 2, backing_vram(bo2, 2 * K4)), ==, 0);
    g_assert_cmpint(t_move(&t, 1, backing_vram(bo1_new, 2 * K4)), ==, 0);
    g_assert_cmpint(t_map(&t, 1, 1, 0x300000, K4, K4), ==, 0);
    g_assert_cmpint(t_map(&t, 0, 2, 0x900000, K4, 0), ==, 0);
    g_assert_cmpuint(t_evicted(&t, 0) + t_evicted(&t, 1), ==, 0);
    g_assert_cmpint(t_move(&t, 2, backing_vram(bo2_new, 2 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 1, 0x300000, VID), ==, bo1_new + K4);
    g_assert_cmphex(translate(&t, 0, 0x900000, VID), ==, bo2_new);
    assert_agree(&t);

    /* BO 1 in both VMs; its move to an inexpressible backing fails. */
    g_assert_cmpint(t_map(&t, 0, 1, 0x100000, 2 * K4, 0), ==, 0);
    REFUSED(&t, -EINVAL, t_move(&t, 1, backing_sys(beyond, 1)));
    g_assert_cmpint(t_move(&t, 2, backing_vram(bo2, 2 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 0, 0x101000, VID), ==, bo1_new + K4);
    g_assert_cmphex(translate(&t, 1, 0x300000, VID), ==, bo1_new + K4);

    /* BO 1's vm_bo left stale in VM 1 only. */
    leave_evicted(&t, 1, 1);
    g_assert_cmpint(t_move(&t, 2, backing_vram(bo2_new, 2 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 1, 0x300000, VID), ==, bo1_new + K4);
    g_assert_cmphex(translate(&t, 0, 0x900000, VID), ==, bo2_new);
    g_assert_cmpuint(t_evicted(&t, 0) + t_evicted(&t, 1), ==, 0);
    assert_agree(&t);
    /* Moving BO 1 moves it in both VMs. */
    g_assert_cmpint(t_move(&t, 1, backing_vram(bo1, 2 * K4)), ==, 0);
    g_assert_cmphex(translate(&t, 0, 0x100000, VID), ==, bo1);
    g_assert_cmphex(translate(&t, 1, 0x300000, VID), ==, bo1 + K4);
    assert_agree(&t);
    t_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vm/create-destroy", test_create_destroy);
    g_test_add_func("/vm/map-unmap", test_map_unmap);
    g_test_add_func("/vm/sparse", test_sparse);
    g_test_add_func("/vm/refused", test_refused);
    g_test_add_func("/vm/divergence", test_divergence);
    g_test_add_func("/vm/restore", test_restore);
    g_test_add_func("/vm/move", test_move);
    g_test_add_func("/vm/issue14/sg-pte-field", test_i14_sg_pte_field);
    g_test_add_func("/vm/issue14/move-alias", test_i14_move_alias);
    g_test_add_func("/vm/issue14/move-unmapped", test_i14_move_unmapped);
    g_test_add_func("/vm/issue14/cross-vm", test_i14_cross_vm);
    return g_test_run();
}
