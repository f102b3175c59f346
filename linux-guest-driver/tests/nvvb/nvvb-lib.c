// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the nvvb guest tests and benchmarks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "nvvb-lib.h"

int nv_open(void)
{
	DIR *dir = opendir("/dev/dri");
	struct dirent *e;
	int fd = -ENODEV;

	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		char path[300];
		drmVersionPtr v;
		int f;

		if (strncmp(e->d_name, "renderD", 7))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", e->d_name);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		v = drmGetVersion(f);
		if (v && !strcmp(v->name, "nvvb")) {
			drmFreeVersion(v);
			fd = f;
			break;
		}
		if (v)
			drmFreeVersion(v);
		close(f);
	}
	closedir(dir);
	return fd;
}

int nv_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

int nv_getparam(int fd, uint64_t param, uint64_t *val)
{
	struct drm_nvvb_getparam p = { .param = param };
	int ret = nv_ioctl(fd, DRM_IOCTL_NVVB_GETPARAM, &p);

	if (!ret)
		*val = p.value;
	return ret;
}

uint64_t nv_param(int fd, uint64_t param)
{
	uint64_t v = 0;

	return nv_getparam(fd, param, &v) ? 0 : v;
}

int nv_gem_new(int fd, uint64_t size, uint32_t domain, uint32_t flags,
	       uint32_t *handle)
{
	struct drm_nvvb_gem_new a = {
		.size = size, .domain = domain, .flags = flags,
	};
	int ret = nv_ioctl(fd, DRM_IOCTL_NVVB_GEM_NEW, &a);

	if (!ret)
		*handle = a.handle;
	return ret;
}

int nv_gem_info(int fd, uint32_t handle, struct drm_nvvb_gem_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return nv_ioctl(fd, DRM_IOCTL_NVVB_GEM_INFO, info);
}

int nv_gem_evict(int fd, uint32_t handle)
{
	struct drm_nvvb_gem_evict a = { .handle = handle };

	return nv_ioctl(fd, DRM_IOCTL_NVVB_GEM_EVICT, &a);
}

int nv_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return nv_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void *nv_mmap(int fd, uint32_t handle, uint64_t size)
{
	struct drm_nvvb_gem_info info;
	void *p;

	if (nv_gem_info(fd, handle, &info))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 info.map_handle);
	return p == MAP_FAILED ? NULL : p;
}

uint32_t nv_bo_id(int fd, uint32_t handle)
{
	struct drm_nvvb_gem_info info;

	return nv_gem_info(fd, handle, &info) ? 0 : info.device_id;
}

int nv_vm_init(int fd, uint64_t kaddr, uint64_t ksize)
{
	struct drm_nvvb_vm_init a = {
		.kernel_managed_addr = kaddr, .kernel_managed_size = ksize,
	};

	return nv_ioctl(fd, DRM_IOCTL_NVVB_VM_INIT, &a);
}

uint32_t nv_vm_id(int fd)
{
	uint64_t v;

	return nv_getparam(fd, NVVB_PARAM_VM_ID, &v) ? ~0u : (uint32_t)v;
}

struct drm_nvvb_vm_bind_op nv_op_map(uint32_t handle, uint64_t va,
				     uint64_t offset, uint64_t range,
				     uint32_t flags)
{
	return (struct drm_nvvb_vm_bind_op){
		.op = NVVB_VM_BIND_OP_MAP, .flags = flags, .handle = handle,
		.addr = va, .bo_offset = offset, .range = range,
	};
}

struct drm_nvvb_vm_bind_op nv_op_unmap(uint64_t va, uint64_t range)
{
	return (struct drm_nvvb_vm_bind_op){
		.op = NVVB_VM_BIND_OP_UNMAP, .addr = va, .range = range,
	};
}

struct drm_nvvb_vm_bind_op nv_op_sparse(uint64_t va, uint64_t range)
{
	return (struct drm_nvvb_vm_bind_op){
		.op = NVVB_VM_BIND_OP_MAP, .flags = NVVB_VM_BIND_SPARSE,
		.addr = va, .range = range,
	};
}

struct drm_nvvb_vm_bind_op nv_op_unsparse(uint64_t va, uint64_t range)
{
	return (struct drm_nvvb_vm_bind_op){
		.op = NVVB_VM_BIND_OP_UNMAP, .flags = NVVB_VM_BIND_SPARSE,
		.addr = va, .range = range,
	};
}

int nv_bind(int fd, const struct drm_nvvb_vm_bind_op *ops, uint32_t n,
	    uint32_t flags, const struct drm_nvvb_sync *waits, uint32_t nwait,
	    const struct drm_nvvb_sync *sigs, uint32_t nsig)
{
	struct drm_nvvb_vm_bind a = {
		.op_count = n, .flags = flags,
		.wait_count = nwait, .sig_count = nsig,
		.wait_ptr = (uintptr_t)waits, .sig_ptr = (uintptr_t)sigs,
		.op_ptr = (uintptr_t)ops,
	};

	return nv_ioctl(fd, DRM_IOCTL_NVVB_VM_BIND, &a);
}

