/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libqos driver for the nv-vmbind paravirtual GPU.
 */
#ifndef TESTS_LIBQOS_NV_VMBIND_H
#define TESTS_LIBQOS_NV_VMBIND_H

#include "qgraph.h"
#include "pci.h"
#include "hw/display/nv-vmbind-regs.h"
#include "hw/display/nv-gmmu-ver2.h"

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
/* For plain qtests: finds the device at @devfn, maps its BARs, enables it. */
void qnvvb_init(QNvVmbind *d, QPCIBus *bus, int devfn);
/* Re-enables and re-maps the device, e.g. after a system_reset. */
void qnvvb_remap(QNvVmbind *d);

/*
 * Page-table builder: writes VER2 tables the way a driver would, with the
 * shared encoders of nv-gmmu-ver2.h, either into VRAM through BAR 2 or into
 * guest RAM.  Intermediate tables are created on demand.
 */
typedef struct QNvGmmu {
    QNvVmbind *d;
    QTestState *qts;
    QGuestAllocator *alloc;
    NvGmmuAperture aper;        /* where new tables go: VID or SYS_COH */
    uint64_t vram_next;         /* VRAM bump allocator */
    uint64_t pd3;               /* root page directory */
} QNvGmmu;

void qnvgmmu_init(QNvGmmu *g, QNvVmbind *d, QGuestAllocator *alloc,
                  NvGmmuAperture aper, uint64_t vram_base);
/* Zeroed, 4 KiB aligned memory in @aper (VID or SYS). */
uint64_t qnvgmmu_alloc(QNvGmmu *g, NvGmmuAperture aper, uint64_t size);
void qnvgmmu_write64(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr,
                     uint64_t val);
uint64_t qnvgmmu_read64(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr);
void qnvgmmu_memwrite(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr,
                      const void *buf, size_t len);
void qnvgmmu_memread(QNvGmmu *g, NvGmmuAperture aper, uint64_t addr,
                     void *buf, size_t len);
/*
 * Address of the entry for @va at @level, creating the tables above it.
 * For PD0 this is the 16-byte dual entry; PT_BIG/PT_SMALL create the
 * corresponding half of the PD0 entry.
 */
uint64_t qnvgmmu_entry(QNvGmmu *g, NvGmmuLevel level, uint64_t va);
/* Writes @pte for a page of 1 << @page_shift (12, 16 or 21) at @va. */
uint64_t qnvgmmu_map(QNvGmmu *g, uint64_t va, unsigned page_shift,
                     uint64_t pte);
/* Builds an instance block in @aper pointing at the root (VER2, 64K). */
uint64_t qnvgmmu_inst(QNvGmmu *g, NvGmmuAperture aper, uint32_t extra_flags,
                      uint64_t adr_limit);

/* Points the probe context at the root (PDB mode) or an instance block. */
void qnvvb_ctx_pdb(QNvVmbind *d, NvGmmuAperture aper, uint64_t pdb);
void qnvvb_ctx_inst(QNvVmbind *d, NvGmmuAperture aper, uint64_t inst);
/* Runs a probe; returns PROBE_STATUS. */
uint32_t qnvvb_translate(QNvVmbind *d, uint64_t va, uint32_t access);
uint32_t qnvvb_dma(QNvVmbind *d, uint32_t cmd, uint64_t va, uint64_t sysaddr,
                   uint32_t len, uint32_t access);
uint64_t qnvvb_probe_pa(QNvVmbind *d);
/* Invalidates every PDB, all VA. */
void qnvvb_invalidate_all(QNvVmbind *d);

/* The fault buffer in guest RAM, and records decoded from NVIDIA's layout. */
typedef struct QNvFaultRing {
    QNvVmbind *d;
    QTestState *qts;
    uint64_t base;
    uint32_t entries;
} QNvFaultRing;

typedef struct QNvFault {
    uint64_t inst;
    unsigned inst_aper;
    uint64_t addr;
    unsigned type;
    unsigned access;
    unsigned engine;
    bool hub;
    bool valid;
} QNvFault;

void qnvvb_fault_ring_init(QNvFaultRing *fr, QNvVmbind *d,
                           QGuestAllocator *alloc, uint32_t entries);
/* Pops the record at GET as a driver would; false if the ring is empty. */
bool qnvvb_fault_pop(QNvFaultRing *fr, QNvFault *f);

/*
 * Rings (bind queue, copy engine): descriptors in guest RAM, submitted by
 * writing TAIL, completed by the device's bottom half.
 */
typedef struct QNvRing {
    QNvVmbind *d;
    QTestState *qts;
    uint32_t reg;               /* NVVB_REG_BIND_RING or NVVB_REG_CE_RING */
    uint64_t base;
    uint32_t size;
    uint32_t tail;
} QNvRing;

void qnvring_init(QNvRing *r, QNvVmbind *d, QGuestAllocator *alloc,
                  uint32_t reg, uint32_t size);
/* Writes @desc at TAIL (status PENDING) without ringing; returns its slot. */
uint32_t qnvring_put(QNvRing *r, const uint8_t *desc);
/* Rings the doorbell and waits until HEAD reaches TAIL. */
void qnvring_kick_wait(QNvRing *r);
uint32_t qnvring_status(QNvRing *r, uint32_t slot);
/* put + kick + wait; returns the descriptor's status. */
uint32_t qnvring_exec(QNvRing *r, const uint8_t *desc);

/* Descriptor builders (64-byte buffers). */
void qnvdesc_vm_create(uint8_t *d, uint32_t vm, uint64_t kstart,
                       uint64_t krange);
void qnvdesc_vm_destroy(uint8_t *d, uint32_t vm);
void qnvdesc_bo_vram(uint8_t *d, uint16_t op, uint32_t bo, uint64_t size,
                     uint64_t vram);
void qnvdesc_bo_sys(uint8_t *d, uint16_t op, uint32_t bo, uint64_t size,
                    uint64_t sg, uint32_t nsg);
void qnvdesc_bo_destroy(uint8_t *d, uint32_t bo);
void qnvdesc_map(uint8_t *d, uint32_t vm, uint32_t bo, uint64_t va,
                 uint64_t range, uint64_t offset, uint32_t flags);
void qnvdesc_unmap(uint8_t *d, uint32_t vm, uint64_t va, uint64_t range,
                   uint32_t flags);
void qnvdesc_ce(uint8_t *d, uint16_t op, uint32_t vm, uint64_t src,
                uint64_t dst, uint64_t len, uint32_t pattern, uint64_t value);

#endif
