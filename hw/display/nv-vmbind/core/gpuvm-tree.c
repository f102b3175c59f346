/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind GPUVM: the VA tree of a VM.
 *
 * A red-black tree whose nodes are the mappings themselves (no separate
 * node allocation, no comparator callback: the key is va->addr, compared
 * inline), with the in-order sequence also kept as a singly linked list so
 * that "next mapping" is O(1) and an insertion, given the floor of its key,
 * needs no descent: the new node becomes the right child of its in-order
 * predecessor or, if that has one, the left child of its in-order
 * successor (which then has none).  Balancing follows the textbook
 * red-black rules (Cormen et al., "Introduction to Algorithms", ch. 13)
 * with NULL leaves.  Beside the tree, a hash index by start address finds
 * a mapping named by its start without descending.  Why this shape:
 * docs/devel/nv-vmbind-gpuvm.rst, "The VA tree".
 *
 * Everything here runs under the VM's lock (gpuvm.c, "Locking").
 */
#include "gpuvm-tree.h"

/*
 * The start-address index: open addressing with linear probing, at most
 * half full, keys stored in the slots so that probing and deletion never
 * touch a mapping.  It doubles when half full and halves when an eighth
 * full (never below IDX_MIN_BITS); an empty tree has none.
 *
 * Blocks of consecutive pages take consecutive slots (idx_home()), so
 * used slots form runs in which most keys sit in their home slot.  A probe
 * or a deletion that walked a run to its end would cost its length (it
 * did: unmapping the first of 30,000 adjacent mappings walked all of
 * them).  Both stop instead once they are further from the slot in
 * question than any key has ever been from its home (max_disp, an upper
 * bound kept since the last resize): no key beyond that can belong
 * there.
 */
#define IDX_MIN_BITS    6

static uint32_t idx_mask(const NvvbVaTree *t)
{
    return (1u << t->slot_bits) - 1;
}

static uint32_t idx_fold(uint64_t y)
{
    return (uint32_t)((y * 0x9e3779b97f4a7c15ULL) >> 32);
}

/*
 * Pages take consecutive slots in aligned blocks of IDX_BLOCK_BITS (16
 * pages, four cache lines of slots: sequential requests touch few lines);
 * each block's place is hashed from the rest of the page number and the
 * offset in the page.  Whole runs in consecutive slots (a block as large as
 * the table) made two long runs of adjacent mappings overlap in the table
 * half the time, and then every insertion into the second walked the first
 * to its end: 23 us per insertion at 64 K mappings, against 0.1 us.
 */
#define IDX_BLOCK_BITS  4

static uint32_t idx_home(const NvvbVaTree *t, uint64_t addr)
{
    uint64_t page = addr >> 12;

    return ((uint32_t)page % (1u << IDX_BLOCK_BITS) +
            idx_fold(page >> IDX_BLOCK_BITS) + idx_fold(addr & 0xfff)) &
           idx_mask(t);
}

/* Put @va in a table known not to hold it and to have room. */
static void idx_put(NvvbVaTree *t, NvvbGpuVa *va)
{
    uint32_t i = idx_home(t, va->addr);

    while (t->slots[i].va) {
        i = (i + 1) & idx_mask(t);
    }
    t->slots[i].addr = va->addr;
    t->slots[i].va = va;
    t->max_disp = MAX(t->max_disp, (i - idx_home(t, va->addr)) & idx_mask(t));
}

static void idx_resize(NvvbVaTree *t, unsigned bits)
{
    NvvbVaSlot *old = t->slots;
    uint32_t n = old ? 1u << t->slot_bits : 0, i;

    t->slots = g_new0(NvvbVaSlot, 1u << bits);
    t->slot_bits = bits;
    t->max_disp = 0;
    for (i = 0; i < n; i++) {
        if (old[i].va) {
            idx_put(t, old[i].va);
        }
    }
    g_free(old);
}

/**
 * nvvb_va_tree_at: the mapping that starts exactly at @addr
 * @t: the tree
 * @addr: the start address
 *
 * One probe of the index, no descent.  Returns: the mapping or NULL
 */
NvvbGpuVa *nvvb_va_tree_at(const NvvbVaTree *t, uint64_t addr)
{
    uint32_t i, home;

    if (!t->slots) {
        return NULL;
    }
    home = idx_home(t, addr);
    for (i = home; t->slots[i].va; i = (i + 1) & idx_mask(t)) {
        if (t->slots[i].addr == addr) {
            return t->slots[i].va;
        }
        if (((i - home) & idx_mask(t)) >= t->max_disp) {
            break;
        }
    }
    return NULL;
}

