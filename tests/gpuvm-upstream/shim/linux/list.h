/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shim (see linux/types.h): the circular doubly linked list API that
 * drm_gpuvm uses, written anew for userspace.
 */
#ifndef SHIM_LINUX_LIST_H
#define SHIM_LINUX_LIST_H

#include <stdbool.h>
#include <linux/container_of.h>

struct list_head {
    struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *h)
{
    h->next = h;
    h->prev = h;
}

static inline void shim_list_insert(struct list_head *n,
                                    struct list_head *before,
                                    struct list_head *after)
{
    n->prev = before;
    n->next = after;
    before->next = n;
    after->prev = n;
}

/* Insert @n right after @head. */
static inline void list_add(struct list_head *n, struct list_head *head)
{
    shim_list_insert(n, head, head->next);
}

/* Insert @n right before @head, i.e. at the tail of the list. */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
    shim_list_insert(n, head->prev, head);
}

static inline void shim_list_unlink(struct list_head *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
}

static inline void list_del(struct list_head *e)
{
    shim_list_unlink(e);
    e->next = e->prev = NULL;   /* poison: any later use crashes */
}

static inline void list_del_init(struct list_head *e)
{
    shim_list_unlink(e);
    INIT_LIST_HEAD(e);
}

static inline void list_move_tail(struct list_head *e, struct list_head *h)
{
    shim_list_unlink(e);
    list_add_tail(e, h);
}

static inline bool list_empty(const struct list_head *h)
{
    return h->next == h;
}

static inline bool list_is_last(const struct list_head *e,
                                const struct list_head *h)
{
    return e->next == h;
}

/* Move all of @list's entries to the front of @head; @list is left stale. */
static inline void list_splice(const struct list_head *list,
                               struct list_head *head)
{
    if (!list_empty(list)) {
        struct list_head *first = list->next, *last = list->prev;
        struct list_head *at = head->next;

        first->prev = head;
        head->next = first;
        last->next = at;
        at->prev = last;
    }
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_last_entry(h, type, member) list_entry((h)->prev, type, member)
#define list_next_entry(pos, member) \
    list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) \
    list_entry((pos)->member.prev, __typeof__(*(pos)), member)
#define list_entry_is_head(pos, h, member) (&(pos)->member == (h))

#define list_for_each(pos, h) \
    for ((pos) = (h)->next; (pos) != (h); (pos) = (pos)->next)
#define list_for_each_safe(pos, n, h) \
    for ((pos) = (h)->next, (n) = (pos)->next; (pos) != (h); \
         (pos) = (n), (n) = (pos)->next)
#define list_for_each_entry(pos, h, member) \
    for ((pos) = list_first_entry(h, __typeof__(*(pos)), member); \
         !list_entry_is_head(pos, h, member); \
         (pos) = list_next_entry(pos, member))
#define list_for_each_entry_reverse(pos, h, member) \
    for ((pos) = list_last_entry(h, __typeof__(*(pos)), member); \
         !list_entry_is_head(pos, h, member); \
         (pos) = list_prev_entry(pos, member))
#define list_for_each_entry_from_reverse(pos, h, member) \
    for (; !list_entry_is_head(pos, h, member); \
         (pos) = list_prev_entry(pos, member))
#define list_for_each_entry_safe(pos, n, h, member) \
    for ((pos) = list_first_entry(h, __typeof__(*(pos)), member), \
         (n) = list_next_entry(pos, member); \
         !list_entry_is_head(pos, h, member); \
         (pos) = (n), (n) = list_next_entry(n, member))

#endif
