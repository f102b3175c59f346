/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the VM_BIND path of the core: the VM object
 * (core/vm.c: GPUVM with nouveau's sparse rules + page-table manager +
 * invalidate callback) and its buffers (core/buffer.c: backings, scatter
 * lists), driven as the device drives them from bind descriptors.
 *
 * Input: a header byte, then ops until the input ends.
 *   header bits 0-1: page-table pool 512 KiB, 128 KiB, 32 KiB, 12 KiB
 *          bits 2-3: work limit per request: none, 4096, 64, 8 PTEs
 *   op = byte % 8:
 *   0 VM_CREATE   u8 vm, addr kernel_start, len kernel_range
 *   1 VM_DESTROY  u8 vm
 *   2 BO_CREATE   u8 id, backing
 *   3 BO_DESTROY  u8 id
 *   4 MAP         u8 vm, u8 bo, u16 flags, addr va, len range, addr offset
 *   5 UNMAP       u8 vm, u8 flags, addr va, len range
 *   6 BO_MOVE     u8 id, backing
 *   7 POOL        u8 n: n & 0x80 ? give back what POOL took : take up to
 *                 n granules (other users of the pool: the ENOSPC paths)
 *   addr / len: u8 mode, then mode % 4 = 0: u16 * 4 KiB, 1: u16 * 64 KiB,
 *               2: u16 * 2 MiB, 3: raw u64 (any value: misaligned, beyond
 *               the VA space, wrapping, >= 2^58, in the kernel range)
 *   backing: u8 p (bit 0: SYSMEM, bit 1: an unknown placement, bit 2: the
 *            size is the sum of the extents), [len size unless bit 2],
 *            VRAM: addr; SYSMEM: u8 nsg, nsg x (addr, len)
 *   u16 flags: bits 0-7 kind, 8 SPARSE, 9 READ_ONLY, 10 PRIV, 11
 *              NO_ATOMIC; bit 12 adds an unknown flag bit.  UNMAP's u8:
 *              bit 0 SPARSE, bit 1 READ_ONLY (malformed on an UNMAP).
 * VM, BO ids are taken modulo the slots (NVMS, NBOS; BO id 0 is "none").
 * As the device does, this harness refuses before the core: unknown ids,
 * an existing id, a BO destroy while mapped (-EBUSY), more than NSG_MAX
 * extents per BO or SG_TOTAL in all (host memory stays bounded).
 * NVVB_FUZZ_VERBOSE=1 prints each op and its result.
 *
 * Checked after every op (CHECK aborts):
 * - every VM's walked tables equal its GPUVM (tests/unit/vm-oracle.h);
 * - a refused op changed nothing: GPUVM, evict lists, buffers, every byte
 *   of the pool, its free space, no invalidate (vm-oracle.h snapshots);
 * - an accepted bind or move that changed pool bytes invalidated;
 * - no op ever diverges (-EFAULT): the core refuses first;
 * - no vm_bo is left on an evict list; each buffer has one vm_bo per VM
 *   that maps it;
 * - at the end, freeing everything gives every pool granule back.
 *
 * Shown to fail on planted bugs (scratch copies of core/, not kept): the
 * seeds catch buffer.c without its 2^58 extent check (07-i14-sg-field: a
 * MAP diverges) and ptm.c dropping small-page PTE 7 (01-map-unmap: the
 * tables disagree); ptm.c dropping small-page PTE 300 passes the seeds
 * and a campaign caught it after about 900 executions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz-check.h"
#include "vm.h"
#include "vm-oracle.h"

#define K4          0x1000ull
#define POOL_BASE   (64ull << 20)   /* VRAM below it is for buffers */
#define POOL_MAX    (512u << 10)
#define NVMS        3
#define NBOS        8
#define NSG_MAX     32
#define SG_TOTAL    96

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct In {
    const uint8_t *p;
    size_t n;
} In;

typedef struct F {
    uint8_t pool_bytes[POOL_MAX];   /* VRAM [POOL_BASE, + pool size) */
    uint64_t pool_size;
    NvvbVmEnv env;
    NvvbVm *vms[NVMS];
    NvvbBuffer *bos[NBOS];
    uint32_t sg_entries;
    GArray *held;                   /* granules POOL took */
    unsigned invalidates;
} F;

static F f;
static int verbose = -1;

/* ---- Input ---- */

