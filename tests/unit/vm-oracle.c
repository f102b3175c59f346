/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VM object's oracle, see vm-oracle.h.
 */
#include <string.h>

#include "gmmu-dump.h"
#include "gmmu-walk.h"
#include "vm-oracle.h"

#define K4      0x1000ull

/* What a stretch of VA is, on either side. */
typedef enum SegState { SEG_NONE, SEG_SPARSE, SEG_MAPPED } SegState;

typedef struct Seg {
    uint64_t va;
    uint64_t size;
    SegState state;
    NvGmmuAperture aper;        /* MAPPED only */
    uint64_t pa;                /* of va; MAPPED only */
    uint8_t flags;              /* NV_GMMU_PTE_{READ_ONLY,PRIVILEGE,...} */
    uint8_t kind;
} Seg;

/* The PTE bits a bind controls; others (VALID, VOL) are the ptm's choice. */
#define ATTR_PTE_MASK   (NV_GMMU_PTE_READ_ONLY | NV_GMMU_PTE_PRIVILEGE | \
                         NV_GMMU_PTE_ATOMIC_DISABLE)

static void seg_add(GArray *segs, const Seg *s)
{
    if (s->size) {
        g_array_append_vals(segs, s, 1);
    }
}

static gint seg_cmp(gconstpointer a, gconstpointer b)
{
    const Seg *x = a, *y = b;

    return x->va < y->va ? -1 : x->va > y->va;
}

/*
 * The expected ranges of mapping @va: one per backing extent it covers.
 * A mapping whose buffer is gone has no expected backing: it is reported
 * as mapped to an impossible aperture, so every page of it mismatches.
 */
static void expect_mapping(GArray *segs, const NvvbGpuVa *va)
{
    const NvvbBuffer *b = va->bo ? va->bo->opaque : NULL;
    uint32_t attrs = nvvb_vm_va_attrs(va);
    Seg s = {
        .state = SEG_MAPPED,
        .kind = attrs & NVVB_MAP_KIND_MASK,
        .flags = (attrs & NVVB_MAP_READ_ONLY ? NV_GMMU_PTE_READ_ONLY : 0) |
                 (attrs & NVVB_MAP_PRIV ? NV_GMMU_PTE_PRIVILEGE : 0) |
                 (attrs & NVVB_MAP_NO_ATOMIC ?
                  NV_GMMU_PTE_ATOMIC_DISABLE : 0),
    };
    uint64_t start = 0, off = va->bo_offset, end = va->bo_offset + va->range;
    uint32_t i;

    if (!b) {
        s.aper = NV_GMMU_APER_NONE;
        s.va = va->addr;
        s.size = va->range;
        seg_add(segs, &s);
        return;
    }
    if (b->placement == NVVB_BO_VRAM) {
        s.aper = NV_GMMU_APER_VID;
        s.va = va->addr;
        s.size = va->range;
        s.pa = b->vram_addr + va->bo_offset;
        seg_add(segs, &s);
        return;
    }
    s.aper = NV_GMMU_APER_SYS_COH;
    for (i = 0; i < b->nsg && off < end; i++) {
        uint64_t e_end = start + b->sg[i].len;

        if (off < e_end) {
            uint64_t n = MIN(e_end, end) - off;

            s.va = va->addr + (off - va->bo_offset);
            s.size = n;
            s.pa = b->sg[i].addr + (off - start);
            seg_add(segs, &s);
            off += n;
        }
        start = e_end;
    }
    if (off < end) {
        /* Beyond the backing: the GPUVM should never have allowed it. */
        s.aper = NV_GMMU_APER_NONE;
        s.va = va->addr + (off - va->bo_offset);
        s.size = end - off;
        s.pa = 0;
        seg_add(segs, &s);
    }
}

/* The GPUVM's view of @vm: mappings, and regions where nothing is mapped. */
static GArray *expected(NvvbVm *vm)
{
    GArray *segs = g_array_new(false, false, sizeof(Seg));
    const NvvbSparseRegion *r;
    NvvbGpuVa *va;

    NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
        expect_mapping(segs, va);
    }
    NVVB_UVMM_FOREACH_REGION(r, vm->uvmm) {
        uint64_t v = r->addr, end = r->addr + r->range;
        NvvbGpuVa *g;

        /* Mappings are sorted and disjoint: the holes between them. */
        for (g = nvvb_gpuva_find_first(vm->uvmm->vm, v, r->range);
             g && g->addr < end; g = nvvb_gpuva_next(g)) {
            Seg s = { .va = v, .state = SEG_SPARSE };

            if (g->addr > v) {
                s.size = g->addr - v;
                seg_add(segs, &s);
            }
            v = MAX(v, g->addr + g->range);
        }
        if (v < end) {
            Seg s = { .va = v, .size = end - v, .state = SEG_SPARSE };

            seg_add(segs, &s);
        }
    }
    g_array_sort(segs, seg_cmp);
    return segs;
}

