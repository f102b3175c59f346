/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Golden VER2 encodings.  Every value below is a literal computed by hand
 * from the cited field definitions (NVIDIA dev_mmu.h / dev_ram.h /
 * dev_fault.h, open-gpu-doc manuals) or nouveau encoder, never by calling
 * our encoders.  Each row is checked both ways: the encoder must produce
 * the literal, and the decoders and the walker must read it back as the
 * row's fields.
 */
#include <string.h>

#include <glib.h>

#include "gmmu-fake.h"
#include "gmmu-fault.h"
#include "gmmu-walk.h"
#include "hw/display/nv-gmmu-ver2.h"

#define F_VOL   NV_GMMU_PTE_VOL
#define F_ENC   NV_GMMU_PTE_ENCRYPTED
#define F_PRIV  NV_GMMU_PTE_PRIVILEGE
#define F_RO    NV_GMMU_PTE_READ_ONLY
#define F_AD    NV_GMMU_PTE_ATOMIC_DISABLE

#define VID     NV_GMMU_APER_VID
#define PEER    NV_GMMU_APER_PEER
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH
#define NONE    NV_GMMU_APER_NONE

/* VA at which PTE rows are mapped (2 MiB aligned) and in-page offsets. */
#define VA_BASE 0x123400000ULL

typedef struct PteGolden {
    const char *name;
    const char *source;
    uint64_t value;
    NvGmmuAperture aper;
    uint64_t addr;          /* encoder input */
    uint64_t flags;
    uint8_t kind;
    unsigned peer;
    unsigned shift;         /* page size the walker test maps it as */
    uint64_t expect_addr;   /* what the address decoder returns */
} PteGolden;

