/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for the GP107 FIFO and copy engine (gp107/fifo.c, core/pbdma.c):
 * the qtest plays nouveau's gp100 FIFO code -- PTOP/CFG discovery, a
 * channel's instance block and RAMFC, USERD behind BAR1, CCSR bind and
 * enable, a runlist submit -- and runs push buffers built here through
 * page tables built here: a TTM-style copy from system memory to VRAM and
 * back with nouveau's fence (semaphore release + non-stall interrupt),
 * preempt, PBDMA errors for bad GP_PUT / methods, an MMU fault for a copy
 * into unmapped memory, the migration blocker, and the x-corrupt-ce
 * negative control (the data check must fail).
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/module.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "hw/pci/pci_regs.h"
#include "hw/display/nv-gp107.h"
#include "hw/display/nv-gp107-fifo.h"
#include "hw/display/nv-gmmu-ver2.h"
#include "nv-vmbind/gp107.h"

/* VRAM layout (32 MiB) */
#define CH_VM       0x100000    /* channel VM: inst, PD3..PD0, small PT */
#define BAR1_VM     0x110000    /* BAR1 VM, same shape */
#define USERD_PA    0x180000    /* 512 x 0x200 */
#define RL_PA       0x1c0000    /* runlist */
#define GP_PA       0x200000    /* GPFIFO, 4 KiB: 512 entries */
#define PB_PA       0x210000    /* push buffer, 64 KiB */
#define DST_PA      0x300000    /* 64 KiB */
#define BACK_PA     0x320000    /* 64 KiB */
#define SEM_PA      0x340000

/* Channel VM: VA -> what */
#define GP_VA       0x00000ull
#define PB_VA       0x10000ull
#define SRC_VA      0x40000ull  /* system memory */
#define DST_VA      0x80000ull
#define BACK_VA     0xa0000ull
#define SEM_VA      0xc0000ull
#define HOLE_VA     0x180000ull /* unmapped */
#define COPY_LEN    0x10000

#define CHID        3
#define TSGID       7

typedef struct Fifo {
    QGp107 *g;
    QTestState *qts;
    uint64_t sys;               /* guest RAM behind SRC_VA */
    uint32_t pb[1024];
    unsigned npb;               /* dwords written so far */
    unsigned ngp;               /* GP entries written so far */
} Fifo;






/* A VM covering VA [0, 2 MiB) with 4 KiB pages; tables at @vm. */
static void vm_build(QGp107 *g, uint64_t vm)
{
    vram_wr64(g, vm + 0x200,
              nv_gmmu_ramin_pdb_encode(0, vm + 0x1000,
                                       NV_GMMU_RAMIN_USE_VER2_PT_FORMAT |
                                       NV_GMMU_RAMIN_BIG_PAGE_SIZE_64KB));
    vram_wr64(g, vm + 0x208, nv_gmmu_ramin_limit_encode((1ull << 40) - 1));
    vram_wr64(g, vm + 0x1000, nv_gmmu_pde_encode(NV_GMMU_APER_VID,
                                                 vm + 0x2000, false));
    vram_wr64(g, vm + 0x2000, nv_gmmu_pde_encode(NV_GMMU_APER_VID,
                                                 vm + 0x3000, false));
    vram_wr64(g, vm + 0x3000, nv_gmmu_pde_encode(NV_GMMU_APER_VID,
                                                 vm + 0x4000, false));
    vram_wr64(g, vm + 0x4008, nv_gmmu_pd0_small_encode(NV_GMMU_APER_VID,
                                                       vm + 0x5000, false));
}

static void vm_map(QGp107 *g, uint64_t vm, uint64_t va, uint64_t len,
                   NvGmmuAperture aper, uint64_t pa)
{
    uint64_t off;

    for (off = 0; off < len; off += 0x1000) {
        vram_wr64(g, vm + 0x5000 + ((va + off) >> 12) * 8,
                  nv_gmmu_pte_encode(aper, pa + off,
                                     aper == NV_GMMU_APER_VID ? 0 :
                                     NV_GMMU_PTE_VOL, 0));
    }
}

static uint64_t userd(unsigned chid)
{
    return USERD_PA + chid * NV_USERD_SIZE;
}

/*
 * What nouveau does from FIFO init to a running channel (map 1.4 B, 2.1,
 * 2.4): VMs, RAMFC, USERD window, interrupts, CCSR bind + enable, runlist.
 */
