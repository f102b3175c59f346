/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind page-table pool, see pt-pool.h.
 *
 * Granules: a bitmap (1 = in use) searched from a hint, the lowest index
 * that may be free, so allocation is lowest-first and usually O(1).
 * Slots: each granule used as a slab has a 16-bit use mask; slabs with a
 * free slot sit in a GTree ordered by address, so the lowest one is taken
 * first and a slab returns to the granule bitmap when its last slot goes.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "pt-pool.h"

#define SLAB_FULL   ((1u << NVVB_PT_POOL_SLOTS_PER_GRANULE) - 1)

struct NvvbPtPool {
    uint64_t base;
    uint64_t ngranules;
    uint64_t free_granules;
    uint64_t free_slots;        /* free slots in partly used slabs */
    uint64_t hint;              /* no free granule below this index */
    uint64_t *bitmap;           /* 1 = granule in use (table or slab) */
    GHashTable *slabs;          /* granule index -> use mask (uint16) */
    GTree *partial;             /* granule index -> slab with a free slot */
};

static gint idx_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

typedef struct Slab {
    uint64_t idx;               /* key of both tables */
    uint16_t used;              /* bit i: slot i allocated */
} Slab;

NvvbPtPool *nvvb_pt_pool_new(uint64_t base, uint64_t size)
{
    NvvbPtPool *pool;
    uint64_t n = size / NVVB_PT_POOL_GRANULE;

    if ((base & (NVVB_PT_POOL_GRANULE - 1)) || n == 0 ||
        size > NVVB_PT_POOL_SIZE_MAX ||
        base + n * NVVB_PT_POOL_GRANULE < base) {
        return NULL;
    }
    pool = g_new0(NvvbPtPool, 1);
    pool->base = base;
    pool->ngranules = n;
    pool->free_granules = n;
    pool->bitmap = g_new0(uint64_t, (n + 63) / 64);
    pool->slabs = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                        g_free);
    pool->partial = g_tree_new_full(idx_cmp, NULL, NULL, NULL);
    return pool;
}

void nvvb_pt_pool_free(NvvbPtPool *pool)
{
    if (!pool) {
        return;
    }
    g_tree_destroy(pool->partial);
    g_hash_table_destroy(pool->slabs);
    g_free(pool->bitmap);
    g_free(pool);
}

static bool granule_used(const NvvbPtPool *pool, uint64_t i)
{
    return pool->bitmap[i / 64] & (1ull << (i % 64));
}

/* Lowest free granule; the caller checked free_granules > 0. */
static uint64_t granule_alloc(NvvbPtPool *pool)
{
    uint64_t w;

    /* Bounded by the bitmap size; the hint makes it O(1) in practice. */
    for (w = pool->hint / 64; w < (pool->ngranules + 63) / 64; w++) {
        uint64_t free_bits = ~pool->bitmap[w];
        uint64_t i;

        if (!free_bits) {
            continue;
        }
        i = w * 64 + (uint64_t)__builtin_ctzll(free_bits);
        if (i >= pool->ngranules) {
            break;
        }
        pool->bitmap[w] |= 1ull << (i % 64);
        pool->free_granules--;
        pool->hint = i + 1;
        return i;
    }
    g_assert_not_reached();     /* free_granules said there was one */
}

static void granule_free(NvvbPtPool *pool, uint64_t i)
{
    pool->bitmap[i / 64] &= ~(1ull << (i % 64));
    pool->free_granules++;
    if (i < pool->hint) {
        pool->hint = i;
    }
}

static Slab *slab_new(NvvbPtPool *pool, uint64_t idx)
{
    Slab *slab = g_new0(Slab, 1);

    slab->idx = idx;
    g_hash_table_insert(pool->slabs, &slab->idx, slab);
    g_tree_insert(pool->partial, &slab->idx, slab);
    pool->free_slots += NVVB_PT_POOL_SLOTS_PER_GRANULE;
    return slab;
}

static int slot_alloc(NvvbPtPool *pool, uint64_t *addr)
{
    GTreeNode *first = g_tree_node_first(pool->partial);
    Slab *slab = first ? g_tree_node_value(first) : NULL;
    unsigned s;

    if (!slab) {
        if (!pool->free_granules) {
            return -ENOSPC;
        }
        slab = slab_new(pool, granule_alloc(pool));
    }
    s = (unsigned)__builtin_ctz(~(unsigned)slab->used & SLAB_FULL);
    slab->used |= 1u << s;
    pool->free_slots--;
    if (slab->used == SLAB_FULL) {
        g_tree_remove(pool->partial, &slab->idx);
    }
    *addr = pool->base + slab->idx * NVVB_PT_POOL_GRANULE +
            (uint64_t)s * NVVB_PT_POOL_SLOT;
    return 0;
}

