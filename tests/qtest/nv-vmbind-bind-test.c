/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for the nv-vmbind bind queue and copy engine: the device builds
 * the page tables from bind requests, and the tests check them three ways:
 * against the test's own model of the mapping table (drm_gpuvm semantics:
 * no merging, pieces keep their BO offsets; nouveau's sparse rules and
 * error codes), against x-nv-vmbind-verify (tables walked vs the device's
 * GPUVM), and by moving data through them with the copy engine.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "libqtest.h"
#include "libqos/qgraph.h"
#include "libqos/pci.h"
#include "libqos/libqos-malloc.h"
#include "libqos/nv-vmbind.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

#define VRAM_BO_BASE    0x01000000ULL   /* 16 MiB, 2 MiB aligned */
#define BO_A            1
#define BO_B            2
#define BO_S            3               /* system memory, scattered */
#define BO_SIZE         0x00800000ULL   /* 8 MiB */
#define SYS_PAGES       64

typedef struct Ctx {
    QNvVmbind *d;
    QTestState *qts;
    QGuestAllocator *alloc;
    QNvRing bind;
    QNvRing ce;
    QNvFaultRing fr;
    uint64_t sys_pages[SYS_PAGES];
} Ctx;

static void ctx_init(Ctx *c, void *obj, QGuestAllocator *alloc)
{
    c->d = obj;
    c->qts = c->d->dev.bus->qts;
    c->alloc = alloc;
    qnvvb_writel(c->d, NVVB_REG_RESET, NVVB_RESET_VALUE);
    qnvring_init(&c->bind, c->d, alloc, NVVB_REG_BIND_RING, 256);
    qnvring_init(&c->ce, c->d, alloc, NVVB_REG_CE_RING, 64);
    qnvvb_fault_ring_init(&c->fr, c->d, alloc, 64);
}

static uint32_t vm_create(Ctx *c, uint32_t vm)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_vm_create(d, vm, 0, 0);
    return qnvring_exec(&c->bind, d);
}

static uint32_t map(Ctx *c, uint32_t vm, uint32_t bo, uint64_t va,
                    uint64_t range, uint64_t off, uint32_t flags)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_map(d, vm, bo, va, range, off, flags);
    return qnvring_exec(&c->bind, d);
}

static uint32_t unmap(Ctx *c, uint32_t vm, uint64_t va, uint64_t range,
                      uint32_t flags)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_unmap(d, vm, va, range, flags);
    return qnvring_exec(&c->bind, d);
}

static void make_bos(Ctx *c)
{
    g_autofree uint8_t *sg = g_malloc(SYS_PAGES * NVVB_SG_ENTRY_SIZE);
    uint8_t d[NVVB_DESC_SIZE];
    uint64_t sgaddr;
    int i;

    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, BO_A, BO_SIZE, VRAM_BO_BASE);
    g_assert_cmpuint(qnvring_exec(&c->bind, d), ==, NVVB_STATUS_OK);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, BO_B, BO_SIZE,
                    VRAM_BO_BASE + BO_SIZE);
    g_assert_cmpuint(qnvring_exec(&c->bind, d), ==, NVVB_STATUS_OK);

    /* System-memory BO: pages allocated one by one, with a gap between. */
    for (i = 0; i < SYS_PAGES; i++) {
        c->sys_pages[i] = ROUND_UP(guest_alloc(c->alloc, 0x2000), 0x1000);
        stq_le_p(sg + i * NVVB_SG_ENTRY_SIZE + NVVB_SG_ADDR, c->sys_pages[i]);
        stq_le_p(sg + i * NVVB_SG_ENTRY_SIZE + NVVB_SG_LEN, 0x1000);
    }
    sgaddr = guest_alloc(c->alloc, SYS_PAGES * NVVB_SG_ENTRY_SIZE);
    qtest_memwrite(c->qts, sgaddr, sg, SYS_PAGES * NVVB_SG_ENTRY_SIZE);
    qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, BO_S, SYS_PAGES * 0x1000ULL, sgaddr,
                   SYS_PAGES);
    g_assert_cmpuint(qnvring_exec(&c->bind, d), ==, NVVB_STATUS_OK);
}

static uint64_t vm_pdb(Ctx *c, uint32_t vm)
{
    qnvvb_writel(c->d, NVVB_REG_VM_PDB_SELECT, vm);
    return ((uint64_t)qnvvb_readl(c->d, NVVB_REG_VM_PDB_HI) << 32) |
           qnvvb_readl(c->d, NVVB_REG_VM_PDB_LO);
}

/* x-nv-vmbind-verify must find every VM consistent. */
static void assert_verified(Ctx *c)
{
    QDict *rsp = qtest_qmp(c->qts, "{ 'execute': 'x-nv-vmbind-verify', "
                           "'arguments': { 'id': 'gpu0' } }");
    QList *l = qdict_get_qlist(rsp, "return");

    g_assert_nonnull(l);
    if (!qlist_empty(l)) {
        QDict *m = qobject_to(QDict, qlist_peek(l));

        fprintf(stderr, "mismatch: vm %" PRId64 " va 0x%" PRIx64
                " size 0x%" PRIx64 " expected '%s' actual '%s'\n",
                qdict_get_int(m, "vm"), qdict_get_int(m, "va"),
                qdict_get_int(m, "size"), qdict_get_str(m, "expected"),
                qdict_get_str(m, "actual"));
        g_assert_not_reached();
    }
    qobject_unref(rsp);
}

/* ---- The test's own model of one VM (drm_gpuvm + nouveau semantics) ---- */

typedef struct Mapping {
    uint64_t va, range;
    uint32_t bo;
    uint64_t off;
} Mapping;

typedef struct Model {
    GArray *maps;       /* sorted Mapping */
    GArray *regions;    /* sorted Mapping (bo = 0) */
} Model;

static void model_init(Model *m)
{
    m->maps = g_array_new(false, false, sizeof(Mapping));
    m->regions = g_array_new(false, false, sizeof(Mapping));
}

static void model_free(Model *m)
{
    g_array_free(m->maps, true);
    g_array_free(m->regions, true);
}

static bool overlaps(const Mapping *x, uint64_t va, uint64_t range)
{
    return x->va < va + range && va < x->va + x->range;
}

static gint mapping_cmp(gconstpointer a, gconstpointer b)
{
    const Mapping *x = a, *y = b;

    if (x->va == y->va) {
        return 0;
    }
    return x->va < y->va ? -1 : 1;
}

