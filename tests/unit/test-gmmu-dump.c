/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mapping dump: coalescing rules, sparse ranges, sub-ranges, the work
 * budget, stopping, bad tables, and agreement with the walker.
 */
#include <glib.h>

#include "gmmu-dump.h"
#include "gmmu-fake.h"
#include "gmmu-walk.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH

typedef struct Fixture {
    FakeMem fm;
    FakeVm vm;
    GArray *maps;
    NvGmmuDumpStats st;
    unsigned stop_after;        /* 0 = never */
} Fixture;

static void fx_setup(Fixture *f, gconstpointer data)
{
    fake_init(&f->fm, 8 << 20, 1 << 20);
    fake_vm_init(&f->vm, &f->fm, VID);
    f->maps = g_array_new(false, false, sizeof(NvGmmuMapping));
    f->stop_after = 0;
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
    g_array_free(f->maps, true);
    fake_free(&f->fm);
}

static bool collect(void *opaque, const NvGmmuMapping *m)
{
    Fixture *f = opaque;

    if (f->maps->len) {
        const NvGmmuMapping *p = &g_array_index(f->maps, NvGmmuMapping,
                                                f->maps->len - 1);

        g_assert_cmphex(m->va, >=, p->va + p->size);    /* VA order */
    }
    g_assert_cmphex(m->size, >, 0);
    g_array_append_val(f->maps, *m);
    return !(f->stop_after && f->maps->len >= f->stop_after);
}

static NvGmmuDumpStatus dump(Fixture *f, uint64_t start, uint64_t end,
                             uint64_t budget)
{
    g_array_set_size(f->maps, 0);
    return nv_gmmu_dump(&f->fm.mem, &f->vm.pdb, start, end, budget, collect,
                        f, &f->st);
}

static const NvGmmuMapping *m(Fixture *f, unsigned i)
{
    g_assert_cmpuint(i, <, f->maps->len);
    return &g_array_index(f->maps, NvGmmuMapping, i);
}

static void assert_map(Fixture *f, unsigned i, uint64_t va, uint64_t size,
                       NvGmmuAperture aper, uint64_t pa, unsigned shift)
{
    const NvGmmuMapping *x = m(f, i);

    g_assert_cmphex(x->va, ==, va);
    g_assert_cmphex(x->size, ==, size);
    g_assert_cmpint(x->aperture, ==, aper);
    g_assert_cmphex(x->pa, ==, pa);
    g_assert_cmpuint(x->page_shift, ==, shift);
    g_assert_false(x->sparse);
}

static void assert_sparse(Fixture *f, unsigned i, uint64_t va, uint64_t size,
                          unsigned shift)
{
    const NvGmmuMapping *x = m(f, i);

    g_assert_cmphex(x->va, ==, va);
    g_assert_cmphex(x->size, ==, size);
    g_assert_true(x->sparse);
    g_assert_cmpuint(x->page_shift, ==, shift);
}

static void map_run(Fixture *f, uint64_t va, unsigned n, unsigned shift,
                    NvGmmuAperture aper, uint64_t pa, uint64_t flags,
                    uint8_t kind)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        fake_vm_map(&f->vm, va + ((uint64_t)i << shift), shift,
                    nv_gmmu_pte_encode(aper, pa + ((uint64_t)i << shift),
                                       flags, kind));
    }
}

static void test_empty(Fixture *f, gconstpointer d)
{
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 0);
    /* Four invalid PD3 entries: the whole 49-bit space in four steps. */
    g_assert_cmpuint(f->st.entries, ==, 4);
    g_assert_cmpuint(f->st.reads, ==, 1);
    g_assert_cmphex(f->st.next_va, ==, NV_GMMU_VA_LIMIT);
}

static void test_coalesce_4k(Fixture *f, gconstpointer d)
{
    /* 600 contiguous 4K pages across two small PTs and PD0 entries. */
    map_run(f, 0x1ff000, 600, 12, VID, 0x300000, 0, 0);
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 1);
    assert_map(f, 0, 0x1ff000, 600 * 0x1000, VID, 0x300000, 12);
}

