/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: copy-engine class methods, see ce-class.h.
 */
#include <string.h>

#include <glib.h>

#include "ce-class.h"
#include "hw/display/nv-gp107-fifo.h"

void nvvb_ce_class_reset(NvvbCeClass *c)
{
    memset(c, 0, sizeof(*c));
}

static uint64_t set_upper(uint64_t va, uint32_t data)
{
    return (va & 0xffffffffull) |
           ((uint64_t)(data & NVC0B5_OFFSET_UPPER_MASK) << 32);
}

static uint64_t set_lower(uint64_t va, uint32_t data)
{
    return (va & ~0xffffffffull) | data;
}

NvvbCeMethodStatus nvvb_ce_class_method(NvvbCeClass *c, uint32_t mthd,
                                        uint32_t data)
{
    switch (mthd) {
    case NVC0B5_NOP:
    case NVC0B5_PM_TRIGGER:
    case NVC0B5_SET_RENDER_ENABLE_A:
    case NVC0B5_SET_RENDER_ENABLE_B:
    case NVC0B5_SET_RENDER_ENABLE_C:
        return NVVB_CE_METHOD_OK;
    case NVC0B5_SET_SEMAPHORE_A:
        c->sem_va = set_upper(c->sem_va, data);
        return NVVB_CE_METHOD_OK;
    case NVC0B5_SET_SEMAPHORE_B:
        c->sem_va = set_lower(c->sem_va, data);
        return NVVB_CE_METHOD_OK;
    case NVC0B5_SET_SEMAPHORE_PAYLOAD:
        c->sem_payload = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_SET_SRC_PHYS_MODE:
        c->src_phys = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_SET_DST_PHYS_MODE:
        c->dst_phys = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_LAUNCH_DMA:
        return NVVB_CE_METHOD_LAUNCH;
    case NVC0B5_OFFSET_IN_UPPER:
        c->offset_in = set_upper(c->offset_in, data);
        return NVVB_CE_METHOD_OK;
    case NVC0B5_OFFSET_IN_LOWER:
        c->offset_in = set_lower(c->offset_in, data);
        return NVVB_CE_METHOD_OK;
    case NVC0B5_OFFSET_OUT_UPPER:
        c->offset_out = set_upper(c->offset_out, data);
        return NVVB_CE_METHOD_OK;
    case NVC0B5_OFFSET_OUT_LOWER:
        c->offset_out = set_lower(c->offset_out, data);
        return NVVB_CE_METHOD_OK;
    case NVC0B5_PITCH_IN:
        c->pitch_in = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_PITCH_OUT:
        c->pitch_out = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_LINE_LENGTH_IN:
        c->line_length = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_LINE_COUNT:
        c->line_count = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_SET_REMAP_CONST_A:
    case NVC0B5_SET_REMAP_CONST_B:
        c->remap_const[(mthd - NVC0B5_SET_REMAP_CONST_A) / 4] = data;
        return NVVB_CE_METHOD_OK;
    case NVC0B5_SET_REMAP_COMPONENTS:
        c->remap_components = data;
        return NVVB_CE_METHOD_OK;
    }
    if (mthd >= NVC0B5_GEOMETRY_FIRST && mthd <= NVC0B5_GEOMETRY_LAST &&
        !(mthd & 3)) {
        /* Remap and block-linear geometry: only a launch using them fails. */
        return NVVB_CE_METHOD_OK;
    }
    return NVVB_CE_METHOD_UNKNOWN;
}

int nvvb_ce_write32(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t va,
                    uint32_t val, NvvbCeResult *res)
{
    return nvvb_ce_fill(ce, ctx, va, 4, val, res);
}

/* Copy the lines; false on a fault (res->ce says where). */
static bool launch_copy(NvvbCeClass *c, NvvbCe *ce, const NvvbCeCtx *ctx,
                        uint32_t lines, NvvbCeLaunchResult *res)
{
    uint64_t len = c->line_length;
    uint32_t i;

    if (c->pitch_in == len && c->pitch_out == len) {
        /* Contiguous lines (every TTM move): one run, in bounded pieces. */
        uint64_t total = len * lines, done = 0;

        while (done < total) {
            uint64_t n = MIN(total - done, NVVB_CE_LENGTH_MAX);

            res->lines = (uint32_t)(done / len) + 1;
            if (nvvb_ce_copy(ce, ctx, c->offset_in + done,
                             c->offset_out + done, n, &res->ce)) {
                res->bytes += res->ce.done;
                return false;
            }
            done += n;
            res->bytes += n;
        }
        res->lines = lines;
        return true;
    }
    for (i = 0; i < lines; i++) {
        res->lines = i + 1;
        if (nvvb_ce_copy(ce, ctx, c->offset_in + (uint64_t)i * c->pitch_in,
                         c->offset_out + (uint64_t)i * c->pitch_out, len,
                         &res->ce)) {
            res->bytes += res->ce.done;
            return false;
        }
        res->bytes += len;
    }
    return true;
}

/*
 * REMAP with one destination component that is a constant: the 4-byte
 * pattern of its @size-byte value in *@pat; *@write false for NO_WRITE.
 * False if the remap is not one of these (it would read the source).
 */