static void fifo_setup_chan(Fifo *f, QGp107 *g, QGuestAllocator *alloc,
                            bool priv)
{
    uint64_t inst = CH_VM;
    unsigned i;

    memset(f, 0, sizeof(*f));
    f->g = g;
    f->qts = g->dev.bus->qts;
    f->sys = ROUND_UP(guest_alloc(alloc, COPY_LEN + 0x1000), 0x1000);
    for (i = 0; i < COPY_LEN; i += 4) {
        qtest_writel(f->qts, f->sys + i, 0x5eed0000 + i * 0x01010101u / 4);
    }

    vm_build(g, CH_VM);
    vm_map(g, CH_VM, GP_VA, 0x1000, NV_GMMU_APER_VID, GP_PA);
    vm_map(g, CH_VM, PB_VA, 0x10000, NV_GMMU_APER_VID, PB_PA);
    vm_map(g, CH_VM, SRC_VA, COPY_LEN, NV_GMMU_APER_SYS_COH, f->sys);
    vm_map(g, CH_VM, DST_VA, COPY_LEN, NV_GMMU_APER_VID, DST_PA);
    vm_map(g, CH_VM, BACK_VA, COPY_LEN, NV_GMMU_APER_VID, BACK_PA);
    vm_map(g, CH_VM, SEM_VA, 0x1000, NV_GMMU_APER_VID, SEM_PA);
    /* BAR1: VA 0 is the USERD block (gk104_fifo_init: 0x2254 PTR 0). */
    vm_build(g, BAR1_VM);
    vm_map(g, BAR1_VM, 0, NV_GP107_CHANNELS * NV_USERD_SIZE,
           NV_GMMU_APER_VID, USERD_PA);
    wr(g, NV_PBUS_BAR1_BLOCK, NV_PBUS_BLOCK_MODE_VIRTUAL | (BAR1_VM >> 12));

    /*
     * qos-test may reuse the machine after a system reset, and VRAM keeps
     * its contents across resets: clear what the checks read (nouveau's
     * instance blocks and USERD are zeroed too).
     */
    for (i = 0; i < 0x100; i += 4) {
        vram_wr32(g, inst + i, 0);
        vram_wr32(g, userd(CHID) + i, 0);
    }
    for (i = 0; i < 16; i += 4) {
        vram_wr32(g, SEM_PA + i, 0);
        vram_wr32(g, SEM_PA + 0x1000 + i, 0);
    }
    for (i = 0; i < COPY_LEN; i += 0x400) {
        vram_wr32(g, DST_PA + i, 0);
        vram_wr32(g, DST_PA + i + 0x3fc, 0);
        vram_wr32(g, BACK_PA + i, 0);
        vram_wr32(g, BACK_PA + i + 0x3fc, 0);
    }

    /* RAMFC (gk104_chan_ramfc_write) */
    vram_wr32(g, inst + NV_RAMFC_USERD, userd(CHID));
    vram_wr32(g, inst + NV_RAMFC_USERD_HI, 0);
    vram_wr32(g, inst + 0x10, 0xface);
    vram_wr32(g, inst + NV_RAMFC_GP_BASE, GP_VA);
    vram_wr32(g, inst + NV_RAMFC_GP_BASE_HI, 9u << 16);
    vram_wr32(g, inst + NV_RAMFC_CHID, CHID);
    /* nouveau's kernel channels are privileged */
    vram_wr32(g, inst + NV_RAMFC_HCE_CTRL,
              priv ? NV_RAMFC_HCE_CTRL_HCE_PRIV : 0);

    /* gk104_fifo_init */
    wr(g, NV_PMC_ENABLE_PB, 1);
    wr(g, NV_PFIFO_BAR1_BASE, NV_PFIFO_BAR1_BASE_VALID | 0);
    wr(g, NV_PFIFO_INTR_0, 0xffffffff);
    wr(g, NV_PFIFO_INTR_EN_0, 0xffffffff);
    wr(g, NV_PPBDMA_BASE(0) + NV_PPBDMA_INTR_EN_0, 0xfffffeff);
    wr(g, NV_PMC_INTR_EN_SET(0), NV_PMC_INTR_PFIFO);

    /* gk104_chan_bind_inst, gk104_chan_start */
    wr(g, NV_PCCSR_CHANNEL_INST(CHID), NV_PCCSR_INST_BIND | (inst >> 12));
    wr(g, NV_PCCSR_CHANNEL(CHID),
       rd(g, NV_PCCSR_CHANNEL(CHID)) | NV_PCCSR_CHANNEL_ENABLE_SET);

    /* gk110_runl_insert_cgrp + gp100_runl_insert_chan, gk104_runl_commit */
    vram_wr32(g, RL_PA, 1u << 26 | 128 << 18 | 3 << 14 | 0x2000 | TSGID);
    vram_wr32(g, RL_PA + 4, 0);
    vram_wr32(g, RL_PA + 8, CHID);
    vram_wr32(g, RL_PA + 12, inst >> 12);
    wr(g, NV_PFIFO_RUNLIST_BASE, RL_PA >> 12);
    wr(g, NV_PFIFO_RUNLIST, 0 << NV_PFIFO_RUNLIST_ID_SHIFT | 2);
    g_assert_cmphex(rd(g, NV_PFIFO_ENG_RUNLIST(0)), ==, 2);
}

/* A user channel, as most tests want. */
static void fifo_setup(Fifo *f, QGp107 *g, QGuestAllocator *alloc)
{
    fifo_setup_chan(f, g, alloc, false);
}

static void push(Fifo *f, uint32_t d)
{
    g_assert_cmpuint(f->npb, <, G_N_ELEMENTS(f->pb));
    vram_wr32(f->g, PB_PA + f->npb * 4, d);
    f->pb[f->npb++] = d;
}

/* A GP entry for the dwords from @start, then GP_PUT through BAR1. */
static void kick(Fifo *f, unsigned start)
{
    uint64_t va = PB_VA + start * 4;

    vram_wr32(f->g, GP_PA + f->ngp * 8, (uint32_t)va);
    vram_wr32(f->g, GP_PA + f->ngp * 8 + 4,
              (uint32_t)(va >> 32) |
              (f->npb - start) << NV_GP_ENTRY1_LENGTH_SHIFT);
    f->ngp++;
    qpci_io_writel(&f->g->dev, f->g->bar1, CHID * NV_USERD_SIZE +
                   NV_USERD_GP_PUT, f->ngp);
}