static const PteGolden pte_golden[] = {
    { "vid-0", "NV_MMU_VER2_PTE_VALID 0:0, APERTURE_VIDEO_MEMORY 0; "
      "gp100_vmm_valid map->type |= BIT(0)",
      0x0000000000000001ULL, VID, 0x0, 0, 0, 0, 12, 0x0 },
    { "vid-4k", "NV_MMU_VER2_PTE_ADDRESS_VID (35-3):8, ADDRESS_SHIFT 12; "
      "gp100_vmm_pgt_pte data = addr >> 4 | type",
      0x0000000000000101ULL, VID, 0x1000, 0, 0, 0, 12, 0x1000 },
    { "vid-0x12345000", "NV_MMU_VER2_PTE_ADDRESS_VID (35-3):8",
      0x0000000001234501ULL, VID, 0x12345000, 0, 0, 0, 12, 0x12345000 },
    { "vid-max", "NV_MMU_VER2_PTE_ADDRESS_VID (35-3):8 is 25 bits: 37-bit PA",
      0x00000001ffffff01ULL, VID, 0x1ffffff000, 0, 0, 0, 12, 0x1ffffff000 },
    { "vid-bit37-dropped", "NV_MMU_VER2_PTE_ADDRESS_VID is 25 bits wide",
      0x0000000000000101ULL, VID, 0x2000001000, 0, 0, 0, 12, 0x1000 },
    { "sys-coh", "NV_MMU_VER2_PTE_APERTURE_SYSTEM_COHERENT_MEMORY 2; "
      "gf100_vmm_aper HOST -> 2",
      0x0000000000000105ULL, SYS, 0x1000, 0, 0, 0, 12, 0x1000 },
    { "sys-coh-vol", "NV_MMU_VER2_PTE_VOL 3:3; gp100_vmm_valid "
      "vol = target == HOST",
      0x000000000000020dULL, SYS, 0x2000, F_VOL, 0, 0, 12, 0x2000 },
    { "sys-ncoh", "NV_MMU_VER2_PTE_APERTURE_SYSTEM_NON_COHERENT_MEMORY 3; "
      "gf100_vmm_aper NCOH -> 3",
      0x0000000000000307ULL, NCOH, 0x3000, 0, 0, 0, 12, 0x3000 },
    { "sys-max", "NV_MMU_VER2_PTE_ADDRESS_SYS 53:8 (46 bits: 58-bit PA)",
      0x003fffffffffff05ULL, SYS, 0x3fffffffffff000ULL, 0, 0, 0, 12,
      0x3fffffffffff000ULL },
    { "sys-above-4g", "NV_MMU_VER2_PTE_ADDRESS_SYS 53:8",
      0x0000012345678905ULL, SYS, 0x123456789000ULL, 0, 0, 0, 12,
      0x123456789000ULL },
    { "peer-3", "NV_MMU_VER2_PTE_APERTURE_PEER_MEMORY 1, "
      "ADDRESS_VID_PEER 35:(36-3)",
      0x0000000600000503ULL, PEER, 0x5000, 0, 0, 3, 12, 0x5000 },
    { "peer-7-max", "NV_MMU_VER2_PTE_ADDRESS_VID + ADDRESS_VID_PEER 35:33",
      0x0000000fffffff03ULL, PEER, 0x1ffffff000, 0, 0, 7, 12, 0x1ffffff000 },
    { "ro", "NV_MMU_VER2_PTE_READ_ONLY 6:6; gp100_vmm_valid ro << 6",
      0x0000000000000141ULL, VID, 0x1000, F_RO, 0, 0, 12, 0x1000 },
    { "priv", "NV_MMU_VER2_PTE_PRIVILEGE 5:5; gp100_vmm_valid priv << 5",
      0x0000000000000121ULL, VID, 0x1000, F_PRIV, 0, 0, 12, 0x1000 },
    { "atomic-disable", "NV_MMU_VER2_PTE_ATOMIC_DISABLE 7:7; "
      "gp100_vmm_pgt_pfn BIT(7)",
      0x0000000000000181ULL, VID, 0x1000, F_AD, 0, 0, 12, 0x1000 },
    { "encrypted", "NV_MMU_VER2_PTE_ENCRYPTED 4:4 (GV100)",
      0x0000000000000111ULL, VID, 0x1000, F_ENC, 0, 0, 12, 0x1000 },
    { "vol", "NV_MMU_VER2_PTE_VOL 3:3",
      0x0000000000000109ULL, VID, 0x1000, F_VOL, 0, 0, 12, 0x1000 },
    { "all-flags", "NV_MMU_VER2_PTE bits 7:3 (AD, RO, PRIV, ENC, VOL)",
      0x00000000000001f9ULL, VID, 0x1000, F_VOL | F_ENC | F_PRIV | F_RO | F_AD,
      0, 0, 12, 0x1000 },
    { "hmm-sysmem", "gp100_vmm_pgt_pfn: RO BIT(6), AD BIT(7), "
      "SYSTEM_COHERENT 2 << 1, VOL BIT(3), VALID, addr >> 4",
      0x00000000076543cdULL, SYS, 0x76543000, F_RO | F_AD | F_VOL, 0, 0, 12,
      0x76543000 },
    { "kind-fe", "NV_MMU_VER2_PTE_KIND 63:56; gp100_vmm_valid kind << 56",
      0xfe00000000000101ULL, VID, 0x1000, 0, 0xfe, 0, 12, 0x1000 },
    { "kind-06", "NV_MMU_VER2_PTE_KIND 63:56, NV_MMU_PTE_KIND_GENERIC_MEMORY "
      "0x06",
      0x0600000000000101ULL, VID, 0x1000, 0, 0x06, 0, 12, 0x1000 },
    { "kind-ff", "NV_MMU_VER2_PTE_KIND 63:56 (GV100 KIND_INVALID 0xff)",
      0xff00000000000101ULL, VID, 0x1000, 0, 0xff, 0, 12, 0x1000 },
    { "64k-vid", "gp100_vmm_desc_16 LPT; map->next = (1 << 16) >> 4",
      0x0000000000001001ULL, VID, 0x10000, 0, 0, 0, 16, 0x10000 },
    { "64k-vid-kind-ro", "NV_MMU_VER2_PTE_KIND, READ_ONLY, ADDRESS_VID",
      0xdb00000001234041ULL, VID, 0x12340000, F_RO, 0xdb, 0, 16, 0x12340000 },
    { "64k-sys-vol", "NV_MMU_VER2_PTE_APERTURE 2, VOL 3:3",
      0x000000000000500dULL, SYS, 0x50000, F_VOL, 0, 0, 16, 0x50000 },
    { "64k-unaligned-field", "ADDRESS_VID holds PA >> 12; bits below 64K "
      "are ignored by the walker (inferred, docs)",
      0x0000000000001101ULL, VID, 0x11000, 0, 0, 0, 16, 0x11000 },
    { "2m-vid", "NV_MMU_VER2_DUAL_PDE_IS_PTE 0:0 = 1: lo is a 2MB PTE; "
      "gp100_vmm_pd0_pte data = addr >> 4 | type",
      0x0000000000020001ULL, VID, 0x200000, 0, 0, 0, 21, 0x200000 },
    { "2m-vid-high", "NV_MMU_VER2_PTE_ADDRESS_VID, 2 MiB page below 2^37",
      0x00000001fffe0001ULL, VID, 0x1fffe00000ULL, 0, 0, 0, 21,
      0x1fffe00000ULL },
    { "2m-ncoh", "NV_MMU_VER2_PTE_APERTURE 3 in a PD0 PTE",
      0x0000000004000007ULL, NCOH, 0x40000000, 0, 0, 0, 21, 0x40000000 },
    { "2m-unaligned-field", "ADDRESS_VID holds PA >> 12; bits below 2M "
      "are ignored by the walker (inferred, docs)",
      0x0000000000021001ULL, VID, 0x210000, 0, 0, 0, 21, 0x210000 },
    { "byte-address", "ADDRESS_SHIFT 12: address bits 11:0 are not stored",
      0x0000000000000101ULL, VID, 0x1234, 0, 0, 0, 12, 0x1000 },
};

