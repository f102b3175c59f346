/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VER2 walker over an in-memory VRAM + sysmem: page sizes, apertures,
 * sparse at each level, the dual-PD0 big/small rules, every fault type the
 * walker produces, bad table addresses, failed reads and access checks.
 */
#include <string.h>

#include <glib.h>

#include "gmmu-fake.h"
#include "gmmu-walk.h"
#include "hw/display/nv-gmmu-ver2.h"

#define VID     NV_GMMU_APER_VID
#define PEER    NV_GMMU_APER_PEER
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH

#define VRAM_SIZE   (4u << 20)
#define SYS_SIZE    (1u << 20)

static const NvGmmuAccess rd = { NV_GMMU_ACCESS_TYPE_VIRT_READ, false, false };
static const NvGmmuAccess wr = { NV_GMMU_ACCESS_TYPE_VIRT_WRITE, false, false };
static const NvGmmuAccess at = { NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_STRONG,
                                 false, false };

typedef struct Fixture {
    FakeMem fm;
    FakeVm vm;
    NvGmmuWalkResult r;
} Fixture;

static void fx_setup(Fixture *f, gconstpointer data)
{
    fake_init(&f->fm, VRAM_SIZE, SYS_SIZE);
    fake_vm_init(&f->vm, &f->fm, VID);
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
    g_assert_cmpuint(f->fm.peer_reads, ==, 0);
    fake_free(&f->fm);
}

static NvGmmuWalkStatus walk(Fixture *f, uint64_t va, const NvGmmuAccess *a)
{
    NvGmmuWalkStatus st = nv_gmmu_walk(&f->fm.mem, &f->vm.pdb, va, a, &f->r);

    g_assert_cmpuint(f->r.nsteps, <=, NV_GMMU_WALK_MAX_STEPS);
    return st;
}

static void assert_fault(Fixture *f, uint64_t va, const NvGmmuAccess *a,
                         uint8_t type, NvGmmuLevel level)
{
    g_assert_cmpint(walk(f, va, a), ==, NV_GMMU_WALK_FAULT);
    g_assert_cmpint(f->r.fault_type, ==, type);
    g_assert_cmpint(f->r.fault_level, ==, level);
}

static void test_4k_vid(Fixture *f, gconstpointer d)
{
    fake_vm_map(&f->vm, 0x10000000, 12, nv_gmmu_pte_encode(VID, 0x123000, 0,
                                                           0x06));
    g_assert_cmpint(walk(f, 0x10000abc, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x123abc);
    g_assert_cmpint(f->r.tr.aperture, ==, VID);
    g_assert_cmpuint(f->r.tr.page_shift, ==, 12);
    g_assert_cmphex(f->r.tr.kind, ==, 0x06);
    g_assert_cmphex(f->r.tr.va_base, ==, 0x10000000);
    g_assert_cmphex(f->r.tr.pa_base, ==, 0x123000);
    g_assert_cmpint(f->r.tr.level, ==, NV_GMMU_LEVEL_PT_SMALL);
    /* PD3, PD2, PD1, PD0, small PT; exactly one accessor call each. */
    g_assert_cmpuint(f->r.nsteps, ==, 5);
    g_assert_cmpuint(f->fm.reads, ==, 5);
    g_assert_cmpint(f->r.steps[0].level, ==, NV_GMMU_LEVEL_PD3);
    g_assert_cmphex(f->r.steps[0].addr, ==, f->vm.pdb.addr);
    g_assert_cmpint(f->r.steps[4].level, ==, NV_GMMU_LEVEL_PT_SMALL);
    g_assert_cmphex(f->r.steps[4].raw[0], ==, 0x0600000000012301ULL);
    /* The neighbouring page is not mapped. */
    assert_fault(f, 0x10001000, &rd, NV_GMMU_FAULT_TYPE_PTE,
                 NV_GMMU_LEVEL_PT_SMALL);
}

static void test_4k_apertures(Fixture *f, gconstpointer d)
{
    const NvGmmuAperture a[] = { VID, PEER, SYS, NCOH };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(a); i++) {
        uint64_t va = 0x200000 + i * 0x1000;

        fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(a[i], 0x5000 * (i + 1),
                                                       0, 0));
        g_assert_cmpint(walk(f, va + 8, &rd), ==, NV_GMMU_WALK_OK);
        g_assert_cmpint(f->r.tr.aperture, ==, a[i]);
        g_assert_cmphex(f->r.pa, ==, 0x5000 * (i + 1) + 8);
    }
}

