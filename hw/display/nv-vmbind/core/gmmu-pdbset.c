/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GMMU: the set of live page-directory bases (gmmu-pdbset.h).
 *
 * A flat array searched linearly: capacities are tens of entries and a
 * note costs far less than the page-table writes that precede it.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "gmmu-pdbset.h"

struct NvGmmuPdbSet {
    NvGmmuPdbEntry *e;
    unsigned n;
    unsigned capacity;
    uint64_t evictions;
};

NvGmmuPdbSet *nv_gmmu_pdbset_new(unsigned capacity)
{
    NvGmmuPdbSet *set = g_new0(NvGmmuPdbSet, 1);

    if (capacity == 0) {
        capacity = NV_GMMU_PDBSET_DEFAULT_CAPACITY;
    }
    if (capacity > NV_GMMU_PDBSET_MAX_CAPACITY) {
        capacity = NV_GMMU_PDBSET_MAX_CAPACITY;
    }
    set->capacity = capacity;
    set->e = g_new0(NvGmmuPdbEntry, capacity);
    return set;
}

void nv_gmmu_pdbset_free(NvGmmuPdbSet *set)
{
    if (set) {
        g_free(set->e);
        g_free(set);
    }
}

static int pdbset_index(const NvGmmuPdbSet *set, NvGmmuAperture aper,
                        uint64_t addr)
{
    unsigned i;

    for (i = 0; i < set->n; i++) {
        if (set->e[i].aperture == aper && set->e[i].addr == addr) {
            return i;
        }
    }
    return -1;
}

static bool pdbset_aperture_ok(NvGmmuAperture aper)
{
    return aper == NV_GMMU_APER_VID || nv_gmmu_aperture_is_sys(aper);
}

const NvGmmuPdbEntry *nv_gmmu_pdbset_note(NvGmmuPdbSet *set,
                                          NvGmmuAperture aper, uint64_t addr,
                                          uint32_t tag, uint64_t seq)
{
    NvGmmuPdbEntry *e;
    int i;

    if (!pdbset_aperture_ok(aper)) {
        return NULL;
    }
    i = pdbset_index(set, aper, addr);
    if (i < 0) {
        if (set->n == set->capacity) {
            unsigned j, lru = 0;

            for (j = 1; j < set->n; j++) {
                if (set->e[j].last_seq < set->e[lru].last_seq) {
                    lru = j;
                }
            }
            set->e[lru] = set->e[--set->n];
            set->evictions++;
        }
        i = set->n++;
        e = &set->e[i];
        memset(e, 0, sizeof(*e));
        e->aperture = aper;
        e->addr = addr;
        e->first_seq = seq;
    }
    e = &set->e[i];
    e->tag = tag;
    e->last_seq = seq;
    e->count++;
    return e;
}

bool nv_gmmu_pdbset_restore(NvGmmuPdbSet *set, const NvGmmuPdbEntry *e,
                            unsigned n, uint64_t evictions)
{
    unsigned i;

    set->n = 0;
    set->evictions = 0;
    if (n > set->capacity) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!pdbset_aperture_ok(e[i].aperture) || !e[i].count ||
            e[i].first_seq > e[i].last_seq ||
            pdbset_index(set, e[i].aperture, e[i].addr) >= 0) {
            set->n = 0;
            return false;
        }
        set->e[set->n++] = e[i];
    }
    set->evictions = evictions;
    return true;
}

const NvGmmuPdbEntry *nv_gmmu_pdbset_find(const NvGmmuPdbSet *set,
                                          NvGmmuAperture aper, uint64_t addr)
{
    int i = pdbset_index(set, aper, addr);

    return i < 0 ? NULL : &set->e[i];
}

bool nv_gmmu_pdbset_remove(NvGmmuPdbSet *set, NvGmmuAperture aper,
                           uint64_t addr)
{
    int i = pdbset_index(set, aper, addr);

    if (i < 0) {
        return false;
    }
    set->e[i] = set->e[--set->n];
    return true;
}

void nv_gmmu_pdbset_clear(NvGmmuPdbSet *set)
{
    set->n = 0;
}

unsigned nv_gmmu_pdbset_count(const NvGmmuPdbSet *set)
{
    return set->n;
}

unsigned nv_gmmu_pdbset_capacity(const NvGmmuPdbSet *set)
{
    return set->capacity;
}

uint64_t nv_gmmu_pdbset_evictions(const NvGmmuPdbSet *set)
{
    return set->evictions;
}

static int pdbset_cmp_first(const void *a, const void *b)
{
    const NvGmmuPdbEntry *x = a, *y = b;

    return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

unsigned nv_gmmu_pdbset_list(const NvGmmuPdbSet *set, NvGmmuPdbEntry *out,
                             unsigned max)
{
    g_autofree NvGmmuPdbEntry *tmp = NULL;
    unsigned n = MIN(set->n, max);

    if (!n) {
        return 0;
    }
    /* Exactly the n live entries: the array holds capacity, n <= capacity. */
    tmp = g_memdup2(set->e, sizeof(*tmp) * set->n);
    qsort(tmp, set->n, sizeof(*tmp), pdbset_cmp_first);
    memcpy(out, tmp, sizeof(*out) * n);
    return n;
}