/* Index @va; t->count already counts it. */
static void idx_insert(NvvbVaTree *t, NvvbGpuVa *va)
{
    if (!t->slots || t->count > 1u << (t->slot_bits - 1)) {
        idx_resize(t, t->slots ? t->slot_bits + 1 : IDX_MIN_BITS);
    }
    idx_put(t, va);
}

/* Unindex @va; t->count already does not count it. */
static void idx_remove(NvvbVaTree *t, const NvvbGpuVa *va)
{
    uint32_t mask = idx_mask(t);
    uint32_t i = idx_home(t, va->addr), j;

    while (t->slots[i].va != va) {
        i = (i + 1) & mask;
    }
    /*
     * Shift later members of the probe run back over the hole; none
     * further than max_disp from it can have its home at or before it.
     */
    for (j = i;;) {
        uint32_t home;

        t->slots[i].va = NULL;
        do {
            j = (j + 1) & mask;
            if (!t->slots[j].va || ((j - i) & mask) > t->max_disp) {
                goto shrink;
            }
            home = idx_home(t, t->slots[j].addr);
            /* It stays if its home lies cyclically in (i, j]. */
        } while (i <= j ? (i < home && home <= j) : (i < home || home <= j));
        t->slots[i] = t->slots[j];
        i = j;
    }
shrink:
    if (!t->count) {
        nvvb_va_tree_fini(t);
    } else if (t->slot_bits > IDX_MIN_BITS &&
               t->count < 1u << (t->slot_bits - 3)) {
        idx_resize(t, t->slot_bits - 1);
    }
}

/**
 * nvvb_va_tree_fini: release the index of an empty tree
 * @t: the tree (no mapping left)
 */
void nvvb_va_tree_fini(NvvbVaTree *t)
{
    g_assert(!t->count);
    g_free(t->slots);
    t->slots = NULL;
    t->slot_bits = 0;
    t->max_disp = 0;
}

static bool is_red(const NvvbGpuVa *n)
{
    return n && n->rb_red;
}

/* Put @v where @u hangs (as child of u's parent, or as root). */
static void replace_child(NvvbVaTree *t, NvvbGpuVa *u, NvvbGpuVa *v)
{
    NvvbGpuVa *p = u->rb_parent;

    if (!p) {
        t->root = v;
    } else if (p->rb_left == u) {
        p->rb_left = v;
    } else {
        p->rb_right = v;
    }
    if (v) {
        v->rb_parent = p;
    }
}

/* @x's right child takes its place; @x becomes that child's left child. */
static void rotate_left(NvvbVaTree *t, NvvbGpuVa *x)
{
    NvvbGpuVa *y = x->rb_right;

    x->rb_right = y->rb_left;
    if (y->rb_left) {
        y->rb_left->rb_parent = x;
    }
    replace_child(t, x, y);
    y->rb_left = x;
    x->rb_parent = y;
}

static void rotate_right(NvvbVaTree *t, NvvbGpuVa *x)
{
    NvvbGpuVa *y = x->rb_left;

    x->rb_left = y->rb_right;
    if (y->rb_right) {
        y->rb_right->rb_parent = x;
    }
    replace_child(t, x, y);
    y->rb_right = x;
    x->rb_parent = y;
}

/**
 * nvvb_va_tree_floor: the last mapping starting at or below @x
 * @t: the tree
 * @x: the address
 *
 * Tries the finger first (the MAP after an UNMAP at the same place, remap
 * pieces, sequential requests), touching only nodes the last change
 * touched; else descends, stopping at a mapping that contains @x (nothing
 * else can start between it and @x: mappings do not overlap).
 *
 * Returns: the mapping, or NULL if every mapping starts above @x
 */
NvvbGpuVa *nvvb_va_tree_floor(const NvvbVaTree *t, uint64_t x)
{
    NvvbGpuVa *f = t->finger;
    NvvbGpuVa *n, *best = NULL;

    if (f) {
        if (f->addr <= x) {
            n = f->next;
            if (!n || n->addr > x) {
                return f;
            }
            if (x - n->addr < n->range) {
                return n;
            }
        }
    }
    /* A mapping starting at @x is its floor. */
    n = nvvb_va_tree_at(t, x);
    if (n) {
        return n;
    }
    /*
     * x - addr < range (mod 2^64) iff x lies in the mapping (addr + range
     * never wraps).  The left/right choice is data, not a branch: a random
     * lookup would mispredict it at about every level; prefetching both
     * children keeps the memory-level parallelism speculation would give.
     */
    for (n = t->root; n;) {
        bool right = n->addr <= x;

        /* Start both children's loads while the compare resolves. */
        __builtin_prefetch(n->rb_left);
        __builtin_prefetch(n->rb_right);
        if (x - n->addr < n->range) {
            return n;
        }
        best = right ? n : best;
        n = n->rb_child[right];
    }
    return best;
}