/* Removes [va, va + range) from the mappings: pieces keep their offsets. */
static void model_clip(Model *m, uint64_t va, uint64_t range)
{
    GArray *out = g_array_new(false, false, sizeof(Mapping));
    guint i;

    for (i = 0; i < m->maps->len; i++) {
        Mapping x = g_array_index(m->maps, Mapping, i);

        if (!overlaps(&x, va, range)) {
            g_array_append_val(out, x);
            continue;
        }
        if (x.va < va) {
            Mapping p = { x.va, va - x.va, x.bo, x.off };

            g_array_append_val(out, p);
        }
        if (x.va + x.range > va + range) {
            uint64_t d = va + range - x.va;
            Mapping n = { va + range, x.range - d, x.bo, x.off + d };

            g_array_append_val(out, n);
        }
    }
    g_array_free(m->maps, true);
    m->maps = out;
}

static const Mapping *model_region(Model *m, uint64_t va, uint64_t range)
{
    guint i;

    for (i = 0; i < m->regions->len; i++) {
        if (overlaps(&g_array_index(m->regions, Mapping, i), va, range)) {
            return &g_array_index(m->regions, Mapping, i);
        }
    }
    return NULL;
}

static bool model_any_mapping(Model *m, uint64_t va, uint64_t range)
{
    guint i;

    for (i = 0; i < m->maps->len; i++) {
        if (overlaps(&g_array_index(m->maps, Mapping, i), va, range)) {
            return true;
        }
    }
    return false;
}

/* Applies a request the way the device must; returns the status. */
static uint32_t model_bind(Model *m, bool is_map, uint32_t bo, uint64_t va,
                           uint64_t range, uint64_t off, bool sparse)
{
    const Mapping *reg = model_region(m, va, range);

    if (is_map && !sparse) {
        Mapping x = { va, range, bo, off };

        if (reg && (reg->va > va || reg->va + reg->range < va + range)) {
            return NVVB_STATUS_ENOSPC;
        }
        model_clip(m, va, range);
        g_array_append_val(m->maps, x);
        g_array_sort(m->maps, mapping_cmp);
    } else if (is_map) {
        Mapping r = { va, range, 0, 0 };

        if (reg || model_any_mapping(m, va, range)) {
            return NVVB_STATUS_ENOSPC;
        }
        g_array_append_val(m->regions, r);
        g_array_sort(m->regions, mapping_cmp);
    } else if (sparse) {
        guint i;

        if (!reg || reg->va != va || reg->range != range) {
            return NVVB_STATUS_ENOENT;
        }
        model_clip(m, va, range);
        i = reg - &g_array_index(m->regions, Mapping, 0);
        g_array_remove_index(m->regions, i);
    } else {
        model_clip(m, va, range);
    }
    return NVVB_STATUS_OK;
}

/* The device's GPUVM of @vm must hold exactly the model's mappings. */
static void assert_model(Ctx *c, uint32_t vm, Model *m)
{
    QDict *rsp = qtest_qmp(c->qts, "{ 'execute': 'x-nv-vmbind-query-vms', "
                           "'arguments': { 'id': 'gpu0' } }");
    QList *vms = qdict_get_qlist(rsp, "return");
    QListEntry *e;
    bool found = false;

    QLIST_FOREACH_ENTRY(vms, e) {
        QDict *v = qobject_to(QDict, qlist_entry_obj(e));
        QList *maps, *regs;
        QListEntry *me;
        guint i = 0;

        if (qdict_get_int(v, "id") != vm) {
            continue;
        }
        found = true;
        maps = qdict_get_qlist(v, "mappings");
        g_assert_cmpuint(qlist_size(maps), ==, m->maps->len);
        QLIST_FOREACH_ENTRY(maps, me) {
            QDict *x = qobject_to(QDict, qlist_entry_obj(me));
            Mapping *y = &g_array_index(m->maps, Mapping, i++);

            g_assert_cmphex(qdict_get_int(x, "va"), ==, y->va);
            g_assert_cmphex(qdict_get_int(x, "range"), ==, y->range);
            g_assert_cmpuint(qdict_get_int(x, "bo"), ==, y->bo);
            g_assert_cmphex(qdict_get_int(x, "offset"), ==, y->off);
        }
        regs = qdict_get_qlist(v, "regions");
        g_assert_cmpuint(qlist_size(regs), ==, m->regions->len);
        i = 0;
        QLIST_FOREACH_ENTRY(regs, me) {
            QDict *x = qobject_to(QDict, qlist_entry_obj(me));
            Mapping *y = &g_array_index(m->regions, Mapping, i++);

            g_assert_cmphex(qdict_get_int(x, "va"), ==, y->va);
            g_assert_cmphex(qdict_get_int(x, "range"), ==, y->range);
        }
    }
    g_assert_true(found);
    qobject_unref(rsp);
}

/* ---- Tests ---- */

static void test_vm_lifecycle(void *obj, void *data, QGuestAllocator *alloc)
{
    uint8_t d[NVVB_DESC_SIZE];
    uint32_t free0, free1;
    Ctx c;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_CAPS) &
                     (NVVB_CAP_BIND_QUEUE | NVVB_CAP_COPY_ENGINE), ==,
                     NVVB_CAP_BIND_QUEUE | NVVB_CAP_COPY_ENGINE);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_MAX_VMS), ==, NVVB_MAX_VMS);
    free0 = qnvvb_readl(c.d, NVVB_REG_PT_POOL_FREE);
    g_assert_cmpuint(free0, ==, qnvvb_readl(c.d, NVVB_REG_PT_POOL_SIZE));
    g_assert_cmphex(((uint64_t)qnvvb_readl(c.d, NVVB_REG_PT_POOL_BASE_HI)
                     << 32 | qnvvb_readl(c.d, NVVB_REG_PT_POOL_BASE_LO)) +
                    free0, ==, c.d->vram_size);

    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_EEXIST);
    g_assert_cmpuint(vm_create(&c, NVVB_MAX_VMS), ==, NVVB_STATUS_EINVAL);
    g_assert_cmpuint(vm_create(&c, NVVB_MAX_VMS - 1), ==, NVVB_STATUS_OK);
    free1 = qnvvb_readl(c.d, NVVB_REG_PT_POOL_FREE);
    g_assert_cmpuint(free1, ==, free0 - 2 * 0x1000);    /* two PD3s */
    g_assert_cmphex(vm_pdb(&c, 0), >=, c.d->vram_size - free0);
    g_assert_cmphex(vm_pdb(&c, 1), ==, 0);
    /* Kernel-managed range beyond the 47-bit space. */
    qnvdesc_vm_create(d, 5, NVVB_VM_VA_END - 0x1000, 0x2000);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);

    qnvdesc_vm_destroy(d, 0);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_ENODEV);
    qnvdesc_vm_destroy(d, NVVB_MAX_VMS - 1);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_PT_POOL_FREE), ==, free0);
}

