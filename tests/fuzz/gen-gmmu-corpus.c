/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Write the seed corpus of fuzz-gmmu-walk (tests/fuzz/corpus/gmmu-walk/):
 * op streams (format in fuzz-gmmu-walk.c) that build valid VER2 trees with
 * the nv-gmmu-ver2.h encoders and exercise each feature once, so that the
 * fuzzer starts from deep walks instead of random bytes.
 *
 *   gen-gmmu-corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "seed.h"
#include "hw/display/nv-gmmu-ver2.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH
#define NCOH    NV_GMMU_APER_SYS_NCOH

/* Fixed table layout in the fuzzer's 256 KiB VRAM. */
#define PD3     0x1000
#define PD2     0x2000
#define PD1     0x3000
#define PD0     0x4000
#define SPT     0x5000
#define LPT     0x6000
#define INST    0x8000

enum { OP_WRITE, OP_WALK, OP_INVAL, OP_DUMP, OP_INST, OP_FAULT, OP_TOGGLE };

static Seed *seed_new(uint8_t flags, uint8_t cap, uint8_t pde_cap,
                      uint32_t pdb)
{
    Seed *s = g_byte_array_new();

    put(s, flags, 1);
    put(s, cap, 1);
    put(s, pde_cap, 1);
    put(s, pdb, 4);
    return s;
}

static void w(Seed *s, bool sys, uint32_t addr, uint64_t v)
{
    put(s, OP_WRITE, 1);
    put(s, addr | (sys ? 0x80000000u : 0), 4);
    put(s, v, 8);
}

static void walk(Seed *s, uint8_t acc, uint64_t va)
{
    put(s, OP_WALK, 1);
    put(s, acc, 1);
    put(s, va, 8);
}

static void inval(Seed *s, uint32_t reg, uint32_t pdb_lo, uint32_t pdb_hi,
                  uint64_t va)
{
    put(s, OP_INVAL, 1);
    put(s, reg, 4);
    put(s, pdb_lo, 4);
    put(s, pdb_hi, 4);
    put(s, va, 8);
}

static void dump(Seed *s, uint64_t start, uint16_t pages)
{
    put(s, OP_DUMP, 1);
    put(s, start, 8);
    put(s, pages, 2);
}

/* PD3[0] -> PD2[0] -> PD1[0] -> PD0 in VRAM (VAs below 512 MiB). */
static void tree(Seed *s)
{
    w(s, false, PD3, nv_gmmu_pde_encode(VID, PD2, false));
    w(s, false, PD2, nv_gmmu_pde_encode(VID, PD1, false));
    w(s, false, PD1, nv_gmmu_pde_encode(VID, PD0, false));
}

static void pd0(Seed *s, unsigned idx, NvGmmuPd0 e)
{
    w(s, false, PD0 + idx * 16, e.lo);
    w(s, false, PD0 + idx * 16 + 8, e.hi);
}

