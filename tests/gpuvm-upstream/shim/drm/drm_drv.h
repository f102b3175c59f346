/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shim (see linux/types.h). */
#ifndef SHIM_DRM_DRM_DRV_H
#define SHIM_DRM_DRM_DRV_H
#include <drm/drm_device.h>
static inline void drm_dev_get(struct drm_device *d) { d->refs++; }
static inline void drm_dev_put(struct drm_device *d) { d->refs--; }
#endif