static void test_map_translate(void *obj, void *data, QGuestAllocator *alloc)
{
    char *hmp;
    static const struct {
        uint32_t bo;
        uint64_t va, range, off;
        uint32_t flags;
        unsigned shift;
        int sys_page;           /* -1: VRAM */
    } cases[] = {
        /* 2 MiB aligned VA and backing: 2 MiB pages. */
        { BO_A, 0x40000000, 0x400000, 0x200000, 0x06, 21, -1 },
        /* 64 KiB aligned, not 2 MiB: 64 KiB pages. */
        { BO_A, 0x50010000, 0x30000, 0x10000, NVVB_MAP_READ_ONLY, 16, -1 },
        /* 4 KiB only. */
        { BO_B, 0x60001000, 0x3000, 0x5000, NVVB_MAP_PRIV, 12, -1 },
        /* System memory: 4 KiB pages on the scattered backing. */
        { BO_S, 0x70000000, 0x10000, 0x3000, NVVB_MAP_NO_ATOMIC, 12, 3 },
    };
    Ctx c;
    size_t i;

    ctx_init(&c, obj, alloc);
    make_bos(&c);
    g_assert_cmpuint(vm_create(&c, 3), ==, NVVB_STATUS_OK);
    qnvvb_ctx_pdb(c.d, NV_GMMU_APER_VID, vm_pdb(&c, 3));

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t probe = cases[i].va + cases[i].range / 2 + 0x123;
        uint64_t want;
        uint32_t st, info;

        g_assert_cmpuint(map(&c, 3, cases[i].bo, cases[i].va, cases[i].range,
                             cases[i].off, cases[i].flags), ==,
                         NVVB_STATUS_OK);
        st = qnvvb_translate(c.d, probe, NV_GMMU_ACCESS_TYPE_VIRT_READ |
                             NVVB_PROBE_ACCESS_PRIV);
        g_assert_cmpuint(st & NVVB_PROBE_STATUS_RESULT_MASK, ==,
                         NVVB_PROBE_RESULT_MAPPED);
        info = qnvvb_readl(c.d, NVVB_REG_PROBE_INFO);
        g_assert_cmpuint((info & NVVB_PROBE_INFO_PAGE_SHIFT_MASK) >>
                         NVVB_PROBE_INFO_PAGE_SHIFT_SHIFT, ==,
                         cases[i].shift);
        g_assert_cmphex((info & NVVB_PROBE_INFO_KIND_MASK) >>
                        NVVB_PROBE_INFO_KIND_SHIFT, ==,
                        cases[i].flags & NVVB_MAP_KIND_MASK);
        g_assert_cmpuint(!!(info >> NVVB_PROBE_INFO_FLAGS_SHIFT &
                            NV_GMMU_PTE_READ_ONLY), ==,
                         !!(cases[i].flags & NVVB_MAP_READ_ONLY));
        g_assert_cmpuint(!!(info >> NVVB_PROBE_INFO_FLAGS_SHIFT &
                            NV_GMMU_PTE_PRIVILEGE), ==,
                         !!(cases[i].flags & NVVB_MAP_PRIV));
        g_assert_cmpuint(!!(info >> NVVB_PROBE_INFO_FLAGS_SHIFT &
                            NV_GMMU_PTE_ATOMIC_DISABLE), ==,
                         !!(cases[i].flags & NVVB_MAP_NO_ATOMIC));
        if (cases[i].sys_page < 0) {
            want = VRAM_BO_BASE + cases[i].off + (probe - cases[i].va);
            if (cases[i].bo == BO_B) {
                want += BO_SIZE;
            }
            g_assert_cmpuint(info & NVVB_PROBE_INFO_APERTURE_MASK, ==,
                             NV_GMMU_APER_VID);
        } else {
            uint64_t boff = cases[i].off + (probe - cases[i].va);

            want = c.sys_pages[boff >> 12] + (boff & 0xfff);
            g_assert_cmpuint(info & NVVB_PROBE_INFO_APERTURE_MASK, ==,
                             NV_GMMU_APER_SYS_COH);
        }
        g_assert_cmphex(qnvvb_probe_pa(c.d), ==, want);
    }
    assert_verified(&c);

    /* The HMP views of the same state. */
    hmp = qtest_hmp(c.qts, "info nv-vmbind gpu0 verify");
    g_assert_nonnull(strstr(hmp, "page tables match the GPUVM of every VM"));
    g_free(hmp);
    hmp = qtest_hmp(c.qts, "info nv-vmbind gpu0 vms");
    g_assert_nonnull(strstr(hmp, "vm 3: pdb vid:0x"));
    g_assert_nonnull(strstr(hmp, "map    0x000040000000-0x0000403fffff bo 1 "
                            "offset 0x200000 flags 0x6"));
    g_free(hmp);
}

/* drm_gpuvm's "Split and Merge" cases, through the queue. */
static void test_split_cases(void *obj, void *data, QGuestAllocator *alloc)
{
    /* existing mappings, then the new one (0 range = none) */
    static const struct {
        Mapping old[2];
        Mapping req;
    } cases[] = {
        { { { 0x0, 0x1000, BO_A, 0x100000 } },
          { 0x0, 0x1000, BO_A, 0x100000 } },              /* 1: same */
        { { { 0x0, 0x1000, BO_A, 0x100000 } },
          { 0x0, 0x1000, BO_A, 0x200000 } },              /* 2: offset */
        { { { 0x0, 0x1000, BO_A, 0x100000 } },
          { 0x0, 0x1000, BO_B, 0x100000 } },              /* 3: BO */
        { { { 0x0, 0x1000, BO_A, 0x100000 } },
          { 0x0, 0x2000, BO_A, 0x100000 } },              /* 4: grows */
        { { { 0x0, 0x2000, BO_A, 0x100000 } },
          { 0x0, 0x1000, BO_B, 0x100000 } },              /* 5 */
        { { { 0x0, 0x2000, BO_A, 0x100000 } },
          { 0x0, 0x1000, BO_A, 0x100000 } },              /* 6 */
        { { { 0x0, 0x2000, BO_A, 0x100000 } },
          { 0x1000, 0x1000, BO_B, 0x200000 } },           /* 7 */
        { { { 0x0, 0x2000, BO_A, 0x100000 } },
          { 0x1000, 0x1000, BO_A, 0x101000 } },           /* 8 */
        { { { 0x0, 0x2000, BO_A, 0x100000 } },
          { 0x1000, 0x2000, BO_B, 0x200000 } },           /* 9 */
        { { { 0x0, 0x2000, BO_A, 0x100000 } },
          { 0x1000, 0x2000, BO_A, 0x101000 } },           /* 10 */
        { { { 0x0, 0x3000, BO_A, 0x100000 } },
          { 0x1000, 0x1000, BO_B, 0x200000 } },           /* 11 */
        { { { 0x0, 0x3000, BO_A, 0x100000 } },
          { 0x1000, 0x1000, BO_A, 0x101000 } },           /* 12 */
        { { { 0x1000, 0x1000, BO_A, 0x101000 } },
          { 0x0, 0x2000, BO_A, 0x100000 } },              /* 13 */
        { { { 0x1000, 0x1000, BO_A, 0x101000 } },
          { 0x0, 0x3000, BO_A, 0x100000 } },              /* 14 */
        { { { 0x1000, 0x2000, BO_A, 0x100000 } },
          { 0x0, 0x2000, BO_B, 0x200000 } },              /* 15 */
    };
    uint8_t d[NVVB_DESC_SIZE];
    Ctx c;
    size_t i, j;

    ctx_init(&c, obj, alloc);
    make_bos(&c);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        /* VA 0x1000000 * i keeps the cases apart; one VM per case. */
        uint32_t vm = i;
        Model m;

        model_init(&m);
        g_assert_cmpuint(vm_create(&c, vm), ==, NVVB_STATUS_OK);
        for (j = 0; j < G_N_ELEMENTS(cases[i].old) && cases[i].old[j].range;
             j++) {
            const Mapping *o = &cases[i].old[j];

            g_assert_cmpuint(map(&c, vm, o->bo, o->va, o->range, o->off, 0),
                             ==, model_bind(&m, true, o->bo, o->va,
                                            o->range, o->off, false));
        }
        g_assert_cmpuint(map(&c, vm, cases[i].req.bo, cases[i].req.va,
                             cases[i].req.range, cases[i].req.off, 0), ==,
                         model_bind(&m, true, cases[i].req.bo,
                                    cases[i].req.va, cases[i].req.range,
                                    cases[i].req.off, false));
        assert_model(&c, vm, &m);
        model_free(&m);
    }
    assert_verified(&c);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        qnvdesc_vm_destroy(d, i);
        g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);
    }
}

