/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind-gp107: PFIFO state -- channels (CCSR), runlist 0, PBDMA 0,
 * the copy engine CE0, PFIFO interrupts -- and the hooks through which the
 * BAR0 dispatch (device.c) and the BAR1 write path (mmu.c) reach it.
 */
#ifndef HW_DISPLAY_NV_GP107_FIFO_H_INTERNAL
#define HW_DISPLAY_NV_GP107_FIFO_H_INTERNAL

#include "hw/display/nv-gp107-fifo.h"
#include "internal.h"
#include "../core/pbdma.h"

/* One channel: CCSR registers, runlist membership, PBDMA state. */
typedef struct NvGp107Chan {
    uint32_t inst;              /* CCSR CHANNEL_INST as written */
    uint32_t ctrl;              /* ENABLE and the FAULTED bits */
    bool in_runlist;
    uint32_t tsg;               /* TSG id from the runlist */
    bool loaded;                /* RAMFC read since the bind */
    bool priv;                  /* RAMFC HCE_CTRL HCE_PRIV: a kernel channel */
    NvGmmuPdb pdb;              /* the channel's VM */
    NvGmmuAperture userd_aper;
    uint64_t userd;             /* USERD address (RAMFC) */
    bool blocked;               /* in a semaphore acquire */
    NvvbPbdma pb;
} NvGp107Chan;

/*
 * The copy engine's (and PBDMA's) memory accesses through the VMs of
 * unprivileged (user) channels, the latest NV_GP107_CE_LOG_SIZE of them:
 * what x-nv-vmbind-ce-log returns, so that a host check can compare each
 * with the VM's page tables.  Kernel channels (nouveau sets HCE_PRIV in
 * their RAMFC) are left out: their TTM moves would flood the record.
 */
#define NV_GP107_CE_LOG_SIZE    8192

typedef struct NvGp107CeRec {
    uint64_t pdb;               /* the channel's page directory */
    uint64_t va;                /* first VA of a contiguous piece */
    uint64_t pa;                /* where its bytes went / came from */
    uint64_t len;
    uint16_t chid;
    uint8_t pdb_aper, aper;     /* NvGmmuAperture */
    bool write;
} NvGp107CeRec;

struct NvGp107Fifo {
    uint32_t intr;              /* 0x2100 W1C bits (bit 31 non-stall) */
    uint32_t intr_en;           /* 0x2140 */
    uint32_t bar1_base;         /* 0x2254 */
    uint32_t runlist_base;      /* 0x2270 */
    uint32_t runlist;           /* 0x2274 as last written */
    uint32_t runlist_len;       /* entries of runlist 0 */
    uint32_t sched_disable;     /* 0x2630 */
    uint32_t error_sched_disable;   /* 0x262c */
    uint32_t preempt;           /* 0x2634 */
    uint32_t chsw_error;        /* 0x256c */
    uint32_t runlist_intr;      /* 0x2a00 */
    uint32_t fb_timeout;        /* 0x2a04 */
    uint32_t pmc_enable_pb;     /* 0x204 */
    uint32_t mmu_fault_id;      /* 0x259c */
    uint32_t mmu_fault[NV_GP107_FAULT_UNITS][4];
    uint32_t pbdma[0x200 / 4];  /* PBDMA 0, offsets 0x000..0x1ff */
    uint32_t trigger_fault[16]; /* 0x2a30 + 4e */
    bool irq_level;
    bool pmc_fifo_enabled;
    bool busy;                  /* a channel is running (no recursion) */
    unsigned next_chan;         /* where the next pass starts (round robin) */
    int64_t retry_ns;           /* next retry of blocked acquires, after */
    unsigned nbound;            /* channels with CCSR BIND */
    Error *blocker;             /* migration blocker while nbound */
    uint64_t kicks, runs;
    NvvbCe *ce;
    QEMUBH *bh;                 /* continues runs that hit their budget */
    QEMUTimer *retry;           /* retries blocked acquires */
    NvGp107Chan chan[NV_GP107_CHANNELS];
    uint64_t ce_log_seq;        /* accesses recorded since reset */
    NvGp107CeRec ce_log[NV_GP107_CE_LOG_SIZE];  /* [seq % SIZE] */
};

void nv_gp107_fifo_realize(NvGp107State *s);
void nv_gp107_fifo_unrealize(NvGp107State *s);
void nv_gp107_fifo_reset(NvGp107State *s);

/**
 * nv_gp107_fifo_read: BAR0 read of a register the FIFO owns.
 * @s: the device
 * @addr: BAR0 offset
 * @size: access size in bytes (the FIFO's registers answer 4 only)
 * @val: the value read, when the FIFO owns @addr
 *
 * Returns: false if @addr is not the FIFO's (the unit tables answer).
 */
bool nv_gp107_fifo_read(NvGp107State *s, uint32_t addr, unsigned size,
                        uint64_t *val);

/**
 * nv_gp107_fifo_write: BAR0 write of a register the FIFO owns.
 * @s: the device
 * @addr: BAR0 offset
 * @val: the value written
 * @size: access size in bytes (the FIFO's registers take 4 only)
 *
 * Returns: false if @addr is not the FIFO's.
 */
bool nv_gp107_fifo_write(NvGp107State *s, uint32_t addr, uint64_t val,
                         unsigned size);

/*
 * After every BAR0 write: follows PMC_ENABLE (FIFO reset), the PMC
 * interrupt enables and the MSI rearm, and updates the interrupt line.
 */
void nv_gp107_fifo_bar0_written(NvGp107State *s, uint32_t addr,
                                uint64_t val);

/* After a BAR1 write at @va: a GP_PUT write in the USERD window kicks. */
void nv_gp107_fifo_bar1_written(NvGp107State *s, uint64_t va, unsigned size);

/**
 * nv_gp107_fifo_ce_log: the recorded access number @seq
 * @s: the device
 * @seq: 0 .. NvGp107Fifo.ce_log_seq - 1
 *
 * Returns: the record, or NULL if @seq is not recorded (yet, or any more:
 * only the latest NV_GP107_CE_LOG_SIZE are kept).
 */
const NvGp107CeRec *nv_gp107_fifo_ce_log(NvGp107State *s, uint64_t seq);

#endif /* HW_DISPLAY_NV_GP107_FIFO_H_INTERNAL */
