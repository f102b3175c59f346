/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: a PBDMA, the unit that runs one channel: it fetches GPFIFO
 * entries and the push-buffer segments they name through the channel's VM,
 * decodes the method headers (INC, NON_INC, IMMD, ONE_INC, END_PB_SEGMENT,
 * the GRP0 NOP and subdevice-mask headers), executes the host methods of
 * PASCAL_CHANNEL_GPFIFO_A (c06f) itself and hands methods 0x100 and up to
 * the copy-engine class (ce-class.h), as a PBDMA on a copy-engine runlist
 * does.
 *
 * Everything the guest controls is bounded: a run stops after the
 * NvvbPbdmaBudget it is given (entries, dwords, copied bytes) and is
 * resumed by the next call, in the middle of a segment if need be; GP_PUT
 * beyond the ring, unreadable entries, unknown headers, methods or classes
 * and unsupported or faulting operations stop the channel with one of the
 * NvvbPbdmaError codes (docs/specs/nv-vmbind-gp107.rst, "PBDMA errors"),
 * which it keeps until nvvb_pbdma_reset().  A semaphore acquire that is
 * not satisfied leaves the channel BLOCKED on that method; the next run
 * tries it again.
 *
 * QEMU-independent core (C11 + GLib).  The state is plain data with no
 * pointer, so the device can embed one per channel.
 */
#ifndef NV_VMBIND_PBDMA_H
#define NV_VMBIND_PBDMA_H

#include <stdbool.h>
#include <stdint.h>

#include "ce-class.h"
#include "copy-engine.h"

/* Largest ring: GP_BASE_HI LIMIT2 is at most this (2^15 entries). */
#define NVVB_PBDMA_LIMIT2_MAX       15

typedef enum NvvbPbdmaStatus {
    NVVB_PBDMA_IDLE = 0,        /* GP_GET caught up with GP_PUT */
    NVVB_PBDMA_BUDGET,          /* the budget ran out; work is left */
    NVVB_PBDMA_BLOCKED,         /* waiting in a semaphore acquire */
    NVVB_PBDMA_ERROR,           /* stopped: see NvvbPbdma.error */
} NvvbPbdmaStatus;

/* Why a channel stopped (the spec's table names the PBDMA interrupt). */
typedef enum NvvbPbdmaError {
    NVVB_PBDMA_ERR_NONE = 0,
    NVVB_PBDMA_ERR_GP_PUT,      /* GP_PUT at or beyond the ring's entries */
    NVVB_PBDMA_ERR_GP_CONFIG,   /* GP_BASE unaligned or LIMIT2 too large */
    NVVB_PBDMA_ERR_GP_FETCH,    /* a GP entry did not translate or read */
    NVVB_PBDMA_ERR_GP_ENTRY,    /* control entry with an illegal opcode */
    NVVB_PBDMA_ERR_PB_FETCH,    /* a push-buffer dword did not read */
    NVVB_PBDMA_ERR_HEADER,      /* reserved / unsupported method header */
    NVVB_PBDMA_ERR_METHOD,      /* unknown host method or class method */
    NVVB_PBDMA_ERR_CLASS,       /* SET_OBJECT of a class CE0 lacks */
    NVVB_PBDMA_ERR_SEMAPHORE,   /* unsupported operation, or its VA faulted */
    NVVB_PBDMA_ERR_CE_LAUNCH,   /* LAUNCH_DMA refused (ce-class.h) */
    NVVB_PBDMA_ERR_CE_FAULT,    /* the copy or its semaphore faulted */
    NVVB_PBDMA_ERR__COUNT
} NvvbPbdmaError;

/*
 * What a copy-engine line costs at least, in budget bytes: a line is a
 * copy command (two translations and a chunk) whatever its length, so
 * 1-byte lines must not make 2^21 commands per budget byte.
 */
#define NVVB_PBDMA_LINE_COST        4096

/*
 * Work one run may do; the run decrements what it uses.  Copy-engine
 * bytes are charged per launch (at least NVVB_PBDMA_LINE_COST per line)
 * and checked between methods, so one launch may overrun them.
 */
typedef struct NvvbPbdmaBudget {
    uint32_t entries;           /* GP entries completed */
    uint64_t dwords;            /* push-buffer dwords consumed */
    uint64_t bytes;             /* copy-engine bytes (checked per launch) */
} NvvbPbdmaBudget;