/*
 * Seeded random bind / unbind / sparse sequences in one VM, batched through
 * the queue; after every batch the device's GPUVM equals the model and the
 * walked tables equal the GPUVM.
 */
static void test_random(void *obj, void *data, QGuestAllocator *alloc)
{
    const char *seed_env = g_getenv("NVVB_QTEST_SEED");
    uint64_t seed = 0x6e767662;
    g_autoptr(GRand) rand = NULL;
    const uint64_t window = 64ULL << 20;    /* VA [0, 64 MiB) */
    const int batches = 60, per_batch = 50;
    uint32_t expect[64];
    Model m;
    Ctx c;
    int b, i;

    if (seed_env) {
        g_assert_cmpint(qemu_strtou64(seed_env, NULL, 0, &seed), ==, 0);
    }
    rand = g_rand_new_with_seed(seed);
    g_test_message("seed 0x%" PRIx64 " (NVVB_QTEST_SEED)", seed);
    ctx_init(&c, obj, alloc);
    make_bos(&c);
    model_init(&m);
    g_assert_cmpuint(vm_create(&c, 7), ==, NVVB_STATUS_OK);

    for (b = 0; b < batches; b++) {
        uint32_t slots[64];

        for (i = 0; i < per_batch; i++) {
            /* Alignments that make 2 MiB and 64 KiB pages possible. */
            static const uint64_t aligns[] = { 0x1000, 0x10000, 0x200000 };
            uint64_t align = aligns[g_rand_int_range(rand, 0, 3)];
            uint64_t va = g_rand_int_range(rand, 0, window / align) * align;
            uint64_t range = g_rand_int_range(rand, 1, 5) * align;
            int kind = g_rand_int_range(rand, 0, 10);
            uint32_t bo = g_rand_int_range(rand, BO_A, BO_S + 1);
            uint64_t bosize = bo == BO_S ? SYS_PAGES * 0x1000ULL : BO_SIZE;
            uint64_t off;
            uint8_t d[NVVB_DESC_SIZE];

            if (va + range > window) {
                range = window - va;
            }
            if (range > bosize) {
                range = bosize;     /* still 4 KiB granular */
            }
            off = g_rand_int_range(rand, 0, (bosize - range) / align + 1) *
                  align;
            if (kind < 5) {
                qnvdesc_map(d, 7, bo, va, range, off, kind);
                expect[i] = model_bind(&m, true, bo, va, range, off, false);
            } else if (kind < 8) {
                qnvdesc_unmap(d, 7, va, range, 0);
                expect[i] = model_bind(&m, false, 0, va, range, 0, false);
            } else if (kind == 8) {
                qnvdesc_map(d, 7, 0, va, range, 0, NVVB_MAP_SPARSE);
                expect[i] = model_bind(&m, true, 0, va, range, 0, true);
            } else if (m.regions->len && g_rand_boolean(rand)) {
                /* Destroy a region exactly. */
                Mapping r = g_array_index(m.regions, Mapping,
                    g_rand_int_range(rand, 0, m.regions->len));

                qnvdesc_unmap(d, 7, r.va, r.range, NVVB_MAP_SPARSE);
                expect[i] = model_bind(&m, false, 0, r.va, r.range, 0, true);
            } else {
                qnvdesc_unmap(d, 7, va, range, NVVB_MAP_SPARSE);
                expect[i] = model_bind(&m, false, 0, va, range, 0, true);
            }
            slots[i] = qnvring_put(&c.bind, d);
        }
        qnvring_kick_wait(&c.bind);
        for (i = 0; i < per_batch; i++) {
            g_assert_cmpuint(qnvring_status(&c.bind, slots[i]), ==,
                             expect[i]);
        }
        assert_model(&c, 7, &m);
        assert_verified(&c);
    }
    model_free(&m);
}

/*
 * Seeded random MAP / UNMAP / BO_MOVE sequences over two VMs and five BOs
 * (four VRAM BOs moved between slots, one scattered system-memory BO moved
 * to permutations of its pages; BOs are moved while mapped in one VM, both
 * or none).  The model predicts every status, each VM's GPUVM and, through
 * the BOs' current backings, the translation of sampled pages: a mapping
 * must follow its own BO and no other (drm_gpuvm's per-vm_bo eviction).
 */
#define RM_VRAM_BOS     4
#define RM_SLOTS        12