/* nouveau's nve0_bo_move_copy + nvc0_fence_emit32, word for word. */
static void push_move(Fifo *f, uint64_t src, uint64_t dst, uint32_t len,
                      uint32_t seq)
{
    if (!f->npb) {
        push(f, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC06F_SET_OBJECT, 1));
        push(f, NV_CE_CLASS_B);
    }
    push(f, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC0B5_OFFSET_IN_UPPER, 8));
    push(f, src >> 32);
    push(f, (uint32_t)src);
    push(f, dst >> 32);
    push(f, (uint32_t)dst);
    push(f, 0x1000);
    push(f, 0x1000);
    push(f, 0x1000);
    push(f, len / 0x1000);
    push(f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 4, NVC0B5_LAUNCH_DMA, 0x386));
    push(f, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_SEMAPHOREA, 4));
    push(f, SEM_VA >> 32);
    push(f, (uint32_t)SEM_VA);
    push(f, seq);
    push(f, NVC06F_SEMAPHORED_OP_RELEASE);
    push(f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
}

/* Does VRAM @pa hold the source pattern? */
static bool dst_matches(Fifo *f, uint64_t pa)
{
    unsigned i;

    for (i = 0; i < COPY_LEN; i += 0x400) {
        if (vram_rd32(f->g, pa + i) != qtest_readl(f->qts, f->sys + i) ||
            vram_rd32(f->g, pa + i + 0x3fc) !=
            qtest_readl(f->qts, f->sys + i + 0x3fc)) {
            return false;
        }
    }
    return true;
}

/* Copy sysmem -> VRAM with a fence; true if the data and fence arrived. */
static bool copy_and_check(Fifo *f)
{
    unsigned start = f->npb;

    push_move(f, SRC_VA, DST_VA, COPY_LEN, 0x1001);
    kick(f, start);
    return vram_rd32(f->g, SEM_PA) == 0x1001 && dst_matches(f, DST_PA);
}

static void test_fifo_regs(void *obj, void *data, QGuestAllocator *alloc)
{
    QGp107 *g = obj;

    g_assert_cmphex(rd(g, NV_PFIFO_CFG0), ==, 1);
    g_assert_cmphex(rd(g, NV_PFIFO_CFG1), ==, NV_GP107_CHANNELS);
    g_assert_cmphex(rd(g, NV_PFIFO_PBDMA_MAP(0)), ==, 1);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(0)), ==, NV_GP107_TOP_CE0_ENUM);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(1)), ==, NV_GP107_TOP_CE0_DATA);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(2)), ==, NV_GP107_TOP_CE0_TYPE);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(3)), ==, NV_GP107_TOP_GR_ENUM);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(4)), ==, NV_GP107_TOP_GR_DATA);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(5)), ==, NV_GP107_TOP_GR_TYPE);
    g_assert_cmphex(rd(g, NV_PTOP_DEVICE_INFO(6)), ==, 0);
    /*
     * GR as gk104_top_parse decodes it: ENUM with engine, runlist, intr
     * and reset valid; runlist 0 (the CE's: fences are signalled only on
     * runlist 0), engine 0, PRI base 0x400000, type 0 = GR, chain closed.
     */
    g_assert_cmphex(NV_GP107_TOP_GR_ENUM & 3, ==, 2);
    g_assert_cmphex(NV_GP107_TOP_GR_ENUM & 0x3c, ==, 0x3c);
    g_assert_cmphex((NV_GP107_TOP_GR_ENUM >> 21) & 0xf, ==,
                    (NV_GP107_TOP_CE0_ENUM >> 21) & 0xf);
    g_assert_cmphex((NV_GP107_TOP_GR_ENUM >> 26) & 0xf, ==, 0);
    g_assert_cmphex(NV_GP107_TOP_GR_DATA & 0xfff000, ==, 0x400000);
    g_assert_cmphex((NV_GP107_TOP_GR_TYPE & 0x7ffffffc) >> 2, ==, 0);
    g_assert_cmphex(NV_GP107_TOP_GR_TYPE >> 31, ==, 0);
    /* GR's falcons: configuration only, read-only. */
    g_assert_cmphex(rd(g, NV_PGRAPH_FECS_FALCON_HWCFG), ==,
                    NV_GP107_FECS_HWCFG);
    g_assert_cmphex(rd(g, NV_PGRAPH_FECS_FALCON_HWCFG1), ==,
                    NV_GP107_FALCON_HWCFG1);
    g_assert_cmphex(rd(g, NV_PGRAPH_GPCCS_FALCON_HWCFG), ==,
                    NV_GP107_GPCCS_HWCFG);
    g_assert_cmphex(rd(g, NV_PGRAPH_GPCCS_FALCON_HWCFG1), ==,
                    NV_GP107_FALCON_HWCFG1);
    wr(g, NV_PGRAPH_FECS_FALCON_HWCFG, 0);
    g_assert_cmphex(rd(g, NV_PGRAPH_FECS_FALCON_HWCFG), ==,
                    NV_GP107_FECS_HWCFG);
    /* The images nouveau loads fit (fecs_inst 22879, gpccs_inst 12587). */
    g_assert_cmpuint((NV_GP107_FECS_HWCFG & 0x1ff) << 8, >=, 22879);
    g_assert_cmpuint((NV_GP107_GPCCS_HWCFG & 0x1ff) << 8, >=, 12587);
    g_assert_cmphex(rd(g, NV_FUSE_CE_DISABLE) & 1, ==, 0);
    /* CCSR: SET/CLR are triggers that read 0; ENABLE follows them. */
    wr(g, NV_PCCSR_CHANNEL(5), NV_PCCSR_CHANNEL_ENABLE_SET);
    g_assert_cmphex(rd(g, NV_PCCSR_CHANNEL(5)), ==, NV_PCCSR_CHANNEL_ENABLE);
    wr(g, NV_PCCSR_CHANNEL(5), NV_PCCSR_CHANNEL_ENABLE_CLR);
    g_assert_cmphex(rd(g, NV_PCCSR_CHANNEL(5)), ==, 0);
    wr(g, NV_PCCSR_CHANNEL_INST(511), 0x12345);
    g_assert_cmphex(rd(g, NV_PCCSR_CHANNEL_INST(511)), ==, 0x12345);
    /* Submits, preempts complete at once. */
    wr(g, NV_PFIFO_RUNLIST_BASE, RL_PA >> 12);
    wr(g, NV_PFIFO_RUNLIST, 0);
    g_assert_cmphex(rd(g, NV_PFIFO_ENG_RUNLIST(0)) &
                    NV_PFIFO_ENG_RUNLIST_PENDING, ==, 0);
    wr(g, NV_PFIFO_PREEMPT, NV_PFIFO_PREEMPT_TYPE_TSG | 1);
    g_assert_cmphex(rd(g, NV_PFIFO_PREEMPT) & NV_PFIFO_PREEMPT_PENDING, ==,
                    0);
    /* A runlist longer than the model's bound is cut, not trusted. */
    wr(g, NV_PFIFO_RUNLIST, 0xffff);
    g_assert_cmphex(rd(g, NV_PFIFO_ENG_RUNLIST(0)), ==,
                    NV_GP107_RUNLIST_MAX_ENTRIES);
    /* No interrupt pending. */
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, 0);
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, 0);
}

