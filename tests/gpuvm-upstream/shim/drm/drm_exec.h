/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shim (see linux/types.h): drm_exec locks many reservation objects; the
 * differential test never calls the drm_gpuvm functions that use it, so
 * every entry point stops the test if reached.
 */
#ifndef SHIM_DRM_DRM_EXEC_H
#define SHIM_DRM_DRM_EXEC_H
#include <drm/drm_gem.h>

struct drm_exec {
    int unused;
};

static inline void drm_exec_init(struct drm_exec *e, u32 flags, unsigned n)
{
    shim_unused_path("drm_exec_init");
}
static inline void drm_exec_fini(struct drm_exec *e)
{
    shim_unused_path("drm_exec_fini");
}
static inline int drm_exec_lock_obj(struct drm_exec *e,
                                    struct drm_gem_object *o)
{
    shim_unused_path("drm_exec_lock_obj");
}
static inline int drm_exec_prepare_obj(struct drm_exec *e,
                                       struct drm_gem_object *o, unsigned n)
{
    shim_unused_path("drm_exec_prepare_obj");
}
static inline int drm_exec_prepare_array(struct drm_exec *e,
                                         struct drm_gem_object **o,
                                         unsigned n_objs, unsigned n)
{
    shim_unused_path("drm_exec_prepare_array");
}
#define drm_exec_until_all_locked(e) \
    for (shim_unused_path("drm_exec_until_all_locked");;)
#define drm_exec_retry_on_contention(e) do { } while (0)
/* 6.12.95 passes (exec, index, obj), 6.12.117 (exec, obj): take the last. */
#define SHIM_LAST_ARG(...) SHIM_LAST_ARG_(__VA_ARGS__, 2, 1, 0)
#define SHIM_LAST_ARG_(a, b, n, ...) SHIM_PICK##n(a, b)
#define SHIM_PICK1(a, b) a
#define SHIM_PICK2(a, b) b
#define drm_exec_for_each_locked_object(e, ...) \
    for (shim_unused_path("drm_exec_for_each_locked_object"), \
         SHIM_LAST_ARG(__VA_ARGS__) = NULL;;)
#endif