static void test_pte_golden(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(pte_golden); i++) {
        const PteGolden *g = &pte_golden[i];
        uint64_t e = nv_gmmu_pte_encode(g->aper, g->addr, g->flags, g->kind);

        if (g->aper == PEER) {
            e = nv_gmmu_pte_set_peer_id(e, g->peer);
        }
        g_test_message("pte %s [%s]", g->name, g->source);
        g_assert_cmphex(e, ==, g->value);
        g_assert_true(nv_gmmu_pte_valid(g->value));
        g_assert_false(nv_gmmu_pte_is_sparse(g->value));
        g_assert_cmpint(nv_gmmu_pte_aperture(g->value), ==, g->aper);
        g_assert_cmphex(nv_gmmu_pte_addr(g->value), ==, g->expect_addr);
        g_assert_cmphex(nv_gmmu_pte_flags(g->value), ==,
                        g->flags | NV_GMMU_PTE_VALID);
        g_assert_cmphex(nv_gmmu_pte_kind(g->value), ==, g->kind);
        if (g->aper == PEER) {
            g_assert_cmpuint(nv_gmmu_pte_peer_id(g->value), ==, g->peer);
        }
    }
}

/* The walker reads each golden PTE back from a table. */
static void test_pte_golden_walk(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(pte_golden); i++) {
        const PteGolden *g = &pte_golden[i];
        NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, true, false };
        uint64_t size = 1ULL << g->shift;
        uint64_t off = (0x123456789ULL) & (size - 1);
        NvGmmuWalkResult r;
        FakeMem fm;
        FakeVm vm;

        g_test_message("walk pte %s [%s]", g->name, g->source);
        fake_init(&fm, 1 << 20, 1 << 16);
        fake_vm_init(&vm, &fm, VID);
        fake_vm_map(&vm, VA_BASE, g->shift, g->value);
        g_assert_cmpint(nv_gmmu_walk(&fm.mem, &vm.pdb, VA_BASE + off, &acc,
                                     &r), ==, NV_GMMU_WALK_OK);
        g_assert_cmpint(r.tr.aperture, ==, g->aper);
        g_assert_cmphex(r.pa, ==, (g->expect_addr & ~(size - 1)) + off);
        g_assert_cmpuint(r.tr.page_shift, ==, g->shift);
        g_assert_cmphex(r.tr.flags, ==, g->flags | NV_GMMU_PTE_VALID);
        g_assert_cmphex(r.tr.kind, ==, g->kind);
        g_assert_cmphex(r.tr.pte, ==, g->value);
        g_assert_cmpuint(r.tr.peer_id, ==, g->peer);
        g_assert_false(r.tr.sparse);
        g_assert_cmpuint(r.nsteps, ==, g->shift == 21 ? 4 : 5);
        fake_free(&fm);
    }
}

typedef struct PdeGolden {
    const char *name;
    const char *source;
    uint64_t value;
    NvGmmuAperture aper;
    uint64_t table;         /* encoder input */
    bool vol;
    uint64_t expect_table;  /* what the address decoder returns */
} PdeGolden;