static uint64_t rd(In *in, unsigned bytes)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < bytes && in->n; i++, in->p++, in->n--) {
        v |= (uint64_t)*in->p << (8 * i);
    }
    return v;
}

static uint64_t rd_addr(In *in)
{
    static const unsigned shift[] = { 12, 16, 21 };
    unsigned mode = rd(in, 1) % 4;

    return mode == 3 ? rd(in, 8) : rd(in, 2) << shift[mode];
}

/* ---- Memory: only the pool exists in VRAM; nothing else is read ---- */

static uint8_t *vram_at(uint64_t addr, size_t len)
{
    if (addr < POOL_BASE || addr - POOL_BASE > f.pool_size ||
        len > f.pool_size - (addr - POOL_BASE)) {
        return NULL;
    }
    return f.pool_bytes + (addr - POOL_BASE);
}

static bool mem_read(void *opaque, NvGmmuAperture aper, uint64_t addr,
                     void *buf, size_t len)
{
    uint8_t *p = aper == NV_GMMU_APER_VID ? vram_at(addr, len) : NULL;

    if (p) {
        memcpy(buf, p, len);
    }
    return p;
}

static bool mem_write(void *opaque, NvGmmuAperture aper, uint64_t addr,
                      const void *buf, size_t len)
{
    uint8_t *p = aper == NV_GMMU_APER_VID ? vram_at(addr, len) : NULL;

    /* The page-table manager writes tables into the pool only. */
    CHECK(p);
    memcpy(p, buf, len);
    return true;
}

static void on_invalidate(void *opaque, NvvbVm *vm, const NvvbPtmResult *res)
{
    CHECK(res->changed);
    f.invalidates++;
}

/* ---- Invariants ---- */

static void snap(VmoSnap *s)
{
    vmo_snap_take(s, f.vms, NVMS, f.bos, NBOS, f.env.pool, f.pool_bytes,
                  f.invalidates);
}

/* VMs whose mappings reference @b's GPUVM BO. */
static unsigned vms_mapping(const NvvbBuffer *b)
{
    unsigned i, n = 0;

    for (i = 0; i < NVMS; i++) {
        NvvbGpuVa *va;

        if (!f.vms[i]) {
            continue;
        }
        nvvb_gpuvm_lock(f.vms[i]->uvmm->vm);
        NVVB_GPUVM_FOREACH_VA(va, f.vms[i]->uvmm->vm) {
            if (va->bo == b->core) {
                n++;
                break;
            }
        }
        nvvb_gpuvm_unlock(f.vms[i]->uvmm->vm);
    }
    return n;
}

/*
 * The invariants of an accepted op: the tables of the VMs in @vm_mask
 * (those the op may have changed) agree with their GPUVM; no evict list
 * holds a vm_bo; each buffer has one vm_bo per VM mapping it.
 */
static void check_accepted(unsigned vm_mask)
{
    NvGmmuMem mem = { .read = mem_read, .write = mem_write };
    unsigned i;

    for (i = 0; i < NVMS; i++) {
        if (f.vms[i] && (vm_mask & (1u << i))) {
            CHECK(vmo_mismatches(&mem, f.vms[i], false) == 0);
        }
        if (f.vms[i]) {
            CHECK(vmo_evicted(f.vms[i]) == 0);
        }
    }
    for (i = 0; i < NBOS; i++) {
        if (f.bos[i]) {
            CHECK(nvvb_bo_vm_bo_count(f.bos[i]->core) ==
                  vms_mapping(f.bos[i]));
        }
    }
}

/* ---- Ops, as the device runs them ---- */

static int op_vm_create(In *in, unsigned *vm_mask)
{
    unsigned id = rd(in, 1) % NVMS;
    uint64_t kstart = rd_addr(in), krange = rd_addr(in);

    if (f.vms[id]) {
        return -EEXIST;
    }
    *vm_mask = 1u << id;
    return nvvb_vm_new(&f.vms[id], &f.env, id, kstart, krange,
                       NVVB_VM_TABLES_NEW);
}

static int op_vm_destroy(In *in)
{
    unsigned id = rd(in, 1) % NVMS;

    if (!f.vms[id]) {
        return -ENODEV;
    }
    nvvb_vm_free(f.vms[id]);
    f.vms[id] = NULL;
    return 0;
}

