/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLB model: hits, stale-until-invalidate, invalidate scopes (PDB, VA,
 * CACHE_LEVEL, HUB_ONLY), permission checks on hits, the enable switch, the
 * capacity bound, and translate_next() against translate().
 */
#include <glib.h>

#include "gmmu-fake.h"
#include "gmmu-tlb.h"
#include "gmmu-walk.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH

static const NvGmmuAccess rd = { NV_GMMU_ACCESS_TYPE_VIRT_READ, false, false };
static const NvGmmuAccess wr = { NV_GMMU_ACCESS_TYPE_VIRT_WRITE, false, false };

typedef struct Fixture {
    FakeMem fm;
    FakeVm vm;
    NvGmmuTlb *tlb;
    NvGmmuWalkResult r;
} Fixture;

static void fx_setup(Fixture *f, gconstpointer data)
{
    fake_init(&f->fm, 4 << 20, 1 << 20);
    fake_vm_init(&f->vm, &f->fm, VID);
    f->tlb = nv_gmmu_tlb_new(0, 0);
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
    nv_gmmu_tlb_free(f->tlb);
    fake_free(&f->fm);
}

static NvGmmuWalkStatus tr(Fixture *f, const NvGmmuPdb *pdb, uint64_t va,
                           const NvGmmuAccess *acc)
{
    return nv_gmmu_tlb_translate(f->tlb, &f->fm.mem, pdb ? pdb : &f->vm.pdb,
                                 va, acc, &f->r);
}

static uint64_t pa_of(Fixture *f, const NvGmmuPdb *pdb, uint64_t va)
{
    g_assert_cmpint(tr(f, pdb, va, &rd), ==, NV_GMMU_WALK_OK);
    return f->r.pa;
}

static NvGmmuTlbStats stats(Fixture *f)
{
    NvGmmuTlbStats s;

    nv_gmmu_tlb_get_stats(f->tlb, &s);
    return s;
}

static void inval(Fixture *f, bool all_pdb, const NvGmmuPdb *pdb, bool all_va,
                  uint64_t va, unsigned level)
{
    NvGmmuTlbInvalidate inv = {
        .all_pdb = all_pdb,
        .pdb_sys = pdb && nv_gmmu_aperture_is_sys(pdb->aperture),
        .pdb_addr = pdb ? pdb->addr : 0,
        .all_va = all_va,
        .va = va,
        .size = 0x1000,
        .cache_level = level,
    };

    nv_gmmu_tlb_invalidate(f->tlb, &inv);
}

static void test_hit(Fixture *f, gconstpointer d)
{
    unsigned reads;

    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 7));
    g_assert_cmphex(pa_of(f, NULL, 0x10010), ==, 0x5010);
    g_assert_false(f->r.tlb_hit);
    g_assert_cmpuint(f->r.nsteps, ==, 5);
    reads = f->fm.reads;
    g_assert_cmphex(pa_of(f, NULL, 0x10ffc), ==, 0x5ffc);
    g_assert_true(f->r.tlb_hit);
    g_assert_cmpuint(f->r.nsteps, ==, 0);
    g_assert_cmphex(f->r.tr.kind, ==, 7);
    g_assert_cmpuint(f->fm.reads, ==, reads);   /* no memory access */
    g_assert_cmpuint(stats(f).hits, ==, 1);
    g_assert_cmpuint(stats(f).misses, ==, 1);
    g_assert_cmpuint(stats(f).entries, ==, 1);
}

/* Cached translations survive page-table changes until invalidated. */
static void test_stale_until_invalidate(Fixture *f, gconstpointer d)
{
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x5000);
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x6000, 0, 0));
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x5000);
    g_assert_true(f->r.tlb_hit);
    /* Even an unmapped PTE keeps translating until invalidated. */
    fake_vm_set(&f->vm, 0x10000, NV_GMMU_LEVEL_PT_SMALL, 0);
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x5000);
    inval(f, false, &f->vm.pdb, true, 0, NV_GMMU_INVAL_LEVEL_PTE_ONLY);
    g_assert_cmpint(tr(f, NULL, 0x10000, &rd), ==, NV_GMMU_WALK_FAULT);
    g_assert_cmpint(f->r.fault_type, ==, NV_GMMU_FAULT_TYPE_PTE);
    /* Faults are not cached: mapping the page makes it visible at once. */
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x7000, 0, 0));
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x7000);
    g_assert_false(f->r.tlb_hit);
}