static const PdeGolden pde_golden[] = {
    { "vid", "NV_MMU_VER2_PDE_APERTURE_VIDEO_MEMORY 1, ADDRESS_VID (35-3):8 "
      "<< 12; gp100_vmm_pde VRAM: 1 << 1 | addr >> 4",
      0x0000000000000202ULL, VID, 0x2000, false, 0x2000 },
    { "host-vol", "gp100_vmm_pde HOST: 2 << 1 | BIT(3) VOL | addr >> 4",
      0x000000000000030cULL, SYS, 0x3000, true, 0x3000 },
    { "ncoh", "gp100_vmm_pde NCOH: 3 << 1 | addr >> 4; "
      "NV_MMU_VER2_PDE_APERTURE_SYSTEM_NON_COHERENT_MEMORY 3",
      0x0000000000000406ULL, NCOH, 0x4000, false, 0x4000 },
    { "vid-max", "NV_MMU_VER2_PDE_ADDRESS_VID (35-3):8, 25 bits",
      0x00000001ffffff02ULL, VID, 0x1ffffff000ULL, false, 0x1ffffff000ULL },
    { "sys-max", "NV_MMU_VER2_PDE_ADDRESS_SYS 53:8, 46 bits",
      0x003fffffffffff04ULL, SYS, 0x3fffffffffff000ULL, false,
      0x3fffffffffff000ULL },
    { "vid-0x12345000", "NV_MMU_VER2_PDE_ADDRESS_VID",
      0x0000000001234502ULL, VID, 0x12345000, false, 0x12345000 },
    { "sys-above-4g", "NV_MMU_VER2_PDE_ADDRESS_SYS 53:8, "
      "APERTURE_SYSTEM_COHERENT_MEMORY 2",
      0x0000087654321004ULL, SYS, 0x876543210000ULL, false,
      0x876543210000ULL },
    { "vid-unaligned", "NV_MMU_VER2_PDE_ADDRESS_SHIFT 12: bits 11:0 of the "
      "table address are not stored",
      0x0000000000000102ULL, VID, 0x1100, false, 0x1000 },
};

static void test_pde_golden(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(pde_golden); i++) {
        const PdeGolden *g = &pde_golden[i];

        g_test_message("pde %s [%s]", g->name, g->source);
        g_assert_cmphex(nv_gmmu_pde_encode(g->aper, g->table, g->vol), ==,
                        g->value);
        g_assert_cmpint(nv_gmmu_pde_aperture(g->value), ==, g->aper);
        g_assert_cmphex(nv_gmmu_pde_addr(g->value), ==, g->expect_table);
        g_assert_cmpint(nv_gmmu_pde_vol(g->value), ==, g->vol);
        g_assert_false(nv_gmmu_pde_is_sparse(g->value));
        /* Same layout as the small half of a dual PDE. */
        g_assert_cmphex(nv_gmmu_pd0_small_encode(g->aper, g->table, g->vol),
                        ==, g->value);
    }
    /* No PEER in NV_MMU_VER2_PDE_APERTURE: the encoder refuses it. */
    g_assert_cmphex(nv_gmmu_pde_encode(PEER, 0x1000, false), ==, 0);
    g_assert_cmphex(nv_gmmu_pde_encode(NONE, 0x1000, false), ==, 0);
}

/* The walker follows each golden PDE (placed in PD1) to the next table. */
static void test_pde_golden_walk(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(pde_golden); i++) {
        const PdeGolden *g = &pde_golden[i];
        NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, true, false };
        NvGmmuWalkResult r;
        FakeMem fm;
        FakeVm vm;

        g_test_message("walk pde %s [%s]", g->name, g->source);
        fake_init(&fm, 1 << 20, 1 << 16);
        fake_vm_init(&vm, &fm, VID);
        fake_vm_set(&vm, 0, NV_GMMU_LEVEL_PD1, g->value);
        nv_gmmu_walk(&fm.mem, &vm.pdb, 0, &acc, &r);
        g_assert_cmpuint(r.nsteps, >=, 4);
        g_assert_cmphex(r.steps[2].raw[0], ==, g->value);
        g_assert_cmpint(r.steps[3].level, ==, NV_GMMU_LEVEL_PD0);
        g_assert_cmpint(r.steps[3].aperture, ==, g->aper);
        g_assert_cmphex(r.steps[3].addr, ==, g->expect_table);
        fake_free(&fm);
    }
}

typedef struct Pd0Golden {
    const char *name;
    const char *source;
    uint64_t lo, hi;
    NvGmmuAperture big_aper;
    uint64_t big;
    bool big_vol;
    NvGmmuAperture small_aper;
    uint64_t small;
    bool small_vol;
} Pd0Golden;