int nvvb_pt_pool_alloc(NvvbPtPool *pool, unsigned size, uint64_t *addr)
{
    if (size == NVVB_PT_POOL_SLOT) {
        return slot_alloc(pool, addr);
    }
    if (size != NVVB_PT_POOL_GRANULE) {
        return -EINVAL;
    }
    if (!pool->free_granules) {
        return -ENOSPC;
    }
    *addr = pool->base + granule_alloc(pool) * NVVB_PT_POOL_GRANULE;
    return 0;
}

/* Granule index of @addr, or false if it is outside the pool. */
static bool addr_index(const NvvbPtPool *pool, uint64_t addr, uint64_t *idx)
{
    if (addr < pool->base) {
        return false;
    }
    *idx = (addr - pool->base) / NVVB_PT_POOL_GRANULE;
    return *idx < pool->ngranules;
}

bool nvvb_pt_pool_release(NvvbPtPool *pool, uint64_t addr, unsigned size)
{
    uint64_t idx;
    Slab *slab;
    unsigned s;

    if (!addr_index(pool, addr, &idx) || !granule_used(pool, idx)) {
        return false;
    }
    slab = g_hash_table_lookup(pool->slabs, &idx);
    if (size == NVVB_PT_POOL_GRANULE) {
        if (slab || (addr & (NVVB_PT_POOL_GRANULE - 1))) {
            return false;
        }
        granule_free(pool, idx);
        return true;
    }
    if (size != NVVB_PT_POOL_SLOT || !slab ||
        (addr & (NVVB_PT_POOL_SLOT - 1))) {
        return false;
    }
    s = (unsigned)((addr - pool->base) % NVVB_PT_POOL_GRANULE) /
        NVVB_PT_POOL_SLOT;
    if (!(slab->used & (1u << s))) {
        return false;
    }
    if (slab->used == SLAB_FULL) {
        g_tree_insert(pool->partial, &slab->idx, slab);
    }
    slab->used &= ~(1u << s);
    pool->free_slots++;
    if (!slab->used) {
        g_tree_remove(pool->partial, &idx);
        pool->free_slots -= NVVB_PT_POOL_SLOTS_PER_GRANULE;
        g_hash_table_remove(pool->slabs, &idx);     /* frees slab */
        granule_free(pool, idx);
    }
    return true;
}

int nvvb_pt_pool_claim(NvvbPtPool *pool, uint64_t addr, unsigned size)
{
    uint64_t idx;
    Slab *slab;
    unsigned s;

    if ((size != NVVB_PT_POOL_GRANULE && size != NVVB_PT_POOL_SLOT) ||
        (addr & (size - 1)) || !addr_index(pool, addr, &idx)) {
        return -EINVAL;
    }
    slab = g_hash_table_lookup(pool->slabs, &idx);
    if (size == NVVB_PT_POOL_GRANULE || !slab) {
        if (granule_used(pool, idx)) {
            return -EEXIST;
        }
        pool->bitmap[idx / 64] |= 1ull << (idx % 64);
        pool->free_granules--;
        if (size == NVVB_PT_POOL_GRANULE) {
            return 0;
        }
        slab = slab_new(pool, idx);
    }
    s = (unsigned)((addr - pool->base) % NVVB_PT_POOL_GRANULE) /
        NVVB_PT_POOL_SLOT;
    if (slab->used & (1u << s)) {
        return -EEXIST;
    }
    slab->used |= 1u << s;
    pool->free_slots--;
    if (slab->used == SLAB_FULL) {
        g_tree_remove(pool->partial, &slab->idx);
    }
    return 0;
}

bool nvvb_pt_pool_is_allocated(const NvvbPtPool *pool, uint64_t addr,
                               unsigned size)
{
    uint64_t idx;
    Slab *slab;

    if (!addr_index(pool, addr, &idx) || !granule_used(pool, idx)) {
        return false;
    }
    slab = g_hash_table_lookup(pool->slabs, &idx);
    if (size == NVVB_PT_POOL_GRANULE) {
        return !slab && !(addr & (NVVB_PT_POOL_GRANULE - 1));
    }
    if (size != NVVB_PT_POOL_SLOT || !slab ||
        (addr & (NVVB_PT_POOL_SLOT - 1))) {
        return false;
    }
    return slab->used & (1u << (((addr - pool->base) %
                                 NVVB_PT_POOL_GRANULE) / NVVB_PT_POOL_SLOT));
}

uint64_t nvvb_pt_pool_free_bytes(const NvvbPtPool *pool)
{
    return pool->free_granules * NVVB_PT_POOL_GRANULE +
           pool->free_slots * NVVB_PT_POOL_SLOT;
}

uint64_t nvvb_pt_pool_free_granules(const NvvbPtPool *pool)
{
    return pool->free_granules;
}

uint64_t nvvb_pt_pool_base(const NvvbPtPool *pool)
{
    return pool->base;
}

uint64_t nvvb_pt_pool_size(const NvvbPtPool *pool)
{
    return pool->ngranules * NVVB_PT_POOL_GRANULE;
}