static void test_invalidate_by_pdb(Fixture *f, gconstpointer d)
{
    FakeVm b;

    fake_vm_init(&b, &f->fm, SYS);
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    fake_vm_map(&b, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x9000, 0, 0));
    g_assert_cmphex(pa_of(f, &f->vm.pdb, 0x10000), ==, 0x5000);
    g_assert_cmphex(pa_of(f, &b.pdb, 0x10000), ==, 0x9000);
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x6000, 0, 0));
    fake_vm_map(&b, 0x10000, 12, nv_gmmu_pte_encode(VID, 0xa000, 0, 0));

    /* Invalidating A leaves B stale. */
    inval(f, false, &f->vm.pdb, true, 0, NV_GMMU_INVAL_LEVEL_ALL);
    g_assert_cmphex(pa_of(f, &f->vm.pdb, 0x10000), ==, 0x6000);
    g_assert_cmphex(pa_of(f, &b.pdb, 0x10000), ==, 0x9000);
    /* The PDB aperture must match too: VID at B's address is not B. */
    {
        NvGmmuPdb other;

        nv_gmmu_pdb_init(&other, VID, b.pdb.addr);
        inval(f, false, &other, true, 0, NV_GMMU_INVAL_LEVEL_ALL);
        g_assert_cmphex(pa_of(f, &b.pdb, 0x10000), ==, 0x9000);
    }
    /* A SYS_NCOH request hits a SYS_COH PDB (one aperture bit). */
    {
        NvGmmuPdb ncoh;

        nv_gmmu_pdb_init(&ncoh, NCOH, b.pdb.addr);
        inval(f, false, &ncoh, true, 0, NV_GMMU_INVAL_LEVEL_ALL);
        g_assert_cmphex(pa_of(f, &b.pdb, 0x10000), ==, 0xa000);
    }
    /* ALL_PDB. */
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x1000, 0, 0));
    fake_vm_map(&b, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x2000, 0, 0));
    inval(f, true, NULL, true, 0, NV_GMMU_INVAL_LEVEL_ALL);
    g_assert_cmphex(pa_of(f, &f->vm.pdb, 0x10000), ==, 0x1000);
    g_assert_cmphex(pa_of(f, &b.pdb, 0x10000), ==, 0x2000);
}

static void test_invalidate_by_va(Fixture *f, gconstpointer d)
{
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    fake_vm_map(&f->vm, 0x11000, 12, nv_gmmu_pte_encode(VID, 0x6000, 0, 0));
    fake_vm_map(&f->vm, 0x400000, 21, nv_gmmu_pte_encode(VID, 0x200000, 0,
                                                         0));
    pa_of(f, NULL, 0x10000);
    pa_of(f, NULL, 0x11000);
    pa_of(f, NULL, 0x400000);
    pa_of(f, NULL, 0x5ff000);
    g_assert_cmpuint(stats(f).entries, ==, 4);
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x7000, 0, 0));
    fake_vm_map(&f->vm, 0x11000, 12, nv_gmmu_pte_encode(VID, 0x8000, 0, 0));
    fake_vm_map(&f->vm, 0x400000, 21, nv_gmmu_pte_encode(VID, 0x600000, 0,
                                                         0));

    inval(f, false, &f->vm.pdb, false, 0x11000, NV_GMMU_INVAL_LEVEL_PTE_ONLY);
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x5000);   /* stale */
    g_assert_cmphex(pa_of(f, NULL, 0x11000), ==, 0x8000);   /* fresh */
    /* A VA anywhere in a 2 MiB page drops every cached piece of it. */
    inval(f, true, NULL, false, 0x5ab000, NV_GMMU_INVAL_LEVEL_PTE_ONLY);
    g_assert_cmphex(pa_of(f, NULL, 0x400000), ==, 0x600000);
    g_assert_cmphex(pa_of(f, NULL, 0x5ff000), ==, 0x7ff000);
}