/* Reads a backing into @b; -EINVAL/-ENOSPC as the device's BO parser. */
static int rd_backing(In *in, NvvbBuffer *b, uint32_t held)
{
    unsigned p = rd(in, 1);
    uint32_t i, nsg;

    b->placement = p & 2 ? 2 + (p >> 3) : (p & 1 ? NVVB_BO_SYSMEM :
                                           NVVB_BO_VRAM);
    b->size = p & 4 ? 0 : rd_addr(in);
    if (b->placement != NVVB_BO_SYSMEM) {
        b->vram_addr = rd_addr(in);
        if (p & 4) {
            b->size = K4 << (p >> 4);
        }
        return nvvb_buffer_check(b, POOL_BASE) ? 0 : -EINVAL;
    }
    nsg = rd(in, 1);
    if (!nsg || nsg > NSG_MAX) {
        return -EINVAL;
    }
    if (nsg > SG_TOTAL - (f.sg_entries - held)) {
        return -ENOSPC;
    }
    b->nsg = nsg;
    b->sg = g_new0(NvvbSgEntry, nsg);
    for (i = 0; i < nsg; i++) {
        b->sg[i].addr = rd_addr(in);
        b->sg[i].len = rd_addr(in);
        if (p & 4) {
            b->size += b->sg[i].len;
        }
    }
    return nvvb_buffer_check(b, POOL_BASE) ? 0 : -EINVAL;
}

static int op_bo_create(In *in)
{
    unsigned id = rd(in, 1) % NBOS;
    NvvbBuffer b = { 0 };
    int ret = rd_backing(in, &b, 0);

    if (!ret && (!id || f.bos[id])) {
        ret = id ? -EEXIST : -EINVAL;
    }
    if (ret) {
        g_free(b.sg);
        return ret;
    }
    f.bos[id] = g_new(NvvbBuffer, 1);
    *f.bos[id] = b;
    nvvb_buffer_publish(f.bos[id], id);
    f.sg_entries += b.nsg;
    return 0;
}

static int op_bo_destroy(In *in)
{
    unsigned id = rd(in, 1) % NBOS;

    if (!f.bos[id]) {
        return -ENOENT;
    }
    if (nvvb_bo_vm_bo_count(f.bos[id]->core)) {
        return -EBUSY;
    }
    f.sg_entries -= f.bos[id]->nsg;
    nvvb_buffer_free(f.bos[id]);
    f.bos[id] = NULL;
    return 0;
}

static int op_bind(In *in, uint32_t opc, NvvbVmResult *res,
                   unsigned *vm_mask)
{
    unsigned vm = rd(in, 1) % NVMS;
    NvvbVmBindOp op = { .op = opc };
    uint32_t fl;

    if (opc == NVVB_OP_MAP) {
        op.bo_id = rd(in, 1) % NBOS;
        fl = rd(in, 2);
        op.flags = (fl & 0xfff) | (fl & 0x1000 ? 1u << (12 + fl % 20) : 0);
    } else {
        fl = rd(in, 1);
        op.flags = (fl & 1 ? NVVB_MAP_SPARSE : 0) |
                   (fl & 2 ? NVVB_MAP_READ_ONLY : 0);
    }
    op.bo = f.bos[op.bo_id];
    op.va = rd_addr(in);
    op.range = rd_addr(in);
    op.bo_offset = opc == NVVB_OP_MAP ? rd_addr(in) : 0;
    if (!f.vms[vm]) {
        return -ENODEV;
    }
    *vm_mask = 1u << vm;
    return nvvb_vm_bind(f.vms[vm], &op, res);
}

static int op_bo_move(In *in, NvvbVmResult *res)
{
    unsigned id = rd(in, 1) % NBOS;
    uint32_t held = f.bos[id] ? f.bos[id]->nsg : 0;
    NvvbBuffer to = { 0 };
    int ret = rd_backing(in, &to, held);

    if (!ret && !f.bos[id]) {
        ret = -ENOENT;
    }
    if (!ret) {
        uint32_t nsg = to.nsg;

        ret = nvvb_vm_move_buffer(&f.env, f.vms, NVMS, f.bos[id], &to, res);
        if (!ret) {
            f.sg_entries += nsg - held;
        }
    }
    g_free(to.sg);
    return ret;
}

