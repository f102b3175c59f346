/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind copy engine, see copy-engine.h.
 *
 * Every page (or sparse granule) a command touches is translated once, in
 * the order the command reaches it.  Through the memory accessor, data
 * moves exactly as it always did: in chunks of at most the bounce buffer
 * that never cross a page of either side, each read whole into the bounce
 * buffer and then written.
 *
 * When the context gives direct host access (NvvbCeHost), a side's *run*
 * -- consecutive pages of one size whose translations continue each other
 * (same aperture and following physical addresses, or all sparse) -- grows
 * one page at a time, only on the side that limits the move, and the
 * whole stretch both runs cover moves with one memmove() / memset() /
 * pattern loop, so memcpy works on large blocks.  The first page that does
 * not continue a run (other backing or size, a sparse/mapped change, a
 * fault) is kept pending and starts the next run, so translations stay at
 * most one page ahead of the other side and a fault stops the command
 * where the page-by-page engine stopped.  If the host gives no pointer for
 * a stretch, it moves through the accessor in the chunks above, so errors
 * and their bytes are those of the accessor path.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "copy-engine.h"

/* How far ahead side_extend() prefetches TLB slots: 16 small pages. */
#define CE_PREFETCH_AHEAD   (16 * 4096ull)

struct NvvbCe {
    NvvbCeStats stats;
    /* One bounce buffer, plus room for a FILL pattern's phase. */
    uint8_t bounce[NVVB_CE_BOUNCE_SIZE + 8];
};

/*
 * One side of a command: its run [lo, hi) (hi == UINT64_MAX: up to the end
 * of the address space), backed from pa_lo in aper, or sparse; and the last
 * translation, which is the pending one while @pending is set.
 */