int main(int argc, char **argv)
{
    const char *dir;
    Seed *s;
    unsigned i;

    dir = seed_dir(argc, argv);

    /* 4 KiB pages in each aperture, read/write/atomic, then a dump. */
    s = seed_new(0, 63, 15, PD3);
    tree(s);
    pd0(s, 0, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                 false));
    w(s, false, SPT + 0, nv_gmmu_pte_encode(VID, 0x20000, 0, 0x06));
    w(s, false, SPT + 8, nv_gmmu_pte_encode(SYS, 0x1000, NV_GMMU_PTE_VOL, 0));
    w(s, false, SPT + 16, nv_gmmu_pte_encode(NCOH, 0x2000, 0, 0));
    w(s, false, SPT + 24, nv_gmmu_pte_set_peer_id(
          nv_gmmu_pte_encode(NV_GMMU_APER_PEER, 0x3000, 0, 0), 1));
    inval(s, 0x80000003, 0, 0, 0);
    for (i = 0; i < 5; i++) {
        walk(s, 0, i * 0x1000 + 0x10);
        walk(s, 1, i * 0x1000 + 0x10);
        walk(s, 2, i * 0x1000 + 0x10);
    }
    dump(s, 0, 0);
    save(dir, "01-4k", s);

    /* 64 KiB pages through a big PT, with small PTs alongside. */
    s = seed_new(0, 63, 15, PD3);
    tree(s);
    pd0(s, 1, nv_gmmu_pd0_encode(VID, LPT, false, VID, SPT, false));
    w(s, false, LPT + 0, NV_GMMU_UNMAPPED);
    w(s, false, LPT + 8, nv_gmmu_pte_encode(VID, 0x30000, 0, 0));
    w(s, false, LPT + 16, NV_GMMU_SPARSE);
    w(s, false, LPT + 24, NV_GMMU_LPT_INVALID);
    w(s, false, SPT + 0, nv_gmmu_pte_encode(VID, 0x21000, 0, 0));
    w(s, false, SPT + 0x100, nv_gmmu_pte_encode(VID, 0x22000, 0, 0));
    w(s, false, SPT + 0x180, nv_gmmu_pte_encode(VID, 0x23000, 0, 0));
    inval(s, 0x80000003, 0, 0, 0);
    for (i = 0; i < 5; i++) {
        walk(s, 0, 0x200000 + i * 0x10000);
    }
    dump(s, 0x200000, 512);
    save(dir, "02-64k-dual", s);

    /* 2 MiB pages in PD0, one in sysmem. */
    s = seed_new(0, 63, 15, PD3);
    tree(s);
    pd0(s, 2, nv_gmmu_pd0_encode_pte(nv_gmmu_pte_encode(VID, 0x200000, 0,
                                                        0xfe)));
    pd0(s, 3, nv_gmmu_pd0_encode_pte(nv_gmmu_pte_encode(
              SYS, 0x400000, NV_GMMU_PTE_READ_ONLY, 0)));
    inval(s, 0x80000003, 0, 0, 0);
    walk(s, 0, 0x412345);
    walk(s, 1, 0x612345);
    walk(s, 0, 0x612345);
    dump(s, 0, 0);
    save(dir, "03-2m", s);

    /* Sparse at every level. */
    s = seed_new(0, 63, 15, PD3);
    tree(s);
    w(s, false, PD3 + 8, NV_GMMU_SPARSE);
    w(s, false, PD2 + 8, NV_GMMU_SPARSE);
    w(s, false, PD1 + 8, NV_GMMU_SPARSE);
    pd0(s, 1, nv_gmmu_pd0_sparse());
    pd0(s, 2, nv_gmmu_pd0_encode(VID, LPT, false, VID, SPT, false));
    w(s, false, LPT, NV_GMMU_SPARSE);
    w(s, false, SPT + 0x80 * 8, NV_GMMU_SPARSE);
    inval(s, 0x80000003, 0, 0, 0);
    walk(s, 1, 1ULL << 47);
    walk(s, 1, 1ULL << 38);
    walk(s, 1, 1ULL << 29);
    walk(s, 1, 0x200000);
    walk(s, 1, 0x400000);
    walk(s, 1, 0x480000);
    dump(s, 0, 0);
    save(dir, "04-sparse", s);

    /* Permission checks, VAs beyond 2^49. */
    s = seed_new(2, 63, 15, PD3);
    tree(s);
    pd0(s, 0, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                 false));
    w(s, false, SPT, nv_gmmu_pte_encode(VID, 0x20000, NV_GMMU_PTE_READ_ONLY,
                                        0));
    w(s, false, SPT + 8, nv_gmmu_pte_encode(VID, 0x21000,
                                            NV_GMMU_PTE_PRIVILEGE, 0));
    w(s, false, SPT + 16, nv_gmmu_pte_encode(VID, 0x22000,
                                             NV_GMMU_PTE_ATOMIC_DISABLE, 0));
    w(s, false, SPT + 24, nv_gmmu_pte_encode(NV_GMMU_APER_PEER, 0x23000, 0,
                                             0));
    inval(s, 0x80000003, 0, 0, 0);
    for (i = 0; i < 4; i++) {
        walk(s, 1, i * 0x1000);
        walk(s, 2, i * 0x1000);
        walk(s, 4, i * 0x1000);
        walk(s, 8 | 1, i * 0x1000);
    }
    walk(s, 0x80, 1ULL << 49);
    walk(s, 0x80, UINT64_MAX);
    save(dir, "05-access", s);

    /* TLB: stale until invalidate, by PDB, by VA, by CACHE_LEVEL. */
    s = seed_new(0, 7, 3, PD3);
    tree(s);
    pd0(s, 0, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                 false));
    w(s, false, SPT, nv_gmmu_pte_encode(VID, 0x20000, 0, 0));
    inval(s, 0x80000003, 0, 0, 0);
    walk(s, 0, 0);
    w(s, false, SPT, nv_gmmu_pte_encode(VID, 0x30000, 0, 0));
    walk(s, 0, 0);
    inval(s, 0x80000000 | (1 << 24), (PD3 >> 12) << 4, 0, 0);
    walk(s, 0, 0);
    w(s, false, PD1, nv_gmmu_pde_encode(VID, 0x7000, false));
    inval(s, 0x80000001 | (1 << 24), (PD3 >> 12) << 4, 0, 0);
    walk(s, 0, 0);
    inval(s, 0x80000001 | (3 << 24), (PD3 >> 12) << 4, 0, 0);
    walk(s, 0, 0);
    inval(s, 0x80000003 | (5 << 24), 0, 0, 0);
    walk(s, 0, 0);
    save(dir, "06-tlb", s);

    /* Instance block decode, VA limit, then a sysmem PDB. */
    s = seed_new(0, 63, 15, PD3);
    tree(s);
    pd0(s, 0, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                 false));
    w(s, false, SPT + 8, nv_gmmu_pte_encode(VID, 0x20000, 0, 0));
    w(s, false, INST + 0x200, nv_gmmu_ramin_pdb_encode(
          NV_GMMU_RAMIN_TARGET_VID_MEM, PD3,
          NV_GMMU_RAMIN_USE_VER2_PT_FORMAT | NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    w(s, false, INST + 0x208, 0x1fff);
    put(s, OP_INST, 1);
    put(s, INST, 4);
    walk(s, 0, 0x1000);
    walk(s, 0, 0x2000);
    dump(s, 0, 0);
    w(s, false, INST + 0x200, 0xc01);
    put(s, OP_INST, 1);
    put(s, INST, 4);
    put(s, OP_INST, 1);
    put(s, 0x80000000u | 0x1000, 4);
    save(dir, "07-inst", s);

    /* Tables in sysmem (coherent and non-coherent). */
    s = seed_new(1 << 2, 63, 15, 0x1000);
    w(s, true, 0x1000, nv_gmmu_pde_encode(NCOH, 0x2000, false));
    w(s, true, 0x2000, nv_gmmu_pde_encode(SYS, 0x3000, true));
    w(s, true, 0x3000, nv_gmmu_pde_encode(VID, PD0, false));
    pd0(s, 0, nv_gmmu_pd0_encode(SYS, 0x4000, true, NCOH, 0x5000, false));
    w(s, true, 0x4000, nv_gmmu_pte_encode(VID, 0x10000, 0, 0));
    w(s, true, 0x5000 + 0x80, nv_gmmu_pte_encode(VID, 0x11000, 0, 0));
    walk(s, 0, 0x1234);
    walk(s, 0, 0x10000 + 0x234);
    dump(s, 0, 64);
    save(dir, "08-sysmem-tables", s);

    /* Fault records, TLB toggles, a 1-entry TLB. */
    s = seed_new(1, 0, 0, PD3);
    tree(s);
    pd0(s, 0, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                 false));
    for (i = 0; i < 4; i++) {
        w(s, false, SPT + i * 8, nv_gmmu_pte_encode(VID, 0x20000 + i * 0x1000,
                                                    0, 0));
    }
    put(s, OP_TOGGLE, 1);
    for (i = 0; i < 8; i++) {
        walk(s, 0, (i % 4) * 0x1000);
    }
    put(s, OP_TOGGLE, 1);
    walk(s, 0, 0);
    put(s, OP_FAULT, 1);
    for (i = 0; i < 32; i++) {
        put(s, i * 37 + 11, 1);
    }
    put(s, OP_FAULT, 1);
    put(s, 0xff, 8);
    put(s, 0xff, 8);
    put(s, 0xff, 8);
    put(s, 0xff, 8);
    save(dir, "09-fault-toggle", s);

    /* Aliased tables: every PD1 and PD0 entry points at the same child. */
    s = seed_new(0, 255, 255, PD3);
    w(s, false, PD3, nv_gmmu_pde_encode(VID, PD2, false));
    w(s, false, PD2, nv_gmmu_pde_encode(VID, PD1, false));
    for (i = 0; i < 64; i++) {
        w(s, false, PD1 + i * 8, nv_gmmu_pde_encode(VID, PD0, false));
        pd0(s, i, nv_gmmu_pd0_encode(VID, LPT, false, VID, SPT, false));
        w(s, false, SPT + i * 8, nv_gmmu_pte_encode(VID, i * 0x1000, 0, 0));
    }
    dump(s, 0, 0);
    walk(s, 0, 5ULL << 29 | 0x3000);
    save(dir, "10-alias", s);

    return 0;
}
