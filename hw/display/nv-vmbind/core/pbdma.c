/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind: PBDMA, see pbdma.h.
 *
 * A run is a loop over GP entries; an entry's segment is a loop over its
 * dwords, fetched through the channel's VM a page-bounded block at a time.
 * Each dword is either a method header or a data word of the current
 * header.  Every loop is bounded by the budget, and a data word is
 * consumed only once its method has completed, so a blocked acquire or an
 * exhausted budget resumes exactly where it stopped.
 */
#include <string.h>

#include <glib.h>

#include "pbdma.h"
#include "hw/display/nv-gp107-fifo.h"

/* Dwords fetched per read (never across a 4 KiB page). */
#define PB_BLOCK_DWORDS     256

typedef enum MStatus {
    M_OK,
    M_BLOCKED,
    M_ERROR,
} MStatus;

static const char *const error_names[NVVB_PBDMA_ERR__COUNT] = {
    [NVVB_PBDMA_ERR_NONE] = "none",
    [NVVB_PBDMA_ERR_GP_PUT] = "gp-put",
    [NVVB_PBDMA_ERR_GP_CONFIG] = "gp-config",
    [NVVB_PBDMA_ERR_GP_FETCH] = "gp-fetch",
    [NVVB_PBDMA_ERR_GP_ENTRY] = "gp-entry",
    [NVVB_PBDMA_ERR_PB_FETCH] = "pb-fetch",
    [NVVB_PBDMA_ERR_HEADER] = "header",
    [NVVB_PBDMA_ERR_METHOD] = "method",
    [NVVB_PBDMA_ERR_CLASS] = "class",
    [NVVB_PBDMA_ERR_SEMAPHORE] = "semaphore",
    [NVVB_PBDMA_ERR_CE_LAUNCH] = "ce-launch",
    [NVVB_PBDMA_ERR_CE_FAULT] = "ce-fault",
};

const char *nvvb_pbdma_error_name(NvvbPbdmaError err)
{
    return (unsigned)err < NVVB_PBDMA_ERR__COUNT ? error_names[err] : "?";
}

void nvvb_pbdma_reset(NvvbPbdma *p)
{
    memset(p, 0, sizeof(*p));
    nvvb_ce_class_reset(&p->ce);
}

static void set_error(NvvbPbdma *p, NvvbPbdmaError err, uint32_t mthd,
                      uint32_t data)
{
    p->error = err;
    p->err_mthd = mthd;
    p->err_data = data;
    p->err_subc = p->subc;
    p->err_gp = p->gp_get;
}

static void set_fault(NvvbPbdma *p, NvvbPbdmaError err, bool host,
                      const NvvbCeResult *res, uint32_t mthd, uint32_t data)
{
    set_error(p, err, mthd, data);
    p->err_fault = res->fault;
    p->err_host = host;
    p->err_res = *res;
}

void nvvb_pbdma_bind(NvvbPbdma *p, uint32_t gp_base_lo, uint32_t gp_base_hi,
                     uint32_t gp_get, uint64_t pb_get)
{
    unsigned limit2 = (gp_base_hi >> 16) & 0x1f;

    p->gp_base = ((uint64_t)(gp_base_hi & 0xff) << 32) | gp_base_lo;
    p->pb_get = pb_get;
    if ((gp_base_lo & 7) || limit2 > NVVB_PBDMA_LIMIT2_MAX) {
        p->gp_entries = 1;
        p->gp_get = 0;
        set_error(p, NVVB_PBDMA_ERR_GP_CONFIG, 0, gp_base_hi);
        return;
    }
    p->gp_entries = 1u << limit2;
    p->gp_get = gp_get & (p->gp_entries - 1);
}

/*
 * Read @len bytes at VA @va of the channel's VM (sparse pages read as
 * zeroes).  On failure @res says why (fault, or unreachable memory).
 */