/* nouveau's gp100_vmm_flush(depth): CACHE_LEVEL = 5 - depth. */
static void test_cache_level(Fixture *f, gconstpointer d)
{
    const uint64_t va = 0x40000000;
    uint64_t pd1e, old_pd1, new_pd0;
    NvGmmuPd0 e;

    fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x5000);
    g_assert_cmpuint(stats(f).pde_entries, ==, 4);

    /* Build a second PD0 + PT and repoint the PD1 entry at it. */
    new_pd0 = fake_alloc(&f->fm, VID, 0x1000, 0x1000);
    e = nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID,
                           fake_alloc(&f->fm, VID, 0x1000, 0x1000), false);
    fake_wpd0(&f->fm, VID, new_pd0 +
              nv_gmmu_level_index(NV_GMMU_LEVEL_PD0, va) * 16, e);
    fake_w64(&f->fm, VID, nv_gmmu_pd0_small_addr(e.hi) +
             nv_gmmu_level_index(NV_GMMU_LEVEL_PT_SMALL, va) * 8,
             nv_gmmu_pte_encode(VID, 0x9000, 0, 0));
    pd1e = fake_vm_entry(&f->vm, va, NV_GMMU_LEVEL_PD1);
    old_pd1 = fake_r64(&f->fm, VID, pd1e);
    fake_w64(&f->fm, VID, pd1e, nv_gmmu_pde_encode(VID, new_pd0, false));

    /* PTE_ONLY: the walk reuses the cached PD1 entry: old tree. */
    inval(f, true, NULL, true, 0, NV_GMMU_INVAL_LEVEL_PTE_ONLY);
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x5000);
    g_assert_false(f->r.tlb_hit);
    g_assert_true(f->r.steps[2].cached);
    /* UP_TO_PDE0 does not reach PD1 either. */
    inval(f, true, NULL, true, 0, NV_GMMU_INVAL_LEVEL_UP_TO_PDE0);
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x5000);
    g_assert_true(f->r.steps[2].cached);
    g_assert_false(f->r.steps[3].cached);
    /* UP_TO_PDE1 does. */
    inval(f, true, NULL, true, 0, NV_GMMU_INVAL_LEVEL_UP_TO_PDE1);
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x9000);
    g_assert_true(f->r.steps[1].cached);
    g_assert_false(f->r.steps[2].cached);

    /* Back to the old PD1 entry; ALL (0) drops every level. */
    fake_w64(&f->fm, VID, pd1e, old_pd1);
    inval(f, false, &f->vm.pdb, true, 0, NV_GMMU_INVAL_LEVEL_ALL);
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x5000);
    g_assert_false(f->r.steps[0].cached);
    g_assert_cmpuint(stats(f).pde_hits, >=, 5);
}

/* A PD3 change needs UP_TO_PDE3 (or ALL); PDE caches are per VA range. */
static void test_cache_level_pd3(Fixture *f, gconstpointer d)
{
    const uint64_t va = 0x10000;
    FakeVm b;

    fake_vm_init(&b, &f->fm, VID);
    fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    fake_vm_map(&b, va, 12, nv_gmmu_pte_encode(VID, 0x6000, 0, 0));
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x5000);
    /* Point A's PD3[0] at B's PD2. */
    fake_w64(&f->fm, VID, f->vm.pdb.addr, fake_r64(&f->fm, VID, b.pdb.addr));
    inval(f, false, &f->vm.pdb, true, 0, NV_GMMU_INVAL_LEVEL_UP_TO_PDE2);
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x5000);
    inval(f, false, &f->vm.pdb, true, 0, NV_GMMU_INVAL_LEVEL_UP_TO_PDE3);
    g_assert_cmphex(pa_of(f, NULL, va), ==, 0x6000);
    /* Levels 6 and 7 (PDE4/PDE5, not in VER2) act as ALL. */
    fake_w64(&f->fm, VID, f->vm.pdb.addr, 0);
    inval(f, false, &f->vm.pdb, true, 0, 7);
    g_assert_cmpint(tr(f, NULL, va, &rd), ==, NV_GMMU_WALK_FAULT);
    g_assert_cmpint(f->r.fault_level, ==, NV_GMMU_LEVEL_PD3);
}

static void test_hub_only(Fixture *f, gconstpointer d)
{
    NvGmmuTlbInvalidate inv = { .all_pdb = true, .all_va = true,
                                .hub_only = true };

    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    pa_of(f, NULL, 0x10000);
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x6000, 0, 0));
    nv_gmmu_tlb_invalidate(f->tlb, &inv);
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x6000);
    g_assert_cmpuint(stats(f).hub_only, ==, 1);
    g_assert_cmpuint(stats(f).invalidates, ==, 1);
    g_assert_cmpuint(stats(f).dropped, >=, 1);
}

/* Flags are cached with the translation: permission checks on hits. */
static void test_permissions_on_hit(Fixture *f, gconstpointer d)
{
    NvGmmuAccess priv = wr;

    fake_vm_map(&f->vm, 0x10000, 12,
                nv_gmmu_pte_encode(VID, 0x5000, NV_GMMU_PTE_READ_ONLY, 0));
    fake_vm_map(&f->vm, 0x20000, 12,
                nv_gmmu_pte_encode(VID, 0x6000, NV_GMMU_PTE_PRIVILEGE, 0));
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x5000);
    g_assert_cmpint(tr(f, NULL, 0x10000, &wr), ==, NV_GMMU_WALK_FAULT);
    g_assert_true(f->r.tlb_hit);
    g_assert_cmpint(f->r.fault_type, ==, NV_GMMU_FAULT_TYPE_RO_VIOLATION);
    g_assert_cmpint(f->r.fault_level, ==, NV_GMMU_LEVEL_PT_SMALL);

    /* A permission fault on a miss still caches the (valid) leaf. */
    g_assert_cmpint(tr(f, NULL, 0x20000, &wr), ==, NV_GMMU_WALK_FAULT);
    g_assert_false(f->r.tlb_hit);
    g_assert_cmpint(f->r.fault_type, ==, NV_GMMU_FAULT_TYPE_PRIV_VIOLATION);
    priv.priv = true;
    g_assert_cmpint(tr(f, NULL, 0x20000, &priv), ==, NV_GMMU_WALK_OK);
    g_assert_true(f->r.tlb_hit);
    g_assert_cmphex(f->r.pa, ==, 0x6000);
}