static const Pd0Golden pd0_golden[] = {
    { "big-vid-256", "NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_VID (35-3):(8-4), "
      "ADDRESS_BIG_SHIFT 8; gp100_vmm_pd0_pde data[0] = 1 << 1 | addr >> 4",
      0x0000000000000012ULL, 0, VID, 0x100, false, NONE, 0, false },
    { "big-vid-0x12345600", "NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_VID, shift 8",
      0x0000000001234562ULL, 0, VID, 0x12345600, false, NONE, 0, false },
    { "big-host-vol", "NV_MMU_VER2_DUAL_PDE_APERTURE_BIG 2, VOL_BIG 3:3; "
      "gp100_vmm_pde HOST sets BIT(3)",
      0x00000000000001fcULL, 0, SYS, 0x1f00, true, NONE, 0, false },
    { "big-ncoh", "NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_SYS 53:(8-4), "
      "APERTURE_BIG 3",
      0x000000000abcdef6ULL, 0, NCOH, 0xabcdef00, false, NONE, 0, false },
    { "big-vid-max", "NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_VID is 29 bits",
      0x00000001fffffff2ULL, 0, VID, 0x1fffffff00ULL, false, NONE, 0, false },
    { "big-sys-max", "NV_MMU_VER2_DUAL_PDE_ADDRESS_BIG_SYS is 50 bits",
      0x003ffffffffffff4ULL, 0, SYS, 0x3ffffffffffff00ULL, false, NONE, 0,
      false },
    { "small-vid", "NV_MMU_VER2_DUAL_PDE_APERTURE_SMALL 66:65, "
      "ADDRESS_SMALL_VID (99-3):72, ADDRESS_SHIFT 12; "
      "gp100_vmm_pd0_pde data[1]",
      0, 0x0000000000000502ULL, NONE, 0, false, VID, 0x5000, false },
    { "small-ncoh", "NV_MMU_VER2_DUAL_PDE_ADDRESS_SMALL_SYS 117:72, "
      "APERTURE_SMALL 3",
      0, 0x0000000000000a06ULL, NONE, 0, false, NCOH, 0xa000, false },
    { "both", "gp100_vmm_pd0_pde: data[0] big VRAM, data[1] small HOST+VOL "
      "(VOL_SMALL 67:67)",
      0x0000000000000772ULL, 0x000000000000080cULL, VID, 0x7700, false,
      SYS, 0x8000, true },
    { "both-shift-8-vs-12", "ADDRESS_BIG_SHIFT 8 vs ADDRESS_SHIFT 12: the "
      "same field bits name 0x9100 (big) and 0x9000 (small)",
      0x0000000000000912ULL, 0x0000000000000902ULL, VID, 0x9100, false,
      VID, 0x9000, false },
};

static void test_pd0_golden(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(pd0_golden); i++) {
        const Pd0Golden *g = &pd0_golden[i];
        NvGmmuPd0 e = nv_gmmu_pd0_encode(g->big_aper, g->big, g->big_vol,
                                         g->small_aper, g->small,
                                         g->small_vol);

        g_test_message("pd0 %s [%s]", g->name, g->source);
        g_assert_cmphex(e.lo, ==, g->lo);
        g_assert_cmphex(e.hi, ==, g->hi);
        g_assert_false(nv_gmmu_pd0_is_pte(g->lo));
        g_assert_false(nv_gmmu_pd0_is_sparse(g->lo, g->hi));
        g_assert_cmpint(nv_gmmu_pd0_big_aperture(g->lo), ==, g->big_aper);
        g_assert_cmpint(nv_gmmu_pd0_small_aperture(g->hi), ==, g->small_aper);
        if (g->big_aper != NONE) {
            g_assert_cmphex(nv_gmmu_pd0_big_addr(g->lo), ==, g->big);
            g_assert_cmpint(!!(g->lo & NV_GMMU_PD0_VOL_BIG), ==, g->big_vol);
        }
        if (g->small_aper != NONE) {
            g_assert_cmphex(nv_gmmu_pd0_small_addr(g->hi), ==, g->small);
            g_assert_cmpint(!!(g->hi & NV_GMMU_PD0_VOL_SMALL), ==,
                            g->small_vol);
        }
    }
}

/* The walker reads the big PT first, then (big PTE unmapped) the small PT. */
static void test_pd0_golden_walk(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(pd0_golden); i++) {
        const Pd0Golden *g = &pd0_golden[i];
        NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, true, false };
        NvGmmuPd0 e = { g->lo, g->hi };
        NvGmmuWalkResult r;
        unsigned s = 4;
        FakeMem fm;
        FakeVm vm;

        g_test_message("walk pd0 %s [%s]", g->name, g->source);
        fake_init(&fm, 1 << 20, 1 << 16);
        fake_vm_init(&vm, &fm, VID);
        fake_wpd0(&fm, VID, fake_vm_entry(&vm, 0, NV_GMMU_LEVEL_PD0), e);
        g_assert_cmpint(nv_gmmu_walk(&fm.mem, &vm.pdb, 0, &acc, &r), ==,
                        NV_GMMU_WALK_FAULT);
        g_assert_cmpint(r.fault_type, ==, NV_GMMU_FAULT_TYPE_PTE);
        g_assert_cmphex(r.steps[3].raw[0], ==, g->lo);
        g_assert_cmphex(r.steps[3].raw[1], ==, g->hi);
        if (g->big_aper != NONE) {
            g_assert_cmpint(r.steps[s].level, ==, NV_GMMU_LEVEL_PT_BIG);
            g_assert_cmpint(r.steps[s].aperture, ==, g->big_aper);
            g_assert_cmphex(r.steps[s].addr, ==, g->big);
            s++;
        }
        if (g->small_aper != NONE && r.steps[s - 1].ok) {
            g_assert_cmpuint(r.nsteps, ==, s + 1);
            g_assert_cmpint(r.steps[s].level, ==, NV_GMMU_LEVEL_PT_SMALL);
            g_assert_cmpint(r.steps[s].aperture, ==, g->small_aper);
            g_assert_cmphex(r.steps[s].addr, ==, g->small);
        }
        fake_free(&fm);
    }
}

