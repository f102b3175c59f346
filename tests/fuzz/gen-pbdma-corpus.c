/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Write the seed corpus of fuzz-pbdma (tests/fuzz/corpus/pbdma/): op
 * streams (format in fuzz-pbdma.c) that build VER2 tables, a GPFIFO ring
 * and push buffers the way nouveau's channel code does, then run them --
 * every header form, the host methods, copy-engine launches with one- and
 * four-word semaphores, acquires that block and resume, budgets that stop
 * mid-segment and mid-method, and each refusal pbdma.h documents.
 *
 *   gen-pbdma-corpus DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "seed.h"
#include "hw/display/nv-gmmu-ver2.h"
#include "hw/display/nv-gp107-fifo.h"

#define VID     NV_GMMU_APER_VID
#define SYS     NV_GMMU_APER_SYS_COH

/* Tables at VRAM 0 (PD3) ... 0x4000 (4 KiB PT); pages from 1 MiB. */
#define PD2     0x1000
#define PD1     0x2000
#define PD0     0x3000
#define SPT     0x4000
#define DATA    0x100000
/* VAs: 4 KiB pages 0-128 KiB on VRAM, 128-160 KiB on sysmem. */
#define RING_VA 0x1000
#define PB_VA   0x2000
#define SRC_VA  0x8000
#define DST_VA  0xc000
#define SEM_VA  0x10000
#define RO_VA   0x28000             /* read-only page */
#define SP_VA   0x29000             /* sparse page */
#define SYS_VA  0x20000

enum { OP_WRITE, OP_DWORDS, OP_BIND, OP_RUN, OP_FLUSH, OP_RESET };

static void w(Seed *s, uint32_t addr, uint64_t v)
{
    put(s, OP_WRITE, 1);
    put(s, addr, 4);
    put(s, v, 8);
}

static uint32_t pa(uint64_t va)
{
    return DATA + (uint32_t)va;
}

/* Physical (VRAM) image of VA @va: dwords of a push buffer. */
static void dwords(Seed *s, uint64_t va, const uint32_t *d, unsigned n)
{
    unsigned i;

    put(s, OP_DWORDS, 1);
    put(s, pa(va), 4);
    put(s, n, 1);
    for (i = 0; i < n; i++) {
        put(s, d[i], 4);
    }
}

static void bind(Seed *s, unsigned limit2, uint32_t gp_get)
{
    put(s, OP_BIND, 1);
    put(s, RING_VA, 4);
    put(s, limit2 << 16, 4);
    put(s, gp_get, 2);
    put(s, 0, 5);
}

static void run(Seed *s, uint32_t gp_put, unsigned entries, uint32_t dw,
                uint32_t bytes)
{
    put(s, OP_RUN, 1);
    put(s, gp_put, 2);
    put(s, entries, 1);
    put(s, dw, 3);
    put(s, bytes, 4);
}

/* GP entry @idx of the ring: @n dwords at @va (n = 0: control @op). */
static void gp(Seed *s, unsigned idx, uint64_t va, unsigned n, unsigned op)
{
    uint32_t e[2] = {
        n ? (uint32_t)va & NV_GP_ENTRY0_GET_MASK : op,
        (uint32_t)((va >> 32) & 0xff) | (uint32_t)n << 10,
    };

    dwords(s, RING_VA + idx * 8, e, 2);
}

static Seed *tree(uint8_t flags)
{
    Seed *s = g_byte_array_new();
    unsigned i;

    put(s, flags, 1);
    w(s, 0, nv_gmmu_pde_encode(VID, PD2, false));
    w(s, PD2, nv_gmmu_pde_encode(VID, PD1, false));
    w(s, PD1, nv_gmmu_pde_encode(VID, PD0, false));
    w(s, PD0, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                 false).lo);
    w(s, PD0 + 8, nv_gmmu_pd0_encode(NV_GMMU_APER_NONE, 0, false, VID, SPT,
                                     false).hi);
    for (i = 0; i < 32; i++) {
        w(s, SPT + i * 8, nv_gmmu_pte_encode(VID, DATA + i * 0x1000, 0, 0));
    }
    for (i = 32; i < 40; i++) {
        w(s, SPT + i * 8, nv_gmmu_pte_encode(SYS, (i - 32) * 0x1000, 0, 0));
    }
    w(s, SPT + 40 * 8, nv_gmmu_pte_encode(VID, DATA + RO_VA,
                                          NV_GMMU_PTE_READ_ONLY, 0));
    w(s, SPT + 41 * 8, NV_GMMU_SPARSE);
    w(s, SPT + 42 * 8, nv_gmmu_pte_encode(VID, DATA + 0x2a000,
                                          NV_GMMU_PTE_PRIVILEGE, 0));
    return s;
}