static void insert_fixup(NvvbVaTree *t, NvvbGpuVa *z)
{
    while (is_red(z->rb_parent)) {
        /* A red parent is not the root: the grandparent exists. */
        NvvbGpuVa *p = z->rb_parent;
        NvvbGpuVa *g = p->rb_parent;
        NvvbGpuVa *u = g->rb_left == p ? g->rb_right : g->rb_left;

        if (is_red(u)) {
            /* Recolour and continue two levels up. */
            p->rb_red = false;
            u->rb_red = false;
            g->rb_red = true;
            z = g;
            continue;
        }
        if (g->rb_left == p) {
            if (p->rb_right == z) {
                rotate_left(t, p);
                p = z;
            }
            rotate_right(t, g);
        } else {
            if (p->rb_left == z) {
                rotate_right(t, p);
                p = z;
            }
            rotate_left(t, g);
        }
        p->rb_red = false;
        g->rb_red = true;
        break;
    }
    t->root->rb_red = false;
}

/**
 * nvvb_va_tree_insert: link a mapping into the tree and the list
 * @t: the tree
 * @va: the mapping, in no tree
 * @floor: nvvb_va_tree_floor(@t, va->addr)
 *
 * O(1) to link, amortised O(1) to rebalance: no descent.  @va becomes the
 * finger.
 */
void nvvb_va_tree_insert(NvvbVaTree *t, NvvbGpuVa *va, NvvbGpuVa *floor)
{
    NvvbGpuVa *succ = floor ? floor->next : t->first;

    va->rb_left = NULL;
    va->rb_right = NULL;
    va->rb_red = true;
    if (floor && !floor->rb_right) {
        va->rb_parent = floor;
        floor->rb_right = va;
    } else if (succ) {
        /* succ is the leftmost node of floor's right subtree (or the tree). */
        g_assert(!succ->rb_left);
        va->rb_parent = succ;
        succ->rb_left = va;
    } else {
        va->rb_parent = NULL;
        t->root = va;
    }

    va->next = succ;
    if (floor) {
        floor->next = va;
    } else {
        t->first = va;
    }
    t->count++;
    t->finger = va;
    insert_fixup(t, va);
    idx_insert(t, va);
}

/*
 * The in-order predecessor.  The list is singly linked (a back pointer
 * would cost the 8 bytes that keep a mapping on malloc's fast lists); a
 * leaf's predecessor is an ancestor, which the lookup just visited.
 */
static NvvbGpuVa *predecessor(NvvbGpuVa *n)
{
    if (n->rb_left) {
        for (n = n->rb_left; n->rb_right; n = n->rb_right) {
            continue;
        }
        return n;
    }
    while (n->rb_parent && n->rb_parent->rb_left == n) {
        n = n->rb_parent;
    }
    return n->rb_parent;
}

/*
 * Restore the black height after a black node was taken out above @x (may
 * be NULL), whose parent is @xp.
 */
static void remove_fixup(NvvbVaTree *t, NvvbGpuVa *x, NvvbGpuVa *xp)
{
    while (x != t->root && !is_red(x)) {
        /* x is one black short, so its sibling w is a real node. */
        if (xp->rb_left == x) {
            NvvbGpuVa *w = xp->rb_right;

            if (w->rb_red) {
                w->rb_red = false;
                xp->rb_red = true;
                rotate_left(t, xp);
                w = xp->rb_right;
            }
            if (!is_red(w->rb_left) && !is_red(w->rb_right)) {
                w->rb_red = true;
                x = xp;
                xp = x->rb_parent;
                continue;
            }
            if (!is_red(w->rb_right)) {
                w->rb_left->rb_red = false;
                w->rb_red = true;
                rotate_right(t, w);
                w = xp->rb_right;
            }
            w->rb_red = xp->rb_red;
            xp->rb_red = false;
            w->rb_right->rb_red = false;
            rotate_left(t, xp);
        } else {
            NvvbGpuVa *w = xp->rb_left;

            if (w->rb_red) {
                w->rb_red = false;
                xp->rb_red = true;
                rotate_right(t, xp);
                w = xp->rb_left;
            }
            if (!is_red(w->rb_left) && !is_red(w->rb_right)) {
                w->rb_red = true;
                x = xp;
                xp = x->rb_parent;
                continue;
            }
            if (!is_red(w->rb_left)) {
                w->rb_right->rb_red = false;
                w->rb_red = true;
                rotate_left(t, w);
                w = xp->rb_left;
            }
            w->rb_red = xp->rb_red;
            xp->rb_red = false;
            w->rb_left->rb_red = false;
            rotate_right(t, xp);
        }
        x = t->root;
        break;
    }
    if (x) {
        x->rb_red = false;
    }
}