int nv_map(int fd, uint32_t handle, uint64_t va, uint64_t offset,
	   uint64_t range)
{
	struct drm_nvvb_vm_bind_op op = nv_op_map(handle, va, offset, range, 0);

	return nv_bind(fd, &op, 1, 0, NULL, 0, NULL, 0);
}

int nv_unmap(int fd, uint64_t va, uint64_t range)
{
	struct drm_nvvb_vm_bind_op op = nv_op_unmap(va, range);

	return nv_bind(fd, &op, 1, 0, NULL, 0, NULL, 0);
}

int nv_sparse(int fd, uint64_t va, uint64_t range)
{
	struct drm_nvvb_vm_bind_op op = nv_op_sparse(va, range);

	return nv_bind(fd, &op, 1, 0, NULL, 0, NULL, 0);
}

int nv_unsparse(int fd, uint64_t va, uint64_t range)
{
	struct drm_nvvb_vm_bind_op op = nv_op_unsparse(va, range);

	return nv_bind(fd, &op, 1, 0, NULL, 0, NULL, 0);
}

struct drm_nvvb_exec_cmd nv_cmd_copy(uint64_t src, uint64_t dst, uint64_t len)
{
	return (struct drm_nvvb_exec_cmd){
		.op = NVVB_EXEC_COPY, .src_va = src, .dst_va = dst,
		.length = len,
	};
}

struct drm_nvvb_exec_cmd nv_cmd_fill(uint64_t dst, uint64_t len,
				     uint32_t pattern)
{
	return (struct drm_nvvb_exec_cmd){
		.op = NVVB_EXEC_FILL, .dst_va = dst, .length = len,
		.pattern = pattern,
	};
}

struct drm_nvvb_exec_cmd nv_cmd_sem(uint64_t dst, uint64_t value)
{
	return (struct drm_nvvb_exec_cmd){
		.op = NVVB_EXEC_SEMAPHORE, .dst_va = dst, .value = value,
	};
}

int nv_exec(int fd, const struct drm_nvvb_exec_cmd *cmds, uint32_t n,
	    uint32_t flags, const struct drm_nvvb_sync *waits, uint32_t nwait,
	    const struct drm_nvvb_sync *sigs, uint32_t nsig)
{
	struct drm_nvvb_exec a = {
		.cmd_count = n, .flags = flags,
		.wait_count = nwait, .sig_count = nsig,
		.wait_ptr = (uintptr_t)waits, .sig_ptr = (uintptr_t)sigs,
		.cmd_ptr = (uintptr_t)cmds,
	};

	return nv_ioctl(fd, DRM_IOCTL_NVVB_EXEC, &a);
}

struct drm_nvvb_sync nv_sync(uint32_t handle)
{
	return (struct drm_nvvb_sync){
		.flags = NVVB_SYNC_SYNCOBJ, .handle = handle,
	};
}

struct drm_nvvb_sync nv_sync_tl(uint32_t handle, uint64_t point)
{
	return (struct drm_nvvb_sync){
		.flags = NVVB_SYNC_TIMELINE_SYNCOBJ, .handle = handle,
		.timeline_value = point,
	};
}

char *nv_debugfs(int fd, const char *name)
{
	char path[128];
	struct stat st;
	size_t len = 0, cap = 65536;
	char *buf;
	int f;

	if (fstat(fd, &st))
		return NULL;
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/%s",
		 minor(st.st_rdev), name);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return NULL;
	buf = malloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
		n = read(f, buf + len, cap - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(f);
	buf[len] = 0;
	return buf;
}

int nv_dump_vm(int fd, uint32_t id, struct nv_dump *d)
{
	char *text = nv_debugfs(fd, "nvvb_vms"), *line, *save = NULL;
	bool in = false, found = false;

	memset(d, 0, sizeof(*d));
	if (!text)
		return -EIO;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int vid, bo, flags;
		unsigned long long a, b, c;

		if (sscanf(line, "vm %u", &vid) == 1) {
			in = vid == id;
			if (in) {
				char *k = strstr(line, " kernel ");

				found = true;
				d->id = vid;
				if (k && sscanf(k, " kernel %llx %llx", &a, &b) == 2) {
					d->kaddr = a;
					d->ksize = b;
				}
			}
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "region %llx %llx", &a, &b) == 2 &&
		    d->nregions < NV_DUMP_MAX_REGIONS) {
			d->regions[d->nregions].va = a;
			d->regions[d->nregions++].range = b;
		} else if (sscanf(line, "map %llx %llx bo %u %llx flags %x",
				  &a, &b, &bo, &c, &flags) == 5 &&
			   d->nmaps < NV_DUMP_MAX) {
			d->maps[d->nmaps++] = (struct nv_dump_map){
				.va = a, .range = b, .offset = c, .bo = bo,
				.flags = flags,
			};
		}
	}
	free(text);
	return found ? 0 : -ENOENT;
}

int64_t nv_status(int fd, const char *key)
{
	char *text = nv_debugfs(fd, "nvvb_status"), *p;
	size_t klen = strlen(key);
	int64_t v = -1;

	if (!text)
		return -1;
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			v = strtoll(p + klen + 1, NULL, 0);
			break;
		}
	}
	free(text);
	return v;
}

uint64_t nv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
