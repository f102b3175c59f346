/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Write the seed corpus of fuzz-copy-engine (tests/fuzz/corpus/copy-engine/):
 * op streams (format in fuzz-copy-engine.c) that build VER2 tables with the
 * nv-gmmu-ver2.h encoders and then copy, fill and release semaphores
 * through them, so that the fuzzer starts from commands that move data.
 *
 *   gen-ce-corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "seed.h"
#include "hw/display/nv-gmmu-ver2.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH

/* The fuzzer's page directory is at VRAM 0; data lives above 64 KiB. */
#define PD3     0x0000
#define PD2     0x1000
#define PD1     0x2000
#define PD0     0x3000
#define SPT     0x4000
#define LPT     0x5000
#define DATA    0x100000

enum { OP_WRITE, OP_COPY, OP_FILL, OP_SEM, OP_FLUSH };

static void w(Seed *s, bool sys, uint32_t addr, uint64_t v)
{
    put(s, OP_WRITE, 1);
    put(s, addr | (sys ? 0x80000000u : 0), 4);
    put(s, v, 8);
}

static void copy(Seed *s, uint64_t src, uint64_t dst, uint32_t len)
{
    put(s, OP_COPY, 1);
    put(s, src, 5);
    put(s, dst, 5);
    put(s, len, 3);
}

static void fill(Seed *s, uint64_t dst, uint32_t len, uint32_t pattern)
{
    put(s, OP_FILL, 1);
    put(s, dst, 5);
    put(s, len, 3);
    put(s, pattern, 4);
}

static void sem(Seed *s, uint64_t va, uint64_t value)
{
    put(s, OP_SEM, 1);
    put(s, va, 5);
    put(s, value, 8);
}

static Seed *tree(uint8_t flags)
{
    Seed *s = g_byte_array_new();

    put(s, flags, 1);
    w(s, false, PD3, nv_gmmu_pde_encode(VID, PD2, false));
    w(s, false, PD2, nv_gmmu_pde_encode(VID, PD1, false));
    w(s, false, PD1, nv_gmmu_pde_encode(VID, PD0, false));
    return s;
}

static void pd0(Seed *s, unsigned idx, NvGmmuPd0 e)
{
    w(s, false, PD0 + idx * 16, e.lo);
    w(s, false, PD0 + idx * 16 + 8, e.hi);
}

int main(int argc, char **argv)
{
    unsigned flags, i;
    Seed *s;

    seed_dir(argc, argv);

    for (flags = 0; flags < 8; flags++) {
        char name[32];

        /*
         * 4 KiB pages: VA 0-128 KiB on VRAM, 128-160 KiB on sysmem, one
         * read-only page, one sparse page; copies forwards, backwards
         * (overlapping), across apertures, fills and semaphores, and
         * faults on the read-only and unmapped pages.
         */
        s = tree(flags);
        pd0(s, 0, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                     false));
        for (i = 0; i < 32; i++) {
            w(s, false, SPT + i * 8,
              nv_gmmu_pte_encode(VID, DATA + i * 0x1000, 0, 0));
        }
        for (i = 32; i < 40; i++) {
            w(s, false, SPT + i * 8,
              nv_gmmu_pte_encode(SYS, (i - 32) * 0x1000, 0, 0));
        }
        w(s, false, SPT + 40 * 8, nv_gmmu_pte_encode(VID, DATA + 0x40000,
                                                     NV_GMMU_PTE_READ_ONLY,
                                                     0));
        w(s, false, SPT + 41 * 8, NV_GMMU_SPARSE);
        w(s, false, SPT + 42 * 8, nv_gmmu_pte_encode(VID, DATA + 0x41000,
                                                     NV_GMMU_PTE_PRIVILEGE,
                                                     0));
        fill(s, 0x1000, 0x3000, 0xdeadbeef);
        copy(s, 0x1000, 0x9000, 0x5000);
        copy(s, 0x1000, 0x1800, 0x4000);
        copy(s, 0x2000, 0x20000, 0x6000);
        copy(s, 0x20000, 0x3000, 0x2000);
        copy(s, 0x29000, 0x5000, 0x1000);
        copy(s, 0x5000, 0x29000, 0x1000);
        copy(s, 0x1000, 0x28000, 0x2000);
        fill(s, 0x2a000, 0x1000, 0x12345678);
        fill(s, 0x1ffd, 0x2006, 0x01020304);
        copy(s, 0x3001, 0x7ffe, 0x2003);
        copy(s, 0x6003, 0x6ffd, 0x1802);
        sem(s, 0x1ff8, 0x1122334455667788ull);
        sem(s, 0x28000, 1);
        copy(s, 0x7000, 0x40000, 0x1000);
        snprintf(name, sizeof(name), "01-4k-%u", flags);
        save(argv[1], name, s);

        /* 64 KiB pages (dual PD0) and 2 MiB pages. */
        s = tree(flags);
        pd0(s, 1, nv_gmmu_pd0_encode(VID, LPT, false, VID, SPT, false));
        for (i = 0; i < 8; i++) {
            w(s, false, LPT + i * 8,
              nv_gmmu_pte_encode(VID, DATA + i * 0x10000, 0, 0));
        }
        w(s, false, LPT + 8 * 8, NV_GMMU_SPARSE);
        pd0(s, 2, nv_gmmu_pd0_encode_pte(nv_gmmu_pte_encode(VID, 0, 0, 0)));
        pd0(s, 3, nv_gmmu_pd0_encode_pte(nv_gmmu_pte_encode(SYS, 0, 0, 0)));
        copy(s, 0x200000, 0x240000, 0x18000);
        copy(s, 0x210000, 0x218000, 0x10000);
        fill(s, 0x280000, 0x8000, 0xa5a5a5a5);
        copy(s, 0x400000 + DATA, 0x200000, 0x2000);
        copy(s, 0x600000, 0x201000, 0x3000);
        sem(s, 0x200ff8, 7);
        snprintf(name, sizeof(name), "02-64k-2m-%u", flags);
        save(argv[1], name, s);
    }
    return 0;
}