static bool vm_read(const NvvbCeCtx *ctx, uint64_t va, void *buf,
                    uint64_t len, NvvbCeResult *res)
{
    NvGmmuAccess acc = { NV_GMMU_ACCESS_TYPE_VIRT_READ, ctx->priv, true };
    uint8_t *out = buf;

    memset(res, 0, sizeof(*res));
    res->fault_level = NV_GMMU_LEVEL_NONE;
    res->mem_aperture = NV_GMMU_APER_NONE;
    while (len) {
        NvGmmuWalkResult w;
        uint64_t in_page, n;

        if (nv_gmmu_tlb_translate(ctx->tlb, ctx->mem, ctx->pdb, va, &acc,
                                  &w) == NV_GMMU_WALK_FAULT) {
            res->fault = true;
            res->fault_va = va;
            res->fault_type = w.fault_type;
            res->fault_level = w.fault_level;
            res->access_type = NV_GMMU_ACCESS_TYPE_VIRT_READ;
            return false;
        }
        /* At most to the end of this 4 KiB page: never past the leaf. */
        in_page = 0x1000 - (va & 0xfff);
        n = MIN(len, in_page);
        if (w.status == NV_GMMU_WALK_SPARSE) {
            memset(out, 0, n);
        } else if (!ctx->mem->read(ctx->mem->opaque, w.tr.aperture, w.pa,
                                   out, n)) {
            res->mem_error = true;
            res->mem_aperture = w.tr.aperture;
            res->mem_addr = w.pa;
            return false;
        }
        out += n;
        va += n;
        len -= n;
        res->done += n;
    }
    return true;
}

