/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shim (see linux/types.h): the parts of a GEM object drm_gpuvm touches -
 * a refcount, a reservation pointer and the list of its vm_bos.
 */
#ifndef SHIM_DRM_DRM_GEM_H
#define SHIM_DRM_DRM_GEM_H
#include <linux/dma-resv.h>
#include <drm/drm_device.h>

struct drm_gem_object;
struct drm_gem_object_funcs {
    void (*free)(struct drm_gem_object *obj);
};
struct drm_gem_object {
    struct kref refcount;
    struct drm_device *dev;
    size_t size;
    const struct drm_gem_object_funcs *funcs;
    struct dma_resv *resv;
    struct dma_resv _resv;
    struct {
        struct list_head list;
    } gpuva;
};

static inline void drm_gem_private_object_init(struct drm_device *dev,
                                               struct drm_gem_object *obj,
                                               size_t size)
{
    kref_init(&obj->refcount);
    obj->dev = dev;
    obj->size = size;
    obj->resv = &obj->_resv;
    INIT_LIST_HEAD(&obj->gpuva.list);
}

static inline void drm_gem_object_release(struct drm_gem_object *obj)
{
}

static inline void drm_gem_object_get(struct drm_gem_object *obj)
{
    kref_get(&obj->refcount);
}

static inline void shim_gem_free(struct kref *k)
{
    struct drm_gem_object *obj = container_of(k, struct drm_gem_object,
                                              refcount);

    if (obj->funcs && obj->funcs->free) {
        obj->funcs->free(obj);
    }
}

static inline void drm_gem_object_put(struct drm_gem_object *obj)
{
    if (obj) {
        kref_put(&obj->refcount, shim_gem_free);
    }
}

#define drm_gem_gpuva_assert_lock_held(obj) do { (void)(obj); } while (0)
#define drm_gem_for_each_gpuvm_bo(entry__, obj__) \
    list_for_each_entry(entry__, &(obj__)->gpuva.list, list.entry.gem)
#endif