#define INC(subc, m, n)     NV_PB_HDR(NV_PB_SEC_OP_INC, subc, m, n)
#define NINC(subc, m, n)    NV_PB_HDR(NV_PB_SEC_OP_NON_INC, subc, m, n)
#define ONE(subc, m, n)     NV_PB_HDR(NV_PB_SEC_OP_ONE_INC, subc, m, n)
#define IMMD(subc, m, v)    NV_PB_HDR(NV_PB_SEC_OP_IMMD, subc, m, v)
#define END                 NV_PB_HDR(NV_PB_SEC_OP_END_PB_SEGMENT, 0, 0, 0)
#define LAUNCH_COPY         (2 | NVC0B5_LAUNCH_DMA_SRC_PITCH | \
                             NVC0B5_LAUNCH_DMA_DST_PITCH)

/* What nouveau's TTM move does: object, copy, semaphore, reference. */
static const uint32_t pb_copy[] = {
    INC(4, NVC06F_SET_OBJECT, 1), NV_CE_CLASS_B,
    INC(4, NVC0B5_OFFSET_IN_UPPER, 4), 0, SRC_VA, 0, DST_VA,
    INC(4, NVC0B5_PITCH_IN, 4), 0x1000, 0x1000, 0x1000, 2,
    INC(4, NVC0B5_SET_SEMAPHORE_A, 3), 0, SEM_VA, 0x1234,
    IMMD(4, NVC0B5_LAUNCH_DMA, LAUNCH_COPY | NVC0B5_LAUNCH_DMA_MULTI_LINE |
         NVC0B5_LAUNCH_DMA_SEM_ONE_WORD << NVC0B5_LAUNCH_DMA_SEM_SHIFT),
    INC(0, NVC06F_SEMAPHOREA, 4), 0, SEM_VA + 0x10, 7,
    NVC06F_SEMAPHORED_OP_RELEASE | NVC06F_SEMAPHORED_RELEASE_SIZE_4BYTE,
    INC(0, NVC06F_SET_REFERENCE, 1), 0x55,
    IMMD(0, NVC06F_NON_STALL_INTERRUPT, 0),
    0,                                      /* DMA_NOP */
    NINC(0, NVC06F_NOP, 3), 1, 2, 3,
    ONE(4, NVC0B5_PITCH_IN, 3), 0x100, 0x100, 0x80,
    INC(0, NVC06F_MEM_OP_A, 4), 0, 0, 0,
    NVC06F_MEM_OP_D_MMU_TLB_INVALIDATE << NVC06F_MEM_OP_D_OPERATION_SHIFT,
    INC(4, NVC0B5_LINE_COUNT, 1), 4,
    INC(4, NVC0B5_SET_SEMAPHORE_PAYLOAD, 1), 0x99,
    IMMD(4, NVC0B5_LAUNCH_DMA, LAUNCH_COPY | NVC0B5_LAUNCH_DMA_MULTI_LINE |
         NVC0B5_LAUNCH_DMA_SEM_FOUR_WORD << NVC0B5_LAUNCH_DMA_SEM_SHIFT),
    INC(0, NVC06F_SEMAPHOREA, 4), 0, SEM_VA + 0x20, 9,
    NVC06F_SEMAPHORED_OP_RELEASE,
    END, 0xdeadbeef,
};

/* An acquire that blocks until a later run's release satisfies it. */
static const uint32_t pb_acquire[] = {
    INC(0, NVC06F_SEMAPHOREA, 4), 0, SEM_VA + 0x40, 5,
    NVC06F_SEMAPHORED_OP_ACQ_GEQ,
    INC(0, NVC06F_SEMAPHOREA, 4), 0, SEM_VA + 0x40, 1,
    NVC06F_SEMAPHORED_OP_ACQ_AND,
    INC(0, NVC06F_SEMAPHOREA, 4), 0, SEM_VA + 0x40, 5,
    NVC06F_SEMAPHORED_OP_ACQUIRE,
};