static void test_sparse_cached(Fixture *f, gconstpointer d)
{
    fake_vm_set(&f->vm, 0x40000000, NV_GMMU_LEVEL_PD1, NV_GMMU_SPARSE);
    g_assert_cmpint(tr(f, NULL, 0x40001000, &wr), ==, NV_GMMU_WALK_SPARSE);
    g_assert_cmpint(tr(f, NULL, 0x40001000, &rd), ==, NV_GMMU_WALK_SPARSE);
    g_assert_true(f->r.tlb_hit);
    g_assert_cmpuint(f->r.tr.page_shift, ==, 29);
    /* A targeted invalidate anywhere in the 512 MiB range drops it. */
    fake_vm_set(&f->vm, 0x40000000, NV_GMMU_LEVEL_PD1, 0);
    inval(f, true, NULL, false, 0x5ffff000, NV_GMMU_INVAL_LEVEL_PTE_ONLY);
    g_assert_cmpint(tr(f, NULL, 0x40001000, &rd), ==, NV_GMMU_WALK_FAULT);
}

static void test_va_limit_not_cached(Fixture *f, gconstpointer d)
{
    NvGmmuPdb small = f->vm.pdb;

    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    pa_of(f, NULL, 0x10000);
    small.va_limit = 0xffff;
    g_assert_cmpint(tr(f, &small, 0x10000, &rd), ==, NV_GMMU_WALK_FAULT);
    g_assert_cmpint(f->r.fault_type, ==,
                    NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION);
    g_assert_false(f->r.tlb_hit);
}

static void test_disabled(Fixture *f, gconstpointer d)
{
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x5000, 0, 0));
    pa_of(f, NULL, 0x10000);
    g_assert_cmpuint(stats(f).entries, ==, 1);
    nv_gmmu_tlb_set_enabled(f->tlb, false);
    g_assert_false(nv_gmmu_tlb_is_enabled(f->tlb));
    g_assert_cmpuint(stats(f).entries, ==, 0);
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x6000, 0, 0));
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x6000);
    g_assert_false(f->r.tlb_hit);
    fake_vm_map(&f->vm, 0x10000, 12, nv_gmmu_pte_encode(VID, 0x7000, 0, 0));
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x7000);
    g_assert_cmpuint(f->r.nsteps, ==, 5);
    g_assert_cmpuint(stats(f).bypass, ==, 2);
    g_assert_cmpuint(stats(f).entries, ==, 0);
    g_assert_cmpuint(stats(f).pde_entries, ==, 0);
    nv_gmmu_tlb_set_enabled(f->tlb, true);
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x7000);
    g_assert_cmphex(pa_of(f, NULL, 0x10000), ==, 0x7000);
    g_assert_true(f->r.tlb_hit);
    /* NULL TLB: a plain walk. */
    g_assert_cmpint(nv_gmmu_tlb_translate(NULL, &f->fm.mem, &f->vm.pdb,
                                          0x10000, &rd, &f->r), ==,
                    NV_GMMU_WALK_OK);
}

static void test_capacity(void)
{
    NvGmmuTlb *tlb = nv_gmmu_tlb_new(8, 2);
    NvGmmuWalkResult r;
    NvGmmuTlbStats s;
    unsigned i, max = 0, pde_max = 0;
    FakeMem fm;
    FakeVm vm;

    fake_init(&fm, 4 << 20, 0);
    fake_vm_init(&vm, &fm, VID);
    for (i = 0; i < 64; i++) {
        /* Spread over several PD0/PD1 entries to stress the PDE cache. */
        uint64_t va = (uint64_t)i << 21 | (uint64_t)(i % 5) << 30;

        fake_vm_map(&vm, va, 12, nv_gmmu_pte_encode(VID, 0x1000 * i, 0, 0));
    }
    for (i = 0; i < 200; i++) {
        uint64_t va = (uint64_t)(i % 64) << 21 | (uint64_t)(i % 64 % 5) << 30;

        g_assert_cmpint(nv_gmmu_tlb_translate(tlb, &fm.mem, &vm.pdb, va, &rd,
                                              &r), ==, NV_GMMU_WALK_OK);
        g_assert_cmphex(r.pa, ==, 0x1000ULL * (i % 64));
        nv_gmmu_tlb_get_stats(tlb, &s);
        max = MAX(max, s.entries);
        pde_max = MAX(pde_max, s.pde_entries);
    }
    nv_gmmu_tlb_get_stats(tlb, &s);
    g_assert_cmpuint(max, ==, 8);
    g_assert_cmpuint(pde_max, <=, 2);
    g_assert_cmpuint(s.capacity, ==, 8);
    g_assert_cmpuint(s.pde_capacity, ==, 2);
    g_assert_cmpuint(s.capacity_flushes, >, 0);
    g_assert_cmpuint(s.hits + s.misses, ==, 200);
    nv_gmmu_tlb_reset_stats(tlb);
    nv_gmmu_tlb_get_stats(tlb, &s);
    g_assert_cmpuint(s.hits + s.misses, ==, 0);
    nv_gmmu_tlb_free(tlb);
    fake_free(&fm);
}