static void test_fifo_copy(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;
    unsigned start;

    fifo_setup(&f, g, alloc);
    /* 32 DMA NOPs (NOUVEAU_DMA_SKIPS) come first, never kicked alone. */
    for (start = 0; start < 32; start++) {
        push(&f, 0);
    }
    push_move(&f, SRC_VA, DST_VA, COPY_LEN, 0x1001);
    kick(&f, 0);
    g_assert_true(dst_matches(&f, DST_PA));
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0x1001);
    g_assert_cmphex(vram_rd32(g, SEM_PA + 4), ==, 0);
    g_assert_cmphex(vram_rd32(g, SEM_PA + 8) | vram_rd32(g, SEM_PA + 12), !=,
                    0);                     /* PTIMER timestamp */
    /* USERD written back; read through BAR1 as nouveau does. */
    g_assert_cmpuint(qpci_io_readl(&g->dev, g->bar1, CHID * NV_USERD_SIZE +
                                   NV_USERD_GP_GET), ==, 1);
    g_assert_cmphex(vram_rd32(g, userd(CHID) + NV_USERD_GET), ==,
                    PB_VA + f.npb * 4);
    g_assert_cmphex(vram_rd32(g, userd(CHID) + NV_USERD_GET_HI), ==, 0);
    /* The non-stall interrupt: PFIFO bit 31 -> PMC bit 8; W1C clears. */
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==,
                    NV_PFIFO_INTR_0_CHANNEL_INTR);
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, NV_PMC_INTR_PFIFO);
    wr(g, NV_PFIFO_INTR_EN_0, 0x7fffffff);  /* masked: not at PMC */
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, 0);
    wr(g, NV_PFIFO_INTR_EN_0, 0xffffffff);  /* level: back */
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, NV_PMC_INTR_PFIFO);
    wr(g, NV_PFIFO_INTR_0, NV_PFIFO_INTR_0_CHANNEL_INTR);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, 0);
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, 0);

    /* And back, VRAM -> VRAM, in a second kick with the next fence. */
    start = f.npb;
    push_move(&f, DST_VA, BACK_VA, COPY_LEN, 0x1002);
    kick(&f, start);
    g_assert_true(dst_matches(&f, BACK_PA));
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0x1002);
    g_assert_cmpuint(vram_rd32(g, userd(CHID) + NV_USERD_GP_GET), ==, 2);
    g_assert_cmphex(rd(g, NV_PCCSR_CHANNEL(CHID)), ==,
                    NV_PCCSR_CHANNEL_ENABLE);

    /* Preempt the TSG: completes at once, GETs saved to RAMFC. */
    wr(g, NV_PFIFO_PREEMPT, NV_PFIFO_PREEMPT_TYPE_TSG | TSGID);
    g_assert_cmphex(rd(g, NV_PFIFO_PREEMPT) & NV_PFIFO_PREEMPT_PENDING, ==,
                    0);
    g_assert_cmpuint(vram_rd32(g, CH_VM + NV_RAMFC_GP_GET), ==, 2);
    g_assert_cmphex(vram_rd32(g, CH_VM + NV_RAMFC_PB_GET), ==,
                    PB_VA + f.npb * 4);
}

/*
 * MSI (capability at 0x48, 64-bit): one message per rising edge of
 * PMC_INTR_0 & enables, another at each 0x088704 rearm while pending.
 */
/* INTx (MSI off): the pin follows PMC_INTR & enables, level-triggered. */
static bool intx(QGp107 *g)
{
    return qpci_config_readw(&g->dev, PCI_STATUS) & PCI_STATUS_INTERRUPT;
}

