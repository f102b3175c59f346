// SPDX-License-Identifier: GPL-2.0
/*
 * nvvb: device access - registers, descriptor rings, fences, interrupts.
 *
 * Both rings (bind queue, copy engine) are arrays of 64-byte descriptors in
 * coherent system memory.  A submission is a run of descriptors whose last
 * one asks for a fence write and an interrupt; the device writes every
 * descriptor's status in place before the fence, so when the interrupt
 * handler sees a submission's seqno in the fence word it reads the statuses
 * and signals the submission's dma_fence with the first error.  Slots are
 * reused only after they have been retired this way.  With
 * NVVB_CAP_QUIET_INLINE the last descriptor also asks for no interrupt if
 * the device completes it inside the doorbell write (small binds): the
 * submitter then retires it right after that write, which spares the guest
 * an interrupt, its acknowledgment and the EOI per small submission.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include <drm/drm_print.h>

#include "nvvb_drv.h"

#define NVVB_AUX_FENCE_BIND	0
#define NVVB_AUX_FENCE_CE	8
#define NVVB_AUX_FAULTS		PAGE_SIZE	/* fault ring: own 4 KiB page */
#define NVVB_AUX_SIZE		(2 * PAGE_SIZE)

u32 nvvb_rd32(struct nvvb_device *ndev, u32 reg)
{
	return readl(ndev->mmio + reg);
}

void nvvb_wr32(struct nvvb_device *ndev, u32 reg, u32 val)
{
	writel(val, ndev->mmio + reg);
}

static struct nvvb_fence *to_nvvb_fence(struct dma_fence *f)
{
	return container_of(f, struct nvvb_fence, base);
}

static const char *nvvb_fence_driver_name(struct dma_fence *f)
{
	return NVVB_DRIVER_NAME;
}

static const char *nvvb_fence_timeline_name(struct dma_fence *f)
{
	return to_nvvb_fence(f)->ring->name;
}

static const struct dma_fence_ops nvvb_fence_ops = {
	.get_driver_name = nvvb_fence_driver_name,
	.get_timeline_name = nvvb_fence_timeline_name,
};

/* Allocated where sleeping is allowed, used later in run_job(). */
struct nvvb_fence *nvvb_fence_alloc(void)
{
	return kzalloc_obj(struct nvvb_fence);
}

/* For a fence never passed to nvvb_ring_submit(). */
void nvvb_fence_free_unused(struct nvvb_fence *f)
{
	kfree(f);
}

static u32 nvvb_ring_space(struct nvvb_ring *ring)
{
	u32 used = (READ_ONCE(ring->tail) - READ_ONCE(ring->retired)) &
		   (ring->size - 1);

	return ring->size - 1 - used;
}

/* Signal completed submissions; ring->lock held.  Return: any retired. */
static bool nvvb_ring_retire_locked(struct nvvb_ring *ring)
{
	struct nvvb_fence *f, *tmp;
	bool freed = false;
	u64 seq;
	u32 i;

	lockdep_assert_held(&ring->lock);
	seq = READ_ONCE(*ring->fence_cpu);
	/* statuses are written before the fence */
	dma_rmb();
	list_for_each_entry_safe(f, tmp, &ring->pending, link) {
		if ((s64)(f->base.seqno - seq) > 0)
			break;
		for (i = 0; i < f->count; i++) {
			const struct nvvb_desc *d =
				&ring->desc[(f->first + i) & (ring->size - 1)];
			u32 st = get_unaligned_le32(d->b + NVVB_DESC_STATUS);

			if (st == NVVB_STATUS_OK)
				continue;
			ring->desc_errors++;
			if (!f->error) {
				f->error = st < MAX_ERRNO ? -(int)st : -EIO;
				f->bad_opcode = get_unaligned_le16(d->b +
							NVVB_DESC_OPCODE);
			}
		}
		ring->retired = (f->first + f->count) & (ring->size - 1);
		ring->completed++;
		list_del(&f->link);
		if (f->error)
			dma_fence_set_error(&f->base, f->error);
		dma_fence_signal_locked(&f->base);
		/* not the last reference: the submitter still holds one */
		dma_fence_put(&f->base);
		freed = true;
	}
	return freed;
}

/**
 * nvvb_ring_retire() - signal the fences of completed submissions
 * @ring: the ring
 *
 * Called from the ring's interrupt, and by a submitter that finds its work
 * already done without waiting for that interrupt.
 */
void nvvb_ring_retire(struct nvvb_ring *ring)
{
	unsigned long flags;
	bool freed;

	spin_lock_irqsave(&ring->lock, flags);
	freed = nvvb_ring_retire_locked(ring);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (freed)
		wake_up_all(&ring->space_wq);
}