/* What the PBDMA needs from the device. */
typedef struct NvvbPbdmaEnv {
    NvvbCe *ce;
    NvvbCeCtx ctx;              /* the channel's VM (instance-block PDB) */
    /* PTIMER nanoseconds, for four-word semaphore releases. */
    uint64_t (*timestamp)(void *opaque);
    /* NON_STALL_INTERRUPT: raise the non-stall interrupt. */
    void (*nonstall)(void *opaque);
    /* MEM_OP_D MMU_TLB_INVALIDATE: drop cached translations. */
    void (*tlb_invalidate)(void *opaque);
    /* Optional observers (trace points): every method, every launch. */
    void (*method)(void *opaque, unsigned subc, uint32_t mthd,
                   uint32_t data);
    void (*launch)(void *opaque, const NvvbCeClass *c, uint32_t launch,
                   const NvvbCeLaunchResult *res);
    void *opaque;
} NvvbPbdmaEnv;

typedef struct NvvbPbdmaStats {
    uint64_t entries;           /* GP entries completed */
    uint64_t dwords;
    uint64_t methods;
    uint64_t launches;
    uint64_t bytes;             /* copied by the CE */
    uint64_t releases;          /* semaphore releases (host and CE) */
    uint64_t acquires_blocked;
    uint64_t nonstall;
} NvvbPbdmaStats;

/* Decoder state of one method header being executed. */
enum {
    NVVB_PBDMA_MODE_INC = 0,
    NVVB_PBDMA_MODE_NON_INC,
    NVVB_PBDMA_MODE_ONE_INC,
};

typedef struct NvvbPbdma {
    /* Ring, from RAMFC GP_BASE / GP_BASE_HI (nvvb_pbdma_bind). */
    uint64_t gp_base;
    uint32_t gp_entries;        /* 2^LIMIT2 */
    /* Progress, written back to USERD by the device. */
    uint32_t gp_get;
    uint64_t pb_get;            /* VA after the last dword consumed */
    /* The segment being executed (resumable). */
    bool seg_active;
    uint64_t seg_va;            /* next dword */
    uint32_t seg_left;          /* dwords */
    /* The method header being executed; it may span segments. */
    uint32_t mthd;
    uint32_t count;             /* data words left */
    uint8_t subc;
    uint8_t mode;
    /* Host state. */
    uint32_t subc_class[8];
    uint64_t sem_va;
    uint32_t sem_payload;
    uint32_t mem_op[3];
    uint32_t reference;         /* SET_REFERENCE, for USERD REF */
    bool reference_set;
    NvvbCeClass ce;
    /* Why it stopped, and where. */
    NvvbPbdmaError error;
    uint32_t err_mthd, err_data;
    uint8_t err_subc;
    uint32_t err_gp;            /* GP_GET of the entry */
    bool err_fault;             /* a GMMU fault: err_res says where */
    bool err_host;              /* ... by the host (fetch, semaphore) */
    NvvbCeResult err_res;
    NvvbPbdmaStats stats;
} NvvbPbdma;

/**
 * nvvb_pbdma_reset: an unbound, idle PBDMA with no error.
 * @p: the PBDMA state to reset
 */
void nvvb_pbdma_reset(NvvbPbdma *p);

/**
 * nvvb_pbdma_bind: load the ring from RAMFC and the saved GP_GET / GET.
 * @p: reset state
 * @gp_base_lo: RAMFC GP_BASE (byte VA, bits 2:0 must be 0)
 * @gp_base_hi: RAMFC GP_BASE_HI (VA[39:32] in [7:0], LIMIT2 in [20:16])
 * @gp_get: saved GP_GET (taken modulo the ring)
 * @pb_get: saved GET
 *
 * An unaligned base or LIMIT2 above NVVB_PBDMA_LIMIT2_MAX puts @p in
 * error NVVB_PBDMA_ERR_GP_CONFIG.
 */
void nvvb_pbdma_bind(NvvbPbdma *p, uint32_t gp_base_lo, uint32_t gp_base_hi,
                     uint32_t gp_get, uint64_t pb_get);

/**
 * nvvb_pbdma_run: execute GP entries from GP_GET up to @gp_put.
 * @p: channel state
 * @env: VM, copy engine and device callbacks
 * @gp_put: USERD GP_PUT as the CPU wrote it
 * @budget: work allowed; decremented by what is done
 *
 * Returns: IDLE, BUDGET (call again), BLOCKED (acquire) or ERROR.
 */
NvvbPbdmaStatus nvvb_pbdma_run(NvvbPbdma *p, const NvvbPbdmaEnv *env,
                               uint32_t gp_put, NvvbPbdmaBudget *budget);

/* Short name of an error ("gp-put", "method", ...). */
const char *nvvb_pbdma_error_name(NvvbPbdmaError err);

#endif /* NV_VMBIND_PBDMA_H */