/* Many targeted invalidates on a full-ish table: exactly the invalidated
 * pages miss afterwards, every other cached page still hits (checks the
 * table's deletion against a reference set). */
static void test_invalidate_stress(void)
{
    const unsigned n = 3000;
    NvGmmuTlb *tlb = nv_gmmu_tlb_new(4096, 64);
    GRand *rand = g_rand_new_with_seed(99);
    bool *cached = g_new0(bool, n);
    NvGmmuWalkResult r;
    FakeMem fm;
    FakeVm vm;
    unsigned i, round;

    fake_init(&fm, 8 << 20, 0);
    fake_vm_init(&vm, &fm, VID);
    for (i = 0; i < n; i++) {
        fake_vm_map(&vm, (uint64_t)i << 12, 12,
                    nv_gmmu_pte_encode(VID, (uint64_t)i << 12, 0, 0));
    }
    for (round = 0; round < 20; round++) {
        /* Fill: every page cached. */
        for (i = 0; i < n; i++) {
            nv_gmmu_tlb_translate(tlb, &fm.mem, &vm.pdb, (uint64_t)i << 12,
                                  &rd, &r);
            g_assert_cmphex(r.pa, ==, (uint64_t)i << 12);
            cached[i] = true;
        }
        /* Drop a random third, one page at a time. */
        for (i = 0; i < n / 3; i++) {
            unsigned p = g_rand_int_range(rand, 0, n);
            NvGmmuTlbInvalidate inv = {
                .pdb_addr = vm.pdb.addr, .va = (uint64_t)p << 12,
                .size = 1, .cache_level = NV_GMMU_INVAL_LEVEL_PTE_ONLY,
            };

            nv_gmmu_tlb_invalidate(tlb, &inv);
            cached[p] = false;
        }
        {
            NvGmmuTlbStats st;
            unsigned expect = 0;

            for (i = 0; i < n; i++) {
                expect += cached[i];
            }
            nv_gmmu_tlb_get_stats(tlb, &st);
            g_assert_cmpuint(st.entries, ==, expect);
        }
        for (i = 0; i < n; i++) {
            nv_gmmu_tlb_translate(tlb, &fm.mem, &vm.pdb, (uint64_t)i << 12,
                                  &rd, &r);
            g_assert_cmpint(r.tlb_hit, ==, cached[i]);
            g_assert_cmphex(r.pa, ==, (uint64_t)i << 12);
        }
        nv_gmmu_tlb_flush_all(tlb);
    }
    g_free(cached);
    g_rand_free(rand);
    nv_gmmu_tlb_free(tlb);
    fake_free(&fm);
}


/*
 * Hits against a model of what each (PDB, page) has cached: eight PDBs map
 * the same VAs -- one 64 MiB above the first and one in system memory at
 * the first one's address, so that any index built from (PDB, page) bits
 * of a power-of-two size up to 16384 puts their pages in the same slots,
 * and five more, more than any small per-level cache has ways.
 * Pages are translated in random order with read and write accesses (some
 * pages read-only), PTEs are rewritten in memory, and targeted, per-PDB and
 * full invalidates are interleaved.  A cached page must answer its cached
 * translation (even after its PTE changed) and an invalidated one the PTE
 * in memory, whatever the TLB's fast path holds.
 */