/**
 * nvvb_ring_submit() - copy descriptors to a ring and ring the doorbell
 * @ring: the ring
 * @desc: @n descriptors (1 <= @n < ring size)
 * @n: how many
 * @f: a fence from nvvb_fence_alloc(); initialised here
 *
 * Waits for ring space if needed (slots free up as earlier submissions
 * complete).  The last descriptor gets a fence write and an interrupt.
 *
 * Return: @f's dma_fence; the caller owns the reference.
 */
struct dma_fence *nvvb_ring_submit(struct nvvb_ring *ring,
				   const struct nvvb_desc *desc, u32 n,
				   struct nvvb_fence *f)
{
	bool quiet = ring->ndev->caps & NVVB_CAP_QUIET_INLINE, freed;
	unsigned long flags;
	u32 i, mask = ring->size - 1;
	struct nvvb_desc *last;

	for (;;) {
		spin_lock_irqsave(&ring->lock, flags);
		if (nvvb_ring_space(ring) >= n)
			break;
		spin_unlock_irqrestore(&ring->lock, flags);
		wait_event_timeout(ring->space_wq, nvvb_ring_space(ring) >= n,
				   HZ);
	}

	ring->seqno++;
	dma_fence_init(&f->base, &nvvb_fence_ops, &ring->lock, ring->context,
		       ring->seqno);
	f->ring = ring;
	f->first = ring->tail;
	f->count = n;
	f->error = 0;

	for (i = 0; i < n; i++)
		ring->desc[(ring->tail + i) & mask] = desc[i];
	last = &ring->desc[(ring->tail + n - 1) & mask];
	put_unaligned_le16(get_unaligned_le16(last->b + NVVB_DESC_FLAGS) |
			   NVVB_DESC_F_FENCE | NVVB_DESC_F_INTR |
			   (quiet ? NVVB_DESC_F_QUIET : 0),
			   last->b + NVVB_DESC_FLAGS);
	put_unaligned_le64(ring->fence_dma, last->b + NVVB_DESC_FENCE_ADDR);
	put_unaligned_le64(ring->seqno, last->b + NVVB_DESC_FENCE_VALUE);

	dma_fence_get(&f->base);		/* for ring->pending */
	list_add_tail(&f->link, &ring->pending);
	ring->tail = (ring->tail + n) & mask;
	ring->submitted++;
	/* writel() orders the descriptor stores before the doorbell. */
	nvvb_wr32(ring->ndev, ring->reg + NVVB_RING_TAIL, ring->tail);
	/* completed in the write, it raised no interrupt: retire it now */
	freed = quiet && nvvb_ring_retire_locked(ring);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (freed)
		wake_up_all(&ring->space_wq);

	return &f->base;
}

/**
 * nvvb_ring_exec_sync() - run kernel descriptors and wait for them
 * @ring: the ring
 * @desc: descriptors
 * @n: how many
 *
 * Return: 0, the first descriptor's error (-EINVAL, -EBUSY, ...), or
 * -ETIMEDOUT if the device did not complete them.
 */
int nvvb_ring_exec_sync(struct nvvb_ring *ring, const struct nvvb_desc *desc,
			u32 n)
{
	struct nvvb_fence *f = nvvb_fence_alloc();
	struct dma_fence *fence;
	long t;
	int ret;

	if (!f)
		return -ENOMEM;
	fence = nvvb_ring_submit(ring, desc, n, f);
	t = dma_fence_wait_timeout(fence, false,
				   msecs_to_jiffies(NVVB_KERNEL_WAIT_MS));
	if (t == 0) {
		drm_err(&ring->ndev->drm, "%s ring: kernel descriptor timed out\n",
			ring->name);
		ret = -ETIMEDOUT;
	} else {
		ret = t < 0 ? t : fence->error;
	}
	dma_fence_put(fence);
	return ret;
}

void nvvb_ring_stats(struct nvvb_ring *ring, u64 *submitted, u64 *completed,
		     u64 *errors)
{
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	*submitted = ring->submitted;
	*completed = ring->completed;
	*errors = ring->desc_errors;
	spin_unlock_irqrestore(&ring->lock, flags);
}

static irqreturn_t nvvb_irq_bind(int irq, void *arg)
{
	struct nvvb_device *ndev = arg;

	nvvb_wr32(ndev, NVVB_REG_INTR_STATUS, NVVB_INTR_BIND);
	nvvb_ring_retire(&ndev->bind);
	return IRQ_HANDLED;
}

static irqreturn_t nvvb_irq_copy(int irq, void *arg)
{
	struct nvvb_device *ndev = arg;

	nvvb_wr32(ndev, NVVB_REG_INTR_STATUS, NVVB_INTR_COPY);
	nvvb_ring_retire(&ndev->ce);
	return IRQ_HANDLED;
}