typedef struct SpecialGolden {
    const char *name;
    const char *source;
    uint64_t value;         /* literal */
    uint64_t encoded;       /* what our helper returns */
    NvGmmuLevel level;      /* where the walk test puts it */
    NvGmmuWalkStatus status;
    unsigned shift;         /* sparse coverage */
} SpecialGolden;

static void test_special_golden(void)
{
    const SpecialGolden g[] = {
        { "pte-sparse", "gp100_vmm_pgt_sparse: BIT(3) VOL, VALID_FALSE",
          0x0000000000000008ULL, nv_gmmu_pte_sparse(),
          NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_WALK_SPARSE, 12 },
        { "big-pte-sparse", "gp100_vmm_desc_lpt.sparse = gp100_vmm_pgt_sparse",
          0x0000000000000008ULL, nv_gmmu_pte_sparse(),
          NV_GMMU_LEVEL_PT_BIG, NV_GMMU_WALK_SPARSE, 16 },
        { "lpt-invalid", "gp100_vmm_lpt_invalid: BIT(5) PRIV, VALID_FALSE: "
          "ignore SPTEs",
          0x0000000000000020ULL, nv_gmmu_pte_lpt_invalid(),
          NV_GMMU_LEVEL_PT_BIG, NV_GMMU_WALK_FAULT, 0 },
        { "pd0-sparse", "gp100_vmm_pd0_sparse: lo BIT(3) VOL_BIG, hi 0",
          0x0000000000000008ULL, nv_gmmu_pd0_sparse().lo,
          NV_GMMU_LEVEL_PD0, NV_GMMU_WALK_SPARSE, 21 },
        { "pd1-sparse", "gp100_vmm_desc_pd1.sparse = gp100_vmm_pgt_sparse; "
          "NV_MMU_VER2_PDE_VOL with APERTURE_INVALID",
          0x0000000000000008ULL, nv_gmmu_pde_sparse(),
          NV_GMMU_LEVEL_PD1, NV_GMMU_WALK_SPARSE, 29 },
        { "unmapped", "gf100_vmm_pgt_unmap: 0",
          0x0000000000000000ULL, NV_GMMU_UNMAPPED,
          NV_GMMU_LEVEL_PT_SMALL, NV_GMMU_WALK_FAULT, 0 },
    };
    size_t i;

    g_assert_cmphex(nv_gmmu_pd0_sparse().hi, ==, 0);
    for (i = 0; i < G_N_ELEMENTS(g); i++) {
        NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, true, false };
        NvGmmuWalkResult r;
        FakeMem fm;
        FakeVm vm;

        g_test_message("special %s [%s]", g[i].name, g[i].source);
        g_assert_cmphex(g[i].encoded, ==, g[i].value);
        fake_init(&fm, 1 << 20, 1 << 16);
        fake_vm_init(&vm, &fm, VID);
        /* A valid small PTE underneath must not matter for big PT rows. */
        fake_vm_map(&vm, VA_BASE, 12,
                    nv_gmmu_pte_encode(VID, 0x80000, 0, 0));
        if (g[i].level == NV_GMMU_LEVEL_PD0) {
            NvGmmuPd0 e = { g[i].value, 0 };

            fake_wpd0(&fm, VID, fake_vm_entry(&vm, VA_BASE, g[i].level), e);
        } else {
            fake_vm_set(&vm, VA_BASE, g[i].level, g[i].value);
        }
        g_assert_cmpint(nv_gmmu_walk(&fm.mem, &vm.pdb, VA_BASE + 5, &acc, &r),
                        ==, g[i].status);
        if (g[i].status == NV_GMMU_WALK_SPARSE) {
            g_assert_true(r.tr.sparse);
            g_assert_cmpuint(r.tr.page_shift, ==, g[i].shift);
            g_assert_cmpint(r.tr.level, ==, g[i].level);
            g_assert_cmphex(r.tr.va_base, ==,
                            VA_BASE & ~((1ULL << g[i].shift) - 1));
        } else {
            g_assert_cmpint(r.fault_type, ==, NV_GMMU_FAULT_TYPE_PTE);
            g_assert_cmpint(r.fault_level, ==, g[i].level);
        }
        fake_free(&fm);
    }
}