static void test_random_move(void *obj, void *data, QGuestAllocator *alloc)
{
    const char *seed_env = g_getenv("NVVB_QTEST_SEED");
    uint64_t seed = 0x6d6f7665;
    g_autoptr(GRand) rand = NULL;
    const uint64_t window = 32ULL << 20;
    const int batches = 40, per_batch = 40;
    uint64_t base[RM_VRAM_BOS + 1];     /* VRAM BO id -> VRAM address */
    uint64_t perm[SYS_PAGES];           /* BO_S page -> guest page */
    Model m[2];
    Ctx c;
    int b, i, v;

    if (seed_env) {
        g_assert_cmpint(qemu_strtou64(seed_env, NULL, 0, &seed), ==, 0);
    }
    rand = g_rand_new_with_seed(seed);
    g_test_message("seed 0x%" PRIx64 " (NVVB_QTEST_SEED)", seed);
    ctx_init(&c, obj, alloc);
    make_bos(&c);               /* BO_A, BO_B (VRAM), BO_S (system) */
    base[BO_A] = VRAM_BO_BASE;
    base[BO_B] = VRAM_BO_BASE + BO_SIZE;
    for (i = BO_S + 1; i <= RM_VRAM_BOS; i++) {
        uint8_t d[NVVB_DESC_SIZE];

        base[i] = VRAM_BO_BASE + (uint64_t)(i - 1) * BO_SIZE;
        qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, i, BO_SIZE, base[i]);
        g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);
    }
    memcpy(perm, c.sys_pages, sizeof(perm));
    for (v = 0; v < 2; v++) {
        model_init(&m[v]);
        g_assert_cmpuint(vm_create(&c, 7 + v), ==, NVVB_STATUS_OK);
    }

    for (b = 0; b < batches; b++) {
        uint32_t slots[64], expect[64];

        for (i = 0; i < per_batch; i++) {
            int kind = g_rand_int_range(rand, 0, 10);
            uint32_t bo = g_rand_int_range(rand, 1, RM_VRAM_BOS + 1);
            uint64_t bosize = bo == BO_S ? SYS_PAGES * 0x1000ULL : BO_SIZE;
            uint64_t align = g_rand_boolean(rand) ? 0x1000 : 0x10000;
            uint64_t va = g_rand_int_range(rand, 0, window / align) * align;
            uint64_t range = g_rand_int_range(rand, 1, 9) * align;
            uint8_t d[NVVB_DESC_SIZE];
            uint64_t off;

            v = g_rand_int_range(rand, 0, 2);
            if (va + range > window) {
                range = window - va;
            }
            range = MIN(range, bosize);
            off = g_rand_int_range(rand, 0, (bosize - range) / align + 1) *
                  align;
            if (kind < 4) {
                qnvdesc_map(d, 7 + v, bo, va, range, off, 0);
                expect[i] = model_bind(&m[v], true, bo, va, range, off,
                                       false);
            } else if (kind < 6) {
                qnvdesc_unmap(d, 7 + v, va, range, 0);
                expect[i] = model_bind(&m[v], false, 0, va, range, 0, false);
            } else if (bo != BO_S) {
                /* To another slot, which another BO may share. */
                base[bo] = VRAM_BO_BASE +
                           g_rand_int_range(rand, 0, RM_SLOTS) * BO_SIZE;
                qnvdesc_bo_vram(d, NVVB_OP_BO_MOVE, bo, BO_SIZE, base[bo]);
                expect[i] = NVVB_STATUS_OK;
            } else {
                /* A new order of the same pages. */
                uint8_t sg[SYS_PAGES * NVVB_SG_ENTRY_SIZE];
                uint64_t sgaddr = guest_alloc(c.alloc, sizeof(sg));
                int k;

                for (k = SYS_PAGES - 1; k > 0; k--) {
                    int j = g_rand_int_range(rand, 0, k + 1);
                    uint64_t t = perm[k];

                    perm[k] = perm[j];
                    perm[j] = t;
                }
                for (k = 0; k < SYS_PAGES; k++) {
                    stq_le_p(sg + k * NVVB_SG_ENTRY_SIZE + NVVB_SG_ADDR,
                             perm[k]);
                    stq_le_p(sg + k * NVVB_SG_ENTRY_SIZE + NVVB_SG_LEN,
                             0x1000);
                }
                qtest_memwrite(c.qts, sgaddr, sg, sizeof(sg));
                qnvdesc_bo_sys(d, NVVB_OP_BO_MOVE, BO_S,
                               SYS_PAGES * 0x1000ULL, sgaddr, SYS_PAGES);
                expect[i] = NVVB_STATUS_OK;
            }
            slots[i] = qnvring_put(&c.bind, d);
        }
        qnvring_kick_wait(&c.bind);
        for (i = 0; i < per_batch; i++) {
            g_assert_cmpuint(qnvring_status(&c.bind, slots[i]), ==,
                             expect[i]);
        }
        for (v = 0; v < 2; v++) {
            assert_model(&c, 7 + v, &m[v]);
            if (!m[v].maps->len) {
                continue;
            }
            /* Sampled pages translate to their own BO's current backing. */
            qnvvb_ctx_pdb(c.d, NV_GMMU_APER_VID, vm_pdb(&c, 7 + v));
            for (i = 0; i < 8; i++) {
                const Mapping *x = &g_array_index(m[v].maps, Mapping,
                    g_rand_int_range(rand, 0, m[v].maps->len));
                uint64_t delta = g_rand_int_range(rand, 0, x->range >> 12)
                                 * 0x1000ULL + 0x10;
                uint64_t boff = x->off + delta, want;

                want = x->bo == BO_S ? perm[boff >> 12] + (boff & 0xfff) :
                       base[x->bo] + boff;
                g_assert_cmpuint(qnvvb_translate(c.d, x->va + delta, 0) &
                                 NVVB_PROBE_STATUS_RESULT_MASK, ==,
                                 NVVB_PROBE_RESULT_MAPPED);
                g_assert_cmphex(qnvvb_probe_pa(c.d), ==, want);
            }
        }
        assert_verified(&c);
    }
    for (v = 0; v < 2; v++) {
        model_free(&m[v]);
    }
}