static void test_fifo_intx(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;
    unsigned start;

    fifo_setup(&f, g, alloc);
    g_assert_false(qpci_config_readw(&g->dev, 0x4a) & 1);     /* MSI off */
    g_assert_false(intx(g));
    push_move(&f, SRC_VA, DST_VA, COPY_LEN, 0x32);
    kick(&f, 0);
    g_assert_true(intx(g));
    /* Level: it stays up until PFIFO_INTR_0 is acknowledged (W1C). */
    g_assert_true(intx(g));
    wr(g, NV_PFIFO_INTR_0, NV_PFIFO_INTR_0_CHANNEL_INTR);
    g_assert_false(intx(g));
    /* The PMC leaf enable masks the pin, and unmasking raises it again. */
    wr(g, NV_PMC_INTR_EN_CLEAR(0), NV_PMC_INTR_PFIFO);
    start = f.npb;
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    kick(&f, start);
    g_assert_false(intx(g));
    wr(g, NV_PMC_INTR_EN_SET(0), NV_PMC_INTR_PFIFO);
    g_assert_true(intx(g));
    wr(g, NV_PFIFO_INTR_0, NV_PFIFO_INTR_0_CHANNEL_INTR);
    g_assert_false(intx(g));
}

static void test_fifo_msi(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;
    uint64_t msg;
    unsigned start;

    fifo_setup(&f, g, alloc);
    msg = guest_alloc(alloc, 16);
    qtest_writel(f.qts, msg, 0);
    qpci_config_writel(&g->dev, 0x4c, (uint32_t)msg);
    qpci_config_writel(&g->dev, 0x50, msg >> 32);
    qpci_config_writew(&g->dev, 0x54, 0x4d5a);
    qpci_config_writew(&g->dev, 0x4a, qpci_config_readw(&g->dev, 0x4a) | 1);
    push_move(&f, SRC_VA, DST_VA, COPY_LEN, 0x31);
    kick(&f, 0);
    g_assert_cmphex(qtest_readl(f.qts, msg), ==, 0x4d5a);
    /* Still pending: no new edge, no message; a rearm sends one. */
    qtest_writel(f.qts, msg, 0);
    start = f.npb;
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    kick(&f, start);
    g_assert_cmphex(qtest_readl(f.qts, msg), ==, 0);
    wr(g, NV_XVE_MSI_REARM, 0);
    g_assert_cmphex(qtest_readl(f.qts, msg), ==, 0x4d5a);
    /* Acknowledged: a rearm sends nothing; the next interrupt does. */
    wr(g, NV_PFIFO_INTR_0, NV_PFIFO_INTR_0_CHANNEL_INTR);
    qtest_writel(f.qts, msg, 0);
    wr(g, NV_XVE_MSI_REARM, 0);
    g_assert_cmphex(qtest_readl(f.qts, msg), ==, 0);
    start = f.npb;
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    kick(&f, start);
    g_assert_cmphex(qtest_readl(f.qts, msg), ==, 0x4d5a);
    /* The PMC leaf enable gates it: cleared, no message on a new edge. */
    wr(g, NV_PFIFO_INTR_0, NV_PFIFO_INTR_0_CHANNEL_INTR);
    wr(g, NV_PMC_INTR_EN_CLEAR(0), NV_PMC_INTR_PFIFO);
    qtest_writel(f.qts, msg, 0);
    start = f.npb;
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    kick(&f, start);
    g_assert_cmphex(qtest_readl(f.qts, msg), ==, 0);
    wr(g, NV_PMC_INTR_EN_SET(0), NV_PMC_INTR_PFIFO);    /* level: sent */
    g_assert_cmphex(qtest_readl(f.qts, msg), ==, 0x4d5a);
}

/* A disabled channel, or one off the runlist, does not run until allowed. */
static void test_fifo_schedule(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;

    fifo_setup(&f, g, alloc);
    wr(g, NV_PFIFO_SCHED_DISABLE, 1);
    push_move(&f, SRC_VA, DST_VA, COPY_LEN, 0x77);
    kick(&f, 0);
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0);
    g_assert_cmpuint(vram_rd32(g, userd(CHID) + NV_USERD_GP_GET), ==, 0);
    wr(g, NV_PFIFO_SCHED_DISABLE, 0);       /* runs at once */
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0x77);
    g_assert_true(dst_matches(&f, DST_PA));
}

/*
 * A semaphore acquire blocks the channel; the retry timer runs it again
 * 100 us after it blocked, then at twice the interval each time it finds
 * it still blocked.
 */
static void test_fifo_acquire(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;

    fifo_setup(&f, g, alloc);
    vram_wr32(g, SEM_PA + 0x10, 0);
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_INC, 4, NVC06F_SET_OBJECT, 1));
    push(&f, NV_CE_CLASS_B);
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_INC, 0, NVC06F_SEMAPHOREA, 4));
    push(&f, (SEM_VA + 0x10) >> 32);
    push(&f, (uint32_t)(SEM_VA + 0x10));
    push(&f, 5);
    push(&f, NVC06F_SEMAPHORED_OP_ACQ_GEQ);
    push_move(&f, SRC_VA, DST_VA, COPY_LEN, 0x55);
    kick(&f, 0);
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0);         /* blocked */
    qtest_clock_step(f.qts, 100 * 1000);    /* retry 1: next in 200 us */
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0);
    vram_wr32(g, SEM_PA + 0x10, 5);         /* released behind its back */
    qtest_clock_step(f.qts, 100 * 1000);
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0);         /* backed off */
    qtest_clock_step(f.qts, 100 * 1000);    /* retry 2 */
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0x55);
    g_assert_true(dst_matches(&f, DST_PA));
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0) & NV_PFIFO_INTR_0_PBDMA_INTR, ==,
                    0);
}

