/*
 * hvxml.h — the libvirt XML documents the hypervisor driver (hv.c) sends:
 * a VM's domain, and the storage pool and volume that create its disks.
 * Pure functions of their arguments; thread-safe.
 */
#ifndef OPENPRL_DISP_HVXML_H
#define OPENPRL_DISP_HVXML_H

#include <stdint.h>

#include "vmconf.h"

/* The domain XML of c, of libvirt domain type `type` ("qemu", "kvm").
 * Relative image paths are taken from c->home_path.  malloc'ed; NULL when
 * memory runs out. */
char *disp_hvxml_domain(const char *type, const Prl__VmConfig *c);

/* A dir pool on c->home_path, named after c's UUID. */
char *disp_hvxml_pool(const Prl__VmConfig *c);

/* A qcow2 volume `name` of mb MiB. */
char *disp_hvxml_volume(const char *name, uint64_t mb);

#endif