typedef struct CeSide {
    uint8_t access;         /* NV_GMMU_ACCESS_TYPE_VIRT_* */
    bool backward;          /* the command runs down: runs grow down */
    bool valid;
    bool sparse;
    bool pending;           /* w is the translation of pend_va */
    bool physical;          /* nvvb_ce_dma()'s untranslated side */
    uint8_t shift;          /* log2 of the run's page size (64: no end) */
    NvGmmuAperture aper;
    uint64_t lo, hi;
    uint64_t pa_lo;
    uint64_t pend_va;
    NvGmmuWalkResult w;
    /* PTEs side_extend() read ahead; emptied before data moves (move()). */
    NvGmmuPteAhead ahead;
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

static NvGmmuWalkStatus side_walk(NvvbCe *ce, const NvvbCeCtx *ctx,
                                  CeSide *side, uint64_t va)
{
    NvGmmuAccess acc = { side->access, ctx->priv, true };

    ce->stats.translations++;
    return nv_gmmu_tlb_translate(ctx->tlb, ctx->mem, ctx->pdb, va, &acc,
                                 &side->w);
}

/*
 * Translate @va, the page next to side->w's (the run grows page by page):
 * a TLB miss in the same small page table takes side->w's path and reads
 * the PTEs ahead in one access (nv_gmmu_tlb_translate_next()).
 */
static NvGmmuWalkStatus side_walk_next(NvvbCe *ce, const NvvbCeCtx *ctx,
                                       CeSide *side, uint64_t va)
{
    NvGmmuAccess acc = { side->access, ctx->priv, true };

    ce->stats.translations++;
    return nv_gmmu_tlb_translate_next(ctx->tlb, ctx->mem, ctx->pdb, va, &acc,
                                      &side->w, &side->ahead,
                                      side->backward);
}

/* The page (or sparse granule) of side->w: [*base, *end), end clamped. */
static void page_of(const CeSide *side, uint64_t *base, uint64_t *end)
{
    /* Sparse granules may be as large as 2^47: clamp the end. */
    uint64_t size = side->w.tr.page_shift < 64 ? 1ull << side->w.tr.page_shift
                                               : 0;

    *base = side->w.tr.va_base;
    *end = *base + size > *base ? *base + size : UINT64_MAX;
}

/*
 * Make @side's run cover @va, from the pending translation if it is @va's,
 * else by translating; false (and @res filled) on a fault.
 */
static bool side_cover(NvvbCe *ce, const NvvbCeCtx *ctx, CeSide *side,
                       uint64_t va, NvvbCeResult *res)
{
    if (side->valid && va >= side->lo && va < side->hi) {
        return true;
    }
    side->valid = false;
    if (!side->pending || side->pend_va != va) {
        side_walk(ce, ctx, side, va);
    }
    side->pending = false;
    if (side->w.status == NV_GMMU_WALK_FAULT) {
        res->fault = true;
        res->fault_va = va;
        res->fault_type = side->w.fault_type;
        res->fault_level = side->w.fault_level;
        res->access_type = side->access;
        return false;
    }
    page_of(side, &side->lo, &side->hi);
    side->shift = MIN(side->w.tr.page_shift, 64);
    side->sparse = side->w.status == NV_GMMU_WALK_SPARSE;
    side->aper = side->w.tr.aperture;
    side->pa_lo = side->w.tr.pa_base;
    side->valid = true;
    return true;
}

/*
 * Grow @side's run by the next page in its direction if that page
 * continues it; else keep that page's translation pending.  Returns
 * whether the run grew.
 */
static bool side_extend(NvvbCe *ce, const NvvbCeCtx *ctx, CeSide *side)
{
    uint64_t va, base, end;

    if (side->pending ||
        (side->backward ? side->lo == 0 : side->hi == UINT64_MAX)) {
        return false;
    }
    va = side->backward ? side->lo - 1 : side->hi;
    /* The run is likely to go on: warm the TLB slots of pages ahead. */
    nv_gmmu_tlb_prefetch(ctx->tlb, ctx->pdb,
                         side->backward ? va - CE_PREFETCH_AHEAD
                                        : va + CE_PREFETCH_AHEAD);
    if (side_walk_next(ce, ctx, side, va) == NV_GMMU_WALK_FAULT ||
        (side->w.status == NV_GMMU_WALK_SPARSE) != side->sparse ||
        side->w.tr.page_shift != side->shift) {
        goto pending;
    }
    page_of(side, &base, &end);
    if (side->backward ? end != side->lo : base != side->hi) {
        goto pending;
    }
    if (!side->sparse &&
        (side->w.tr.aperture != side->aper ||
         (side->backward
          ? side->w.tr.pa_base + (side->lo - base) != side->pa_lo
          : side->w.tr.pa_base != side->pa_lo + (side->hi - side->lo)))) {
        goto pending;
    }
    if (side->backward) {
        side->lo = base;
        side->pa_lo = side->w.tr.pa_base;
    } else {
        side->hi = end;
    }
    return true;

pending:
    side->pending = true;
    side->pend_va = va;
    return false;
}

/* Physical address of @va (in the run, not sparse). */
static uint64_t side_pa(const CeSide *side, uint64_t va)
{
    return side->pa_lo + (va - side->lo);
}

static bool mem_fail(NvvbCeResult *res, NvGmmuAperture aper, uint64_t pa)
{
    res->mem_error = true;
    res->mem_aperture = aper;
    res->mem_addr = pa;
    return false;
}

/*
 * @n bytes of a 4-byte pattern: byte i is @pat[i % 4] (@pat holds at least
 * 11 bytes of the repeated pattern).
 */
static void fill_host(uint8_t *p, uint64_t n, const uint8_t *pat)
{
    uint64_t i = 0, w, *q;

    if (pat[0] == pat[1] && pat[0] == pat[2] && pat[0] == pat[3]) {
        memset(p, pat[0], n);
        return;
    }
    for (; i < n && ((uintptr_t)(p + i) & 7); i++) {
        p[i] = pat[i % 4];
    }
    /* Byte k of w is pattern byte (i + k) % 4. */
    memcpy(&w, pat + i % 4, 8);
    for (q = (uint64_t *)(p + i); i + 8 <= n; i += 8) {
        *q++ = w;
    }
    for (; i < n; i++) {
        p[i] = pat[i % 4];
    }
}

/* What a command writes. */
typedef enum CeData {
    CE_DATA_SOURCE,         /* the source side's bytes */
    CE_DATA_PATTERN,        /* FILL: the bounce buffer, from phase done % 4 */
    CE_DATA_BYTES,          /* @data itself */
} CeData;

/*
 * Bytes from @va to the end of its page (to its start, inclusive, when the
 * side runs backward).
 */
static uint64_t page_left(const CeSide *side, uint64_t va)
{
    uint64_t mask;

    if (side->shift >= 64) {
        return UINT64_MAX;
    }
    mask = (1ull << side->shift) - 1;
    return side->backward ? (va & mask) + 1 : mask - (va & mask) + 1;
}

/*
 * One accessor chunk of @n bytes (at most the bounce buffer, inside one
 * page of each side) at the lowest addresses @src / @dst.  The source is
 * read (or found sparse) before the destination is looked at.
 */
static bool move_accessor(NvvbCe *ce, const NvvbCeCtx *ctx, CeData kind,
                          CeSide *src_side, uint64_t src,
                          const uint8_t *data, CeSide *dst_side, uint64_t dst,
                          uint64_t n, NvvbCeResult *res)
{
    uint64_t pa;

    ce->stats.chunks++;
    if (kind == CE_DATA_SOURCE) {
        if (src_side->sparse) {
            memset(ce->bounce, 0, n);
        } else {
            pa = side_pa(src_side, src);
            if (!ctx->mem->read(ctx->mem->opaque, src_side->aper, pa,
                                ce->bounce, n)) {
                return mem_fail(res, src_side->aper, pa);
            }
        }
        data = ce->bounce;
    }
    if (dst_side->sparse) {
        return true;
    }
    pa = side_pa(dst_side, dst);
    if (!ctx->mem->write || !ctx->mem->write(ctx->mem->opaque,
                                             dst_side->aper, pa, data, n)) {
        return mem_fail(res, dst_side->aper, pa);
    }
    return true;
}

/*
 * Move @n bytes at the lowest addresses @src / @dst directly in host
 * memory, if the host gives pointers for all of them; false (and nothing
 * done) otherwise.
 */
static bool move_direct(NvvbCe *ce, const NvvbCeCtx *ctx, CeData kind,
                        CeSide *src_side, uint64_t src, const uint8_t *data,
                        CeSide *dst_side, uint64_t dst, uint64_t n)
{
    const NvvbCeHost *h = ctx->host;
    const uint8_t *sp = NULL;
    uint8_t *dp = NULL;
    uint64_t dpa = side_pa(dst_side, dst);

    if (!h) {
        return false;
    }
    if (kind == CE_DATA_SOURCE && !src_side->sparse) {
        sp = h->ptr(h->opaque, src_side->aper, side_pa(src_side, src), n,
                    false);
        if (!sp) {
            return false;
        }
    }
    if (!dst_side->sparse) {
        dp = h->ptr(h->opaque, dst_side->aper, dpa, n, true);
        if (!dp) {
            return false;
        }
    }
    ce->stats.chunks++;
    if (!dp) {
        return true;        /* the source was readable; writes dropped */
    }
    if (kind == CE_DATA_PATTERN) {
        fill_host(dp, n, data);
    } else if (kind == CE_DATA_SOURCE && !sp) {
        memset(dp, 0, n);   /* sparse source */
    } else {
        /* Source and destination memory may overlap: memmove. */
        memmove(dp, kind == CE_DATA_SOURCE ? sp : data, n);
    }
    if (h->written) {
        h->written(h->opaque, dst_side->aper, dpa, n);
    }
    return true;
}

/*
 * Move the @n bytes both runs hold from the current position (the first
 * byte @src / @dst, or the last when running backward), adding what is
 * done to res->done: at once in host memory if possible, else in accessor
 * chunks, in the command's direction.  @src_side is NULL unless @kind is
 * CE_DATA_SOURCE.
 */
static bool move(NvvbCe *ce, const NvvbCeCtx *ctx, CeData kind,
                 CeSide *src_side, uint64_t src, const uint8_t *data,
                 CeSide *dst_side, uint64_t dst, uint64_t n,
                 NvvbCeResult *res)
{
    bool back = dst_side->backward;
    uint64_t left = n;
    const NvvbCeObserver *o = ctx->observe;

    /* The move may write page tables: PTEs read ahead are stale after it. */
    dst_side->ahead.n = 0;
    if (src_side) {
        src_side->ahead.n = 0;
    }

    /* The observer sees translated accesses only. */
    if (o && kind == CE_DATA_SOURCE && !src_side->sparse &&
        !src_side->physical) {
        uint64_t lo = back ? src + 1 - n : src;

        o->access(o->opaque, lo, src_side->aper, side_pa(src_side, lo), n,
                  false);
    }
    if (o && !dst_side->sparse && !dst_side->physical) {
        uint64_t lo = back ? dst + 1 - n : dst;

        o->access(o->opaque, lo, dst_side->aper, side_pa(dst_side, lo), n,
                  true);
    }
    if (move_direct(ce, ctx, kind, src_side, back ? src + 1 - n : src,
                    kind == CE_DATA_PATTERN ? ce->bounce + res->done % 4
                                            : data,
                    dst_side, back ? dst + 1 - n : dst, n)) {
        res->done += n;
        return true;
    }
    while (left) {
        uint64_t k = MIN(left, NVVB_CE_BOUNCE_SIZE);

        k = MIN(k, page_left(dst_side, dst));
        if (src_side) {
            k = MIN(k, page_left(src_side, src));
        }
        if (!move_accessor(ce, ctx, kind, src_side, back ? src + 1 - k : src,
                           kind == CE_DATA_PATTERN
                           ? ce->bounce + res->done % 4 : data,
                           dst_side, back ? dst + 1 - k : dst, k, res)) {
            return false;
        }
        res->done += k;
        left -= k;
        src = back ? src - k : src + k;
        dst = back ? dst - k : dst + k;
    }
    return true;
}

/*
 * Bytes both runs hold from the current position (source @sva, destination
 * @dva; the last byte when running backward), at most @want.  With direct
 * host access the runs grow (the limiting side first) as far as they
 * continue; without, a run is one page, as the accessor path moves page by
 * page anyway.  @s is NULL for FILL.
 */
static uint64_t move_len(NvvbCe *ce, const NvvbCeCtx *ctx, CeSide *s,
                         uint64_t sva, CeSide *d, uint64_t dva, uint64_t want)
{
    for (;;) {
        /* Bytes each run still holds from the position on. */
        uint64_t da = d->backward ? dva - d->lo + 1 : d->hi - dva;
        uint64_t sa = !s ? da : s->backward ? sva - s->lo + 1 : s->hi - sva;
        uint64_t n = MIN(want, MIN(sa, da));

        if (n == want || !ctx->host ||
            !side_extend(ce, ctx, s && sa < da ? s : d)) {
            return n;
        }
    }
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
    bool backward = dst > src && dst - src < len;
    CeSide s = { .access = NV_GMMU_ACCESS_TYPE_VIRT_READ,
                 .backward = backward };
    CeSide d = { .access = NV_GMMU_ACCESS_TYPE_VIRT_WRITE,
                 .backward = backward };
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
        uint64_t left = len - res.done, n;
        /* Forward: the next byte; backward: the last one left. */
        uint64_t so = backward ? src + left - 1 : src + res.done;
        uint64_t dof = backward ? dst + left - 1 : dst + res.done;

        if (!side_cover(ce, ctx, &s, so, &res) ||
            !side_cover(ce, ctx, &d, dof, &res)) {
            break;
        }
        n = move_len(ce, ctx, &s, so, &d, dof, left);
        if (!move(ce, ctx, CE_DATA_SOURCE, &s, so, NULL, &d, dof, n, &res)) {
            break;
        }
    }
    return finish(ce, &res, out);
}