static void test_bad_input(void *obj, void *data, QGuestAllocator *alloc)
{
    uint8_t d[NVVB_DESC_SIZE];
    uint64_t sgaddr;
    uint32_t errors;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    make_bos(&c);
    g_assert_cmpuint(vm_create(&c, 1), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x100000, 0x10000, 0, 0), ==, 0);

    /* Misaligned, zero-length, overflowing, out of range, beyond the BO. */
    g_assert_cmpuint(map(&c, 1, BO_A, 0x100800, 0x1000, 0, 0), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x200000, 0x1800, 0, 0), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x200000, 0x1000, 0x800, 0), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x200000, 0, 0, 0), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, UINT64_MAX & ~0xfffULL, 0x2000, 0, 0),
                     ==, NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, NVVB_VM_VA_END, 0x1000, 0, 0), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x200000, 0x2000, BO_SIZE - 0x1000, 0),
                     ==, NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x200000, 0x1000, UINT64_MAX & ~0xfffULL,
                         0), ==, NVVB_STATUS_EINVAL);
    /* Unknown VM, unknown BO, unknown flags, a BO with SPARSE. */
    g_assert_cmpuint(map(&c, 9, BO_A, 0x200000, 0x1000, 0, 0), ==,
                     NVVB_STATUS_ENODEV);
    g_assert_cmpuint(map(&c, 1, 4242, 0x200000, 0x1000, 0, 0), ==,
                     NVVB_STATUS_ENOENT);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x200000, 0x1000, 0, 1u << 20), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x200000, 0x1000, 0, NVVB_MAP_SPARSE),
                     ==, NVVB_STATUS_EINVAL);
    /* Sparse rules: overlap a mapping, partial overlap, wrong destroy. */
    g_assert_cmpuint(map(&c, 1, 0, 0x100000, 0x200000, 0, NVVB_MAP_SPARSE),
                     ==, NVVB_STATUS_ENOSPC);
    g_assert_cmpuint(map(&c, 1, 0, 0x400000, 0x200000, 0, NVVB_MAP_SPARSE),
                     ==, NVVB_STATUS_OK);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x3ff000, 0x2000, 0, 0), ==,
                     NVVB_STATUS_ENOSPC);
    g_assert_cmpuint(unmap(&c, 1, 0x400000, 0x100000, NVVB_MAP_SPARSE), ==,
                     NVVB_STATUS_ENOENT);
    /* BO rules. */
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, BO_A, 0x1000, 0);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EEXIST);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, 0, 0x1000, 0);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, 10, 0x1000,
                    c.d->vram_size - 0x1000);   /* inside the table pool */
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, 10, 0x1800, 0);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);
    qnvdesc_bo_vram(d, NVVB_OP_BO_CREATE, 10, 0x1000, 0);
    stl_le_p(d + NVVB_BO_PLACEMENT, 7);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);
    /* A scatter list outside guest RAM, and one pointing outside it. */
    qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, 11, 0x1000, 0x7fff00000000ULL, 1);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EFAULT);
    sgaddr = guest_alloc(alloc, 32);
    qtest_writeq(c.qts, sgaddr, 0x1001);        /* misaligned extent */
    qtest_writeq(c.qts, sgaddr + 8, 0x1000);
    qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, 11, 0x1000, sgaddr, 1);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);
    qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, 11, 0x1000, sgaddr,
                   NVVB_MAX_SG_ENTRIES + 1);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);
    /*
     * A well-formed scatter list whose page lies outside guest RAM: the BO
     * maps (the device cannot know), but moving data through it fails with
     * EFAULT and the device goes on.
     */
    qtest_writeq(c.qts, sgaddr, 0x7fff00000000ULL);
    qnvdesc_bo_sys(d, NVVB_OP_BO_CREATE, 12, 0x1000, sgaddr, 1);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(map(&c, 1, 12, 0x300000, 0x1000, 0, 0), ==, 0);
    qnvdesc_ce(d, NVVB_OP_CE_FILL, 1, 0, 0x300000, 0x1000, 7, 0);
    g_assert_cmpuint(qnvring_exec(&c.ce, d), ==, NVVB_STATUS_EFAULT);
    qnvdesc_ce(d, NVVB_OP_CE_FILL, 1, 0, 0x100000, 0x1000, 7, 0);
    g_assert_cmpuint(qnvring_exec(&c.ce, d), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(unmap(&c, 1, 0x300000, 0x1000, 0), ==, 0);
    qnvdesc_bo_destroy(d, 12);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);

    qnvdesc_bo_destroy(d, BO_A);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EBUSY);
    /* Unknown opcodes, on both rings. */
    memset(d, 0, sizeof(d));
    stw_le_p(d + NVVB_DESC_OPCODE, 0x7f);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EOPNOTSUPP);
    g_assert_cmpuint(qnvring_exec(&c.ce, d), ==, NVVB_STATUS_EOPNOTSUPP);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_BIND_RING + NVVB_RING_ERRORS),
                     >=, 20);

    /* TAIL beyond the ring: ignored, flagged, the ring goes on. */
    qnvvb_writel(c.d, NVVB_REG_BIND_RING + NVVB_RING_TAIL, 256);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_BIND_RING + NVVB_RING_STATUS) &
                  NVVB_RING_STATUS_BAD_TAIL);
    g_assert_cmpuint(map(&c, 1, BO_B, 0x800000, 0x1000, 0, 0), ==, 0);
    /* A doorbell storm: many TAIL writes for the same work. */
    errors = qnvvb_readl(c.d, NVVB_REG_BIND_RING + NVVB_RING_COMPLETED);
    qnvdesc_map(d, 1, BO_B, 0x900000, 0x1000, 0, 0);
    qnvring_put(&c.bind, d);
    for (i = 0; i < 500; i++) {
        qnvvb_writel(c.d, NVVB_REG_BIND_RING + NVVB_RING_TAIL, c.bind.tail);
    }
    qnvring_kick_wait(&c.bind);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_BIND_RING + NVVB_RING_COMPLETED),
                     ==, errors + 1);
    /* A bad ring size is refused. */
    qnvvb_writel(c.d, NVVB_REG_BIND_RING + NVVB_RING_SIZE, 100);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_BIND_RING + NVVB_RING_STATUS) &
                  NVVB_RING_STATUS_BAD_RING);
    qnvvb_writel(c.d, NVVB_REG_BIND_RING + NVVB_RING_TAIL, 1);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_BIND_RING + NVVB_RING_HEAD),
                     ==, 0);

    /* After all that, the state is exactly what the good requests made. */
    qnvring_init(&c.bind, c.d, alloc, NVVB_REG_BIND_RING, 16);
    g_assert_cmpuint(map(&c, 1, BO_A, 0xa00000, 0x1000, 0, 0), ==, 0);
    assert_verified(&c);
}

static void test_enospc(void *obj, void *data, QGuestAllocator *alloc)
{
    uint32_t pool, st = 0;
    QDict *rsp;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    make_bos(&c);
    pool = qnvvb_readl(c.d, NVVB_REG_PT_POOL_SIZE);
    g_assert_cmpuint(pool, ==, 64 * 1024);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    /* Scatter 4 KiB maps 2 MiB apart: each needs a new PD0 / page table. */
    for (i = 0; i < 64; i++) {
        st = map(&c, 0, BO_S, (uint64_t)i << 30, 0x1000, 0, 0);
        if (st) {
            break;
        }
    }
    g_assert_cmpuint(st, ==, NVVB_STATUS_ENOSPC);
    g_assert_cmpint(i, >, 2);
    /* The failed request changed nothing; unmapping gives the pool back. */
    assert_verified(&c);
    rsp = qtest_qmp(c.qts, "{ 'execute': 'x-nv-vmbind-query-vms', "
                    "'arguments': { 'id': 'gpu0' } }");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(qobject_to(QDict,
        qlist_peek(qdict_get_qlist(rsp, "return"))), "mappings")), ==, i);
    qobject_unref(rsp);
    g_assert_cmpuint(unmap(&c, 0, 0, (uint64_t)i << 30, 0), ==, 0);
    g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_PT_POOL_FREE), ==,
                     pool - 0x1000);
    assert_verified(&c);
}

