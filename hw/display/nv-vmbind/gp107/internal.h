/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: device state shared by the GP107 glue files.
 *
 * Files of this folder (the GP107 personality's QEMU glue):
 *   device.c    PCI device, BARs, QOM, reset, VMState
 *   regs.c      BAR0: one MemoryRegion and register table per unit
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
#include "hw/register.h"
#include "hw/display/nv-gp107.h"
#include "../core/gmmu-walk.h"
#include "../common/gpu-mem.h"
#include "../core/gmmu-tlb.h"
#include "../core/gmmu-pdbset.h"
#include "../core/gp107-vbios.h"

OBJECT_DECLARE_SIMPLE_TYPE(NvGp107State, NV_GP107)

typedef struct NvGp107Fifo NvGp107Fifo;     /* fifo.h */

/*
 * BAR0 units and register slots (regs.c): each unit's table indexes a
 * slice of s->regs from its first register to its last.
 */
#define NV_GP107_NUNITS             23
#define NV_GP107_NREGS              1250

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

/* A live-PDB set entry as migrated: NvGmmuPdbEntry in fixed widths. */
typedef struct NvGp107PdbMig {
    uint32_t aperture;          /* NvGmmuAperture: VID, SYS_COH, SYS_NCOH */
    uint32_t tag;               /* NV_GP107_PDB_* */
    uint64_t addr;
    uint64_t first_seq, last_seq, count;
} NvGp107PdbMig;

typedef struct NvGp107BarStats {
    uint64_t reads, writes;
    uint64_t unbound;           /* accesses with the block unbound */
    uint64_t faults;            /* accesses that did not translate */
    uint64_t sparse;
    uint64_t sysmem;            /* accesses reaching system memory */
} NvGp107BarStats;

typedef struct NvGp107UnitInfo NvGp107UnitInfo;

/* One BAR0 unit: its region and, if it has a table, its registers. */
typedef struct NvGp107Unit {
    NvGp107State *s;
    const NvGp107UnitInfo *info;
    MemoryRegion mr;
    RegisterInfoArray *ra;
} NvGp107Unit;

struct NvGp107State {
    PCIDevice parent_obj;

    MemoryRegion bar0;          /* the unit map (regs.c) */
    MemoryRegion bar0_io;       /* the PCI BAR: FIFO first, then bar0 */
    AddressSpace bar0_as;       /* bar0, for bar0_io to dispatch into */
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

    /* BAR0 (regs.c): units, register values, the register API's view. */
    NvGp107Unit units[NV_GP107_NUNITS];
    uint32_t regs[NV_GP107_NREGS];
    RegisterInfo regs_info[NV_GP107_NREGS];
    uint8_t crtc_index;

    /* PTIMER: ns = virtual clock + offset, strictly increasing per read. */
    int64_t ptimer_offset;
    uint64_t ptimer_last;

    uint8_t vbios[NV_GP107_VBIOS_SIZE];

    /* MMU */
    NvvbGpuMem gpu_mem;         /* VRAM + DMA accessor of the core */
    NvGmmuTlb *tlb;
    NvGmmuPdbSet *pdbs;
    uint64_t inval_seq;
    uint64_t inval_user;        /* invalidates naming a non-BAR PDB */
    NvGp107BarStats bar_stats[2];

    /* Migration only: the live-PDB set as plain entries (device.c). */
    NvGp107PdbMig *pdbs_mig;
    int32_t pdbs_mig_n;
    uint64_t pdbs_mig_evictions;

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
    bool corrupt_ce_data;       /* x-corrupt-ce-data: only data writes */
    bool corrupt_user_ce;       /* x-corrupt-user-ce: user channels' only */
};

/* regs.c */
/* regs.c: NV_PMC_INTR_EN(@tree), the interrupt trees' enables. */
uint32_t nv_gp107_pmc_intr_en(NvGp107State *s, unsigned tree);

/* Builds s->bar0 and its units (instance init); frees them (finalize). */
void nv_gp107_regs_init(NvGp107State *s);
void nv_gp107_regs_finalize(NvGp107State *s);
void nv_gp107_regs_reset(NvGp107State *s);
/* False if a loaded register holds what no register write can leave. */
bool nv_gp107_regs_post_load(NvGp107State *s);
uint64_t nv_gp107_ptimer_now(NvGp107State *s);
/* Register value of a BAR block register (0x1704, 0x1714). */
uint32_t nv_gp107_bar_block(NvGp107State *s, NvGp107Bar bar);

/* mmu.c */
void nv_gp107_mmu_realize(NvGp107State *s);
void nv_gp107_mmu_unrealize(NvGp107State *s);
void nv_gp107_mmu_reset(NvGp107State *s);
uint32_t nv_gp107_pramin_read(NvGp107State *s, uint32_t window, uint32_t off,
                              unsigned size);
void nv_gp107_pramin_write(NvGp107State *s, uint32_t window, uint32_t off,
                           uint32_t val, unsigned size);
/* An INVALIDATE write with TRIGGER; the PDB registers' values. */
void nv_gp107_invalidate(NvGp107State *s, uint32_t val, uint32_t pdb,
                         uint32_t upper_pdb);
/* After a write of @bar's block register (@reg): the old walks are stale. */
void nv_gp107_bar_bound(NvGp107State *s, NvGp107Bar bar, uint32_t reg);
extern const MemoryRegionOps nv_gp107_bar1_ops;
extern const MemoryRegionOps nv_gp107_bar3_ops;
/* The PDB of a BAR's instance block, or false if unbound/undecodable. */
bool nv_gp107_bar_pdb(NvGp107State *s, NvGp107Bar bar, NvGmmuPdb *pdb);

/* monitor.c: find a GP107 by id or QOM path, or NULL. */
NvGp107State *nv_gp107_find(const char *id);

#endif /* HW_DISPLAY_NV_GP107_INTERNAL_H */