/* An unknown host method: PBDMA METHOD interrupt, channel stopped. */
static void test_fifo_bad_method(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;
    uint32_t pb = NV_PPBDMA_BASE(0);

    fifo_setup(&f, g, alloc);
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_INC, 2, 0x0c, 1));
    push(&f, 0xdead);
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    kick(&f, 0);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, NV_PFIFO_INTR_0_PBDMA_INTR);
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, NV_PMC_INTR_PFIFO);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_PBDMA_ID), ==, 1);
    g_assert_cmphex(rd(g, pb + NV_PPBDMA_INTR_0), ==, NV_PPBDMA_INTR_0_METHOD);
    g_assert_cmphex(rd(g, pb + NV_PPBDMA_METHOD0), ==, 2 << 16 | 0x0c);
    g_assert_cmphex(rd(g, pb + NV_PPBDMA_DATA0), ==, 0xdead);
    g_assert_cmphex(rd(g, pb + NV_PPBDMA_CHANNEL), ==, CHID);
    g_assert_cmphex(rd(g, NV_PCCSR_CHANNEL(CHID)), ==,
                    NV_PCCSR_CHANNEL_ENABLE | NV_PCCSR_CHANNEL_PBDMA_FAULTED);
    g_assert_cmpuint(vram_rd32(g, userd(CHID) + NV_USERD_GP_GET), ==, 0);
    /* gf100_runq_intr: NOP the method, W1C; bit 29 follows. */
    wr(g, pb + NV_PPBDMA_METHOD0, 0x80600008);
    wr(g, pb + NV_PPBDMA_INTR_0, NV_PPBDMA_INTR_0_METHOD);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, 0);
    g_assert_cmphex(rd(g, NV_PMC_INTR(0)), ==, 0);
    /* Stopped: another kick does nothing. */
    push(&f, NV_PB_HDR(NV_PB_SEC_OP_IMMD, 0, NVC06F_NON_STALL_INTERRUPT, 0));
    kick(&f, f.npb - 1);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, 0);
    /* Unbind + rebind (nouveau's teardown and a new channel) runs again. */
    wr(g, NV_PCCSR_CHANNEL_INST(CHID), 0);
    vram_wr32(g, CH_VM + NV_RAMFC_GP_GET, 1);   /* skip the bad entry */
    wr(g, NV_PCCSR_CHANNEL_INST(CHID), NV_PCCSR_INST_BIND | (CH_VM >> 12));
    wr(g, NV_PCCSR_CHANNEL(CHID), NV_PCCSR_CHANNEL_ENABLE_SET);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, NV_PFIFO_INTR_0_CHANNEL_INTR);
}

/* GP_PUT beyond the ring, an illegal GP entry, a reserved header. */
static void test_fifo_bad_gp(void *obj, void *data, QGuestAllocator *alloc)
{
    static const struct {
        uint32_t e0, e1, put, intr;
    } cases[] = {
        { 0, 0, 600, NV_PPBDMA_INTR_0_GPPTR },
        { NV_GP_OPCODE_ILLEGAL, 0, 1, NV_PPBDMA_INTR_0_GPENTRY },
        { PB_VA, 1 << NV_GP_ENTRY1_LENGTH_SHIFT, 1, NV_PPBDMA_INTR_0_PBENTRY },
        { HOLE_VA, 4 << NV_GP_ENTRY1_LENGTH_SHIFT, 1, 0 },
    };
    QGp107 *g = obj;
    uint32_t pb = NV_PPBDMA_BASE(0);
    unsigned i;
    Fifo f;

    fifo_setup(&f, g, alloc);
    vram_wr32(g, PB_PA, 6u << 29);          /* reserved SEC_OP */
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* A fresh channel each time: unbind, clear USERD, rebind, enable. */
        wr(g, NV_PCCSR_CHANNEL_INST(CHID), 0);
        vram_wr32(g, userd(CHID) + NV_USERD_GP_PUT, 0);
        wr(g, NV_PCCSR_CHANNEL_INST(CHID),
           NV_PCCSR_INST_BIND | (CH_VM >> 12));
        wr(g, NV_PCCSR_CHANNEL(CHID), NV_PCCSR_CHANNEL_ENABLE_SET);
        vram_wr32(g, GP_PA, cases[i].e0);
        vram_wr32(g, GP_PA + 4, cases[i].e1);
        qpci_io_writel(&g->dev, g->bar1, CHID * NV_USERD_SIZE +
                       NV_USERD_GP_PUT, cases[i].put);
        if (cases[i].intr) {
            g_assert_cmphex(rd(g, pb + NV_PPBDMA_INTR_0), ==, cases[i].intr);
            g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==,
                            NV_PFIFO_INTR_0_PBDMA_INTR);
            wr(g, pb + NV_PPBDMA_INTR_0, cases[i].intr);
        } else {
            /* Push buffer in a hole: a HOST MMU fault (PTE, read). */
            g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==,
                            NV_PFIFO_INTR_0_MMU_FAULT);
            g_assert_cmphex(rd(g, NV_PFIFO_INTR_MMU_FAULT_ID), ==,
                            1u << NV_GP107_FAULT_UNIT_HOST0);
            g_assert_cmphex(rd(g, NV_PFIFO_MMU_FAULT_LO(
                                   NV_GP107_FAULT_UNIT_HOST0)), ==, HOLE_VA);
            g_assert_cmphex(rd(g, NV_PFIFO_MMU_FAULT_INFO(
                                   NV_GP107_FAULT_UNIT_HOST0)), ==,
                            NV_GMMU_FAULT_TYPE_PTE |
                            NV_GP107_FAULT_CLIENT_HOST << 8 |
                            NV_PFIFO_MMU_FAULT_INFO_HUB);
            wr(g, NV_PFIFO_INTR_MMU_FAULT_ID, 1u << NV_GP107_FAULT_UNIT_HOST0);
        }
        g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, 0);
        g_assert_cmpuint(vram_rd32(g, userd(CHID) + NV_USERD_GP_GET), ==, 0);
    }
}

