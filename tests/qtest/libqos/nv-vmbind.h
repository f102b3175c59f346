/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libqos driver for the nv-vmbind paravirtual GPU.
 */
#ifndef TESTS_LIBQOS_NV_VMBIND_H
#define TESTS_LIBQOS_NV_VMBIND_H

#include "qgraph.h"
#include "pci.h"
#include "hw/display/nv-vmbind-regs.h"

typedef struct QNvVmbind {
    QOSGraphObject obj;
    QPCIDevice dev;
    QPCIBar mmio;
    QPCIBar vram;
    uint64_t mmio_size;
    uint64_t vram_size;
} QNvVmbind;

uint32_t qnvvb_readl(QNvVmbind *d, uint32_t reg);
void qnvvb_writel(QNvVmbind *d, uint32_t reg, uint32_t val);
/* Re-enables and re-maps the device, e.g. after a system_reset. */
void qnvvb_remap(QNvVmbind *d);

#endif