int nvvb_ce_fill(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t dst,
                 uint64_t len, uint32_t pattern, NvvbCeResult *out)
{
    CeSide d = { .access = NV_GMMU_ACCESS_TYPE_VIRT_WRITE };
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

        if (!side_cover(ce, ctx, &d, dof, &res)) {
            break;
        }
        n = move_len(ce, ctx, NULL, 0, &d, dof, len - res.done);
        /* The bounce buffer holds the pattern, taken at phase done % 4. */
        if (!move(ce, ctx, CE_DATA_PATTERN, NULL, 0, NULL, &d, dof, n,
                  &res)) {
            break;
        }
    }
    return finish(ce, &res, out);
}

int nvvb_ce_dma(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t va,
                uint8_t va_access, NvGmmuAperture aper, uint64_t pa,
                uint64_t len, bool to_va, NvvbCeResult *out,
                NvGmmuWalkResult *last)
{
    CeSide v = { .access = va_access };
    /*
     * The physical side is one run that never ends and needs no
     * translation: its "VA" is the physical address itself.
     */
    CeSide p = { .valid = true, .physical = true, .shift = 64, .aper = aper,
                 .lo = pa, .hi = UINT64_MAX, .pa_lo = pa };
    CeSide *src = to_va ? &p : &v, *dst = to_va ? &v : &p;
    NvvbCeResult res;

    result_init(&res);
    if (!len_ok(va, len) || !len_ok(pa, len)) {
        if (out) {
            *out = res;
        }
        return -EINVAL;
    }
    ce->stats.commands++;
    while (res.done < len) {
        uint64_t so = (to_va ? pa : va) + res.done;
        uint64_t dof = (to_va ? va : pa) + res.done;
        uint64_t n;

        if (!side_cover(ce, ctx, &v, va + res.done, &res)) {
            break;
        }
        res.sparse |= v.sparse;
        n = move_len(ce, ctx, src, so, dst, dof, len - res.done);
        if (!move(ce, ctx, CE_DATA_SOURCE, src, so, NULL, dst, dof, n,
                  &res)) {
            break;
        }
    }
    if (last) {
        *last = v.w;
    }
    return finish(ce, &res, out);
}

int nvvb_ce_semaphore(NvvbCe *ce, const NvvbCeCtx *ctx, uint64_t va,
                      uint64_t value, NvvbCeResult *out)
{
    CeSide d = { .access = NV_GMMU_ACCESS_TYPE_VIRT_WRITE };
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
    /* An aligned 8-byte write stays in its page. */
    if (side_cover(ce, ctx, &d, va, &res)) {
        move(ce, ctx, CE_DATA_BYTES, NULL, 0, buf, &d, va, 8, &res);
    }
    return finish(ce, &res, out);
}
