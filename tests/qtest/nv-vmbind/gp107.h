/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libqos object of the "nv-vmbind-gp107" node (defined in
 * nv-vmbind-gp107-test.c) and its register and VRAM accessors, shared by
 * the GP107 qtest files.
 *
 * Copyright (c) 2026 The nv-vmbind authors
 */
#ifndef TESTS_QTEST_NV_VMBIND_GP107_NODE_H
#define TESTS_QTEST_NV_VMBIND_GP107_NODE_H

#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "hw/display/nv-gp107.h"

typedef struct QGp107 {
    QOSGraphObject obj;
    QPCIDevice dev;
    QPCIBar bar0, bar1, bar3;
    uint64_t bar0_size, bar1_size, bar3_size;
} QGp107;

/* BAR0 registers. */
static inline uint32_t rd(QGp107 *g, uint32_t reg)
{
    return qpci_io_readl(&g->dev, g->bar0, reg);
}

static inline void wr(QGp107 *g, uint32_t reg, uint32_t val)
{
    qpci_io_writel(&g->dev, g->bar0, reg, val);
}

/* VRAM through the PRAMIN window, as nouveau reaches it before BAR2. */
static inline void vram_wr32(QGp107 *g, uint64_t addr, uint32_t val)
{
    wr(g, NV_PBUS_BAR0_WINDOW, addr >> 16 & ~0xfull);
    wr(g, NV_PRAMIN_BASE + (addr & 0xfffff), val);
}

static inline uint32_t vram_rd32(QGp107 *g, uint64_t addr)
{
    wr(g, NV_PBUS_BAR0_WINDOW, addr >> 16 & ~0xfull);
    return rd(g, NV_PRAMIN_BASE + (addr & 0xfffff));
}

static inline void vram_wr64(QGp107 *g, uint64_t addr, uint64_t val)
{
    vram_wr32(g, addr, val);
    vram_wr32(g, addr + 4, val >> 32);
}

#endif /* TESTS_QTEST_NV_VMBIND_GP107_NODE_H */