static void test_bo_move(void *obj, void *data, QGuestAllocator *alloc)
{
    uint8_t d[NVVB_DESC_SIZE];
    Ctx c;

    ctx_init(&c, obj, alloc);
    make_bos(&c);
    g_assert_cmpuint(vm_create(&c, 0), ==, NVVB_STATUS_OK);
    g_assert_cmpuint(vm_create(&c, 1), ==, NVVB_STATUS_OK);
    /* BO_A mapped in two VMs, with 2 MiB pages in one. */
    g_assert_cmpuint(map(&c, 0, BO_A, 0x200000, 0x400000, 0, 0), ==, 0);
    g_assert_cmpuint(map(&c, 1, BO_A, 0x10000, 0x3000, 0x1000,
                         NVVB_MAP_READ_ONLY), ==, 0);
    /* Move it 4 MiB up in VRAM: every mapping follows, attributes stay. */
    qnvdesc_bo_vram(d, NVVB_OP_BO_MOVE, BO_A, BO_SIZE,
                    VRAM_BO_BASE + 2 * BO_SIZE);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);
    assert_verified(&c);
    qnvvb_ctx_pdb(c.d, NV_GMMU_APER_VID, vm_pdb(&c, 1));
    g_assert_cmpuint(qnvvb_translate(c.d, 0x11000, 0) &
                     NVVB_PROBE_STATUS_RESULT_MASK, ==,
                     NVVB_PROBE_RESULT_MAPPED);
    g_assert_cmphex(qnvvb_probe_pa(c.d), ==,
                    VRAM_BO_BASE + 2 * BO_SIZE + 0x2000);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_PROBE_INFO) >>
                  NVVB_PROBE_INFO_FLAGS_SHIFT & NV_GMMU_PTE_READ_ONLY);
    /* A move to a different size is refused. */
    qnvdesc_bo_vram(d, NVVB_OP_BO_MOVE, BO_A, 0x1000, 0);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EINVAL);

    /* After the move, unmapping everywhere makes the BO destroyable. */
    qnvdesc_bo_destroy(d, BO_A);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_EBUSY);
    g_assert_cmpuint(unmap(&c, 0, 0x200000, 0x400000, 0), ==, 0);
    g_assert_cmpuint(unmap(&c, 1, 0x10000, 0x3000, 0), ==, 0);
    g_assert_cmpuint(qnvring_exec(&c.bind, d), ==, NVVB_STATUS_OK);
    assert_verified(&c);
}

/* ---- Copy engine ---- */

static uint32_t ce(Ctx *c, uint16_t op, uint32_t vm, uint64_t src,
                   uint64_t dst, uint64_t len, uint32_t pattern,
                   uint64_t value)
{
    uint8_t d[NVVB_DESC_SIZE];

    qnvdesc_ce(d, op, vm, src, dst, len, pattern, value);
    return qnvring_exec(&c->ce, d);
}

static void test_copy_engine(void *obj, void *data, QGuestAllocator *alloc)
{
    QNvGmmu g;
    g_autofree uint8_t *buf = g_malloc(0x6000);
    g_autofree uint8_t *want = g_malloc(0x6000);
    uint64_t fence;
    uint8_t d[NVVB_DESC_SIZE];
    QNvFault f;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    make_bos(&c);
    /* qnvgmmu_* give direct access to VRAM through BAR 2. */
    qnvgmmu_init(&g, c.d, alloc, NV_GMMU_APER_VID, 0x100000);
    g_assert_cmpuint(vm_create(&c, 2), ==, NVVB_STATUS_OK);
    /* 2 MiB pages of A, 64 KiB pages of B, 4 KiB system pages of S. */
    g_assert_cmpuint(map(&c, 2, BO_A, 0x200000, 0x200000, 0, 0), ==, 0);
    g_assert_cmpuint(map(&c, 2, BO_B, 0x10000, 0x20000, 0, 0), ==, 0);
    g_assert_cmpuint(map(&c, 2, BO_S, 0x800000, 0x8000, 0, 0), ==, 0);
    g_assert_cmpuint(map(&c, 2, 0, 0x40000000, 0x200000, 0,
                         NVVB_MAP_SPARSE), ==, 0);
    g_assert_cmpuint(map(&c, 2, BO_B, 0x100000, 0x1000, 0x100000,
                         NVVB_MAP_READ_ONLY), ==, 0);

    /* FILL through 2 MiB pages, read back physically. */
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_FILL, 2, 0, 0x200000 + 0x1ff000,
                        0x1000, 0xa5a55a5a, 0), ==, 0);
    qnvgmmu_memread(&g, NV_GMMU_APER_VID, VRAM_BO_BASE + 0x1ff000, buf,
                    0x1000);
    for (i = 0; i < 0x1000; i += 4) {
        g_assert_cmphex((uint32_t)ldl_le_p(buf + i), ==, 0xa5a55a5a);
    }
    /* COPY 2 MiB pages -> scattered system pages, crossing pages. */
    for (i = 0; i < 0x6000; i++) {
        want[i] = i * 7 + 3;
    }
    qnvgmmu_memwrite(&g, NV_GMMU_APER_VID, VRAM_BO_BASE + 0x3000, want,
                     0x6000);
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_COPY, 2, 0x203000, 0x800800, 0x6000,
                        0, 0), ==, 0);
    for (i = 0; i < 0x6000; i += 0x1000) {
        uint64_t boff = 0x800 + i;

        /* Each system page holds 0x800 bytes of this 4 KiB of source. */
        qtest_memread(c.qts, c.sys_pages[boff >> 12] + (boff & 0xfff), buf,
                      0x800);
        g_assert_cmpmem(buf, 0x800, want + i, 0x800);
    }
    /* ... and system -> 64 KiB pages of B. */
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_COPY, 2, 0x800800, 0x1f000, 0x6000,
                        0, 0), ==, 0);
    qnvgmmu_memread(&g, NV_GMMU_APER_VID, VRAM_BO_BASE + BO_SIZE + 0xf000,
                    buf, 0x6000);
    g_assert_cmpmem(buf, 0x6000, want, 0x6000);
    /* Sparse: reads are zeros, writes vanish. */
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_COPY, 2, 0x40000000, 0x10000, 0x1000,
                        0, 0), ==, 0);
    qnvgmmu_memread(&g, NV_GMMU_APER_VID, VRAM_BO_BASE + BO_SIZE, buf,
                    0x1000);
    g_assert_true(buffer_is_zero(buf, 0x1000));
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_FILL, 2, 0, 0x40001000, 0x1000, 1, 0),
                     ==, 0);
    /* SEMAPHORE, with a fence and an interrupt. */
    fence = guest_alloc(alloc, 8);
    qtest_writeq(c.qts, fence, 0);
    qnvvb_writel(c.d, NVVB_REG_INTR_ENABLE, NVVB_INTR_COPY);
    qnvdesc_ce(d, NVVB_OP_CE_SEMAPHORE, 2, 0, 0x200008, 0, 0,
               0x1122334455667788ULL);
    stw_le_p(d + NVVB_DESC_FLAGS, NVVB_DESC_F_FENCE);
    stq_le_p(d + NVVB_DESC_FENCE_ADDR, fence);
    stq_le_p(d + NVVB_DESC_FENCE_VALUE, 42);
    g_assert_cmpuint(qnvring_exec(&c.ce, d), ==, 0);
    g_assert_cmphex(qtest_readq(c.qts, fence), ==, 42);
    g_assert_true(qnvvb_readl(c.d, NVVB_REG_INTR_STATUS) & NVVB_INTR_COPY);
    qnvgmmu_memread(&g, NV_GMMU_APER_VID, VRAM_BO_BASE + 8, buf, 8);
    g_assert_cmphex(ldq_le_p(buf), ==, 0x1122334455667788ULL);

    /* Faults: unmapped and read-only targets; EFAULT plus a record. */
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_FILL, 2, 0, 0x10000000, 0x1000, 0, 0),
                     ==, NVVB_STATUS_EFAULT);
    g_assert_true(qnvvb_fault_pop(&c.fr, &f));
    g_assert_cmphex(f.addr, ==, 0x10000000);
    g_assert_cmpuint(f.type, ==, NV_GMMU_FAULT_TYPE_PDE);
    g_assert_cmpuint(f.engine, ==, NVVB_FAULT_ENGINE_COPY);
    g_assert_cmphex(f.inst, ==, vm_pdb(&c, 2));
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_COPY, 2, 0x200000, 0x100000, 0x100,
                        0, 0), ==, NVVB_STATUS_EFAULT);
    g_assert_true(qnvvb_fault_pop(&c.fr, &f));
    g_assert_cmpuint(f.type, ==, NV_GMMU_FAULT_TYPE_RO_VIOLATION);
    g_assert_cmpuint(f.access, ==, NV_GMMU_ACCESS_TYPE_VIRT_WRITE);
    /* Bad lengths and VMs. */
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_FILL, 2, 0, 0x200000, 0, 0, 0), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_FILL, 2, 0, 0x200000,
                        NVVB_CE_LENGTH_MAX + 1, 0, 0), ==,
                     NVVB_STATUS_EINVAL);
    g_assert_cmpuint(ce(&c, NVVB_OP_CE_FILL, 33, 0, 0x200000, 16, 0, 0), ==,
                     NVVB_STATUS_ENODEV);
}

