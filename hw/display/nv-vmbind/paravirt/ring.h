/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: descriptor rings in system memory.
 *
 * The bind queue and the copy engine share this mechanism: registers
 * (BASE, SIZE, HEAD, TAIL, STATUS, COMPLETED, ERRORS), a doorbell on TAIL,
 * and a bottom half that executes descriptors in order, writes each status
 * back in place, then its fence, and raises the ring's interrupt.
 */
#ifndef HW_DISPLAY_NV_VMBIND_RING_H
#define HW_DISPLAY_NV_VMBIND_RING_H

#include "exec/hwaddr.h"
#include "hw/display/nv-vmbind-regs.h"

typedef struct NvVmbindState NvVmbindState;
typedef struct NvVmbindRing NvVmbindRing;

/* Executes one descriptor; returns its NVVB_STATUS_*. */
typedef uint32_t (*NvVmbindRingExec)(NvVmbindState *s,
                                     const uint8_t desc[NVVB_DESC_SIZE]);

struct NvVmbindRing {
    NvVmbindState *dev;
    const char *name;
    NvVmbindRingExec exec;
    uint32_t intr;              /* NVVB_INTR_* raised on completion */
    uint32_t budget;            /* descriptors per bottom-half run */
    uint64_t work_budget;       /* work units per run; 0 = unbounded */
    uint64_t work;              /* units done in this run (exec adds) */
    uint32_t slices;            /* runs that executed a descriptor */
    QEMUBH *bh;
    /* The ring's registers, NVVB_RING_* / 4, in the device's regs[]. */
    uint32_t *regs;
};

/*
 * @budget bounds the descriptors one bottom-half run executes; the rest
 * runs in the next one, so the main loop is never held for long.  A ring
 * whose descriptors differ widely in cost also sets work_budget: exec adds
 * each descriptor's cost to r->work and the run ends once it is reached.
 */
void nv_vmbind_ring_init(NvVmbindState *s, NvVmbindRing *r, const char *name,
                         hwaddr regs, NvVmbindRingExec exec, uint32_t intr,
                         uint32_t budget);
void nv_vmbind_ring_fini(NvVmbindRing *r);
void nv_vmbind_ring_reset(NvVmbindRing *r);
/*
 * The side effects of a register write at @off (BASE and SIZE restart the
 * ring, TAIL rings the doorbell); the values of BASE and SIZE are stored
 * already, TAIL's is stored here if it is valid.
 */
void nv_vmbind_ring_write(NvVmbindRing *r, hwaddr off, uint32_t val);
/* Descriptors between HEAD and TAIL. */
uint32_t nv_vmbind_ring_pending(NvVmbindRing *r);
/*
 * Checks the loaded registers against each other as the register path
 * leaves them and restarts processing if work is pending.  Returns 0 or
 * -EINVAL.
 */
int nv_vmbind_ring_post_load(NvVmbindRing *r);

/* Little-endian field access in a descriptor. */
static inline uint16_t nv_vmbind_desc_u16(const uint8_t *d, unsigned off)
{
    return lduw_le_p(d + off);
}

static inline uint32_t nv_vmbind_desc_u32(const uint8_t *d, unsigned off)
{
    return ldl_le_p(d + off);
}

static inline uint64_t nv_vmbind_desc_u64(const uint8_t *d, unsigned off)
{
    return ldq_le_p(d + off);
}

#endif /* HW_DISPLAY_NV_VMBIND_RING_H */