typedef struct RaminGolden {
    const char *name;
    const char *source;
    uint64_t value;
    unsigned target;
    uint64_t pd3;
    uint32_t flags;
    bool ok;
    NvGmmuAperture aper;
} RaminGolden;

static const RaminGolden ramin_golden[] = {
    { "vram", "gp100_vmm_join: BIT(10) VER2 | BIT(11) 64KiB; "
      "NV_RAMIN_PAGE_DIR_BASE_TARGET_VID_MEM 0, PAGE_DIR_BASE_LO 31:12",
      0x0000000000010c00ULL, NV_GMMU_RAMIN_TARGET_VID_MEM, 0x10000,
      NV_GMMU_RAMIN_USE_VER2_PT_FORMAT | NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB,
      true, VID },
    { "host-vol-above-4g", "gf100_vmm_join_ HOST: base |= 2 | BIT(2) VOL; "
      "NV_RAMIN_PAGE_DIR_BASE_HI (129*32+31):(129*32+0)",
      0x0000000123456c06ULL, NV_GMMU_RAMIN_TARGET_SYS_MEM_COHERENT,
      0x123456000ULL, NV_GMMU_RAMIN_VOL | NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
      NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB, true, SYS },
    { "ncoh-replay", "gp100_vmm_join replay: BIT(4) FAULT_REPLAY_TEX | "
      "BIT(5) FAULT_REPLAY_GCC; TARGET_SYS_MEM_NONCOHERENT 3",
      0x0000000000007c33ULL, NV_GMMU_RAMIN_TARGET_SYS_MEM_NONCOHERENT, 0x7000,
      NV_GMMU_RAMIN_FAULT_REPLAY_TEX | NV_GMMU_RAMIN_FAULT_REPLAY_GCC |
      NV_GMMU_RAMIN_USE_VER2_PT_FORMAT | NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB,
      true, NCOH },
    { "target-invalid", "GV100 NV_RAMIN_PAGE_DIR_BASE_TARGET 1 = INVALID",
      0x0000000000000c01ULL, NV_GMMU_RAMIN_TARGET_INVALID, 0,
      NV_GMMU_RAMIN_USE_VER2_PT_FORMAT | NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB,
      false, NONE },
    { "old-format", "gf100_vmm_join_ base 0 (no USE_VER2_PT_FORMAT): "
      "Volta UNBOUND_INSTANCE",
      0x0000000000010000ULL, NV_GMMU_RAMIN_TARGET_VID_MEM, 0x10000, 0,
      false, NONE },
    { "big-128k", "NV_RAMIN_BIG_PAGE_SIZE_128KB 0 with VER2: Volta "
      "UNBOUND_INSTANCE",
      0x0000000000010400ULL, NV_GMMU_RAMIN_TARGET_VID_MEM, 0x10000,
      NV_GMMU_RAMIN_USE_VER2_PT_FORMAT, false, NONE },
};

static void test_ramin_golden(void)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ramin_golden); i++) {
        const RaminGolden *g = &ramin_golden[i];
        NvGmmuPdb pdb;
        FakeMem fm;

        g_test_message("ramin %s [%s]", g->name, g->source);
        g_assert_cmphex(nv_gmmu_ramin_pdb_encode(g->target, g->pd3, g->flags),
                        ==, g->value);
        fake_init(&fm, 1 << 20, 1 << 16);
        fake_w64(&fm, VID, 0x3000 + NV_GMMU_RAMIN_PDB_LO, g->value);
        /* gf100_vmm_join_: nvkm_wo64(inst, 0x208, vmm->limit - 1) */
        fake_w64(&fm, VID, 0x3000 + NV_GMMU_RAMIN_ADR_LIMIT_LO,
                 0x0001ffffffffffffULL);
        g_assert_cmpint(nv_gmmu_inst_decode(&fm.mem, VID, 0x3000, &pdb), ==,
                        g->ok);
        if (g->ok) {
            g_assert_cmpint(pdb.aperture, ==, g->aper);
            g_assert_cmphex(pdb.addr, ==, g->pd3);
            g_assert_cmpint(pdb.vol, ==, !!(g->flags & NV_GMMU_RAMIN_VOL));
            g_assert_cmpint(pdb.replay_tex, ==,
                            !!(g->flags & NV_GMMU_RAMIN_FAULT_REPLAY_TEX));
            g_assert_cmphex(pdb.va_limit, ==, 0x0001ffffffffffffULL);
        }
        fake_free(&fm);
    }
    g_assert_cmphex(nv_gmmu_ramin_limit_encode((1ULL << 49) - 1), ==,
                    0x0001ffffffffffffULL);
}