static void test_model(void)
{
    enum { NVM = 8, PAGES = 300, STEPS = 100000 };
    const uint64_t apart = 64 << 20;
    NvGmmuTlb *tlb = nv_gmmu_tlb_new(4096, 64);
    GRand *rand = g_rand_new_with_seed(4242);
    uint64_t mem_pa[NVM][PAGES], cached_pa[NVM][PAGES];
    bool ro[NVM][PAGES], cached_ro[NVM][PAGES];
    bool cached[NVM][PAGES] = { { 0 } };
    NvGmmuWalkResult r;
    FakeMem fm;
    FakeVm vm[NVM];
    unsigned step, v, p;

    fake_init(&fm, apart + (4 << 20), apart + (4 << 20));
    fake_vm_init(&vm[0], &fm, VID);
    fake_alloc(&fm, VID, vm[0].pdb.addr + apart - fm.vram_next, 0x1000);
    fake_vm_init(&vm[1], &fm, VID);
    g_assert_cmphex(vm[1].pdb.addr, ==, vm[0].pdb.addr + apart);
    if (fm.sys_next < vm[0].pdb.addr) {
        fake_alloc(&fm, SYS, vm[0].pdb.addr - fm.sys_next, 0x1000);
    }
    fake_vm_init(&vm[2], &fm, SYS);
    g_assert_cmphex(vm[2].pdb.addr, ==, vm[0].pdb.addr);
    for (v = 3; v < NVM; v++) {
        fake_vm_init(&vm[v], &fm, VID);
    }
    for (v = 0; v < NVM; v++) {
        for (p = 0; p < PAGES; p++) {
            mem_pa[v][p] = (uint64_t)(v * PAGES + p) << 12;
            ro[v][p] = false;
            fake_vm_map(&vm[v], (uint64_t)p << 12, 12,
                        nv_gmmu_pte_encode(VID, mem_pa[v][p], 0, 0));
        }
    }
    for (step = 0; step < STEPS; step++) {
        unsigned what = g_rand_int_range(rand, 0, 100);

        v = g_rand_int_range(rand, 0, NVM);
        p = g_rand_int_range(rand, 0, PAGES);
        if (what < 80) {
            bool write = g_rand_boolean(rand);
            bool hit = cached[v][p];
            bool is_ro = hit ? cached_ro[v][p] : ro[v][p];
            uint64_t pa = hit ? cached_pa[v][p] : mem_pa[v][p];
            NvGmmuWalkStatus st;

            st = nv_gmmu_tlb_translate(tlb, &fm.mem, &vm[v].pdb,
                                       (uint64_t)p << 12 | (step & 0xfff),
                                       write ? &wr : &rd, &r);
            g_assert_cmpint(r.tlb_hit, ==, hit);
            if (write && is_ro) {
                g_assert_cmpint(st, ==, NV_GMMU_WALK_FAULT);
                g_assert_cmpint(r.fault_type, ==,
                                NV_GMMU_FAULT_TYPE_RO_VIOLATION);
            } else {
                g_assert_cmpint(st, ==, NV_GMMU_WALK_OK);
                g_assert_cmphex(r.pa, ==, pa | (step & 0xfff));
            }
            /* A permission fault still caches the valid leaf. */
            cached[v][p] = true;
            cached_pa[v][p] = pa;
            cached_ro[v][p] = is_ro;
        } else if (what < 90) {
            /* New backing in memory; the TLB must not see it yet. */
            mem_pa[v][p] = (uint64_t)g_rand_int_range(rand, 0, 1 << 20) << 12;
            ro[v][p] = g_rand_boolean(rand);
            fake_vm_map(&vm[v], (uint64_t)p << 12, 12,
                        nv_gmmu_pte_encode(VID, mem_pa[v][p],
                                           ro[v][p] ? NV_GMMU_PTE_READ_ONLY
                                                    : 0, 0));
        } else if (what < 98) {
            NvGmmuTlbInvalidate inv = {
                .pdb_addr = vm[v].pdb.addr,
                .pdb_sys = nv_gmmu_aperture_is_sys(vm[v].pdb.aperture),
                .va = (uint64_t)p << 12, .size = 0x1000,
                .cache_level = NV_GMMU_INVAL_LEVEL_PTE_ONLY,
            };

            nv_gmmu_tlb_invalidate(tlb, &inv);
            cached[v][p] = false;
        } else if (what < 99) {
            NvGmmuTlbInvalidate inv = {
                .pdb_addr = vm[v].pdb.addr,
                .pdb_sys = nv_gmmu_aperture_is_sys(vm[v].pdb.aperture),
                .all_va = true, .cache_level = NV_GMMU_INVAL_LEVEL_PTE_ONLY,
            };

            nv_gmmu_tlb_invalidate(tlb, &inv);
            memset(cached[v], 0, sizeof(cached[v]));
        } else {
            nv_gmmu_tlb_flush_all(tlb);
            memset(cached, 0, sizeof(cached));
        }
    }
    g_rand_free(rand);
    nv_gmmu_tlb_free(tlb);
    fake_free(&fm);
}