typedef struct Dumped {
    GArray *segs;
    const NvGmmuMem *mem;
    const NvGmmuPdb *pdb;
    bool every_page;
    uint64_t bad;               /* pages the walker translates otherwise */
} Dumped;

/* Whether a walk of @v agrees with the dumped range @m. */
static bool walk_agrees(Dumped *d, const NvGmmuMapping *m, uint64_t v)
{
    NvGmmuAccess acc = { .type = NV_GMMU_ACCESS_TYPE_VIRT_READ,
                         .priv = true };
    NvGmmuWalkResult r;
    NvGmmuWalkStatus st = nv_gmmu_walk(d->mem, d->pdb, v, &acc, &r);

    if (m->sparse) {
        return st == NV_GMMU_WALK_SPARSE;
    }
    return st == NV_GMMU_WALK_OK && r.pa == m->pa + (v - m->va) &&
           r.tr.aperture == m->aperture && r.tr.kind == m->kind &&
           r.tr.flags == m->flags;
}

static bool dump_cb(void *opaque, const NvGmmuMapping *m)
{
    Dumped *d = opaque;
    Seg s = {
        .va = m->va, .size = m->size,
        .state = m->sparse ? SEG_SPARSE : SEG_MAPPED,
        .aper = m->sparse ? NV_GMMU_APER_NONE : m->aperture,
        .pa = m->sparse ? 0 : m->pa,
        .flags = m->sparse ? 0 : m->flags & ATTR_PTE_MASK,
        .kind = m->sparse ? 0 : m->kind,
    };
    uint64_t v;

    seg_add(d->segs, &s);
    if (d->every_page) {
        for (v = m->va; v - m->va < m->size; v += K4) {
            d->bad += !walk_agrees(d, m, v);
        }
    } else {
        d->bad += !walk_agrees(d, m, m->va);
        if (m->size > K4) {
            d->bad += !walk_agrees(d, m, m->va + m->size - K4);
        }
    }
    return true;
}

/* Index of the segment of @segs (sorted, disjoint) holding @v, or -1. */
static gint seg_at(const GArray *segs, guint *cursor, uint64_t v)
{
    while (*cursor < segs->len &&
           g_array_index(segs, Seg, *cursor).va +
           g_array_index(segs, Seg, *cursor).size <= v) {
        (*cursor)++;
    }
    if (*cursor < segs->len && g_array_index(segs, Seg, *cursor).va <= v) {
        return *cursor;
    }
    return -1;
}

/* Whether @a and @b say the same about VA @v (either may be NULL: none). */
static bool seg_same(const Seg *a, const Seg *b, uint64_t v)
{
    SegState sa = a ? a->state : SEG_NONE, sb = b ? b->state : SEG_NONE;

    if (sa != sb) {
        return false;
    }
    if (sa != SEG_MAPPED) {
        return true;
    }
    return a->aper == b->aper && a->pa + (v - a->va) == b->pa + (v - b->va) &&
           a->flags == b->flags && a->kind == b->kind;
}