static int op_pool(In *in)
{
    unsigned n = rd(in, 1);
    uint64_t a;

    if (n & 0x80) {
        while (f.held->len) {
            a = g_array_index(f.held, uint64_t, f.held->len - 1);
            CHECK(nvvb_pt_pool_release(f.env.pool, a, NVVB_PT_POOL_GRANULE));
            g_array_set_size(f.held, f.held->len - 1);
        }
        return 0;
    }
    while (n-- && !nvvb_pt_pool_alloc(f.env.pool, NVVB_PT_POOL_GRANULE, &a)) {
        g_array_append_val(f.held, a);
    }
    return 0;
}

static const char *const op_names[] = {
    "vm_create", "vm_destroy", "bo_create", "bo_destroy", "map", "unmap",
    "bo_move", "pool",
};

/* One op with its invariants. */
static void run_op(In *in)
{
    unsigned opc = rd(in, 1) % 8;
    unsigned vm_mask = 0;          /* VMs whose tables the op may change */
    static VmoSnap before, after;   /* buffers reused from op to op */
    NvvbVmResult res = { 0 };
    const char *diff;
    int ret;

    snap(&before);
    switch (opc) {
    case 0: ret = op_vm_create(in, &vm_mask); break;
    case 1: ret = op_vm_destroy(in); vm_mask = ~0u; break;
    case 2: ret = op_bo_create(in); break;
    case 3: ret = op_bo_destroy(in); break;
    case 4: ret = op_bind(in, NVVB_OP_MAP, &res, &vm_mask); break;
    case 5: ret = op_bind(in, NVVB_OP_UNMAP, &res, &vm_mask); break;
    case 6: ret = op_bo_move(in, &res); vm_mask = ~0u; break;
    default: ret = op_pool(in); break;
    }
    snap(&after);
    diff = vmo_snap_diff(&before, &after);
    if (verbose) {
        fprintf(stderr, "%s -> %d (work %" G_GUINT64_FORMAT ", %s)\n",
                op_names[opc], ret, res.work, diff ? diff : "no change");
    }
    /* The core refuses what the tables cannot express: never diverges. */
    CHECK(ret != -EFAULT && !res.diverged);
    if (ret) {
        /*
         * Refused: nothing changed, so what held before (checked after
         * the previous op) still holds.
         */
        CHECK(!diff && !res.work);
    } else {
        if ((opc == 4 || opc == 5 || opc == 6) &&
            memcmp(before.pool, after.pool, before.pool_len)) {
            /* Tables the TLB may hold changed: the owner was told. */
            CHECK(after.invalidates > before.invalidates);
        }
        check_accepted(vm_mask);
    }
}

static void setup(unsigned hdr)
{
    static const uint64_t pool[] = { 512 << 10, 128 << 10, 32 << 10,
                                     12 << 10 };
    static const uint64_t work[] = { UINT32_MAX, 4096, 64, 8 };

    memset(&f, 0, sizeof(f));
    f.pool_size = pool[hdr & 3];
    /* Stale bytes: nothing may rely on a zeroed pool. */
    memset(f.pool_bytes, 0xa5, sizeof(f.pool_bytes));
    f.env.pool = nvvb_pt_pool_new(POOL_BASE, f.pool_size);
    f.env.mem.read = mem_read;
    f.env.mem.write = mem_write;
    f.env.invalidate = on_invalidate;
    f.env.max_work = work[(hdr >> 2) & 3];
    f.held = g_array_new(false, false, sizeof(uint64_t));
}

static void teardown(void)
{
    unsigned i;

    for (i = 0; i < NVMS; i++) {
        nvvb_vm_free(f.vms[i]);
    }
    for (i = 0; i < NBOS; i++) {
        nvvb_buffer_free(f.bos[i]);
    }
    /* Every table went back: only what POOL holds is still taken. */
    CHECK(nvvb_pt_pool_free_bytes(f.env.pool) ==
          f.pool_size - (uint64_t)f.held->len * NVVB_PT_POOL_GRANULE);
    g_array_free(f.held, true);
    nvvb_pt_pool_free(f.env.pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    In in = { data, size };

    if (verbose < 0) {
        verbose = getenv("NVVB_FUZZ_VERBOSE") != NULL;
    }
    if (!size) {
        return 0;
    }
    setup(rd(&in, 1));
    while (in.n) {
        run_op(&in);
    }
    teardown();
    return 0;
}