static void test_64k(Fixture *f, gconstpointer d)
{
    fake_vm_map(&f->vm, 0x40000000 + 0x30000, 16,
                nv_gmmu_pte_encode(VID, 0x2a0000, 0, 0));
    g_assert_cmpint(walk(f, 0x4003fffe, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x2afffe);
    g_assert_cmpuint(f->r.tr.page_shift, ==, 16);
    g_assert_cmpint(f->r.tr.level, ==, NV_GMMU_LEVEL_PT_BIG);
    g_assert_cmphex(f->r.tr.va_base, ==, 0x40030000);
    g_assert_cmpuint(f->r.nsteps, ==, 5);
    /* Big PT entries are 8 bytes, indexed by VA[20:16]. */
    g_assert_cmphex(f->r.steps[4].addr & 0xff, ==, 3 * 8);
}

static void test_2m(Fixture *f, gconstpointer d)
{
    fake_vm_map(&f->vm, 0x7fe00000, 21, nv_gmmu_pte_encode(SYS, 0x40000000,
                                                           NV_GMMU_PTE_VOL,
                                                           0));
    g_assert_cmpint(walk(f, 0x7fe12345, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x40012345);
    g_assert_cmpint(f->r.tr.aperture, ==, SYS);
    g_assert_cmpuint(f->r.tr.page_shift, ==, 21);
    g_assert_cmpint(f->r.tr.level, ==, NV_GMMU_LEVEL_PD0);
    g_assert_cmpuint(f->r.nsteps, ==, 4);
    g_assert_cmphex(f->r.tr.flags, ==, NV_GMMU_PTE_VALID | NV_GMMU_PTE_VOL);
    /* A 2 MiB PTE ignores the high qword (nouveau writes 0 there). */
    fake_w64(&f->fm, VID, f->r.steps[3].addr + 8,
             nv_gmmu_pd0_small_encode(VID, 0x9000, false));
    g_assert_cmpint(walk(f, 0x7fe12345, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x40012345);
}

static void test_highest_va(Fixture *f, gconstpointer d)
{
    const uint64_t va = NV_GMMU_VA_LIMIT - 0x1000;

    fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(VID, 0x7000, 0, 0));
    g_assert_cmpint(walk(f, NV_GMMU_VA_LIMIT - 1, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x7fff);
    /* PD3 index 3: the last of its four entries. */
    g_assert_cmphex(f->r.steps[0].addr, ==, f->vm.pdb.addr + 3 * 8);
}

/* Tables in system memory, through coherent and non-coherent PDEs. */
static void test_tables_in_sysmem(Fixture *f, gconstpointer d)
{
    uint64_t pd2 = fake_alloc(&f->fm, SYS, 0x1000, 0x1000);
    uint64_t pd1 = fake_alloc(&f->fm, SYS, 0x1000, 0x1000);
    uint64_t pd0 = fake_alloc(&f->fm, SYS, 0x1000, 0x1000);
    uint64_t pt = fake_alloc(&f->fm, SYS, 0x1000, 0x1000);
    uint64_t big = fake_alloc(&f->fm, VID, 0x100, 0x100);
    const uint64_t va = 0x1234567000ULL;

    fake_w64(&f->fm, VID, f->vm.pdb.addr, nv_gmmu_pde_encode(SYS, pd2, true));
    fake_w64(&f->fm, SYS, pd2 + nv_gmmu_level_index(NV_GMMU_LEVEL_PD2, va) * 8,
             nv_gmmu_pde_encode(NCOH, pd1, false));
    fake_w64(&f->fm, SYS, pd1 + nv_gmmu_level_index(NV_GMMU_LEVEL_PD1, va) * 8,
             nv_gmmu_pde_encode(SYS, pd0, true));
    fake_wpd0(&f->fm, SYS,
              pd0 + nv_gmmu_level_index(NV_GMMU_LEVEL_PD0, va) * 16,
              nv_gmmu_pd0_encode(VID, big, false, NCOH, pt, false));
    fake_w64(&f->fm, NCOH, pt +
             nv_gmmu_level_index(NV_GMMU_LEVEL_PT_SMALL, va) * 8,
             nv_gmmu_pte_encode(VID, 0x88000, 0, 0));
    g_assert_cmpint(walk(f, va + 0x10, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x88010);
    g_assert_cmpuint(f->r.nsteps, ==, 6);
    g_assert_cmpint(f->r.steps[1].aperture, ==, SYS);
    g_assert_cmpint(f->r.steps[2].aperture, ==, NCOH);
    g_assert_cmpint(f->r.steps[3].aperture, ==, SYS);
    g_assert_cmpint(f->r.steps[4].aperture, ==, VID);
    g_assert_cmpint(f->r.steps[5].aperture, ==, NCOH);
}

static void test_sparse_levels(Fixture *f, gconstpointer d)
{
    static const struct {
        NvGmmuLevel level;
        unsigned shift;
    } t[] = {
        { NV_GMMU_LEVEL_PD3, 47 }, { NV_GMMU_LEVEL_PD2, 38 },
        { NV_GMMU_LEVEL_PD1, 29 }, { NV_GMMU_LEVEL_PD0, 21 },
        { NV_GMMU_LEVEL_PT_BIG, 16 }, { NV_GMMU_LEVEL_PT_SMALL, 12 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(t); i++) {
        /* Each level gets its own PD3 slot so the cases do not collide. */
        uint64_t va = ((uint64_t)(i % 4) << 47) + ((uint64_t)i << 38) +
                      0x12345;

        if (t[i].level == NV_GMMU_LEVEL_PD0) {
            fake_wpd0(&f->fm, VID, fake_vm_entry(&f->vm, va, t[i].level),
                      nv_gmmu_pd0_sparse());
        } else {
            fake_vm_set(&f->vm, va, t[i].level, NV_GMMU_SPARSE);
        }
        g_assert_cmpint(walk(f, va, &wr), ==, NV_GMMU_WALK_SPARSE);
        g_assert_true(f->r.tr.sparse);
        g_assert_cmpint(f->r.tr.level, ==, t[i].level);
        g_assert_cmpuint(f->r.tr.page_shift, ==, t[i].shift);
        g_assert_cmphex(f->r.tr.va_base, ==, va & ~((1ULL << t[i].shift) - 1));
        g_assert_cmpuint(f->r.nsteps, ==,
                         t[i].level == NV_GMMU_LEVEL_PT_SMALL ? 5
                         : (unsigned)t[i].level + 1);
        /* Restore the PD3 slot for the next case. */
        if (t[i].level == NV_GMMU_LEVEL_PD3) {
            fake_w64(&f->fm, VID, f->r.steps[0].addr, 0);
        }
    }
}

/* "The lowest level PDE cannot be sparse if either or both pointers are
 * valid": VOL_BIG is ignored while a PT pointer exists. */
static void test_vol_big_with_pointer(Fixture *f, gconstpointer d)
{
    uint64_t ea;

    fake_vm_map(&f->vm, 0x600000, 12, nv_gmmu_pte_encode(VID, 0x3000, 0, 0));
    ea = fake_vm_entry(&f->vm, 0x600000, NV_GMMU_LEVEL_PD0);
    fake_w64(&f->fm, VID, ea, NV_GMMU_PD0_VOL_BIG);
    g_assert_cmpint(walk(f, 0x600000, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x3000);
    assert_fault(f, 0x601000, &rd, NV_GMMU_FAULT_TYPE_PTE,
                 NV_GMMU_LEVEL_PT_SMALL);
}

/* Big/small precedence under one dual PDE. */
static void test_dual_pd0_rules(Fixture *f, gconstpointer d)
{
    const uint64_t va = 0x800000;

    fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(VID, 0x11000, 0, 0));
    fake_vm_map(&f->vm, va + 0x10000, 12,
                nv_gmmu_pte_encode(VID, 0x12000, 0, 0));
    fake_vm_map(&f->vm, va + 0x20000, 12,
                nv_gmmu_pte_encode(VID, 0x13000, 0, 0));
    fake_vm_map(&f->vm, va + 0x30000, 12,
                nv_gmmu_pte_encode(VID, 0x14000, 0, 0));

    /* Big PT present, big PTE 0 ("unmapped"): the small PTE decides. */
    fake_vm_set(&f->vm, va, NV_GMMU_LEVEL_PT_BIG, NV_GMMU_UNMAPPED);
    g_assert_cmpint(walk(f, va, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x11000);
    g_assert_cmpuint(f->r.nsteps, ==, 6);
    /* Invalid big PTE with other bits but not VOL/PRIV: still unmapped
     * ("if VALID=0, every field except PRIVILEGE and VOL is ignored"). */
    fake_vm_set(&f->vm, va, NV_GMMU_LEVEL_PT_BIG, 0xff00000000123440ULL);
    g_assert_cmpint(walk(f, va, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x11000);

    /* Big PTE invalid + PRIV (gp100_vmm_lpt_invalid): small PTEs ignored. */
    fake_vm_set(&f->vm, va + 0x10000, NV_GMMU_LEVEL_PT_BIG,
                NV_GMMU_LPT_INVALID);
    assert_fault(f, va + 0x10000, &rd, NV_GMMU_FAULT_TYPE_PTE,
                 NV_GMMU_LEVEL_PT_BIG);
    g_assert_cmpuint(f->r.nsteps, ==, 5);

    /* Big PTE sparse: sparse even though a small PTE is valid. */
    fake_vm_set(&f->vm, va + 0x20000, NV_GMMU_LEVEL_PT_BIG, NV_GMMU_SPARSE);
    g_assert_cmpint(walk(f, va + 0x20000, &rd), ==, NV_GMMU_WALK_SPARSE);
    g_assert_cmpuint(f->r.tr.page_shift, ==, 16);

    /* Big PTE valid and small PTE valid: the big page wins (model choice,
     * nouveau never leaves both valid). */
    fake_vm_set(&f->vm, va + 0x30000, NV_GMMU_LEVEL_PT_BIG,
                nv_gmmu_pte_encode(VID, 0x500000, 0, 0));
    g_assert_cmpint(walk(f, va + 0x30004, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmphex(f->r.pa, ==, 0x500004);
    g_assert_cmpuint(f->r.tr.page_shift, ==, 16);

    /* Big unmapped and small invalid: fault at the small PT. */
    assert_fault(f, va + 0x1000, &rd, NV_GMMU_FAULT_TYPE_PTE,
                 NV_GMMU_LEVEL_PT_SMALL);
    /* Small PTE sparse under an unmapped big PTE. */
    fake_vm_set(&f->vm, va + 0x2000, NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_SPARSE);
    g_assert_cmpint(walk(f, va + 0x2000, &rd), ==, NV_GMMU_WALK_SPARSE);
    g_assert_cmpuint(f->r.tr.page_shift, ==, 12);
    /* Small PTE invalid + PRIV is just invalid. */
    fake_vm_set(&f->vm, va + 0x3000, NV_GMMU_LEVEL_PT_SMALL,
                NV_GMMU_LPT_INVALID);
    assert_fault(f, va + 0x3000, &rd, NV_GMMU_FAULT_TYPE_PTE,
                 NV_GMMU_LEVEL_PT_SMALL);
}

static void test_big_only_unmapped(Fixture *f, gconstpointer d)
{
    fake_vm_set(&f->vm, 0xa00000, NV_GMMU_LEVEL_PT_BIG, NV_GMMU_UNMAPPED);
    assert_fault(f, 0xa00000, &rd, NV_GMMU_FAULT_TYPE_PTE,
                 NV_GMMU_LEVEL_PT_BIG);
    g_assert_cmpuint(f->r.nsteps, ==, 5);
}

static void test_pde_faults(Fixture *f, gconstpointer d)
{
    uint64_t ea;

    /* Empty tree: PD3 entry invalid. */
    assert_fault(f, 0x1000, &rd, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD3);
    g_assert_cmpuint(f->r.nsteps, ==, 1);
    g_assert_true(f->r.steps[0].ok);

    fake_vm_entry(&f->vm, 0x1000, NV_GMMU_LEVEL_PD2);
    assert_fault(f, 0x1000, &rd, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD2);
    fake_vm_entry(&f->vm, 0x1000, NV_GMMU_LEVEL_PD1);
    assert_fault(f, 0x1000, &rd, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD1);
    fake_vm_entry(&f->vm, 0x1000, NV_GMMU_LEVEL_PD0);
    assert_fault(f, 0x1000, &rd, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD0);
    g_assert_cmpuint(f->r.nsteps, ==, 4);

    /* IS_PTE set above PD0 ("should be 0 for all levels"): PDE fault. */
    fake_vm_map(&f->vm, 0x1000, 12, nv_gmmu_pte_encode(VID, 0x1000, 0, 0));
    g_assert_cmpint(walk(f, 0x1000, &rd), ==, NV_GMMU_WALK_OK);
    ea = f->r.steps[1].addr;
    fake_w64(&f->fm, VID, ea, f->r.steps[1].raw[0] | NV_GMMU_PDE_IS_PTE);
    assert_fault(f, 0x1000, &rd, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD2);
}

static void test_va_limit(Fixture *f, gconstpointer d)
{
    uint64_t inst = fake_alloc(&f->fm, VID, 0x1000, 0x1000);
    NvGmmuPdb pdb;

    fake_vm_map(&f->vm, 0x3000, 12, nv_gmmu_pte_encode(VID, 0x1000, 0, 0));
    assert_fault(f, NV_GMMU_VA_LIMIT, &rd,
                 NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION, NV_GMMU_LEVEL_NONE);
    g_assert_cmpuint(f->r.nsteps, ==, 0);
    assert_fault(f, UINT64_MAX, &rd, NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION,
                 NV_GMMU_LEVEL_NONE);

    /* NV_RAMIN_ADR_LIMIT is honoured: 0x3fff is the last VA here. */
    fake_w64(&f->fm, VID, inst + 0x200,
             nv_gmmu_ramin_pdb_encode(NV_GMMU_RAMIN_TARGET_VID_MEM,
                                      f->vm.pdb.addr,
                                      NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                      NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    fake_w64(&f->fm, VID, inst + 0x208, 0x3fff);
    g_assert_true(nv_gmmu_inst_decode(&f->fm.mem, VID, inst, &pdb));
    g_assert_cmphex(pdb.va_limit, ==, 0x3fff);
    g_assert_cmpint(nv_gmmu_walk(&f->fm.mem, &pdb, 0x3fff, &rd, &f->r), ==,
                    NV_GMMU_WALK_OK);
    g_assert_cmpint(nv_gmmu_walk(&f->fm.mem, &pdb, 0x4000, &rd, &f->r), ==,
                    NV_GMMU_WALK_FAULT);
    g_assert_cmpint(f->r.fault_type, ==,
                    NV_GMMU_FAULT_TYPE_VA_LIMIT_VIOLATION);
    /* Bits 11:0 of ADR_LIMIT_LO read as ones. */
    fake_w64(&f->fm, VID, inst + 0x208, 0x3000);
    g_assert_true(nv_gmmu_inst_decode(&f->fm.mem, VID, inst, &pdb));
    g_assert_cmphex(pdb.va_limit, ==, 0x3fff);
    /* A limit above 2^49 is clipped to the VA width. */
    fake_w64(&f->fm, VID, inst + 0x208, UINT64_MAX);
    g_assert_true(nv_gmmu_inst_decode(&f->fm.mem, VID, inst, &pdb));
    g_assert_cmphex(pdb.va_limit, ==, NV_GMMU_VA_LIMIT - 1);
    g_assert_cmphex(pdb.adr_limit, ==, UINT64_MAX);
}

static void test_unbound(Fixture *f, gconstpointer d)
{
    uint64_t inst = fake_alloc(&f->fm, SYS, 0x1000, 0x1000);
    uint32_t ok_flags = NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                        NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB;
    NvGmmuPdb pdb;

    fake_w64(&f->fm, SYS, inst + 0x208, NV_GMMU_VA_LIMIT - 1);
    fake_w64(&f->fm, SYS, inst + 0x200,
             nv_gmmu_ramin_pdb_encode(NV_GMMU_RAMIN_TARGET_VID_MEM, 0x5000,
                                      ok_flags));
    g_assert_true(nv_gmmu_inst_decode(&f->fm.mem, SYS, inst, &pdb));
    g_assert_true(nv_gmmu_inst_decode(&f->fm.mem, NCOH, inst + 0x123, &pdb));
    g_assert_cmphex(pdb.addr, ==, 0x5000);
    fake_w64(&f->fm, SYS, inst + 0x200,
             nv_gmmu_ramin_pdb_encode(NV_GMMU_RAMIN_TARGET_INVALID, 0x5000,
                                      ok_flags));
    g_assert_false(nv_gmmu_inst_decode(&f->fm.mem, SYS, inst, &pdb));
    fake_w64(&f->fm, SYS, inst + 0x200,
             nv_gmmu_ramin_pdb_encode(NV_GMMU_RAMIN_TARGET_VID_MEM, 0x5000,
                                      NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    g_assert_false(nv_gmmu_inst_decode(&f->fm.mem, SYS, inst, &pdb));
    fake_w64(&f->fm, SYS, inst + 0x200,
             nv_gmmu_ramin_pdb_encode(NV_GMMU_RAMIN_TARGET_VID_MEM, 0x5000,
                                      NV_GMMU_RAMIN_USE_VER2_PT_FORMAT));
    g_assert_false(nv_gmmu_inst_decode(&f->fm.mem, SYS, inst, &pdb));
    /* gf100_vmm_part clears the PDB: unbound. */
    fake_w64(&f->fm, SYS, inst + 0x200, 0);
    g_assert_false(nv_gmmu_inst_decode(&f->fm.mem, SYS, inst, &pdb));
    /* Instance block outside memory, or in a bad aperture. */
    g_assert_false(nv_gmmu_inst_decode(&f->fm.mem, VID, VRAM_SIZE, &pdb));
    g_assert_false(nv_gmmu_inst_decode(&f->fm.mem, PEER, 0, &pdb));
    g_assert_false(nv_gmmu_inst_decode(&f->fm.mem, NV_GMMU_APER_NONE, 0,
                                       &pdb));
    /* A failed decode leaves a PDB the walker refuses. */
    g_assert_cmpint(nv_gmmu_walk(&f->fm.mem, &pdb, 0, &rd, &f->r), ==,
                    NV_GMMU_WALK_FAULT);
    g_assert_cmpint(f->r.fault_type, ==, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK);
    g_assert_cmpuint(f->r.nsteps, ==, 0);
    nv_gmmu_pdb_init(&pdb, PEER, 0x1000);
    g_assert_cmpint(nv_gmmu_walk(&f->fm.mem, &pdb, 0, &rd, &f->r), ==,
                    NV_GMMU_WALK_FAULT);
    g_assert_cmpint(f->r.fault_type, ==, NV_GMMU_FAULT_TYPE_UNBOUND_INST_BLOCK);
}

static void test_access_checks(Fixture *f, gconstpointer d)
{
    const NvGmmuAccess prw = { NV_GMMU_ACCESS_TYPE_VIRT_WRITE, true, false };
    const NvGmmuAccess pre = { NV_GMMU_ACCESS_TYPE_VIRT_PREFETCH, false,
                               false };
    const NvGmmuAccess weak = { NV_GMMU_ACCESS_TYPE_VIRT_ATOMIC_WEAK, false,
                                false };
    const NvGmmuAccess phys_w = { NV_GMMU_ACCESS_TYPE_PHYS_WRITE, false,
                                  false };

    fake_vm_map(&f->vm, 0x1000, 12, nv_gmmu_pte_encode(VID, 0x1000,
                                                      NV_GMMU_PTE_READ_ONLY,
                                                      0));
    fake_vm_map(&f->vm, 0x2000, 12, nv_gmmu_pte_encode(VID, 0x2000,
                                                      NV_GMMU_PTE_PRIVILEGE,
                                                      0));
    fake_vm_map(&f->vm, 0x3000, 12,
                nv_gmmu_pte_encode(VID, 0x3000, NV_GMMU_PTE_ATOMIC_DISABLE,
                                   0));
    fake_vm_map(&f->vm, 0x4000, 12,
                nv_gmmu_pte_encode(VID, 0x4000, NV_GMMU_PTE_PRIVILEGE |
                                   NV_GMMU_PTE_READ_ONLY |
                                   NV_GMMU_PTE_ATOMIC_DISABLE, 0));

    /* Read-only. */
    g_assert_cmpint(walk(f, 0x1000, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmpint(walk(f, 0x1000, &pre), ==, NV_GMMU_WALK_OK);
    assert_fault(f, 0x1000, &wr, NV_GMMU_FAULT_TYPE_RO_VIOLATION,
                 NV_GMMU_LEVEL_PT_SMALL);
    g_assert_true(f->r.tr.flags & NV_GMMU_PTE_VALID);
    g_assert_cmpuint(f->r.nsteps, ==, 5);
    assert_fault(f, 0x1000, &phys_w, NV_GMMU_FAULT_TYPE_RO_VIOLATION,
                 NV_GMMU_LEVEL_PT_SMALL);
    assert_fault(f, 0x1000, &at, NV_GMMU_FAULT_TYPE_RO_VIOLATION,
                 NV_GMMU_LEVEL_PT_SMALL);
    /* Privileged. */
    assert_fault(f, 0x2000, &rd, NV_GMMU_FAULT_TYPE_PRIV_VIOLATION,
                 NV_GMMU_LEVEL_PT_SMALL);
    g_assert_cmpint(walk(f, 0x2000, &prw), ==, NV_GMMU_WALK_OK);
    /* Atomic disable. */
    g_assert_cmpint(walk(f, 0x3000, &wr), ==, NV_GMMU_WALK_OK);
    assert_fault(f, 0x3000, &at, NV_GMMU_FAULT_TYPE_ATOMIC_VIOLATION,
                 NV_GMMU_LEVEL_PT_SMALL);
    assert_fault(f, 0x3000, &weak, NV_GMMU_FAULT_TYPE_ATOMIC_VIOLATION,
                 NV_GMMU_LEVEL_PT_SMALL);
    /* Order: PRIV before RO before ATOMIC. */
    assert_fault(f, 0x4000, &at, NV_GMMU_FAULT_TYPE_PRIV_VIOLATION,
                 NV_GMMU_LEVEL_PT_SMALL);
    {
        NvGmmuAccess pat = at;

        pat.priv = true;
        assert_fault(f, 0x4000, &pat, NV_GMMU_FAULT_TYPE_RO_VIOLATION,
                     NV_GMMU_LEVEL_PT_SMALL);
    }
}

static void test_access_checks_big_pages(Fixture *f, gconstpointer d)
{
    fake_vm_map(&f->vm, 0x1000000, 16,
                nv_gmmu_pte_encode(VID, 0x10000, NV_GMMU_PTE_READ_ONLY, 0));
    fake_vm_map(&f->vm, 0x1200000, 21,
                nv_gmmu_pte_encode(VID, 0x200000, NV_GMMU_PTE_PRIVILEGE, 0));
    assert_fault(f, 0x1000010, &wr, NV_GMMU_FAULT_TYPE_RO_VIOLATION,
                 NV_GMMU_LEVEL_PT_BIG);
    assert_fault(f, 0x1300000, &rd, NV_GMMU_FAULT_TYPE_PRIV_VIOLATION,
                 NV_GMMU_LEVEL_PD0);
}

static void test_peer(Fixture *f, gconstpointer d)
{
    NvGmmuAccess np = rd;

    fake_vm_map(&f->vm, 0x5000, 12,
                nv_gmmu_pte_set_peer_id(nv_gmmu_pte_encode(PEER, 0x8000, 0, 0),
                                        5));
    g_assert_cmpint(walk(f, 0x5004, &rd), ==, NV_GMMU_WALK_OK);
    g_assert_cmpint(f->r.tr.aperture, ==, PEER);
    g_assert_cmpuint(f->r.tr.peer_id, ==, 5);
    g_assert_cmphex(f->r.pa, ==, 0x8004);
    np.peer_unsupported = true;
    assert_fault(f, 0x5004, &np, NV_GMMU_FAULT_TYPE_UNSUPPORTED_APERTURE,
                 NV_GMMU_LEVEL_PT_SMALL);
}

/* Tables outside the backing store: the walk faults, never reads there. */
static void test_out_of_range_tables(Fixture *f, gconstpointer d)
{
    const uint64_t va = 0x40000000;
    uint64_t ea;

    fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(VID, 0x1000, 0, 0));

    /* PD1 entry pointing past the end of VRAM: the PD0 read fails. */
    ea = fake_vm_entry(&f->vm, va, NV_GMMU_LEVEL_PD1);
    fake_w64(&f->fm, VID, ea, nv_gmmu_pde_encode(VID, 0x1ffffff000ULL, false));
    assert_fault(f, va, &rd, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD0);
    g_assert_false(f->r.steps[3].ok);
    g_assert_cmphex(f->r.steps[3].addr, ==, 0x1ffffff000ULL +
                    nv_gmmu_level_index(NV_GMMU_LEVEL_PD0, va) * 16);
    /* ... or into sysmem past its end. */
    fake_w64(&f->fm, VID, ea, nv_gmmu_pde_encode(SYS, 0x3fffffffffff000ULL,
                                                 false));
    assert_fault(f, va, &rd, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD0);
    g_assert_cmpint(f->r.steps[3].aperture, ==, SYS);

    /* PD0 pointing at a small PT past the end: PTE fault at PT_SMALL. */
    fake_w64(&f->fm, VID, ea, 0);
    fake_wpd0(&f->fm, VID, fake_vm_entry(&f->vm, va, NV_GMMU_LEVEL_PD0),
              nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID,
                                 VRAM_SIZE, false));
    assert_fault(f, va, &rd, NV_GMMU_FAULT_TYPE_PTE, NV_GMMU_LEVEL_PT_SMALL);
    g_assert_false(f->r.steps[4].ok);
    /* ... and a big PT past the end: PTE fault at PT_BIG, small not read. */
    fake_wpd0(&f->fm, VID, fake_vm_entry(&f->vm, va, NV_GMMU_LEVEL_PD0),
              nv_gmmu_pd0_encode(SYS, SYS_SIZE, false, VID, 0x1000, false));
    assert_fault(f, va + (20ULL << 16), &rd, NV_GMMU_FAULT_TYPE_PTE,
                 NV_GMMU_LEVEL_PT_BIG);
    g_assert_cmpuint(f->r.nsteps, ==, 5);
    g_assert_false(f->r.steps[4].ok);
}

/* An accessor failure at each step turns into that step's fault. */
static void test_failed_reads(Fixture *f, gconstpointer d)
{
    static const struct {
        int after;
        uint8_t type;
        NvGmmuLevel level;
    } t[] = {
        { 0, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD3 },
        { 1, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD2 },
        { 2, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD1 },
        { 3, NV_GMMU_FAULT_TYPE_PDE, NV_GMMU_LEVEL_PD0 },
        { 4, NV_GMMU_FAULT_TYPE_PTE, NV_GMMU_LEVEL_PT_BIG },
        { 5, NV_GMMU_FAULT_TYPE_PTE, NV_GMMU_LEVEL_PT_SMALL },
    };
    const uint64_t va = 0x2345000;
    size_t i;

    fake_vm_map(&f->vm, va, 12, nv_gmmu_pte_encode(VID, 0x1000, 0, 0));
    fake_vm_set(&f->vm, va, NV_GMMU_LEVEL_PT_BIG, NV_GMMU_UNMAPPED);
    g_assert_cmpint(walk(f, va, &rd), ==, NV_GMMU_WALK_OK);
    for (i = 0; i < G_N_ELEMENTS(t); i++) {
        f->fm.reads = 0;
        f->fm.fail_after = t[i].after;
        assert_fault(f, va, &rd, t[i].type, t[i].level);
        g_assert_cmpuint(f->r.nsteps, ==, (unsigned)t[i].after + 1);
        g_assert_false(f->r.steps[t[i].after].ok);
    }
}

/* Garbage tables: every outcome is one of the documented ones. */
static void test_random_tables(Fixture *f, gconstpointer d)
{
    GRand *rand = g_rand_new_with_seed(1234);
    const NvGmmuAccess *acc[] = { &rd, &wr, &at };
    unsigned i, n_ok = 0, n_fault = 0, n_sparse = 0;

    /* Fill VRAM with entries that point back into VRAM often. */
    for (i = 0; i < VRAM_SIZE / 8; i++) {
        uint64_t v = ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);

        switch (g_rand_int_range(rand, 0, 8)) {
        case 0:                     /* anything */
            break;
        case 1:                     /* low bits only: sparse, priv, ... */
            v &= 0x3fULL;
            break;
        case 2:
        case 3:                     /* a valid PTE with random flags */
            v = (v & 0xff000000000ffff0ULL) | 0x1;
            break;
        default:                    /* a VRAM PDE / big-PT pointer */
            v = (v & 0x3ff08ULL) | 0x2;  /* table < 4 MiB */
            break;
        }
        fake_w64(&f->fm, VID, i * 8, v);
        if (i < SYS_SIZE / 8) {
            fake_w64(&f->fm, SYS, i * 8, v ^ 0x6);
        }
    }
    for (i = 0; i < 20000; i++) {
        uint64_t va = (((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand))
                      & (NV_GMMU_VA_LIMIT - 1);
        NvGmmuWalkStatus st;

        /* Only PD3's four entries matter per root: vary the root. */
        nv_gmmu_pdb_init(&f->vm.pdb, VID,
                         (uint64_t)g_rand_int_range(rand, 0, VRAM_SIZE >> 12)
                         << 12);
        st = walk(f, va, acc[i % 3]);

        switch (st) {
        case NV_GMMU_WALK_OK:
            n_ok++;
            g_assert_true(f->r.tr.page_shift == 12 ||
                          f->r.tr.page_shift == 16 ||
                          f->r.tr.page_shift == 21);
            g_assert_cmphex(f->r.pa >> f->r.tr.page_shift, ==,
                            f->r.tr.pa_base >> f->r.tr.page_shift);
            break;
        case NV_GMMU_WALK_SPARSE:
            n_sparse++;
            break;
        default:
            n_fault++;
            g_assert_cmpuint(f->r.fault_type, <, NV_GMMU_FAULT_TYPE_COUNT);
            break;
        }
    }
    g_test_message("random: %u ok, %u sparse, %u fault", n_ok, n_sparse,
                   n_fault);
    g_assert_cmpuint(n_ok + n_sparse + n_fault, ==, 20000);
    /* The biased entries must reach every outcome. */
    g_assert_cmpuint(n_ok, >, 0);
    g_assert_cmpuint(n_sparse, >, 0);
    g_rand_free(rand);
}

static void test_names(void)
{
    g_assert_cmpstr(nv_gmmu_aperture_name(VID), ==, "vid");
    g_assert_cmpstr(nv_gmmu_aperture_name(PEER), ==, "peer");
    g_assert_cmpstr(nv_gmmu_aperture_name(SYS), ==, "sys");
    g_assert_cmpstr(nv_gmmu_aperture_name(NCOH), ==, "ncoh");
    g_assert_cmpstr(nv_gmmu_aperture_name(NV_GMMU_APER_NONE), ==, "none");
    g_assert_cmpstr(nv_gmmu_level_name(NV_GMMU_LEVEL_PD3), ==, "PD3");
    g_assert_cmpstr(nv_gmmu_level_name(NV_GMMU_LEVEL_PT_SMALL), ==,
                    "PT_SMALL");
    g_assert_cmpstr(nv_gmmu_level_name(NV_GMMU_LEVEL_NONE), ==, "NONE");
}

#define ADD(path, fn) \
    g_test_add("/gmmu/walk/" path, Fixture, NULL, fx_setup, fn, fx_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("4k-vid", test_4k_vid);
    ADD("4k-apertures", test_4k_apertures);
    ADD("64k", test_64k);
    ADD("2m", test_2m);
    ADD("highest-va", test_highest_va);
    ADD("tables-in-sysmem", test_tables_in_sysmem);
    ADD("sparse-levels", test_sparse_levels);
    ADD("vol-big-with-pointer", test_vol_big_with_pointer);
    ADD("dual-pd0-rules", test_dual_pd0_rules);
    ADD("big-only-unmapped", test_big_only_unmapped);
    ADD("pde-faults", test_pde_faults);
    ADD("va-limit", test_va_limit);
    ADD("unbound", test_unbound);
    ADD("access-checks", test_access_checks);
    ADD("access-checks-big-pages", test_access_checks_big_pages);
    ADD("peer", test_peer);
    ADD("out-of-range-tables", test_out_of_range_tables);
    ADD("failed-reads", test_failed_reads);
    ADD("random-tables", test_random_tables);
    g_test_add_func("/gmmu/walk/names", test_names);
    return g_test_run();
}