static bool remap_fill(const NvvbCeClass *c, unsigned *size, uint32_t *pat,
                       bool *write)
{
    uint32_t r = c->remap_components;
    unsigned dst = r & NVC0B5_REMAP_DST_X_MASK;
    uint32_t v;

    *size = ((r >> NVC0B5_REMAP_COMPONENT_SIZE_SHIFT) & 3) + 1;
    if ((r >> NVC0B5_REMAP_NUM_DST_COMPONENTS_SHIFT) & 3) {
        return false;           /* more than one destination component */
    }
    *write = dst != NVC0B5_REMAP_DST_NO_WRITE;
    if (!*write) {
        return true;
    }
    if (dst != NVC0B5_REMAP_DST_CONST_A && dst != NVC0B5_REMAP_DST_CONST_B) {
        return false;           /* a source component */
    }
    v = c->remap_const[dst - NVC0B5_REMAP_DST_CONST_A];
    switch (*size) {
    case 1:
        *pat = (v & 0xff) * 0x01010101u;
        return true;
    case 2:
        *pat = (v & 0xffff) * 0x00010001u;
        return true;
    case 4:
        *pat = v;
        return true;
    default:
        return false;           /* 3-byte components: no 4-byte pattern */
    }
}

/* Fill the lines with @pat; false on a fault (res->ce says where). */
static bool launch_fill(NvvbCeClass *c, NvvbCe *ce, const NvvbCeCtx *ctx,
                        uint64_t len, uint32_t lines, uint32_t pat,
                        NvvbCeLaunchResult *res)
{
    uint32_t i;

    for (i = 0; i < lines; i++) {
        res->lines = i + 1;
        if (nvvb_ce_fill(ce, ctx, c->offset_out + (uint64_t)i * c->pitch_out,
                         len, pat, &res->ce)) {
            res->bytes += res->ce.done;
            return false;
        }
        res->bytes += len;
    }
    return true;
}

NvvbCeLaunchStatus nvvb_ce_class_launch(NvvbCeClass *c, NvvbCe *ce,
                                        const NvvbCeCtx *ctx, uint32_t launch,
                                        uint64_t timestamp,
                                        NvvbCeLaunchResult *res)
{
    unsigned xfer = launch & NVC0B5_LAUNCH_DMA_TRANSFER_MASK;
    unsigned sem = (launch >> NVC0B5_LAUNCH_DMA_SEM_SHIFT) &
                   NVC0B5_LAUNCH_DMA_SEM_MASK;
    uint32_t lines = (launch & NVC0B5_LAUNCH_DMA_MULTI_LINE) ?
                     c->line_count : 1;

    memset(res, 0, sizeof(*res));
    if (xfer == 3 || sem == 3 ||
        (launch & (NVC0B5_LAUNCH_DMA_SRC_PHYSICAL |
                   NVC0B5_LAUNCH_DMA_DST_PHYSICAL |
                   NVC0B5_LAUNCH_DMA_REDUCTION_ENABLE))) {
        return NVVB_CE_LAUNCH_INVALID;
    }
    if (xfer && (launch & NVC0B5_LAUNCH_DMA_REMAP)) {
        unsigned size;
        uint32_t pat = 0;
        bool write;
        uint64_t len;

        if (!remap_fill(c, &size, &pat, &write) ||
            !(launch & NVC0B5_LAUNCH_DMA_DST_PITCH) ||
            lines > NVVB_CE_LINE_COUNT_MAX) {
            return NVVB_CE_LAUNCH_INVALID;
        }
        /* LINE_LENGTH_IN counts components in remap mode. */
        len = (uint64_t)c->line_length * size;
        if (len > NVVB_CE_LENGTH_MAX ||
            len * lines > NVVB_CE_LAUNCH_BYTES_MAX) {
            return NVVB_CE_LAUNCH_INVALID;
        }
        if (write && len && lines &&
            !launch_fill(c, ce, ctx, len, lines, pat, res)) {
            return NVVB_CE_LAUNCH_FAULT;
        }
    } else if (launch & NVC0B5_LAUNCH_DMA_REMAP) {
        return NVVB_CE_LAUNCH_INVALID;
    } else if (xfer) {
        if (!(launch & NVC0B5_LAUNCH_DMA_SRC_PITCH) ||
            !(launch & NVC0B5_LAUNCH_DMA_DST_PITCH) ||
            lines > NVVB_CE_LINE_COUNT_MAX ||
            c->line_length > NVVB_CE_LENGTH_MAX ||
            (uint64_t)c->line_length * lines > NVVB_CE_LAUNCH_BYTES_MAX) {
            return NVVB_CE_LAUNCH_INVALID;
        }
        if (c->line_length && lines && !launch_copy(c, ce, ctx, lines, res)) {
            return NVVB_CE_LAUNCH_FAULT;
        }
    }
    if (sem == NVC0B5_LAUNCH_DMA_SEM_FOUR_WORD) {
        if (nvvb_ce_write32(ce, ctx, c->sem_va + 8, (uint32_t)timestamp,
                            &res->ce) ||
            nvvb_ce_write32(ce, ctx, c->sem_va + 12, timestamp >> 32,
                            &res->ce) ||
            nvvb_ce_write32(ce, ctx, c->sem_va + 4, 0, &res->ce) ||
            nvvb_ce_write32(ce, ctx, c->sem_va, c->sem_payload, &res->ce)) {
            return NVVB_CE_LAUNCH_FAULT;
        }
        res->semaphore = true;
    } else if (sem == NVC0B5_LAUNCH_DMA_SEM_ONE_WORD) {
        if (nvvb_ce_write32(ce, ctx, c->sem_va, c->sem_payload, &res->ce)) {
            return NVVB_CE_LAUNCH_FAULT;
        }
        res->semaphore = true;
    }
    return NVVB_CE_LAUNCH_OK;
}