/* Consume fault records: count them and log a few. */
static irqreturn_t nvvb_irq_fault(int irq, void *arg)
{
	struct nvvb_device *ndev = arg;
	u32 put, get;

	nvvb_wr32(ndev, NVVB_REG_INTR_STATUS, NVVB_INTR_FAULT);
	if (!(ndev->caps & NVVB_CAP_FAULT_BUF))
		return IRQ_HANDLED;
	spin_lock(&ndev->fault_lock);
	put = nvvb_rd32(ndev, NVVB_REG_FAULT_BUF_PUT);
	get = ndev->fault_get;
	while (get != (put & NVVB_FAULT_BUF_PTR_MASK) &&
	       get < NVVB_FAULT_ENTRIES) {
		/* NV_MMU_FAULT_BUF_ENTRY: dwords 2-3 address, 6 engine, 7 info */
		const __le32 *e = ndev->aux + NVVB_AUX_FAULTS +
				  get * NVVB_FAULT_ENTRY_SIZE;
		u64 va = ((u64)le32_to_cpu(e[3]) << 32) |
			 (le32_to_cpu(e[2]) & 0xfffff000u);
		u32 info = le32_to_cpu(e[7]);

		ndev->faults++;
		dev_info_ratelimited(ndev->drm.dev,
				     "GPU fault: va 0x%llx type %u access %u engine %u\n",
				     va, info & 0x1f, (info >> 16) & 0xf,
				     le32_to_cpu(e[6]) & 0x1ff);
		get = (get + 1) % NVVB_FAULT_ENTRIES;
	}
	ndev->fault_get = get;
	nvvb_wr32(ndev, NVVB_REG_FAULT_BUF_GET,
		  get | (put & NVVB_FAULT_BUF_OVERFLOW));
	spin_unlock(&ndev->fault_lock);
	return IRQ_HANDLED;
}

static irqreturn_t nvvb_irq_misc(int irq, void *arg)
{
	struct nvvb_device *ndev = arg;

	nvvb_wr32(ndev, NVVB_REG_INTR_STATUS, NVVB_INTR_MISC);
	return IRQ_HANDLED;
}

static int nvvb_ring_init(struct nvvb_device *ndev, struct nvvb_ring *ring,
			  const char *name, u32 reg, unsigned int fence_off)
{
	struct device *dev = ndev->drm.dev;
	size_t bytes = NVVB_RING_ENTRIES * sizeof(struct nvvb_desc);

	ring->ndev = ndev;
	ring->name = name;
	ring->reg = reg;
	ring->size = NVVB_RING_ENTRIES;
	spin_lock_init(&ring->lock);
	INIT_LIST_HEAD(&ring->pending);
	init_waitqueue_head(&ring->space_wq);
	ring->context = dma_fence_context_alloc(1);
	ring->fence_cpu = ndev->aux + fence_off;
	ring->fence_dma = ndev->aux_dma + fence_off;
	ring->desc = dma_alloc_coherent(dev, bytes, &ring->desc_dma,
					GFP_KERNEL);
	if (!ring->desc)
		return -ENOMEM;

	nvvb_wr32(ndev, reg + NVVB_RING_BASE_LO, lower_32_bits(ring->desc_dma));
	nvvb_wr32(ndev, reg + NVVB_RING_BASE_HI, upper_32_bits(ring->desc_dma));
	nvvb_wr32(ndev, reg + NVVB_RING_SIZE, ring->size);
	if (nvvb_rd32(ndev, reg + NVVB_RING_STATUS) & NVVB_RING_STATUS_BAD_RING) {
		drm_err(&ndev->drm, "%s ring refused by the device\n", name);
		return -EIO;
	}
	return 0;
}

static void nvvb_ring_fini(struct nvvb_device *ndev, struct nvvb_ring *ring)
{
	if (!ring->desc)
		return;
	nvvb_wr32(ndev, ring->reg + NVVB_RING_SIZE, 0);
	dma_free_coherent(ndev->drm.dev,
			  NVVB_RING_ENTRIES * sizeof(struct nvvb_desc),
			  ring->desc, ring->desc_dma);
	ring->desc = NULL;
}

static const struct {
	irq_handler_t fn;
	const char *name;
} nvvb_vectors[NVVB_MSIX_NR_VECTORS] = {
	[NVVB_MSIX_VEC_FAULT] = { nvvb_irq_fault, "nvvb-fault" },
	[NVVB_MSIX_VEC_BIND] = { nvvb_irq_bind, "nvvb-bind" },
	[NVVB_MSIX_VEC_COPY] = { nvvb_irq_copy, "nvvb-copy" },
	[NVVB_MSIX_VEC_MISC] = { nvvb_irq_misc, "nvvb-misc" },
};