static uint32_t le32(const uint8_t *b)
{
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* SEMAPHORED: release, or acquire (M_BLOCKED while not satisfied). */
static MStatus semaphore(NvvbPbdma *p, const NvvbPbdmaEnv *env,
                         uint32_t data)
{
    unsigned op = data & NVC06F_SEMAPHORED_OP_MASK;
    NvvbCeResult res;
    uint8_t b[4];
    uint32_t mem;
    bool ok;

    switch (op) {
    case NVC06F_SEMAPHORED_OP_RELEASE:
        if (data & NVC06F_SEMAPHORED_RELEASE_SIZE_4BYTE) {
            ok = !nvvb_ce_write32(env->ce, &env->ctx, p->sem_va,
                                  p->sem_payload, &res);
        } else {
            /* 16 bytes: timestamp first, payload last (it signals). */
            uint64_t ts = env->timestamp ? env->timestamp(env->opaque) : 0;

            ok = !nvvb_ce_write32(env->ce, &env->ctx, p->sem_va + 8,
                                  (uint32_t)ts, &res) &&
                 !nvvb_ce_write32(env->ce, &env->ctx, p->sem_va + 12,
                                  ts >> 32, &res) &&
                 !nvvb_ce_write32(env->ce, &env->ctx, p->sem_va + 4, 0,
                                  &res) &&
                 !nvvb_ce_write32(env->ce, &env->ctx, p->sem_va,
                                  p->sem_payload, &res);
        }
        if (!ok) {
            set_fault(p, NVVB_PBDMA_ERR_SEMAPHORE, true, &res,
                      NVC06F_SEMAPHORED, data);
            return M_ERROR;
        }
        p->stats.releases++;
        return M_OK;
    case NVC06F_SEMAPHORED_OP_ACQUIRE:
    case NVC06F_SEMAPHORED_OP_ACQ_GEQ:
    case NVC06F_SEMAPHORED_OP_ACQ_AND:
        if (!vm_read(&env->ctx, p->sem_va, b, 4, &res)) {
            set_fault(p, NVVB_PBDMA_ERR_SEMAPHORE, true, &res,
                      NVC06F_SEMAPHORED, data);
            return M_ERROR;
        }
        mem = le32(b);
        if (op == NVC06F_SEMAPHORED_OP_ACQUIRE) {
            ok = mem == p->sem_payload;
        } else if (op == NVC06F_SEMAPHORED_OP_ACQ_GEQ) {
            ok = (int32_t)(mem - p->sem_payload) >= 0;
        } else {
            ok = (mem & p->sem_payload) != 0;
        }
        if (!ok) {
            p->stats.acquires_blocked++;
            return M_BLOCKED;
        }
        return M_OK;
    }
    /* Reductions and combined operation bits are not modelled. */
    set_error(p, NVVB_PBDMA_ERR_SEMAPHORE, NVC06F_SEMAPHORED, data);
    return M_ERROR;
}

static MStatus host_method(NvvbPbdma *p, const NvvbPbdmaEnv *env,
                           uint32_t mthd, uint32_t data)
{
    uint32_t cls;

    switch (mthd) {
    case NVC06F_SET_OBJECT:
        cls = data & NVC06F_SET_OBJECT_CLASS_MASK;
        if (cls != NV_CE_CLASS_A && cls != NV_CE_CLASS_B) {
            set_error(p, NVVB_PBDMA_ERR_CLASS, mthd, data);
            return M_ERROR;
        }
        p->subc_class[p->subc] = cls;
        return M_OK;
    case NVC06F_NOP:
    case NVC06F_FB_FLUSH:
    case NVC06F_WFI:
    case NVC06F_YIELD:
        /* Synchronous model: everything before is complete already. */
        return M_OK;
    case NVC06F_SEMAPHOREA:
        p->sem_va = (p->sem_va & 0xffffffffull) |
                    ((uint64_t)(data & 0xff) << 32);
        return M_OK;
    case NVC06F_SEMAPHOREB:
        p->sem_va = (p->sem_va & ~0xffffffffull) | (data & ~3u);
        return M_OK;
    case NVC06F_SEMAPHOREC:
        p->sem_payload = data;
        return M_OK;
    case NVC06F_SEMAPHORED:
        return semaphore(p, env, data);
    case NVC06F_NON_STALL_INTERRUPT:
        p->stats.nonstall++;
        if (env->nonstall) {
            env->nonstall(env->opaque);
        }
        return M_OK;
    case NVC06F_MEM_OP_A:
    case NVC06F_MEM_OP_B:
    case NVC06F_MEM_OP_C:
        p->mem_op[(mthd - NVC06F_MEM_OP_A) / 4] = data;
        return M_OK;
    case NVC06F_MEM_OP_D:
        if ((data >> NVC06F_MEM_OP_D_OPERATION_SHIFT) ==
            NVC06F_MEM_OP_D_MMU_TLB_INVALIDATE && env->tlb_invalidate) {
            env->tlb_invalidate(env->opaque);
        }
        /* MEMBAR, L2 flushes: nothing is cached or reordered. */
        return M_OK;
    case NVC06F_SET_REFERENCE:
        p->reference = data;
        p->reference_set = true;
        return M_OK;
    }
    set_error(p, NVVB_PBDMA_ERR_METHOD, mthd, data);
    return M_ERROR;
}

static MStatus ce_method(NvvbPbdma *p, const NvvbPbdmaEnv *env,
                         uint32_t mthd, uint32_t data,
                         NvvbPbdmaBudget *budget)
{
    NvvbCeLaunchResult res;
    NvvbCeLaunchStatus st;
    uint64_t ts;

    switch (nvvb_ce_class_method(&p->ce, mthd, data)) {
    case NVVB_CE_METHOD_OK:
        return M_OK;
    case NVVB_CE_METHOD_UNKNOWN:
        set_error(p, NVVB_PBDMA_ERR_METHOD, mthd, data);
        return M_ERROR;
    case NVVB_CE_METHOD_LAUNCH:
        break;
    }
    ts = ((data >> NVC0B5_LAUNCH_DMA_SEM_SHIFT) &
          NVC0B5_LAUNCH_DMA_SEM_MASK) == NVC0B5_LAUNCH_DMA_SEM_FOUR_WORD &&
         env->timestamp ? env->timestamp(env->opaque) : 0;
    st = nvvb_ce_class_launch(&p->ce, env->ce, &env->ctx, data, ts, &res);
    p->stats.launches++;
    p->stats.bytes += res.bytes;
    p->stats.releases += res.semaphore;
    budget->bytes -= MIN(budget->bytes,
                         MAX(res.bytes,
                             (uint64_t)res.lines * NVVB_PBDMA_LINE_COST));
    if (env->launch) {
        env->launch(env->opaque, &p->ce, data, &res);
    }
    if (st == NVVB_CE_LAUNCH_INVALID) {
        set_error(p, NVVB_PBDMA_ERR_CE_LAUNCH, mthd, data);
        return M_ERROR;
    }
    if (st == NVVB_CE_LAUNCH_FAULT) {
        set_fault(p, NVVB_PBDMA_ERR_CE_FAULT, false, &res.ce, mthd, data);
        return M_ERROR;
    }
    return M_OK;
}

static MStatus method(NvvbPbdma *p, const NvvbPbdmaEnv *env, uint32_t mthd,
                      uint32_t data, NvvbPbdmaBudget *budget)
{
    p->stats.methods++;
    if (env->method) {
        env->method(env->opaque, p->subc, mthd, data);
    }
    /* Host methods on any subchannel; the rest go to the runlist's CE. */
    if (mthd < NV_HOST_METHOD_LIMIT) {
        return host_method(p, env, mthd, data);
    }
    return ce_method(p, env, mthd, data, budget);
}

/* A header: start a method, or execute IMMD / NOP / END. */
static MStatus header(NvvbPbdma *p, const NvvbPbdmaEnv *env, uint32_t d,
                      bool *end, NvvbPbdmaBudget *budget)
{
    unsigned op = d >> NV_PB_HDR_SEC_OP_SHIFT;
    uint32_t mthd = (d & NV_PB_HDR_ADDR_MASK) << 2;
    uint32_t count = (d >> NV_PB_HDR_COUNT_SHIFT) & NV_PB_HDR_COUNT_MASK;
    MStatus st;

    switch (op) {
    case NV_PB_SEC_OP_GRP0:
        /*
         * 0 is NVC06F_DMA_NOP; TERT_OP 1..3 are subdevice-mask operations,
         * which a single-GPU model obeys by doing nothing.  TERT_OP 0 with
         * other bits is the pre-Fermi incrementing header: unsupported.
         */
        if (d && !((d >> NV_PB_TERT_OP_SHIFT) & 3)) {
            break;
        }
        return M_OK;
    case NV_PB_SEC_OP_INC:
    case NV_PB_SEC_OP_NON_INC:
    case NV_PB_SEC_OP_ONE_INC:
        p->mthd = mthd;
        p->subc = (d >> NV_PB_HDR_SUBCH_SHIFT) & 7;
        p->count = count;
        p->mode = op == NV_PB_SEC_OP_INC ? NVVB_PBDMA_MODE_INC :
                  op == NV_PB_SEC_OP_NON_INC ? NVVB_PBDMA_MODE_NON_INC :
                  NVVB_PBDMA_MODE_ONE_INC;
        return M_OK;
    case NV_PB_SEC_OP_IMMD:
        p->subc = (d >> NV_PB_HDR_SUBCH_SHIFT) & 7;
        st = method(p, env, mthd, count, budget);
        return st;
    case NV_PB_SEC_OP_END_PB_SEGMENT:
        *end = true;
        return M_OK;
    }
    set_error(p, NVVB_PBDMA_ERR_HEADER, 0, d);
    return M_ERROR;
}

/* One dword of a segment. */
static MStatus dword(NvvbPbdma *p, const NvvbPbdmaEnv *env, uint32_t d,
                     bool *end, NvvbPbdmaBudget *budget)
{
    MStatus st;

    if (!p->count) {
        return header(p, env, d, end, budget);
    }
    st = method(p, env, p->mthd, d, budget);
    if (st != M_OK) {
        return st;
    }
    p->count--;
    if (p->mode == NVVB_PBDMA_MODE_INC) {
        p->mthd = (p->mthd + 4) & (NV_PB_HDR_ADDR_MASK << 2);
    } else if (p->mode == NVVB_PBDMA_MODE_ONE_INC) {
        p->mthd = (p->mthd + 4) & (NV_PB_HDR_ADDR_MASK << 2);
        p->mode = NVVB_PBDMA_MODE_NON_INC;
    }
    return M_OK;
}

/* Execute the active segment; M_OK when it is complete. */
static MStatus segment(NvvbPbdma *p, const NvvbPbdmaEnv *env,
                       NvvbPbdmaBudget *budget, bool *out_of_budget)
{
    uint8_t buf[PB_BLOCK_DWORDS * 4];

    while (p->seg_left) {
        uint64_t in_page = (0x1000 - (p->seg_va & 0xfff)) / 4;
        uint32_t n = MIN(p->seg_left, MIN(PB_BLOCK_DWORDS, in_page));
        NvvbCeResult res;
        uint32_t i;

        if (!budget->dwords || !budget->bytes) {
            *out_of_budget = true;
            return M_OK;
        }
        n = MIN(n, budget->dwords);
        if (!vm_read(&env->ctx, p->seg_va, buf, (uint64_t)n * 4, &res)) {
            set_fault(p, NVVB_PBDMA_ERR_PB_FETCH, true, &res, 0, 0);
            return M_ERROR;
        }
        for (i = 0; i < n; i++) {
            bool end = false;
            MStatus st;

            if (i && !budget->bytes) {
                *out_of_budget = true;
                return M_OK;
            }
            st = dword(p, env, le32(buf + 4 * i), &end, budget);
            if (st != M_OK) {
                return st;
            }
            /* Consumed: the next run starts after it. */
            p->seg_va += 4;
            p->seg_left--;
            p->pb_get = p->seg_va;
            p->stats.dwords++;
            budget->dwords--;
            if (end) {
                p->seg_left = 0;
                return M_OK;
            }
        }
    }
    return M_OK;
}

NvvbPbdmaStatus nvvb_pbdma_run(NvvbPbdma *p, const NvvbPbdmaEnv *env,
                               uint32_t gp_put, NvvbPbdmaBudget *budget)
{
    if (p->error) {
        return NVVB_PBDMA_ERROR;
    }
    if (gp_put >= p->gp_entries) {
        set_error(p, NVVB_PBDMA_ERR_GP_PUT, 0, gp_put);
        return NVVB_PBDMA_ERROR;
    }
    for (;;) {
        bool out_of_budget = false;
        MStatus st;

        if (!p->seg_active && p->gp_get == gp_put) {
            return NVVB_PBDMA_IDLE;
        }
        /* Also before resuming an entry: completing it uses one. */
        if (!budget->entries) {
            return NVVB_PBDMA_BUDGET;
        }
        if (!p->seg_active) {
            NvvbCeResult res;
            uint8_t e[8];
            uint32_t e0, e1, len;

            if (!vm_read(&env->ctx, p->gp_base + (uint64_t)p->gp_get * 8, e,
                         8, &res)) {
                set_fault(p, NVVB_PBDMA_ERR_GP_FETCH, true, &res, 0, 0);
                return NVVB_PBDMA_ERROR;
            }
            e0 = le32(e);
            e1 = le32(e + 4);
            len = (e1 >> NV_GP_ENTRY1_LENGTH_SHIFT) & NV_GP_ENTRY1_LENGTH_MASK;
            if (!len) {
                unsigned opcode = e0 & NV_GP_ENTRY0_OPCODE_MASK;

                /* Control entry: NOP, or CRC checks the model skips. */
                if (opcode != NV_GP_OPCODE_NOP &&
                    opcode != NV_GP_OPCODE_GP_CRC &&
                    opcode != NV_GP_OPCODE_PB_CRC) {
                    set_error(p, NVVB_PBDMA_ERR_GP_ENTRY, 0, e0);
                    return NVVB_PBDMA_ERROR;
                }
            } else {
                p->seg_active = true;
                p->seg_va = ((uint64_t)(e1 & NV_GP_ENTRY1_GET_HI_MASK) << 32) |
                            (e0 & NV_GP_ENTRY0_GET_MASK);
                p->seg_left = len;
            }
        }
        if (p->seg_active) {
            st = segment(p, env, budget, &out_of_budget);
            if (st == M_ERROR) {
                return NVVB_PBDMA_ERROR;
            }
            if (st == M_BLOCKED) {
                return NVVB_PBDMA_BLOCKED;
            }
            if (out_of_budget) {
                return NVVB_PBDMA_BUDGET;
            }
        }
        p->seg_active = false;
        p->gp_get = (p->gp_get + 1) & (p->gp_entries - 1);
        p->stats.entries++;
        budget->entries--;
    }
}