/*
 * A copy into unmapped memory: the CE0 MMU fault as
 * gf100_fifo_intr_mmu_fault reads it; no fence.
 */
static void test_fifo_ce_fault(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;
    unsigned u = NV_GP107_FAULT_UNIT_CE0;

    fifo_setup(&f, g, alloc);
    push_move(&f, SRC_VA, HOLE_VA, COPY_LEN, 0x55);
    kick(&f, 0);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, NV_PFIFO_INTR_0_MMU_FAULT);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_MMU_FAULT_ID), ==, 1u << u);
    g_assert_cmphex(rd(g, NV_PFIFO_MMU_FAULT_INST(u)), ==, CH_VM >> 12);
    g_assert_cmphex(rd(g, NV_PFIFO_MMU_FAULT_LO(u)), ==, HOLE_VA);
    g_assert_cmphex(rd(g, NV_PFIFO_MMU_FAULT_HI(u)), ==, 0);
    g_assert_cmphex(rd(g, NV_PFIFO_MMU_FAULT_INFO(u)), ==,
                    NV_GMMU_FAULT_TYPE_PTE |
                    NV_GP107_FAULT_CLIENT_CE0 << 8 |
                    NV_GMMU_ACCESS_TYPE_VIRT_WRITE << 16 |
                    NV_PFIFO_MMU_FAULT_INFO_HUB);
    g_assert_cmphex(rd(g, NV_PCCSR_CHANNEL(CHID)) &
                    NV_PCCSR_CHANNEL_ENG_FAULTED, !=, 0);
    g_assert_cmphex(vram_rd32(g, SEM_PA), ==, 0);
    wr(g, NV_PFIFO_INTR_MMU_FAULT_ID, 1u << u);
    g_assert_cmphex(rd(g, NV_PFIFO_INTR_0), ==, 0);
}

/* A bound channel blocks migration; unbinding lifts it. */
static void test_fifo_migration(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;
    QGp107 *g = obj;
    QDict *rsp;

    fifo_setup(&f, g, alloc);
    rsp = qtest_qmp(f.qts, "{ 'execute': 'migrate', 'arguments': "
                    "{ 'uri': 'exec:cat > /dev/null' } }");
    g_assert_true(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "FIFO channel is bound"));
    qobject_unref(rsp);
    wr(g, NV_PCCSR_CHANNEL_INST(CHID), 0);
    rsp = qtest_qmp(f.qts, "{ 'execute': 'migrate', 'arguments': "
                    "{ 'uri': 'exec:cat > /dev/null' } }");
    g_assert_false(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
}

/*
 * x-nv-vmbind-ce-log after copy_and_check(): every recorded access of the
 * copy's source and destination is where the VM's PTEs (vm_map above) put
 * it, and the destination's pieces add up to the copy.
 */
static bool ce_log_matches(Fifo *f)
{
    QDict *rsp = qtest_qmp(f->qts, "{ 'execute': 'x-nv-vmbind-ce-log', "
                           "'arguments': { 'id': 'gp0', 'channel': %u } }",
                           CHID);
    QDict *ret = qdict_get_qdict(rsp, "return");
    QList *l = qdict_get_qlist(ret, "accesses");
    uint64_t src_bytes = 0, dst_bytes = 0;
    bool ok = true;
    QListEntry *e;

    g_assert_cmpuint(qdict_get_int(ret, "next"), ==,
                     qdict_get_int(ret, "total"));
    g_assert_cmpuint(qdict_get_int(ret, "lost"), ==, 0);
    QLIST_FOREACH_ENTRY(l, e) {
        QDict *a = qobject_to(QDict, qlist_entry_obj(e));
        uint64_t va = qdict_get_int(a, "va");
        uint64_t pa = qdict_get_int(a, "address");
        uint64_t size = qdict_get_int(a, "size");
        const char *aper = qdict_get_str(a, "aperture");

        g_assert_cmpuint(qdict_get_int(a, "channel"), ==, CHID);
        g_assert_cmpuint(qdict_get_int(a, "pdb"), ==, CH_VM + 0x1000);
        if (qdict_get_bool(a, "write") && va >= DST_VA &&
            va + size <= DST_VA + COPY_LEN) {
            ok &= !strcmp(aper, "vid") && pa == DST_PA + (va - DST_VA);
            dst_bytes += size;
        } else if (!qdict_get_bool(a, "write") && va >= SRC_VA &&
                   va + size <= SRC_VA + COPY_LEN) {
            ok &= !strcmp(aper, "sys") && pa == f->sys + (va - SRC_VA);
            src_bytes += size;
        }
    }
    qobject_unref(rsp);
    return ok && src_bytes == COPY_LEN && dst_bytes == COPY_LEN;
}