/* VA index per level: "49 Bit VA breakdown" (gp100-mmu-format.pdf). */
static void test_va_breakdown(void)
{
    /* VA with index 3 at PD3, 0x155 at PD2, 0xaa at PD1, 0x81 at PD0,
     * 0x1f3 small (0x1f big) and page offset 0x456. */
    const uint64_t va = (3ULL << 47) | (0x155ULL << 38) | (0xaaULL << 29) |
                        (0x81ULL << 21) | (0x1f3ULL << 12) | 0x456;

    g_assert_cmphex(va, ==, 0x0001d555503f3456ULL);
    g_assert_cmpuint(nv_gmmu_level_index(NV_GMMU_LEVEL_PD3, va), ==, 3);
    g_assert_cmpuint(nv_gmmu_level_index(NV_GMMU_LEVEL_PD2, va), ==, 0x155);
    g_assert_cmpuint(nv_gmmu_level_index(NV_GMMU_LEVEL_PD1, va), ==, 0xaa);
    g_assert_cmpuint(nv_gmmu_level_index(NV_GMMU_LEVEL_PD0, va), ==, 0x81);
    g_assert_cmpuint(nv_gmmu_level_index(NV_GMMU_LEVEL_PT_BIG, va), ==, 0x1f);
    g_assert_cmpuint(nv_gmmu_level_index(NV_GMMU_LEVEL_PT_SMALL, va), ==,
                     0x1f3);
    /* gp100_vmm_desc_*: {PD3 2 x 8}, {9 x 8}, {9 x 8}, {8 x 16}, LPT
     * {5 x 8, 0x100}, SPT {9 x 8, 0x1000}. */
    g_assert_cmpuint(nv_gmmu_level_table_size(NV_GMMU_LEVEL_PD3), ==, 32);
    g_assert_cmpuint(nv_gmmu_level_table_size(NV_GMMU_LEVEL_PD2), ==, 4096);
    g_assert_cmpuint(nv_gmmu_level_table_size(NV_GMMU_LEVEL_PD1), ==, 4096);
    g_assert_cmpuint(nv_gmmu_level_table_size(NV_GMMU_LEVEL_PD0), ==, 4096);
    g_assert_cmpuint(nv_gmmu_level_table_size(NV_GMMU_LEVEL_PT_BIG), ==,
                     256);
    g_assert_cmpuint(nv_gmmu_level_table_size(NV_GMMU_LEVEL_PT_SMALL), ==,
                     4096);
    g_assert_cmpuint(12 + 9 + 8 + 9 + 9 + 2, ==, NV_GMMU_VA_BITS);
}

static void test_addr_fits(void)
{
    g_assert_true(nv_gmmu_addr_fits(VID, 0x1fffffffffULL));
    g_assert_false(nv_gmmu_addr_fits(VID, 0x2000000000ULL));
    g_assert_false(nv_gmmu_addr_fits(PEER, 0x2000000000ULL));
    g_assert_true(nv_gmmu_addr_fits(SYS, 0x3ffffffffffffffULL));
    g_assert_false(nv_gmmu_addr_fits(NCOH, 0x400000000000000ULL));
    /* Bad apertures encode nothing. */
    g_assert_cmphex(nv_gmmu_pte_encode(NONE, 0x1000, 0, 0), ==, 0);
    g_assert_cmphex(nv_gmmu_pd0_big_encode(PEER, 0x100, false), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gmmu/ver2/pte-golden", test_pte_golden);
    g_test_add_func("/gmmu/ver2/pte-golden-walk", test_pte_golden_walk);
    g_test_add_func("/gmmu/ver2/pde-golden", test_pde_golden);
    g_test_add_func("/gmmu/ver2/pde-golden-walk", test_pde_golden_walk);
    g_test_add_func("/gmmu/ver2/pd0-golden", test_pd0_golden);
    g_test_add_func("/gmmu/ver2/pd0-golden-walk", test_pd0_golden_walk);
    g_test_add_func("/gmmu/ver2/special-golden", test_special_golden);
    g_test_add_func("/gmmu/ver2/ramin-golden", test_ramin_golden);
    g_test_add_func("/gmmu/ver2/va-breakdown", test_va_breakdown);
    g_test_add_func("/gmmu/ver2/addr-fits", test_addr_fits);
    return g_test_run();
}