static void test_coalesce_breaks(Fixture *f, gconstpointer d)
{
    map_run(f, 0x10000, 4, 12, VID, 0x100000, 0, 0);
    /* PA gap */
    map_run(f, 0x14000, 2, 12, VID, 0x200000, 0, 0);
    /* flags change */
    map_run(f, 0x16000, 2, 12, VID, 0x202000, NV_GMMU_PTE_READ_ONLY, 0);
    /* kind change */
    map_run(f, 0x18000, 2, 12, VID, 0x204000, NV_GMMU_PTE_READ_ONLY, 0xfe);
    /* aperture change, same PA numbers */
    map_run(f, 0x1a000, 2, 12, SYS, 0x206000, NV_GMMU_PTE_READ_ONLY, 0xfe);
    /* VA gap (0x1c000 unmapped) */
    map_run(f, 0x1d000, 1, 12, SYS, 0x209000, NV_GMMU_PTE_READ_ONLY, 0xfe);

    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 6);
    assert_map(f, 0, 0x10000, 0x4000, VID, 0x100000, 12);
    assert_map(f, 1, 0x14000, 0x2000, VID, 0x200000, 12);
    assert_map(f, 2, 0x16000, 0x2000, VID, 0x202000, 12);
    g_assert_cmphex(m(f, 2)->flags, ==,
                    NV_GMMU_PTE_VALID | NV_GMMU_PTE_READ_ONLY);
    assert_map(f, 3, 0x18000, 0x2000, VID, 0x204000, 12);
    g_assert_cmphex(m(f, 3)->kind, ==, 0xfe);
    assert_map(f, 4, 0x1a000, 0x2000, SYS, 0x206000, 12);
    assert_map(f, 5, 0x1d000, 0x1000, SYS, 0x209000, 12);
    g_assert_cmpuint(f->st.ranges, ==, 6);
}

static void test_page_sizes(Fixture *f, gconstpointer d)
{
    /* 64K pages, then 2M pages contiguous in VA and PA: separate ranges
     * because the page size differs. */
    map_run(f, 0x1e00000, 32, 16, VID, 0x400000, 0, 0);
    map_run(f, 0x2000000, 3, 21, VID, 0x600000, 0, 0);
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 2);
    assert_map(f, 0, 0x1e00000, 0x200000, VID, 0x400000, 16);
    assert_map(f, 1, 0x2000000, 0x600000, VID, 0x600000, 21);
}

static void test_dual_pd0(Fixture *f, gconstpointer d)
{
    const uint64_t va = 0x40000000;

    /* Small pages everywhere in the first 128K, a big PT on top with:
     * [0] unmapped (small pages show), [1] valid 64K, [2] sparse,
     * [3] invalid+PRIV (small pages hidden). */
    map_run(f, va, 64, 12, VID, 0x100000, 0, 0);
    fake_vm_set(&f->vm, va, NV_GMMU_LEVEL_PT_BIG, NV_GMMU_UNMAPPED);
    fake_vm_set(&f->vm, va + 0x10000, NV_GMMU_LEVEL_PT_BIG,
                nv_gmmu_pte_encode(VID, 0x800000, 0, 0));
    fake_vm_set(&f->vm, va + 0x20000, NV_GMMU_LEVEL_PT_BIG, NV_GMMU_SPARSE);
    fake_vm_set(&f->vm, va + 0x30000, NV_GMMU_LEVEL_PT_BIG,
                NV_GMMU_LPT_INVALID);
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 3);
    assert_map(f, 0, va, 0x10000, VID, 0x100000, 12);
    assert_map(f, 1, va + 0x10000, 0x10000, VID, 0x800000, 16);
    assert_sparse(f, 2, va + 0x20000, 0x10000, 16);
}

static void test_sparse(Fixture *f, gconstpointer d)
{
    /* Sparse PD1 entry (512M), two sparse PD0 entries (2M), sparse PTEs. */
    fake_vm_set(&f->vm, 0x20000000, NV_GMMU_LEVEL_PD1, NV_GMMU_SPARSE);
    fake_wpd0(&f->fm, VID, fake_vm_entry(&f->vm, 0x40000000,
                                         NV_GMMU_LEVEL_PD0),
              nv_gmmu_pd0_sparse());
    fake_wpd0(&f->fm, VID, fake_vm_entry(&f->vm, 0x40200000,
                                         NV_GMMU_LEVEL_PD0),
              nv_gmmu_pd0_sparse());
    fake_vm_set(&f->vm, 0x40400000, NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_SPARSE);
    fake_vm_set(&f->vm, 0x40401000, NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_SPARSE);
    fake_vm_set(&f->vm, 1ULL << 47, NV_GMMU_LEVEL_PD3, NV_GMMU_SPARSE);
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 4);
    assert_sparse(f, 0, 0x20000000, 0x20000000, 29);
    assert_sparse(f, 1, 0x40000000, 0x400000, 21);
    assert_sparse(f, 2, 0x40400000, 0x2000, 12);
    assert_sparse(f, 3, 1ULL << 47, 1ULL << 47, 47);
    g_assert_cmphex(m(f, 0)->pa, ==, 0);
    g_assert_cmpint(m(f, 0)->aperture, ==, NV_GMMU_APER_NONE);
}