static const uint32_t pb_release[] = {
    INC(0, NVC06F_SEMAPHOREA, 4), 0, SEM_VA + 0x40, 5,
    NVC06F_SEMAPHORED_OP_RELEASE | NVC06F_SEMAPHORED_RELEASE_SIZE_4BYTE,
};

/* Fill-like copies: sysmem source, sparse source, 2-D pitch. */
static const uint32_t pb_lines[] = {
    INC(1, NVC06F_SET_OBJECT, 1), NV_CE_CLASS_A,
    INC(1, NVC0B5_OFFSET_IN_UPPER, 4), 0, SYS_VA, 0, DST_VA + 0x10,
    INC(1, NVC0B5_PITCH_IN, 4), 0x200, 0x300, 0x100, 8,
    IMMD(1, NVC0B5_LAUNCH_DMA, LAUNCH_COPY | NVC0B5_LAUNCH_DMA_MULTI_LINE),
    INC(1, NVC0B5_OFFSET_IN_LOWER, 1), SP_VA,
    INC(1, NVC0B5_PITCH_IN, 4), 0x800, 0x800, 0x800, 2,
    IMMD(1, NVC0B5_LAUNCH_DMA, LAUNCH_COPY | NVC0B5_LAUNCH_DMA_MULTI_LINE |
         NVC0B5_LAUNCH_DMA_FLUSH),
    INC(1, NVC0B5_SET_RENDER_ENABLE_A, 3), 0, 0, 0,
    INC(1, NVC0B5_GEOMETRY_FIRST, 2), 0, 0,
    IMMD(1, NVC0B5_NOP, 0),
};

/* One refusal each (they end the stream: the channel stays stopped). */
static const uint32_t refusals[][4] = {
    { NV_PB_HDR(NV_PB_SEC_OP_GRP2, 0, 0, 1), 0 },               /* header */
    { NV_PB_HDR(NV_PB_SEC_OP_RESERVED6, 0, 0, 1), 0 },
    { 0x00000040 },                                     /* GRP0 old INC */
    { INC(0, 0x0c0, 1), 0 },                            /* host method */
    { INC(0, NVC06F_SET_OBJECT, 1), 0x902d },           /* class */
    { INC(4, 0x104, 1), 0 },                            /* CE method */
    { IMMD(4, NVC0B5_LAUNCH_DMA, LAUNCH_COPY |
           NVC0B5_LAUNCH_DMA_SRC_PHYSICAL) },           /* launch */
    { IMMD(4, NVC0B5_LAUNCH_DMA, 3) },
    { INC(0, NVC06F_SEMAPHORED, 1), NVC06F_SEMAPHORED_OP_REDUCTION },
    { INC(0, NVC06F_SEMAPHOREB, 3), RO_VA, 1,
      NVC06F_SEMAPHORED_OP_RELEASE },                   /* fault */
    { INC(4, NVC0B5_OFFSET_OUT_LOWER, 1), RO_VA,
      IMMD(4, NVC0B5_LAUNCH_DMA, LAUNCH_COPY) },        /* CE fault */
};

