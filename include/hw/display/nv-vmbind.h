/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nv-vmbind paravirtual GPU: QOM type.
 *
 * The register ABI is nv-vmbind-regs.h; the device state is private to
 * hw/display/nv-vmbind/ (paravirt/internal.h).
 */
#ifndef HW_DISPLAY_NV_VMBIND_H
#define HW_DISPLAY_NV_VMBIND_H

#include "qom/object.h"

#define TYPE_NV_VMBIND "nv-vmbind"
OBJECT_DECLARE_SIMPLE_TYPE(NvVmbindState, NV_VMBIND)

#endif /* HW_DISPLAY_NV_VMBIND_H */