static gint u64_cmp(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void add_bounds(GArray *bounds, const GArray *segs)
{
    guint i;

    for (i = 0; i < segs->len; i++) {
        const Seg *s = &g_array_index(segs, Seg, i);
        uint64_t end = s->va + s->size;

        g_array_append_val(bounds, s->va);
        g_array_append_val(bounds, end);
    }
}

/* 4 KiB pages where @e and @a (both sorted and disjoint) disagree. */
static uint64_t sweep(const GArray *e, const GArray *a)
{
    GArray *bounds = g_array_new(false, false, sizeof(uint64_t));
    guint ce = 0, ca = 0, i;
    uint64_t bad = 0;

    add_bounds(bounds, e);
    add_bounds(bounds, a);
    g_array_sort(bounds, u64_cmp);
    for (i = 0; i + 1 < bounds->len; i++) {
        uint64_t v = g_array_index(bounds, uint64_t, i);
        uint64_t next = g_array_index(bounds, uint64_t, i + 1);
        gint ie, ia;

        if (v == next) {
            continue;
        }
        ie = seg_at(e, &ce, v);
        ia = seg_at(a, &ca, v);
        if (!seg_same(ie < 0 ? NULL : &g_array_index(e, Seg, ie),
                      ia < 0 ? NULL : &g_array_index(a, Seg, ia), v)) {
            /* Round up: a bound off the 4 KiB grid is a mismatch too. */
            bad += (next - v + K4 - 1) / K4;
        }
    }
    g_array_free(bounds, true);
    return bad;
}

uint64_t vmo_mismatches(const NvGmmuMem *mem, NvvbVm *vm, bool every_page)
{
    NvGmmuPdb pdb;
    Dumped d = { .mem = mem, .pdb = &pdb, .every_page = every_page };
    NvGmmuDumpStatus st;
    GArray *e;
    uint64_t bad;

    nv_gmmu_pdb_init(&pdb, NV_GMMU_APER_VID, nvvb_ptm_pdb(vm->ptm));
    d.segs = g_array_new(false, false, sizeof(Seg));
    nvvb_gpuvm_lock(vm->uvmm->vm);
    e = expected(vm);
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    st = nv_gmmu_dump(mem, &pdb, 0, NV_GMMU_VA_LIMIT, 0, dump_cb, &d, NULL);
    /* A dump that could not finish counts as one mismatch at least. */
    bad = sweep(e, d.segs) + d.bad + (st != NV_GMMU_DUMP_DONE);
    g_array_free(e, true);
    g_array_free(d.segs, true);
    return bad;
}

unsigned vmo_evicted(NvvbVm *vm)
{
    unsigned n;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    n = nvvb_gpuvm_evict_count(vm->uvmm->vm);
    nvvb_gpuvm_unlock(vm->uvmm->vm);
    return n;
}

static void snap_vm(GString *out, unsigned i, NvvbVm *vm)
{
    const NvvbSparseRegion *r;
    NvvbGpuVa *va;

    nvvb_gpuvm_lock(vm->uvmm->vm);
    g_string_append_printf(out, "vm %u id %u evict %u\n", i, vm->id,
                           nvvb_gpuvm_evict_count(vm->uvmm->vm));
    NVVB_GPUVM_FOREACH_VA(va, vm->uvmm->vm) {
        g_string_append_printf(out, " va %" G_GINT64_MODIFIER "x+%"
                               G_GINT64_MODIFIER "x bo %" G_GINT64_MODIFIER
                               "u off %" G_GINT64_MODIFIER "x fl %x\n",
                               va->addr, va->range,
                               va->bo ? va->bo->handle : 0,
                               va->bo_offset, va->flags);
    }
    NVVB_UVMM_FOREACH_REGION(r, vm->uvmm) {
        g_string_append_printf(out, " region %" G_GINT64_MODIFIER "x+%"
                               G_GINT64_MODIFIER "x\n", r->addr, r->range);
    }
    nvvb_gpuvm_unlock(vm->uvmm->vm);
}

static void snap_bo(GString *out, unsigned i, const NvvbBuffer *b)
{
    uint32_t j;

    g_string_append_printf(out, "bo %u id %u pl %u size %" G_GINT64_MODIFIER
                           "x vram %" G_GINT64_MODIFIER "x nsg %u vm_bos %u\n",
                           i, b->id, b->placement, b->size, b->vram_addr,
                           b->nsg, nvvb_bo_vm_bo_count(b->core));
    for (j = 0; j < b->nsg; j++) {
        g_string_append_printf(out, " sg %" G_GINT64_MODIFIER "x+%"
                               G_GINT64_MODIFIER "x\n", b->sg[j].addr,
                               b->sg[j].len);
    }
}

void vmo_snap_take(VmoSnap *s, NvvbVm *const *vms, unsigned nvms,
                   NvvbBuffer *const *bos, unsigned nbos,
                   const NvvbPtPool *pool, const uint8_t *pool_bytes,
                   unsigned invalidates)
{
    unsigned i;

    /* Reuse the buffers of an earlier snapshot: the fuzzer takes many. */
    if (s->state) {
        g_string_truncate(s->state, 0);
    } else {
        s->state = g_string_new(NULL);
    }
    for (i = 0; i < nvms; i++) {
        if (vms[i]) {
            snap_vm(s->state, i, vms[i]);
        }
    }
    for (i = 0; i < nbos; i++) {
        if (bos[i]) {
            snap_bo(s->state, i, bos[i]);
        }
    }
    s->pool_len = nvvb_pt_pool_size(pool);
    if (s->pool_cap < s->pool_len) {
        g_free(s->pool);
        s->pool = g_malloc(s->pool_len);
        s->pool_cap = s->pool_len;
    }
    memcpy(s->pool, pool_bytes, s->pool_len);
    s->pool_free = nvvb_pt_pool_free_bytes(pool);
    s->invalidates = invalidates;
}

const char *vmo_snap_diff(const VmoSnap *a, const VmoSnap *b)
{
    if (strcmp(a->state->str, b->state->str)) {
        return "GPUVM, evict lists or buffers";
    }
    if (a->pool_len != b->pool_len ||
        memcmp(a->pool, b->pool, a->pool_len)) {
        return "pool bytes";
    }
    if (a->pool_free != b->pool_free) {
        return "pool free space";
    }
    if (a->invalidates != b->invalidates) {
        return "invalidates";
    }
    return NULL;
}

void vmo_snap_clear(VmoSnap *s)
{
    if (s->state) {
        g_string_free(s->state, true);
    }
    g_free(s->pool);
    memset(s, 0, sizeof(*s));
}
