/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: the copy-engine class PASCAL_DMA_COPY_A/B (c0b5/c1b5) as a
 * channel drives it with methods 0x100 and up: offsets, pitches, line
 * length and count, semaphore, and LAUNCH_DMA, executed with the core copy
 * engine (copy-engine.h) in the channel's VM.
 *
 * What LAUNCH_DMA supports (docs/specs/nv-vmbind-gp107.rst, "Copy
 * engine"): DATA_TRANSFER_TYPE none / pipelined / non-pipelined, virtual
 * source and destination, pitch layout, single or multi-line, semaphore
 * none / one word / four words; FLUSH and INTERRUPT_TYPE are accepted and
 * have nothing to do.  REMAP is supported for one destination component
 * that is CONST_A or CONST_B (of 1, 2 or 4 bytes: a fill, as Vulkan
 * drivers clear buffers) or NO_WRITE; other remaps, physical addressing,
 * block-linear layout and reduction are refused (NVVB_CE_LAUNCH_INVALID,
 * nothing is done), and so are launches beyond the bounds below.
 *
 * QEMU-independent core (C11 + GLib).
 */
#ifndef NV_VMBIND_CE_CLASS_H
#define NV_VMBIND_CE_CLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "copy-engine.h"

/* Bounds of one LAUNCH_DMA (guest-controlled values). */
#define NVVB_CE_LINE_COUNT_MAX      (1u << 21)
#define NVVB_CE_LAUNCH_BYTES_MAX    (4ull << 30)

/* Method state of one copy-engine object. */
typedef struct NvvbCeClass {
    uint64_t offset_in, offset_out;     /* VAs (UPPER[16:0] << 32 | LOWER) */
    uint32_t pitch_in, pitch_out;
    uint32_t line_length, line_count;
    uint64_t sem_va;
    uint32_t sem_payload;
    uint32_t src_phys, dst_phys;        /* SET_*_PHYS_MODE, unused */
    uint32_t remap_const[2];            /* SET_REMAP_CONST_A/B */
    uint32_t remap_components;          /* SET_REMAP_COMPONENTS */
} NvvbCeClass;

typedef enum NvvbCeMethodStatus {
    NVVB_CE_METHOD_OK = 0,      /* state recorded */
    NVVB_CE_METHOD_LAUNCH,      /* LAUNCH_DMA: call nvvb_ce_class_launch() */
    NVVB_CE_METHOD_UNKNOWN,     /* not a method of the class */
} NvvbCeMethodStatus;

typedef enum NvvbCeLaunchStatus {
    NVVB_CE_LAUNCH_OK = 0,
    NVVB_CE_LAUNCH_INVALID,     /* unsupported field or out of bounds */
    NVVB_CE_LAUNCH_FAULT,       /* the copy or semaphore faulted (@res) */
} NvvbCeLaunchStatus;

/* What one launch did (for traces and the caller's fault report). */
typedef struct NvvbCeLaunchResult {
    uint64_t bytes;             /* bytes copied */
    uint32_t lines;             /* lines started */
    bool semaphore;             /* a semaphore was released */
    NvvbCeResult ce;            /* the faulting command, if FAULT */
} NvvbCeLaunchResult;

/**
 * nvvb_ce_class_reset: forget every method value of @c.
 * @c: the copy-engine object's method state
 */
void nvvb_ce_class_reset(NvvbCeClass *c);

/**
 * nvvb_ce_class_method: record one method.
 * @c: object state
 * @mthd: method address (0x100 and up)
 * @data: its data word
 *
 * Returns: NVVB_CE_METHOD_LAUNCH for LAUNCH_DMA (nothing done yet),
 * NVVB_CE_METHOD_UNKNOWN for addresses the class does not define, else OK.
 */
NvvbCeMethodStatus nvvb_ce_class_method(NvvbCeClass *c, uint32_t mthd,
                                        uint32_t data);

/**
 * nvvb_ce_class_launch: execute LAUNCH_DMA with the recorded state.
 * @c: object state
 * @ce: copy engine
 * @ctx: the channel's VM
 * @launch: LAUNCH_DMA data word
 * @timestamp: PTIMER nanoseconds for a four-word semaphore
 * @res: filled (always)
 *
 * Copies LINE_COUNT lines (1 without MULTI_LINE) of LINE_LENGTH_IN bytes
 * from OFFSET_IN + i * PITCH_IN to OFFSET_OUT + i * PITCH_OUT (with REMAP
 * of a constant: fills lines of LINE_LENGTH_IN components at OFFSET_OUT +
 * i * PITCH_OUT with it, reading nothing), then
 * releases the semaphore: one word writes PAYLOAD at the semaphore VA;
 * four words write the 64-bit @timestamp at VA + 8, then zero at VA + 4,
 * then PAYLOAD at VA.  The first fault stops the launch (no semaphore).
 *
 * Returns: the status.
 */
NvvbCeLaunchStatus nvvb_ce_class_launch(NvvbCeClass *c, NvvbCe *ce,
                                        const NvvbCeCtx *ctx, uint32_t launch,
                                        uint64_t timestamp,
                                        NvvbCeLaunchResult *res);

/**
 * nvvb_ce_write32: write the 32-bit little-endian @val at VA @va of @ctx
 * (any alignment): the semaphore write both the host and the CE use.
 * @ce: the copy engine that moves the bytes
 * @ctx: the channel's VM (accessor, page directory, TLB, privilege)
 * @va: GPU VA of the first byte
 * @val: the value, stored little endian
 * @res: how it ended (may be NULL)
 *
 * Returns: as nvvb_ce_fill().
 */
int nvvb_ce_write32(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t va,
                    uint32_t val, NvvbCeResult *res);

#endif /* NV_VMBIND_CE_CLASS_H */
