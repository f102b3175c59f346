/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: device state shared by the GP107 glue files.
 *
 * Files of this folder (the GP107 personality's QEMU glue):
 *   device.c    PCI device, BARs, BAR0 dispatch, QOM, reset, VMState
 *   regs.c      BAR0 register tables, one per unit, and their behaviour
 *   mmu.c       VRAM accessor, PRAMIN, BAR1/BAR3 translation through the
 *               VER2 walker, invalidates, live PDBs, PTE test mode
 *   monitor.c   QMP commands, device lookup by id or QOM path
 *   fifo.c      PFIFO, CCSR, runlist, PBDMA, CE0 and their interrupts
 *
 * The walker, TLB, dump, PDB set and VBIOS builder are the QEMU-free core
 * in ../core/; what both devices share is in ../common/.
 */
#ifndef HW_DISPLAY_NV_GP107_INTERNAL_H
#define HW_DISPLAY_NV_GP107_INTERNAL_H

#include "hw/pci/pci_device.h"
#include "hw/display/nv-gp107.h"
#include "../core/gmmu-walk.h"
#include "../common/gpu-mem.h"
#include "../core/gmmu-tlb.h"
#include "../core/gmmu-pdbset.h"
#include "../core/gp107-vbios.h"

OBJECT_DECLARE_SIMPLE_TYPE(NvGp107State, NV_GP107)

typedef struct NvGp107Fifo NvGp107Fifo;     /* fifo.h */

/* Number of plain registers in the unit tables (regs.c). */
#define NV_GP107_NREGS              64

/* BAR3 writes remembered between invalidates (x-corrupt-pte only). */
#define NV_GP107_WLOG_SIZE          512

/* Tags of the live-PDB set. */
enum {
    NV_GP107_PDB_USER = 0,      /* any VMM other than the BARs' */
    NV_GP107_PDB_BAR1 = 1,
    NV_GP107_PDB_BAR2 = 2,
};

/* Which PCI BAR a translated access came through. */
typedef enum NvGp107Bar {
    NV_GP107_VBAR1 = 0,         /* PCI BAR1, block register 0x1704 */
    NV_GP107_VBAR2 = 1,         /* PCI BAR3, block register 0x1714 */
} NvGp107Bar;

typedef struct NvGp107BarStats {
    uint64_t reads, writes;
    uint64_t unbound;           /* accesses with the block unbound */
    uint64_t faults;            /* accesses that did not translate */
    uint64_t sparse;
    uint64_t sysmem;            /* accesses reaching system memory */
} NvGp107BarStats;

struct NvGp107State {
    PCIDevice parent_obj;

    MemoryRegion bar0;
    MemoryRegion bar1;
    MemoryRegion bar3;
    MemoryRegion vram_mr;

    /* Properties. */
    uint64_t vram_size;
    uint64_t bar1_size;
    uint64_t bar3_size;
    bool msi;
    uint32_t pdb_capacity;
    uint32_t corrupt_pte;       /* x-corrupt-pte: 0 off, N: the Nth PTE */
    uint32_t qmp_max_entries;   /* max-qmp-entries: ranges per answer */

    /* Register storage for the unit tables (regs.c). */
    uint32_t regs[NV_GP107_NREGS];
    uint32_t intr_en[2];
    uint8_t crtc_index;

    /* PTIMER: ns = virtual clock + offset, strictly increasing per read. */
    int64_t ptimer_offset;
    uint64_t ptimer_last;
    uint32_t ptimer_hi_latch;

    uint8_t vbios[NV_GP107_VBIOS_SIZE];

    /* MMU */
    NvvbGpuMem gpu_mem;         /* VRAM + DMA accessor of the core */
    NvGmmuTlb *tlb;
    NvGmmuPdbSet *pdbs;
    uint32_t bar_block[2];      /* 0x1704, 0x1714 */
    uint32_t inval_pdb;
    uint32_t inval_upper_pdb;
    uint64_t inval_seq;
    uint64_t inval_user;        /* invalidates naming a non-BAR PDB */
    NvGp107BarStats bar_stats[2];

    /*
     * x-corrupt-pte test mode: the BAR3 writes since the last invalidate
     * (bounded log), of which valid-PTE-looking ones are counted when an
     * invalidate names a user PDB.
     */
    struct {
        uint64_t pa;
        uint32_t val;           /* low 32 bits written */
        uint8_t size;
    } wlog[NV_GP107_WLOG_SIZE];
    unsigned wlog_n;
    bool wlog_overflow;
    uint32_t pte_writes_seen;   /* candidate user PTE writes counted */
    bool corrupted;
    uint64_t corrupt_vram_addr;
    uint64_t corrupt_pdb;
    uint32_t corrupt_old, corrupt_new;

    uint64_t unhandled;         /* BAR0 accesses no unit handled */

    NvGp107Fifo *fifo;          /* fifo.c */
    bool corrupt_ce;            /* x-corrupt-ce: CE writes one page off */
};

/* regs.c */
void nv_gp107_regs_reset(NvGp107State *s);
uint64_t nv_gp107_bar0_read(NvGp107State *s, uint32_t addr, unsigned size);
void nv_gp107_bar0_write(NvGp107State *s, uint32_t addr, uint64_t val,
                         unsigned size);
uint64_t nv_gp107_ptimer_now(NvGp107State *s);

/* mmu.c */
void nv_gp107_mmu_realize(NvGp107State *s);
void nv_gp107_mmu_unrealize(NvGp107State *s);
void nv_gp107_mmu_reset(NvGp107State *s);
uint32_t nv_gp107_pramin_read(NvGp107State *s, uint32_t window, uint32_t off,
                              unsigned size);
void nv_gp107_pramin_write(NvGp107State *s, uint32_t window, uint32_t off,
                           uint32_t val, unsigned size);
void nv_gp107_invalidate(NvGp107State *s, uint32_t val);
void nv_gp107_bar_bound(NvGp107State *s, NvGp107Bar bar, uint32_t reg);
extern const MemoryRegionOps nv_gp107_bar1_ops;
extern const MemoryRegionOps nv_gp107_bar3_ops;
/* The PDB of a BAR's instance block, or false if unbound/undecodable. */
bool nv_gp107_bar_pdb(NvGp107State *s, NvGp107Bar bar, NvGmmuPdb *pdb);
/* Register value of a BAR block register. */
uint32_t nv_gp107_bar_block(NvGp107State *s, NvGp107Bar bar);

/* monitor.c: find a GP107 by id or QOM path, or NULL. */
NvGp107State *nv_gp107_find(const char *id);

#endif /* HW_DISPLAY_NV_GP107_INTERNAL_H */