/**
 * nvvb_va_tree_remove: unlink a mapping from the tree and the list
 * @t: the tree
 * @va: an inserted mapping
 *
 * Its predecessor (else its successor) becomes the finger: a MAP at the
 * same place follows an UNMAP.
 */
void nvvb_va_tree_remove(NvvbVaTree *t, NvvbGpuVa *va)
{
    NvvbGpuVa *pred = predecessor(va);
    NvvbGpuVa *x, *xp;
    bool removed_red;

    if (!va->rb_left || !va->rb_right) {
        x = va->rb_left ? va->rb_left : va->rb_right;
        xp = va->rb_parent;
        removed_red = va->rb_red;
        replace_child(t, va, x);
    } else {
        /*
         * Two children: the in-order successor (leftmost on the right,
         * i.e. the list's next) takes va's place and colour.
         */
        NvvbGpuVa *y = va->next;

        removed_red = y->rb_red;
        x = y->rb_right;
        if (y->rb_parent == va) {
            xp = y;
        } else {
            xp = y->rb_parent;
            replace_child(t, y, x);
            y->rb_right = va->rb_right;
            y->rb_right->rb_parent = y;
        }
        replace_child(t, va, y);
        y->rb_left = va->rb_left;
        y->rb_left->rb_parent = y;
        y->rb_red = va->rb_red;
    }
    if (!removed_red) {
        remove_fixup(t, x, xp);
    }

    if (pred) {
        pred->next = va->next;
    } else {
        t->first = va->next;
    }
    t->finger = pred ? pred : va->next;
    t->count--;
    idx_remove(t, va);
    va->rb_parent = va->rb_left = va->rb_right = NULL;
    va->next = NULL;
}

/* Black height of the subtree at @n, or -1 after recording a violation. */
static int check_subtree(const NvvbGpuVa *n, const NvvbGpuVa *parent,
                         const NvvbGpuVa **inorder, const char **err)
{
    int lh, rh;

    if (!n) {
        return 1;
    }
    if (n->rb_parent != parent) {
        *err = "parent pointer";
        return -1;
    }
    if (n->rb_red && is_red(parent)) {
        *err = "red node with a red parent";
        return -1;
    }
    lh = check_subtree(n->rb_left, n, inorder, err);
    if (lh < 0) {
        return -1;
    }
    /* In-order position must match the list. */
    if (*inorder != n) {
        *err = "tree order differs from the list";
        return -1;
    }
    *inorder = n->next;
    rh = check_subtree(n->rb_right, n, inorder, err);
    if (rh < 0) {
        return -1;
    }
    if (lh != rh) {
        *err = "black heights differ";
        return -1;
    }
    return lh + !n->rb_red;
}

/**
 * nvvb_va_tree_check: verify every invariant of the tree (tests)
 * @t: the tree
 *
 * Returns: NULL if the tree is sound, else what is wrong
 */
const char *nvvb_va_tree_check(const NvvbVaTree *t)
{
    const NvvbGpuVa *n, *inorder = t->first;
    const char *err = NULL;
    bool finger_found = !t->finger;
    guint count = 0;

    if (is_red(t->root)) {
        return "red root";
    }
    if (check_subtree(t->root, NULL, &inorder, &err) < 0) {
        return err;
    }
    if (inorder) {
        return "list longer than the tree";
    }
    for (n = t->first; n; n = n->next) {
        /* Sorted and disjoint (ranges never wrap: they were validated). */
        if (n->next && n->addr + n->range > n->next->addr) {
            return "mappings out of order or overlapping";
        }
        finger_found |= n == t->finger;
        if (nvvb_va_tree_at(t, n->addr) != n) {
            return "start-address index misses a mapping";
        }
        count++;
    }
    if (t->slots) {
        uint32_t i, used = 0;

        for (i = 0; i <= idx_mask(t); i++) {
            if (!t->slots[i].va) {
                continue;
            }
            used++;
            if (((i - idx_home(t, t->slots[i].addr)) & idx_mask(t)) >
                t->max_disp) {
                return "start-address index key further from home than "
                       "max_disp";
            }
        }
        if (used != t->count || t->count > 1u << (t->slot_bits - 1)) {
            return "start-address index count or load";
        }
    } else if (t->count) {
        return "no start-address index";
    }
    if (count != t->count) {
        return "count";
    }
    return finger_found ? NULL : "finger not in the tree";
}