/*
 * F_QUIET (CAPS bit QUIET_INLINE): a fenced descriptor that completes in
 * the TAIL write that made it pending raises no interrupt; without the
 * flag, or run later by the bottom half, it does.  With quiet-inline=off
 * (@data set) the bit is clear and the flag ignored.
 */
static void test_quiet_inline(void *obj, void *data, QGuestAllocator *alloc)
{
    bool off = data != NULL;
    uint8_t d[NVVB_DESC_SIZE];
    uint64_t fence;
    uint32_t slot;
    Ctx c;
    int i;

    ctx_init(&c, obj, alloc);
    g_assert_cmpuint(!!(qnvvb_readl(c.d, NVVB_REG_CAPS) &
                        NVVB_CAP_QUIET_INLINE), ==, !off);
    fence = guest_alloc(alloc, 8);
    qnvvb_writel(c.d, NVVB_REG_INTR_ENABLE, NVVB_INTR_BIND);
    for (i = 0; i < 3; i++) {
        bool quiet = i != 1, deferred = i == 2;
        int k, n = deferred ? 6 : 1;

        qtest_writeq(c.qts, fence, 0);
        qnvvb_writel(c.d, NVVB_REG_INTR_STATUS, NVVB_INTR_ALL);
        for (k = 0; k < n; k++) {
            memset(d, 0, sizeof(d));
            stw_le_p(d + NVVB_DESC_OPCODE, NVVB_OP_NOP);
            if (k == n - 1) {
                stw_le_p(d + NVVB_DESC_FLAGS, NVVB_DESC_F_FENCE |
                         NVVB_DESC_F_INTR | (quiet ? NVVB_DESC_F_QUIET : 0));
                stq_le_p(d + NVVB_DESC_FENCE_ADDR, fence);
                stq_le_p(d + NVVB_DESC_FENCE_VALUE, 100 + i);
            }
            slot = qnvring_put(&c.bind, d);
        }
        qnvvb_writel(c.d, NVVB_REG_BIND_RING + NVVB_RING_TAIL, c.bind.tail);
        if (!deferred) {
            /* inline: complete before the write returned */
            g_assert_cmpuint(qnvvb_readl(c.d, NVVB_REG_BIND_RING +
                                         NVVB_RING_HEAD), ==, c.bind.tail);
        }
        qnvring_kick_wait(&c.bind);
        g_assert_cmpuint(qnvring_status(&c.bind, slot), ==, NVVB_STATUS_OK);
        g_assert_cmphex(qtest_readq(c.qts, fence), ==, 100 + i);
        g_assert_cmpuint(!!(qnvvb_readl(c.d, NVVB_REG_INTR_STATUS) &
                            NVVB_INTR_BIND), ==, !quiet || deferred || off);
    }
}

static void nv_vmbind_bind_register_tests(void)
{
    QOSGraphTestOptions small_pool = {
        .edge.extra_device_opts = "pt-pool-size=64K",
    };
    static QOSGraphTestOptions quiet_off = {
        .edge.extra_device_opts = "quiet-inline=off",
        .arg = (void *)"off",
    };

    qos_add_test("bind/vm-lifecycle", "nv-vmbind", test_vm_lifecycle, NULL);
    qos_add_test("bind/map-translate", "nv-vmbind", test_map_translate, NULL);
    qos_add_test("bind/split-cases", "nv-vmbind", test_split_cases, NULL);
    qos_add_test("bind/random", "nv-vmbind", test_random, NULL);
    qos_add_test("bind/bad-input", "nv-vmbind", test_bad_input, NULL);
    qos_add_test("bind/enospc", "nv-vmbind", test_enospc, &small_pool);
    qos_add_test("bind/bo-move", "nv-vmbind", test_bo_move, NULL);
    qos_add_test("bind/random-move", "nv-vmbind", test_random_move, NULL);
    qos_add_test("bind/quiet-inline", "nv-vmbind", test_quiet_inline, NULL);
    qos_add_test("bind/quiet-inline-off", "nv-vmbind", test_quiet_inline,
                 &quiet_off);
    qos_add_test("ce/fill-copy-semaphore", "nv-vmbind", test_copy_engine,
                 NULL);
}

libqos_init(nv_vmbind_bind_register_tests);