/* Register values as nouveau writes them (gf100_vmm_invalidate). */
static void test_invalidate_decode(void)
{
    NvGmmuTlbInvalidate inv;
    uint64_t pd = 0x12345678000ULL;
    uint64_t addr = 2 /* HOST */ | ((pd >> 12) << 4);

    /* gp100_vmm_flush for a BAR VMM: HUB_ONLY | PAGE_ALL, depth 3 ->
     * CACHE_LEVEL 2 (the form with (5 - depth) << 24). */
    nv_gmmu_tlb_invalidate_decode(0x80000000u | (2u << 24) | 4 | 1,
                                  (uint32_t)addr, (uint32_t)(addr >> 32), 0,
                                  &inv);
    g_assert_true(inv.all_va);
    g_assert_false(inv.all_pdb);
    g_assert_true(inv.hub_only);
    g_assert_cmpuint(inv.cache_level, ==, NV_GMMU_INVAL_LEVEL_UP_TO_PDE0);
    g_assert_true(inv.pdb_sys);
    g_assert_cmphex(inv.pdb_addr, ==, pd);
    /* gp100_vmm_fault_replay: 0x0b = ALL_VA | ALL_PDB | REPLAY_START. */
    nv_gmmu_tlb_invalidate_decode(0x8000000bu, 0, 0, 0, &inv);
    g_assert_true(inv.all_va && inv.all_pdb);
    g_assert_false(inv.pdb_sys);
    g_assert_cmpuint(inv.cache_level, ==, 0);
    /* Targeted: one page at va. */
    nv_gmmu_tlb_invalidate_decode(0x80000000u, 0x10, 0, 0x7000, &inv);
    g_assert_false(inv.all_va);
    g_assert_cmphex(inv.pdb_addr, ==, 0x1000);
    g_assert_cmphex(inv.va, ==, 0x7000);
    g_assert_cmphex(inv.size, ==, 0x1000);
}

/* The fields a caller sees of a translation, walk or hit. */
static void assert_same_result(const NvGmmuWalkResult *a,
                               const NvGmmuWalkResult *b)
{
    g_assert_cmpint(a->status, ==, b->status);
    g_assert_cmphex(a->va, ==, b->va);
    g_assert_cmphex(a->pa, ==, b->pa);
    g_assert_cmpint(a->fault_type, ==, b->fault_type);
    g_assert_cmpint(a->fault_level, ==, b->fault_level);
    g_assert_cmpint(a->tlb_hit, ==, b->tlb_hit);
    g_assert_cmpuint(a->nsteps, ==, b->nsteps);
    g_assert_cmphex(a->tr.va_base, ==, b->tr.va_base);
    g_assert_cmphex(a->tr.pa_base, ==, b->tr.pa_base);
    g_assert_cmphex(a->tr.pte, ==, b->tr.pte);
    g_assert_cmpint(a->tr.aperture, ==, b->tr.aperture);
    g_assert_cmpint(a->tr.level, ==, b->tr.level);
    g_assert_cmpuint(a->tr.page_shift, ==, b->tr.page_shift);
    g_assert_cmphex(a->tr.flags, ==, b->tr.flags);
    g_assert_cmpuint(a->tr.kind, ==, b->tr.kind);
    g_assert_cmpint(a->tr.sparse, ==, b->tr.sparse);
    if (a->nsteps) {
        const NvGmmuWalkStep *x = &a->steps[a->nsteps - 1];
        const NvGmmuWalkStep *y = &b->steps[b->nsteps - 1];

        g_assert_cmpint(x->level, ==, y->level);
        g_assert_cmphex(x->addr, ==, y->addr);
        g_assert_cmphex(x->raw[0], ==, y->raw[0]);
    }
}

/*
 * nv_gmmu_tlb_translate_next() against nv_gmmu_tlb_translate(), two TLBs
 * on the same tables, page by page up and down three 2 MiB regions: small
 * PTEs of every kind (valid, read-only under writes, privileged, sparse,
 * invalid), a PD0 with a big page table too (no shortcut there), stale
 * cached entries (a hit wins over memory), and pages of another table.
 */