static void test_subrange(Fixture *f, gconstpointer d)
{
    map_run(f, 0x200000, 2, 21, VID, 0x1000000, 0, 0);
    g_assert_cmpint(dump(f, 0x300000, 0x500000, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 1);
    assert_map(f, 0, 0x300000, 0x200000, VID, 0x1100000, 21);
    /* Empty and inverted ranges, and a range beyond the VA limit. */
    g_assert_cmpint(dump(f, 0x300000, 0x300000, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 0);
    g_assert_cmpint(dump(f, 0x500000, 0x300000, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 0);
    g_assert_cmpint(dump(f, NV_GMMU_VA_LIMIT, UINT64_MAX, 0), ==,
                    NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->st.entries, ==, 0);
    /* The PDB's VA limit clips too. */
    f->vm.pdb.va_limit = 0x3fffff;
    g_assert_cmpint(dump(f, 0, UINT64_MAX, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, ==, 1);
    assert_map(f, 0, 0x200000, 0x200000, VID, 0x1000000, 21);
}

/* Every PD1 entry points at the same PD0, every PD0 entry at the same
 * PT: a 2^38-byte alias tree.  The budget stops it; resuming continues. */
static void test_budget(Fixture *f, gconstpointer d)
{
    uint64_t pd1 = fake_alloc(&f->fm, VID, 0x1000, 0x1000);
    uint64_t pd0 = fake_alloc(&f->fm, VID, 0x1000, 0x1000);
    uint64_t pt = fake_alloc(&f->fm, VID, 0x1000, 0x1000);
    uint64_t pd2 = fake_alloc(&f->fm, VID, 0x1000, 0x1000);
    uint64_t next, total = 0;
    unsigned i, rounds = 0;

    fake_w64(&f->fm, VID, f->vm.pdb.addr, nv_gmmu_pde_encode(VID, pd2,
                                                             false));
    fake_w64(&f->fm, VID, pd2, nv_gmmu_pde_encode(VID, pd1, false));
    for (i = 0; i < 512; i++) {
        fake_w64(&f->fm, VID, pd1 + i * 8, nv_gmmu_pde_encode(VID, pd0,
                                                              false));
        fake_w64(&f->fm, VID, pt + i * 8,
                 nv_gmmu_pte_encode(VID, 0x100000 + i * 0x1000, 0, 0));
    }
    for (i = 0; i < 256; i++) {
        fake_wpd0(&f->fm, VID, pd0 + i * 16,
                  nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, pt,
                                     false));
    }
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 10000), ==,
                    NV_GMMU_DUMP_TRUNCATED);
    g_assert_cmpuint(f->st.entries, ==, 10000);
    next = f->st.next_va;
    g_assert_cmphex(next, >, 0);
    /* Ranges end at or before next_va, and cover it exactly so far. */
    for (i = 0; i < f->maps->len; i++) {
        total += m(f, i)->size;
        g_assert_cmphex(m(f, i)->va + m(f, i)->size, <=, next);
    }
    g_assert_cmphex(total, ==, next);
    /* Each 2 MiB is one range (PT maps 0x100000.. contiguously). */
    assert_map(f, 0, 0, 0x200000, VID, 0x100000, 12);
    /* Resume: the next 2 MiB ranges continue. */
    while (rounds < 3) {
        g_assert_cmpint(dump(f, next, 0x10000000, 10000), !=,
                        NV_GMMU_DUMP_STOPPED);
        g_assert_cmpuint(f->st.entries, <=, 10000);
        g_assert_cmphex(m(f, 0)->va, ==, next);
        next = f->st.next_va;
        rounds++;
    }
    /* A bounded full walk is bounded in reads too. */
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==,
                    NV_GMMU_DUMP_TRUNCATED);
    g_assert_cmpuint(f->st.entries, ==, NV_GMMU_DUMP_DEFAULT_BUDGET);
    g_assert_cmpuint(f->st.reads, <, NV_GMMU_DUMP_DEFAULT_BUDGET / 100);
}

static void test_stop(Fixture *f, gconstpointer d)
{
    map_run(f, 0x10000, 1, 12, VID, 0x100000, 0, 0);
    map_run(f, 0x20000, 1, 12, VID, 0x100000, 0, 0);
    map_run(f, 0x30000, 1, 12, VID, 0x100000, 0, 0);
    f->stop_after = 2;
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==,
                    NV_GMMU_DUMP_STOPPED);
    g_assert_cmpuint(f->maps->len, ==, 2);
    g_assert_cmphex(f->st.next_va, ==, 0x21000);
}