int main(int argc, char **argv)
{
    unsigned flags, i;
    char name[48];
    Seed *s;

    seed_dir(argc, argv);

    for (flags = 0; flags < 8; flags++) {
        /* The TTM-move stream, whole, then in budget-sized slices. */
        s = tree(flags);
        dwords(s, PB_VA, pb_copy, G_N_ELEMENTS(pb_copy));
        gp(s, 0, PB_VA, G_N_ELEMENTS(pb_copy), 0);
        gp(s, 1, 0, 0, NV_GP_OPCODE_NOP);
        gp(s, 2, PB_VA, 12, 0);         /* a method split across entries */
        gp(s, 3, PB_VA + 48, 30, 0);
        bind(s, 3, 0);
        run(s, 2, 255, 0xffffff, 1u << 20);
        run(s, 4, 255, 0xffffff, 1u << 20);
        snprintf(name, sizeof(name), "01-copy-%u", flags);
        save(argv[1], name, s);

        s = tree(flags);
        dwords(s, PB_VA, pb_copy, G_N_ELEMENTS(pb_copy));
        gp(s, 0, PB_VA, G_N_ELEMENTS(pb_copy), 0);
        gp(s, 1, PB_VA, 7, 0);
        bind(s, 1, 0);
        for (i = 0; i < 12; i++) {
            run(s, i < 6 ? 1 : 0, 1, 1 + i % 3, i == 4 ? 0 : 0x3000);
        }
        snprintf(name, sizeof(name), "02-budget-%u", flags);
        save(argv[1], name, s);

        /* Acquires: blocked, released from a second entry, resumed. */
        s = tree(flags);
        dwords(s, PB_VA, pb_acquire, G_N_ELEMENTS(pb_acquire));
        dwords(s, PB_VA + 0x200, pb_release, G_N_ELEMENTS(pb_release));
        gp(s, 0, PB_VA, G_N_ELEMENTS(pb_acquire), 0);
        bind(s, 4, 0);
        run(s, 1, 16, 1000, 1000);
        run(s, 1, 16, 1000, 1000);
        w(s, pa(SEM_VA + 0x40), 5);
        run(s, 1, 16, 1000, 1000);
        gp(s, 1, PB_VA + 0x200, G_N_ELEMENTS(pb_release), 0);
        gp(s, 2, PB_VA, G_N_ELEMENTS(pb_acquire), 0);
        run(s, 3, 16, 1000, 1000);
        snprintf(name, sizeof(name), "03-acquire-%u", flags);
        save(argv[1], name, s);

        s = tree(flags);
        dwords(s, PB_VA, pb_lines, G_N_ELEMENTS(pb_lines));
        gp(s, 0, PB_VA, G_N_ELEMENTS(pb_lines), 0);
        bind(s, 9, 511);               /* wraps: 511 then 0 */
        gp(s, 511, PB_VA, 0, NV_GP_OPCODE_GP_CRC);
        run(s, 1, 8, 1000, 1u << 16);
        snprintf(name, sizeof(name), "04-lines-%u", flags);
        save(argv[1], name, s);
    }

    for (i = 0; i < G_N_ELEMENTS(refusals); i++) {
        static const uint32_t obj[] = {
            INC(4, NVC06F_SET_OBJECT, 1), NV_CE_CLASS_B,
            INC(4, NVC0B5_OFFSET_IN_UPPER, 4), 0, SRC_VA, 0, DST_VA,
            INC(4, NVC0B5_PITCH_IN, 4), 0x100, 0x100, 0x100, 1,
        };

        s = tree(i & 1 ? 2 : 1);
        dwords(s, PB_VA, obj, G_N_ELEMENTS(obj));
        dwords(s, PB_VA + 4 * G_N_ELEMENTS(obj), refusals[i], 4);
        gp(s, 0, PB_VA, G_N_ELEMENTS(obj) + 4, 0);
        bind(s, 2, 0);
        run(s, 1, 4, 100, 1u << 20);
        run(s, 1, 4, 100, 1u << 20);
        snprintf(name, sizeof(name), "05-refuse-%02u", i);
        save(argv[1], name, s);
    }

    /* Ring-level refusals: GP_PUT, control opcode, fetch faults, config. */
    s = tree(0);
    bind(s, 2, 0);
    run(s, 4, 4, 100, 100);
    save(argv[1], "06-gp-put", s);
    s = tree(0);
    gp(s, 0, 0, 0, NV_GP_OPCODE_ILLEGAL);
    bind(s, 2, 0);
    run(s, 1, 4, 100, 100);
    save(argv[1], "06-gp-entry", s);
    s = tree(0);
    gp(s, 0, 0x7000000, 8, 0);
    bind(s, 2, 0);
    run(s, 1, 4, 100, 100);
    save(argv[1], "06-pb-fetch", s);
    s = tree(0);
    put(s, OP_BIND, 1);
    put(s, 0x40000000, 4);
    put(s, 1u << 16, 4);
    put(s, 0, 2);
    put(s, 0, 5);
    run(s, 0, 4, 100, 100);
    run(s, 1, 4, 100, 100);
    save(argv[1], "06-gp-fetch", s);
    s = tree(0);
    put(s, OP_BIND, 1);
    put(s, RING_VA + 4, 4);
    put(s, 16u << 16, 4);
    put(s, 0, 2);
    put(s, 0, 5);
    run(s, 0, 4, 100, 100);
    put(s, OP_RESET, 1);
    put(s, OP_FLUSH, 1);
    save(argv[1], "06-gp-config", s);
    return 0;
}
