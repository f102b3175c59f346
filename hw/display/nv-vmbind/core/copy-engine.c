/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind copy engine, see copy-engine.h.
 *
 * A command is a sequence of chunks.  Each chunk lies inside one page (or
 * sparse granule) of the source and one of the destination and is at most
 * the bounce buffer: translate both, read the source (zeroes if sparse)
 * into the bounce buffer, write it to the destination (nothing if
 * sparse).  The last translation of each side is reused while the chunk
 * stays in its page, as a TLB would keep it for the command.  The loop
 * runs at most len / 4 KiB + 2 * len / 64 KiB + 1 times.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "copy-engine.h"

struct NvvbCe {
    NvvbCeStats stats;
    /* One bounce buffer, plus room for a FILL pattern's phase. */
    uint8_t bounce[NVVB_CE_BOUNCE_SIZE + 4];
};

/* One side of a command and its current translation. */
typedef struct CeSide {
    uint8_t access;         /* NV_GMMU_ACCESS_TYPE_VIRT_* */
    bool valid;             /* tr covers [lo, hi) */
    uint64_t lo, hi;
    NvGmmuWalkResult w;
} CeSide;

NvvbCe *nvvb_ce_new(void)
{
    return g_new0(NvvbCe, 1);
}

void nvvb_ce_free(NvvbCe *ce)
{
    g_free(ce);
}

void nvvb_ce_get_stats(const NvvbCe *ce, NvvbCeStats *stats)
{
    *stats = ce->stats;
}

static void result_init(NvvbCeResult *r)
{
    memset(r, 0, sizeof(*r));
    r->fault_level = NV_GMMU_LEVEL_NONE;
    r->mem_aperture = NV_GMMU_APER_NONE;
}

/*
 * Make @side's translation cover @va; false (and @res filled) on a fault.
 */
static bool side_translate(NvvbCe *ce, const NvvbCeCtx *ctx, CeSide *side,
                           uint64_t va, NvvbCeResult *res)
{
    NvGmmuAccess acc = { side->access, ctx->priv, true };
    uint64_t size;

    if (side->valid && va >= side->lo && va < side->hi) {
        return true;
    }
    side->valid = false;
    ce->stats.translations++;
    if (nv_gmmu_tlb_translate(ctx->tlb, ctx->mem, ctx->pdb, va, &acc,
                              &side->w) == NV_GMMU_WALK_FAULT) {
        res->fault = true;
        res->fault_va = va;
        res->fault_type = side->w.fault_type;
        res->fault_level = side->w.fault_level;
        res->access_type = side->access;
        return false;
    }
    /* Sparse granules may be as large as 2^47: clamp the end. */
    size = side->w.tr.page_shift < 64 ? 1ull << side->w.tr.page_shift : 0;
    side->lo = side->w.tr.va_base;
    side->hi = side->lo + size > side->lo ? side->lo + size : UINT64_MAX;
    side->valid = true;
    return true;
}

static bool side_sparse(const CeSide *side)
{
    return side->w.status == NV_GMMU_WALK_SPARSE;
}

/* Physical address of @va (translated, not sparse). */
static uint64_t side_pa(const CeSide *side, uint64_t va)
{
    return side->w.tr.pa_base + (va - side->lo);
}

static bool mem_fail(NvvbCeResult *res, NvGmmuAperture aper, uint64_t pa)
{
    res->mem_error = true;
    res->mem_aperture = aper;
    res->mem_addr = pa;
    return false;
}

/*
 * Move one chunk of @n bytes: source @src (or @pattern bytes if @src_side
 * is NULL) to destination @dst.
 */
static bool chunk(NvvbCe *ce, const NvvbCeCtx *ctx, CeSide *src_side,
                  uint64_t src, CeSide *dst_side, uint64_t dst, uint64_t n,
                  const uint8_t *pattern, NvvbCeResult *res)
{
    const uint8_t *data = pattern;

    ce->stats.chunks++;
    if (src_side) {
        if (side_sparse(src_side)) {
            memset(ce->bounce, 0, n);
        } else if (!ctx->mem->read(ctx->mem->opaque,
                                   src_side->w.tr.aperture,
                                   side_pa(src_side, src), ce->bounce, n)) {
            return mem_fail(res, src_side->w.tr.aperture,
                            side_pa(src_side, src));
        }
        data = ce->bounce;
    }
    if (side_sparse(dst_side)) {
        return true;
    }
    if (!ctx->mem->write || !ctx->mem->write(ctx->mem->opaque,
                                             dst_side->w.tr.aperture,
                                             side_pa(dst_side, dst), data,
                                             n)) {
        return mem_fail(res, dst_side->w.tr.aperture,
                        side_pa(dst_side, dst));
    }
    return true;
}