/* Negative control: x-corrupt-ce moves the CE's writes; the check fails. */
static void test_fifo_corrupt_ce(void *obj, void *data,
                                 QGuestAllocator *alloc)
{
    Fifo f;

    fifo_setup(&f, obj, alloc);
    g_assert_false(copy_and_check(&f));
    g_test_message("x-corrupt-ce: dst %08x %08x sem %08x/%08x src %08x "
                   "GP_GET %u INTR %08x", vram_rd32(f.g, DST_PA),
                   vram_rd32(f.g, DST_PA + 0x1000), vram_rd32(f.g, SEM_PA),
                   vram_rd32(f.g, SEM_PA + 0x1000), qtest_readl(f.qts, f.sys),
                   vram_rd32(f.g, userd(CHID) + NV_USERD_GP_GET),
                   rd(f.g, NV_PFIFO_INTR_0));
    g_assert_false(dst_matches(&f, DST_PA));
    /* The bytes went one page off: the translation was not used. */
    g_assert_true(vram_rd32(f.g, DST_PA + 0x1000) ==
                  qtest_readl(f.qts, f.sys));
    /* ... and the device's access record says so. */
    g_assert_false(ce_log_matches(&f));
}

/* Accesses of channel CHID the device recorded. */
static int64_t ce_log_count(Fifo *f)
{
    QDict *rsp = qtest_qmp(f->qts, "{ 'execute': 'x-nv-vmbind-ce-log', "
                           "'arguments': { 'id': 'gp0', 'channel': %u } }",
                           CHID);
    QList *l = qdict_get_qlist(qdict_get_qdict(rsp, "return"), "accesses");
    int64_t n = qlist_size(l);

    qobject_unref(rsp);
    return n;
}

/* x-corrupt-user-ce: a user channel's writes go astray, recorded so. */
static void test_fifo_corrupt_user_ce(void *obj, void *data,
                                      QGuestAllocator *alloc)
{
    Fifo f;

    fifo_setup(&f, obj, alloc);
    g_assert_false(copy_and_check(&f));
    g_assert_false(ce_log_matches(&f));
}

/*
 * ... but a privileged (kernel) channel's copy is right, and kernel
 * channels are not recorded.
 */
static void test_fifo_corrupt_user_ce_priv(void *obj, void *data,
                                           QGuestAllocator *alloc)
{
    Fifo f;

    fifo_setup_chan(&f, obj, alloc, true);
    g_assert_true(copy_and_check(&f));
    g_assert_cmpint(ce_log_count(&f), ==, 0);
}

/*
 * Negative control for the guest suite: x-corrupt-ce-data moves only the
 * data, so the fence still signals and the data check is what fails.
 */
static void test_fifo_corrupt_ce_data(void *obj, void *data,
                                      QGuestAllocator *alloc)
{
    Fifo f;

    fifo_setup(&f, obj, alloc);
    g_assert_false(copy_and_check(&f));
    g_assert_cmphex(vram_rd32(f.g, SEM_PA), ==, 0x1001);
    g_assert_false(dst_matches(&f, DST_PA));
    g_assert_true(vram_rd32(f.g, DST_PA + 0x1000) ==
                  qtest_readl(f.qts, f.sys));
}

/* The same check passes on a healthy device. */
static void test_fifo_check(void *obj, void *data, QGuestAllocator *alloc)
{
    Fifo f;

    fifo_setup(&f, obj, alloc);
    g_assert_true(copy_and_check(&f));
    g_assert_true(ce_log_matches(&f));
}

static void register_tests(void)
{
    static QOSGraphTestOptions corrupt = {
        .edge.extra_device_opts = "x-corrupt-ce=on",
    };
    static QOSGraphTestOptions corrupt_data = {
        .edge.extra_device_opts = "x-corrupt-ce-data=on",
    };
    static QOSGraphTestOptions corrupt_user = {
        .edge.extra_device_opts = "x-corrupt-user-ce=on",
    };

    qos_add_test("nv-vmbind/fifo/regs", TYPE_NV_GP107, test_fifo_regs, NULL);
    qos_add_test("nv-vmbind/fifo/copy", TYPE_NV_GP107, test_fifo_copy, NULL);
    qos_add_test("nv-vmbind/fifo/msi", TYPE_NV_GP107, test_fifo_msi, NULL);
    qos_add_test("nv-vmbind/fifo/intx", TYPE_NV_GP107, test_fifo_intx, NULL);
    qos_add_test("nv-vmbind/fifo/schedule", TYPE_NV_GP107,
                 test_fifo_schedule, NULL);
    qos_add_test("nv-vmbind/fifo/acquire", TYPE_NV_GP107, test_fifo_acquire,
                 NULL);
    qos_add_test("nv-vmbind/fifo/bad-method", TYPE_NV_GP107,
                 test_fifo_bad_method, NULL);
    qos_add_test("nv-vmbind/fifo/bad-gp", TYPE_NV_GP107, test_fifo_bad_gp,
                 NULL);
    qos_add_test("nv-vmbind/fifo/ce-fault", TYPE_NV_GP107,
                 test_fifo_ce_fault, NULL);
    qos_add_test("nv-vmbind/fifo/migration-blocker", TYPE_NV_GP107,
                 test_fifo_migration, NULL);
    qos_add_test("nv-vmbind/fifo/check", TYPE_NV_GP107, test_fifo_check,
                 NULL);
    qos_add_test("nv-vmbind/fifo/corrupt-ce", TYPE_NV_GP107,
                 test_fifo_corrupt_ce, &corrupt);
    qos_add_test("nv-vmbind/fifo/corrupt-ce-data", TYPE_NV_GP107,
                 test_fifo_corrupt_ce_data, &corrupt_data);
    qos_add_test("nv-vmbind/fifo/corrupt-user-ce", TYPE_NV_GP107,
                 test_fifo_corrupt_user_ce, &corrupt_user);
    qos_add_test("nv-vmbind/fifo/corrupt-user-ce-priv", TYPE_NV_GP107,
                 test_fifo_corrupt_user_ce_priv, &corrupt_user);
}
libqos_init(register_tests);
