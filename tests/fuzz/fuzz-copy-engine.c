/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the copy engine (core/copy-engine.c): COPY, FILL
 * and SEMAPHORE commands through page tables the input writes, checked
 * against a reference that shares nothing with the engine but the walker.
 *
 * Input: a flags byte (bit 0: the engine uses a TLB, bit 1: privileged
 * context, bit 2: direct host access, NvvbCeHost), then ops,
 * opcode = byte % 5:
 *   0 write  u32 addr (bit 31: sysmem), u64 value   (tables or data)
 *   1 copy   u40 src, u40 dst, u24 length
 *   2 fill   u40 dst, u24 length, u32 pattern
 *   3 sem    u40 va, u64 value
 *   4 flush  the engine's TLB
 * VAs reach 1 TiB at any alignment (a FILL's pattern phase and COPY's
 * chunking depend on it); the page directory is at VRAM 0.  Raw writes flush the TLB, as a driver's
 * invalidate would.  NVVB_FUZZ_VERBOSE=1 prints each command's result.
 *
 * The reference walks every chunk afresh (nv_gmmu_walk(), no TLB, no
 * translation kept between chunks) and copies through a bounce buffer
 * with the chunking the engine's contract states: never past a page of
 * either side, at most NVVB_CE_BOUNCE_SIZE, backwards when the VA ranges
 * overlap with the destination above.  Checked after every command:
 * - the return value, done and the fault or memory-error report agree
 *   with the contract (0 => all done; -EFAULT => exactly one cause);
 * - unless the command rewrote the page tables it was translating through
 *   (the first 64 KiB of VRAM hold them) or hit the accessor's bounds (a
 *   chunk that leaves memory fails whole), the engine and the reference
 *   leave identical memory and identical results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz-check.h"
#include "copy-engine.h"
#include "gmmu-tlb.h"
#include "gmmu-walk.h"

#define VRAM_SIZE   (2u << 20)      /* holds a whole 2 MiB page at 0 */
#define SYS_SIZE    (256u << 10)
#define TABLES_END  (64u << 10)     /* where tables are expected */
#define LEN_MAX     (96u << 10)     /* > bounce: several chunks per page */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Img {
    uint8_t vram[VRAM_SIZE];
    uint8_t sys[SYS_SIZE];
} Img;

static Img eng, ref, before;
static int verbose = -1;

static uint8_t *img_at(Img *m, NvGmmuAperture aper, uint64_t addr,
                       size_t len)
{
    uint8_t *base;
    uint64_t sz;

    switch (aper) {
    case NV_GMMU_APER_VID:
        base = m->vram;
        sz = VRAM_SIZE;
        break;
    case NV_GMMU_APER_SYS_COH:
    case NV_GMMU_APER_SYS_NCOH:
        base = m->sys;
        sz = SYS_SIZE;
        break;
    default:
        return NULL;
    }
    return addr < sz && len <= sz - addr ? base + addr : NULL;
}

static bool img_read(void *opaque, NvGmmuAperture aper, uint64_t addr,
                     void *buf, size_t len)
{
    uint8_t *p = img_at(opaque, aper, addr, len);

    if (p) {
        memcpy(buf, p, len);
    }
    return p;
}

static bool img_write(void *opaque, NvGmmuAperture aper, uint64_t addr,
                      const void *buf, size_t len)
{
    uint8_t *p = img_at(opaque, aper, addr, len);

    if (p) {
        memcpy(p, buf, len);
    }
    return p;
}

/* NvvbCeHost over the engine's image: NULL wherever the accessor fails. */
static void *img_ptr(void *opaque, NvGmmuAperture aper, uint64_t addr,
                     uint64_t len, bool write)
{
    return img_at(opaque, aper, addr, len);
}

static void img_written(void *opaque, NvGmmuAperture aper, uint64_t addr,
                        uint64_t len)
{
    CHECK(img_at(opaque, aper, addr, len));
}

/* ---- The reference ---- */

typedef struct RefSide {
    uint8_t access;
    uint64_t lo, hi;            /* the page (or sparse range) of va */
    NvGmmuWalkResult w;
} RefSide;