static void nvvb_irq_fini(struct nvvb_device *ndev, int n)
{
	while (n-- > 0)
		free_irq(pci_irq_vector(ndev->pdev, n), ndev);
	pci_free_irq_vectors(ndev->pdev);
}

/**
 * nvvb_hw_init() - reset the device, set up rings, fault ring, interrupts
 * @ndev: the device, with registers mapped and caps read
 *
 * Return: 0 or a negative errno.
 */
int nvvb_hw_init(struct nvvb_device *ndev)
{
	struct pci_dev *pdev = ndev->pdev;
	int ret, i;

	nvvb_wr32(ndev, NVVB_REG_RESET, NVVB_RESET_VALUE);
	spin_lock_init(&ndev->fault_lock);

	ndev->aux = dma_alloc_coherent(ndev->drm.dev, NVVB_AUX_SIZE,
				       &ndev->aux_dma, GFP_KERNEL);
	if (!ndev->aux)
		return -ENOMEM;

	if (ndev->has_rings) {
		ret = nvvb_ring_init(ndev, &ndev->bind, "bind",
				     NVVB_REG_BIND_RING, NVVB_AUX_FENCE_BIND);
		if (ret)
			goto err_rings;
	}
	if (ndev->caps & NVVB_CAP_COPY_ENGINE) {
		ret = nvvb_ring_init(ndev, &ndev->ce, "copy", NVVB_REG_CE_RING,
				     NVVB_AUX_FENCE_CE);
		if (ret)
			goto err_rings;
	}
	if (ndev->caps & NVVB_CAP_FAULT_BUF) {
		dma_addr_t fb = ndev->aux_dma + NVVB_AUX_FAULTS;

		nvvb_wr32(ndev, NVVB_REG_FAULT_BUF_LO,
			  (lower_32_bits(fb) & NVVB_FAULT_BUF_LO_ADDR_MASK) |
			  (NVVB_APERTURE_SYS_COH <<
			   NVVB_FAULT_BUF_LO_APERTURE_SHIFT) |
			  NVVB_FAULT_BUF_LO_ADDR_MODE_PHYS);
		nvvb_wr32(ndev, NVVB_REG_FAULT_BUF_HI, upper_32_bits(fb));
		nvvb_wr32(ndev, NVVB_REG_FAULT_BUF_GET, 0);
		nvvb_wr32(ndev, NVVB_REG_FAULT_BUF_SIZE,
			  NVVB_FAULT_ENTRIES | NVVB_FAULT_BUF_SIZE_ENABLE);
	}

	if (!(ndev->caps & NVVB_CAP_MSIX))
		return 0;
	ret = pci_alloc_irq_vectors(pdev, NVVB_MSIX_NR_VECTORS,
				    NVVB_MSIX_NR_VECTORS, PCI_IRQ_MSIX);
	if (ret < 0)
		goto err_rings;
	for (i = 0; i < NVVB_MSIX_NR_VECTORS; i++) {
		ret = request_irq(pci_irq_vector(pdev, i), nvvb_vectors[i].fn,
				  0, nvvb_vectors[i].name, ndev);
		if (ret) {
			nvvb_irq_fini(ndev, i);
			goto err_rings;
		}
	}
	nvvb_wr32(ndev, NVVB_REG_INTR_STATUS, NVVB_INTR_ALL);
	nvvb_wr32(ndev, NVVB_REG_INTR_ENABLE, NVVB_INTR_ALL);
	return 0;

err_rings:
	nvvb_ring_fini(ndev, &ndev->ce);
	nvvb_ring_fini(ndev, &ndev->bind);
	dma_free_coherent(ndev->drm.dev, NVVB_AUX_SIZE, ndev->aux,
			  ndev->aux_dma);
	ndev->aux = NULL;
	return ret;
}

void nvvb_hw_fini(struct nvvb_device *ndev)
{
	nvvb_wr32(ndev, NVVB_REG_INTR_ENABLE, 0);
	if (ndev->caps & NVVB_CAP_MSIX)
		nvvb_irq_fini(ndev, NVVB_MSIX_NR_VECTORS);
	nvvb_wr32(ndev, NVVB_REG_RESET, NVVB_RESET_VALUE);
	nvvb_ring_fini(ndev, &ndev->ce);
	nvvb_ring_fini(ndev, &ndev->bind);
	if (ndev->aux)
		dma_free_coherent(ndev->drm.dev, NVVB_AUX_SIZE, ndev->aux,
				  ndev->aux_dma);
	ndev->aux = NULL;
}
