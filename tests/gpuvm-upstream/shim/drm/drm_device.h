/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h): a DRM device is only passed around. */
#ifndef SHIM_DRM_DRM_DEVICE_H
#define SHIM_DRM_DRM_DEVICE_H
#include <linux/kernel.h>
struct drm_device {
    int refs;
};
#define drm_WARN(drm, cond, ...) ((void)(drm), WARN(cond, __VA_ARGS__))
#define drm_WARN_ON(drm, cond) ((void)(drm), WARN_ON(cond))
#endif