/* Unreadable tables: entries the walker faults on are simply absent. */
static void test_bad_tables(Fixture *f, gconstpointer d)
{
    uint64_t ea;

    map_run(f, 0x0, 2, 12, VID, 0x100000, 0, 0);
    map_run(f, 0x40000000, 1, 12, VID, 0x200000, 0, 0);
    /* PD1[1] points past VRAM. */
    ea = fake_vm_entry(&f->vm, 0x40000000, NV_GMMU_LEVEL_PD1);
    fake_w64(&f->fm, VID, ea, nv_gmmu_pde_encode(VID, 0x1fff000000ULL,
                                                 false));
    /* PD0 entry with a big PT in sysmem past its end, small PT fine. */
    ea = fake_vm_entry(&f->vm, 0x0, NV_GMMU_LEVEL_PD0);
    fake_w64(&f->fm, VID, ea, nv_gmmu_pd0_big_encode(SYS, 1 << 20, false));
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    /* The big PT read fails, so no small page shows (walker: PTE fault). */
    g_assert_cmpuint(f->maps->len, ==, 0);
    g_assert_cmpuint(f->st.read_errors, >, 0);
}

/* Every mapping agrees with the walker at its ends and middle, and
 * unmapped VAs fault. */
static void test_agrees_with_walker(Fixture *f, gconstpointer d)
{
    const NvGmmuAccess rd = { NV_GMMU_ACCESS_TYPE_VIRT_READ, true, false };
    GRand *rand = g_rand_new_with_seed(42);
    NvGmmuWalkResult r;
    unsigned i, j;

    for (i = 0; i < 300; i++) {
        uint64_t va = ((uint64_t)g_rand_int_range(rand, 0, 1 << 16) << 16) |
                      ((uint64_t)g_rand_int_range(rand, 0, 2) << 40);
        unsigned kind = g_rand_int_range(rand, 0, 6);
        uint64_t pa = (uint64_t)g_rand_int_range(rand, 0, 1 << 20) << 12;

        switch (kind) {
        case 0:
            fake_vm_map(&f->vm, va & ~0x1fffffULL, 21,
                        nv_gmmu_pte_encode(SYS, pa, 0, 1));
            break;
        case 1:
            fake_vm_map(&f->vm, va, 16, nv_gmmu_pte_encode(VID, pa, 0, 2));
            break;
        case 2:
            fake_vm_set(&f->vm, va, NV_GMMU_LEVEL_PT_BIG, NV_GMMU_SPARSE);
            break;
        case 3:
            fake_vm_set(&f->vm, va, NV_GMMU_LEVEL_PT_BIG,
                        NV_GMMU_LPT_INVALID);
            break;
        default:
            fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(NCOH, pa,
                                                           NV_GMMU_PTE_VOL,
                                                           3));
            break;
        }
    }
    g_assert_cmpint(dump(f, 0, NV_GMMU_VA_LIMIT, 0), ==, NV_GMMU_DUMP_DONE);
    g_assert_cmpuint(f->maps->len, >, 10);
    for (i = 0; i < f->maps->len; i++) {
        const NvGmmuMapping *x = m(f, i);
        uint64_t probe[3] = { x->va, x->va + x->size / 2,
                              x->va + x->size - 1 };

        for (j = 0; j < 3; j++) {
            NvGmmuWalkStatus st = nv_gmmu_walk(&f->fm.mem, &f->vm.pdb,
                                               probe[j], &rd, &r);

            if (x->sparse) {
                g_assert_cmpint(st, ==, NV_GMMU_WALK_SPARSE);
                continue;
            }
            g_assert_cmpint(st, ==, NV_GMMU_WALK_OK);
            g_assert_cmpint(r.tr.aperture, ==, x->aperture);
            g_assert_cmphex(r.pa, ==, x->pa + (probe[j] - x->va));
            g_assert_cmpuint(r.tr.page_shift, ==, x->page_shift);
            g_assert_cmphex(r.tr.flags, ==, x->flags);
            g_assert_cmphex(r.tr.kind, ==, x->kind);
        }
        /* Just before and after a range: something else or a fault. */
        if (i + 1 < f->maps->len && x->va + x->size != m(f, i + 1)->va) {
            g_assert_cmpint(nv_gmmu_walk(&f->fm.mem, &f->vm.pdb,
                                         x->va + x->size, &rd, &r), ==,
                            NV_GMMU_WALK_FAULT);
        }
    }
    g_rand_free(rand);
}

#define ADD(path, fn) \
    g_test_add("/gmmu/dump/" path, Fixture, NULL, fx_setup, fn, fx_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("empty", test_empty);
    ADD("coalesce-4k", test_coalesce_4k);
    ADD("coalesce-breaks", test_coalesce_breaks);
    ADD("page-sizes", test_page_sizes);
    ADD("dual-pd0", test_dual_pd0);
    ADD("sparse", test_sparse);
    ADD("subrange", test_subrange);
    ADD("budget", test_budget);
    ADD("stop", test_stop);
    ADD("bad-tables", test_bad_tables);
    ADD("agrees-with-walker", test_agrees_with_walker);
    return g_test_run();
}