static bool ref_translate(const NvGmmuMem *mem, const NvGmmuPdb *pdb,
                          bool priv, RefSide *s, uint64_t va,
                          NvvbCeResult *res)
{
    NvGmmuAccess acc = { s->access, priv, true };

    if (nv_gmmu_walk(mem, pdb, va, &acc, &s->w) == NV_GMMU_WALK_FAULT) {
        res->fault = true;
        res->fault_va = va;
        res->fault_type = s->w.fault_type;
        res->fault_level = s->w.fault_level;
        res->access_type = s->access;
        return false;
    }
    s->lo = s->w.tr.va_base;
    s->hi = s->w.tr.page_shift < 64 &&
            s->lo + (1ull << s->w.tr.page_shift) > s->lo ?
            s->lo + (1ull << s->w.tr.page_shift) : UINT64_MAX;
    return true;
}

static bool ref_chunk(const NvGmmuMem *mem, RefSide *s, uint64_t src,
                      RefSide *d, uint64_t dst, uint64_t n,
                      const uint8_t *pattern, NvvbCeResult *res)
{
    static uint8_t bounce[NVVB_CE_BOUNCE_SIZE];
    const uint8_t *p = pattern;

    if (s) {
        if (s->w.status == NV_GMMU_WALK_SPARSE) {
            memset(bounce, 0, n);
        } else if (!mem->read(mem->opaque, s->w.tr.aperture,
                              s->w.tr.pa_base + (src - s->lo), bounce, n)) {
            res->mem_error = true;
            return false;
        }
        p = bounce;
    }
    if (d->w.status == NV_GMMU_WALK_SPARSE) {
        return true;
    }
    if (!mem->write(mem->opaque, d->w.tr.aperture,
                    d->w.tr.pa_base + (dst - d->lo), p, n)) {
        res->mem_error = true;
        return false;
    }
    return true;
}

static int ref_run(const NvGmmuMem *mem, const NvGmmuPdb *pdb, bool priv,
                   int op, uint64_t src, uint64_t dst, uint64_t len,
                   uint64_t value, NvvbCeResult *res)
{
    RefSide s = { NV_GMMU_ACCESS_TYPE_VIRT_READ };
    RefSide d = { NV_GMMU_ACCESS_TYPE_VIRT_WRITE };
    uint8_t pat[NVVB_CE_BOUNCE_SIZE + 8];
    bool back = op == 1 && dst > src && dst - src < len;
    unsigned k;

    memset(res, 0, sizeof(*res));
    for (k = 0; k < sizeof(pat); k++) {
        pat[k] = (uint8_t)(value >> (8 * (op == 3 ? k % 8 : k % 4)));
    }
    while (res->done < len) {
        uint64_t left = len - res->done, n = MIN(left, NVVB_CE_BOUNCE_SIZE);
        uint64_t so, dof;

        if (op == 1 && back) {
            uint64_t se = src + left - 1, de = dst + left - 1;

            if (!ref_translate(mem, pdb, priv, &s, se, res) ||
                !ref_translate(mem, pdb, priv, &d, de, res)) {
                break;
            }
            n = MIN(n, MIN(se - s.lo + 1, de - d.lo + 1));
            so = se + 1 - n;
            dof = de + 1 - n;
        } else {
            so = src + res->done;
            dof = dst + res->done;
            if ((op == 1 && !ref_translate(mem, pdb, priv, &s, so, res)) ||
                !ref_translate(mem, pdb, priv, &d, dof, res)) {
                break;
            }
            n = MIN(n, d.hi - dof);
            if (op == 1) {
                n = MIN(n, s.hi - so);
            }
        }
        if (!ref_chunk(mem, op == 1 ? &s : NULL, so, &d, dof, n,
                       pat + res->done % 4, res)) {
            break;
        }
        res->done += n;
    }
    return res->fault || res->mem_error ? -EFAULT : 0;
}

/* ---- The target ---- */