static void test_translate_next(void)
{
    const uint64_t end = 3 << 21;
    GRand *rand = g_rand_new_with_seed(7);
    NvGmmuTlb *a = nv_gmmu_tlb_new(0, 0), *b = nv_gmmu_tlb_new(0, 0);
    NvGmmuWalkResult ra, rb;
    NvGmmuPteAhead ahead = { 0 };
    NvGmmuTlbStats sa, sb;
    FakeMem fm;
    FakeVm vm;
    uint64_t va;
    unsigned pass, reads_a, reads_b;

    fake_init(&fm, 16 << 20, 1 << 20);
    fake_vm_init(&vm, &fm, VID);
    for (va = 0; va < end; va += 0x1000) {
        unsigned pick = g_rand_int_range(rand, 0, 10);
        uint64_t flags = pick == 1 ? NV_GMMU_PTE_READ_ONLY :
                         pick == 2 ? NV_GMMU_PTE_PRIVILEGE : 0;

        if (va >> 21 == 1 && (va & 0xffff) == 0 && pick < 3) {
            continue;   /* left to the big page below */
        }
        if (pick == 3) {
            fake_vm_set(&vm, va, NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_PTE_VOL);
        } else if (pick == 4) {
            fake_vm_set(&vm, va, NV_GMMU_LEVEL_PT_SMALL, 0);
        } else {
            fake_vm_map(&vm, va, 12, nv_gmmu_pte_encode(
                            VID, 0x400000 + va / (pick == 5 ? 2 : 1), flags,
                            (uint8_t)pick));
        }
    }
    /* Region 1's PD0 gets a big page table as well. */
    fake_vm_map(&vm, (1 << 21) + 0x40000, 16,
                nv_gmmu_pte_encode(VID, 0x800000, 0, 0));

    for (pass = 0; pass < 4; pass++) {
        bool down = pass & 1;
        uint64_t first = down ? end - 0x1000 : 0;

        if (pass == 2) {
            /* Cache a few pages, then change their PTEs: stale until
             * invalidated, in both TLBs. */
            for (va = 0x3000; va < end; va += 0x7000) {
                fake_vm_map(&vm, va, 12, nv_gmmu_pte_encode(VID, 0x900000, 0,
                                                            9));
            }
        }
        ahead.n = 0;
        nv_gmmu_tlb_translate(a, &fm.mem, &vm.pdb, first, &rd, &ra);
        nv_gmmu_tlb_translate(b, &fm.mem, &vm.pdb, first, &rd, &rb);
        for (va = first; down ? va > 0 : va + 0x1000 < end;) {
            const NvGmmuAccess *acc = va & 0x2000 ? &wr : &rd;

            va = down ? va - 0x1000 : va + 0x1000;
            nv_gmmu_tlb_translate(a, &fm.mem, &vm.pdb, va, acc, &ra);
            nv_gmmu_tlb_translate_next(b, &fm.mem, &vm.pdb, va, acc, &rb,
                                       &ahead, down);
            assert_same_result(&ra, &rb);
        }
        nv_gmmu_tlb_get_stats(a, &sa);
        nv_gmmu_tlb_get_stats(b, &sb);
        g_assert_cmpuint(sa.hits, ==, sb.hits);
        g_assert_cmpuint(sa.misses, ==, sb.misses);
        g_assert_cmpuint(sa.inserts, ==, sb.inserts);
        g_assert_cmpuint(sa.entries, ==, sb.entries);
        if (pass == 1) {
            nv_gmmu_tlb_flush_all(a);
            nv_gmmu_tlb_flush_all(b);
        }
    }

    /* Region 2 again, empty TLBs: the PTEs come 32 to a read. */
    nv_gmmu_tlb_flush_all(a);
    nv_gmmu_tlb_flush_all(b);
    ahead.n = 0;
    reads_a = fm.reads;
    nv_gmmu_tlb_translate(a, &fm.mem, &vm.pdb, 2 << 21, &rd, &ra);
    for (va = (2 << 21) + 0x1000; va < end; va += 0x1000) {
        nv_gmmu_tlb_translate(a, &fm.mem, &vm.pdb, va, &rd, &ra);
    }
    reads_a = fm.reads - reads_a;
    reads_b = fm.reads;
    nv_gmmu_tlb_translate(b, &fm.mem, &vm.pdb, 2 << 21, &rd, &rb);
    for (va = (2 << 21) + 0x1000; va < end; va += 0x1000) {
        nv_gmmu_tlb_translate_next(b, &fm.mem, &vm.pdb, va, &rd, &rb, &ahead,
                                   false);
    }
    reads_b = fm.reads - reads_b;
    g_assert_cmpuint(reads_a, >=, 511);
    g_assert_cmpuint(reads_b, <=, 5 + 512 / NV_GMMU_PTE_AHEAD);

    nv_gmmu_tlb_free(a);
    nv_gmmu_tlb_free(b);
    fake_free(&fm);
    g_rand_free(rand);
}

#define ADD(path, fn) \
    g_test_add("/gmmu/tlb/" path, Fixture, NULL, fx_setup, fn, fx_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("hit", test_hit);
    ADD("stale-until-invalidate", test_stale_until_invalidate);
    ADD("invalidate-by-pdb", test_invalidate_by_pdb);
    ADD("invalidate-by-va", test_invalidate_by_va);
    ADD("cache-level", test_cache_level);
    ADD("cache-level-pd3", test_cache_level_pd3);
    ADD("hub-only", test_hub_only);
    ADD("permissions-on-hit", test_permissions_on_hit);
    ADD("sparse-cached", test_sparse_cached);
    ADD("va-limit-not-cached", test_va_limit_not_cached);
    ADD("disabled", test_disabled);
    g_test_add_func("/gmmu/tlb/capacity", test_capacity);
    g_test_add_func("/gmmu/tlb/invalidate-stress", test_invalidate_stress);
    g_test_add_func("/gmmu/tlb/model", test_model);
    g_test_add_func("/gmmu/tlb/invalidate-decode", test_invalidate_decode);
    g_test_add_func("/gmmu/tlb/translate-next", test_translate_next);
    return g_test_run();
}