static int finish(NvvbCe *ce, NvvbCeResult *res, NvvbCeResult *out)
{
    ce->stats.bytes += res->done;
    ce->stats.faults += res->fault;
    ce->stats.mem_errors += res->mem_error;
    if (out) {
        *out = *res;
    }
    return res->fault || res->mem_error ? -EFAULT : 0;
}

static bool len_ok(uint64_t va, uint64_t len)
{
    return len && len <= NVVB_CE_LENGTH_MAX && va + len > va;
}

int nvvb_ce_copy(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t src,
                 uint64_t dst, uint64_t len, NvvbCeResult *out)
{
    CeSide s = { NV_GMMU_ACCESS_TYPE_VIRT_READ };
    CeSide d = { NV_GMMU_ACCESS_TYPE_VIRT_WRITE };
    bool backward = dst > src && dst - src < len;
    NvvbCeResult res;

    result_init(&res);
    if (!len_ok(src, len) || !len_ok(dst, len)) {
        if (out) {
            *out = res;
        }
        return -EINVAL;
    }
    ce->stats.commands++;
    while (res.done < len) {
        uint64_t left = len - res.done, n, so, dof;

        if (!backward) {
            so = src + res.done;
            dof = dst + res.done;
            if (!side_translate(ce, ctx, &s, so, &res) ||
                !side_translate(ce, ctx, &d, dof, &res)) {
                break;
            }
            n = MIN(left, NVVB_CE_BOUNCE_SIZE);
            n = MIN(n, s.hi - so);
            n = MIN(n, d.hi - dof);
        } else {
            /* [src + left - n, src + left): the chunk ending at the end. */
            uint64_t se = src + left - 1, de = dst + left - 1;

            if (!side_translate(ce, ctx, &s, se, &res) ||
                !side_translate(ce, ctx, &d, de, &res)) {
                break;
            }
            n = MIN(left, NVVB_CE_BOUNCE_SIZE);
            n = MIN(n, se - s.lo + 1);
            n = MIN(n, de - d.lo + 1);
            so = se + 1 - n;
            dof = de + 1 - n;
        }
        if (!chunk(ce, ctx, &s, so, &d, dof, n, NULL, &res)) {
            break;
        }
        res.done += n;
    }
    return finish(ce, &res, out);
}

int nvvb_ce_fill(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t dst,
                 uint64_t len, uint32_t pattern, NvvbCeResult *out)
{
    CeSide d = { NV_GMMU_ACCESS_TYPE_VIRT_WRITE };
    NvvbCeResult res;
    unsigned k;

    result_init(&res);
    if (!len_ok(dst, len)) {
        if (out) {
            *out = res;
        }
        return -EINVAL;
    }
    ce->stats.commands++;
    for (k = 0; k < sizeof(ce->bounce); k++) {
        ce->bounce[k] = (uint8_t)(pattern >> (8 * (k % 4)));
    }
    while (res.done < len) {
        uint64_t dof = dst + res.done, n;

        if (!side_translate(ce, ctx, &d, dof, &res)) {
            break;
        }
        n = MIN(len - res.done, NVVB_CE_BOUNCE_SIZE);
        n = MIN(n, d.hi - dof);
        /* The bounce buffer holds the pattern; start at this phase. */
        if (!chunk(ce, ctx, NULL, 0, &d, dof, n,
                   ce->bounce + res.done % 4, &res)) {
            break;
        }
        res.done += n;
    }
    return finish(ce, &res, out);
}

int nvvb_ce_semaphore(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t va,
                      uint64_t value, NvvbCeResult *out)
{
    CeSide d = { NV_GMMU_ACCESS_TYPE_VIRT_WRITE };
    NvvbCeResult res;
    uint8_t buf[8];
    unsigned k;

    result_init(&res);
    if (va & 7) {
        if (out) {
            *out = res;
        }
        return -EINVAL;
    }
    ce->stats.commands++;
    for (k = 0; k < 8; k++) {
        buf[k] = (uint8_t)(value >> (8 * k));
    }
    if (side_translate(ce, ctx, &d, va, &res) &&
        chunk(ce, ctx, NULL, 0, &d, va, 8, buf, &res)) {
        res.done = 8;
    }
    return finish(ce, &res, out);
}