static void check_contract(int ret, uint64_t len, const NvvbCeResult *r)
{
    CHECK(ret == 0 || ret == -EFAULT || ret == -EINVAL);
    if (ret == 0) {
        CHECK(r->done == len && !r->fault && !r->mem_error);
    } else if (ret == -EFAULT) {
        CHECK(r->done < len && (r->fault != r->mem_error));
    } else {
        CHECK(r->done == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    NvGmmuMem emem = { img_read, img_write, &eng };
    NvGmmuMem rmem = { img_read, img_write, &ref };
    NvvbCeHost host = { img_ptr, img_written, &eng };
    NvGmmuTlb *tlb;
    NvvbCe *ce;
    NvGmmuPdb pdb;
    NvvbCeCtx ctx;
    uint8_t flags;
    unsigned ops = 0;

    if (!size) {
        return 0;
    }
    if (verbose < 0) {
        verbose = getenv("NVVB_FUZZ_VERBOSE") != NULL;
    }
    memset(&eng, 0, sizeof(eng));
    flags = fuzz_take(&p, end, 1);
    nv_gmmu_pdb_init(&pdb, NV_GMMU_APER_VID, 0);
    tlb = flags & 1 ? nv_gmmu_tlb_new(64, 16) : NULL;
    ce = nvvb_ce_new();
    ctx = (NvvbCeCtx){ &emem, &pdb, tlb, flags & 2,
                       flags & 4 ? &host : NULL };

    while (p < end && ops++ < 64) {
        uint8_t op = fuzz_take(&p, end, 1) % 5;
        uint64_t src = 0, dst = 0, len = 0, value = 0;
        NvvbCeResult er, rr;
        int eret, rret;

        switch (op) {
        case 0: {
            uint32_t a = fuzz_take(&p, end, 4);
            uint64_t v = fuzz_take(&p, end, 8);
            uint8_t *at = img_at(&eng, a >> 31 ? NV_GMMU_APER_SYS_COH :
                                 NV_GMMU_APER_VID, (a & 0x7ffffff8u) %
                                 (a >> 31 ? SYS_SIZE : VRAM_SIZE), 8);

            memcpy(at, &v, 8);
            if (tlb) {
                nv_gmmu_tlb_flush_all(tlb);
            }
            continue;
        }
        case 4:
            if (tlb) {
                nv_gmmu_tlb_flush_all(tlb);
            }
            continue;
        case 1:
            src = fuzz_take(&p, end, 5);
            dst = fuzz_take(&p, end, 5);
            len = fuzz_take(&p, end, 3) % (LEN_MAX + 1);
            break;
        case 2:
            dst = fuzz_take(&p, end, 5);
            len = fuzz_take(&p, end, 3) % (LEN_MAX + 1);
            value = fuzz_take(&p, end, 4);
            break;
        case 3:
            dst = fuzz_take(&p, end, 5);
            value = fuzz_take(&p, end, 8);
            len = 8;
            break;
        }
        memcpy(&before, &eng, sizeof(eng));
        memcpy(&ref, &eng, sizeof(eng));
        eret = op == 1 ? nvvb_ce_copy(ce, &ctx, src, dst, len, &er) :
               op == 2 ? nvvb_ce_fill(ce, &ctx, dst, len, value, &er) :
               nvvb_ce_semaphore(ce, &ctx, dst, value, &er);
        check_contract(eret, len, &er);
        if (verbose) {
            fprintf(stderr, "op %u src 0x%llx dst 0x%llx len 0x%llx: %d done "
                    "0x%llx fault %d mem_error %d\n", op,
                    (unsigned long long)src, (unsigned long long)dst,
                    (unsigned long long)len, eret,
                    (unsigned long long)er.done, er.fault, er.mem_error);
        }
        if (eret == -EINVAL) {
            CHECK(!memcmp(&before, &eng, sizeof(eng)));
            continue;
        }
        rret = ref_run(&rmem, &pdb, flags & 2, op, src, dst, len, value,
                       &rr);
        /* Self-rewriting tables and partial chunks: contract only. */
        if (!er.mem_error && !rr.mem_error &&
            !memcmp(before.vram, eng.vram, TABLES_END) &&
            !memcmp(before.vram, ref.vram, TABLES_END)) {
            CHECK(eret == rret);
            CHECK(er.done == rr.done);
            CHECK(er.fault == rr.fault);
            if (er.fault) {
                CHECK(er.fault_va == rr.fault_va);
                CHECK(er.fault_type == rr.fault_type);
                CHECK(er.access_type == rr.access_type);
            }
            CHECK(!memcmp(&eng, &ref, sizeof(eng)));
        }
        if (tlb && memcmp(before.vram, eng.vram, TABLES_END)) {
            nv_gmmu_tlb_flush_all(tlb);
        }
    }
    nvvb_ce_free(ce);
    nv_gmmu_tlb_free(tlb);
    return 0;
}
