/*
 * hvxml.c — libvirt XML for VMs: the domain, and the dir pool and qcow2
 * volume that create disk images (see hvxml.h).
 *
 * Every document is built with libxml2's xmlTextWriter, which escapes
 * names and paths; the small x_* helpers remember any write error so that
 * a builder reads as the XML it produces.
 *
 * Domain: "openprl-<uuid>" named, the VM's name as <title>, memory in MiB
 * (512 if unset), vCPUs (1 if unset), i440fx on x86_64, ACPI, UTC clock;
 * hard disks and CD/DVDs as file disks (target names per bus: hdX for IDE,
 * sdX for SATA/SCSI, vdX for virtio; SATA when unset), network adapters as
 * <interface> (see nic_source), a pty serial console, no USB controller,
 * no balloon, and VNC graphics only when vnc_mode asks for it.  Disabled
 * devices are left out; boot order comes from the boot list, ranked.
 */
#define _GNU_SOURCE
#include "hvxml.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <libxml/xmlwriter.h>

#define DOM_PREFIX "openprl-"

/* "{uuid}" → "uuid", libvirt's form. */
static void bare(const char *braced, char out[37])
{
	snprintf(out, 37, "%.36s", braced + 1);
}

typedef struct xw {
	xmlTextWriterPtr w;
	int bad;
	unsigned ide, sd, vd; /* next target letter per bus family */
} xw;

static void x_start(xw *x, const char *name)
{
	x->bad |= xmlTextWriterStartElement(x->w, BAD_CAST name) < 0;
}

static void x_end(xw *x)
{
	x->bad |= xmlTextWriterEndElement(x->w) < 0;
}

static void x_attr(xw *x, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void x_attr(xw *x, const char *name, const char *fmt, ...)
{
	char buf[PATH_MAX + 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	x->bad |= xmlTextWriterWriteAttribute(x->w, BAD_CAST name,
					      BAD_CAST buf) < 0;
}

static void x_text(xw *x, const char *name, const char *text)
{
	x->bad |= xmlTextWriterWriteElement(x->w, BAD_CAST name,
					    BAD_CAST text) < 0;
}

/* <name attr='value'/> */
static void x_empty(xw *x, const char *name, const char *attr,
		    const char *value)
{
	x_start(x, name);
	if (attr)
		x_attr(x, attr, "%s", value);
	x_end(x);
}

static void xml_os(xw *x)
{
	struct utsname u;
	x_start(x, "os");
	x_start(x, "type");
	if (uname(&u) == 0 && !strcmp(u.machine, "x86_64")) {
		x_attr(x, "arch", "x86_64");
		x_attr(x, "machine", "pc");
	}
	x->bad |= xmlTextWriterWriteString(x->w, BAD_CAST "hvm") < 0;
	x_end(x);
	x_end(x);
	x_start(x, "features");
	x_empty(x, "acpi", NULL, NULL);
	x_end(x);
	x_empty(x, "clock", "offset", "utc");
	x_text(x, "on_poweroff", "destroy");
	x_text(x, "on_reboot", "restart");
	x_text(x, "on_crash", "destroy");
}

static void xml_head(xw *x, const char *type, const Prl__VmConfig *c)
{
	char b[37], buf[64];
	bare(c->uuid, b);
	x_start(x, "domain");
	x_attr(x, "type", "%s", type);
	snprintf(buf, sizeof buf, DOM_PREFIX "%s", b);
	x_text(x, "name", buf);
	x_text(x, "uuid", b);
	x_text(x, "title", c->name);
	x_start(x, "memory");
	x_attr(x, "unit", "MiB");
	snprintf(buf, sizeof buf, "%u", c->has_ram_mb && c->ram_mb ? c->ram_mb :
		 512);
	x->bad |= xmlTextWriterWriteString(x->w, BAD_CAST buf) < 0;
	x_end(x);
	snprintf(buf, sizeof buf, "%u", c->has_cpu_count && c->cpu_count ?
		 c->cpu_count : 1);
	x_text(x, "vcpu", buf);
	xml_os(x);
}

static bool boot_in_use(const Prl__BootDevice *b)
{
	return !b->has_in_use || b->in_use;
}

/* 1 + the rank of d among the boot devices in use, by sequence (0: not
 * bootable): libvirt wants distinct orders, a config may repeat one. */
static unsigned boot_order(const Prl__VmConfig *c, const Prl__VmDevice *d)
{
	size_t at = c->n_boot;
	for (size_t i = 0; i < c->n_boot && at == c->n_boot; i++)
		if (c->boot[i]->type == d->type && c->boot[i]->index == d->index &&
		    boot_in_use(c->boot[i]))
			at = i;
	if (at == c->n_boot)
		return 0;
	uint32_t seq = c->boot[at]->sequence;
	unsigned rank = 1;
	for (size_t i = 0; i < c->n_boot; i++)
		rank += i != at && boot_in_use(c->boot[i]) &&
			(c->boot[i]->sequence < seq ||
			 (c->boot[i]->sequence == seq && i < at));
	return rank;
}

static void xml_boot(xw *x, unsigned order)
{
	if (!order)
		return;
	x_start(x, "boot");
	x_attr(x, "order", "%u", order);
	x_end(x);
}

static const char *disk_bus(const Prl__VmDevice *d)
{
	switch (d->has_iface_type ? d->iface_type : PMS_SATA_DEVICE) {
	case PMS_IDE_DEVICE:          return "ide";
	case PMS_SCSI_DEVICE:         return "scsi";
	case PMS_VIRTIO_BLOCK_DEVICE: return "virtio";
	default:                      return "sata";
	}
}

static void disk_target(xw *x, const char *bus)
{
	char dev[8];
	if (!strcmp(bus, "ide"))
		snprintf(dev, sizeof dev, "hd%c", 'a' + x->ide++ % 26);
	else if (!strcmp(bus, "virtio"))
		snprintf(dev, sizeof dev, "vd%c", 'a' + x->vd++ % 26);
	else
		snprintf(dev, sizeof dev, "sd%c", 'a' + x->sd++ % 26);
	x_start(x, "target");
	x_attr(x, "dev", "%s", dev);
	x_attr(x, "bus", "%s", bus);
	x_end(x);
}

static const char *image_format(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (dot && (!strcmp(dot, ".iso") || !strcmp(dot, ".img") ||
		    !strcmp(dot, ".raw")))
		return "raw";
	return "qcow2";
}

static void disk_source(xw *x, const Prl__VmConfig *c, const char *image)
{
	if (!image || !*image)
		return;
	x_start(x, "source");
	if (image[0] == '/')
		x_attr(x, "file", "%s", image);
	else
		x_attr(x, "file", "%s/%s", c->home_path, image);
	x_end(x);
}

static bool dev_on(const Prl__VmDevice *d)
{
	return !d->has_enabled || d->enabled;
}

static void xml_disk(xw *x, const Prl__VmConfig *c, const Prl__VmDevice *d)
{
	bool cd = d->type == PDE_OPTICAL_DISK;
	bool inserted = !d->has_connected || d->connected;
	const char *image = d->image_path ? d->image_path : d->sys_name;
	x_start(x, "disk");
	x_attr(x, "type", "file");
	x_attr(x, "device", "%s", cd ? "cdrom" : "disk");
	x_start(x, "driver");
	x_attr(x, "name", "qemu");
	x_attr(x, "type", "%s", cd ? "raw" : image_format(image));
	x_end(x);
	if (!cd || inserted)
		disk_source(x, c, image);
	disk_target(x, disk_bus(d));
	if (cd)
		x_empty(x, "readonly", NULL, NULL);
	xml_boot(x, boot_order(c, d));
	x_end(x);
}

/* "001C42AABBCC" or "00:1c:42:aa:bb:cc" → libvirt's form. */
static void mac_colons(const char *in, char out[18])
{
	int n = 0;
	for (const char *s = in; *s && n < 12; s++)
		if (*s != ':' && *s != '-') {
			if (n && n % 2 == 0)
				*out++ = ':';
			*out++ = (char)(*s >= 'A' && *s <= 'F' ? *s + 32 : *s);
			n++;
		}
	*out = '\0';
}

static const char *nic_model(const Prl__VmDevice *d)
{
	switch (d->has_adapter_type ? d->adapter_type : PNT_VIRTIO) {
	case PNT_RTL:    return "rtl8139";
	case PNT_E1000:  return "e1000";
	case PNT_E1000E: return "e1000e";
	default:         return "virtio";
	}
}

/* Bridged with a host interface → that bridge; a named virtual network →
 * that libvirt network; otherwise user-mode networking, which works for an
 * unprivileged session daemon too. */
static void nic_source(xw *x, const Prl__VmDevice *d)
{
	uint32_t t = d->has_net_type ? d->net_type : PNA_SHARED;
	bool bridged = t == PNA_BRIDGED_NETWORK || t == PNA_BRIDGE;
	if (bridged && d->host_iface && *d->host_iface) {
		x_attr(x, "type", "bridge");
		x_empty(x, "source", "bridge", d->host_iface);
	} else if (d->virtual_network && *d->virtual_network) {
		x_attr(x, "type", "network");
		x_empty(x, "source", "network", d->virtual_network);
	} else {
		x_attr(x, "type", "user");
	}
}

static void xml_nic(xw *x, const Prl__VmConfig *c, const Prl__VmDevice *d)
{
	x_start(x, "interface");
	nic_source(x, d);
	if (d->mac && *d->mac) {
		char mac[18];
		mac_colons(d->mac, mac);
		x_empty(x, "mac", "address", mac);
	}
	x_empty(x, "model", "type", nic_model(d));
	if (d->has_connected && !d->connected)
		x_empty(x, "link", "state", "down");
	xml_boot(x, boot_order(c, d));
	x_end(x);
}

static void xml_vnc(xw *x, const Prl__VmConfig *c)
{
	if (!c->has_vnc_mode || c->vnc_mode == PRD_DISABLED)
		return;
	x_start(x, "graphics");
	x_attr(x, "type", "vnc");
	if (c->vnc_mode == PRD_MANUAL && c->has_vnc_port) {
		x_attr(x, "port", "%u", c->vnc_port);
		x_attr(x, "autoport", "no");
	} else {
		x_attr(x, "autoport", "yes");
	}
	x_attr(x, "listen", "%s", c->vnc_host && *c->vnc_host ? c->vnc_host :
	       "127.0.0.1");
	if (c->vnc_password && *c->vnc_password)
		x_attr(x, "passwd", "%s", c->vnc_password);
	x_end(x);
}

static void xml_devices(xw *x, const Prl__VmConfig *c)
{
	x_start(x, "devices");
	for (size_t i = 0; i < c->n_devices; i++) {
		const Prl__VmDevice *d = c->devices[i];
		if (!dev_on(d))
			continue;
		if (d->type == PDE_HARD_DISK || d->type == PDE_OPTICAL_DISK)
			xml_disk(x, c, d);
		else if (d->type == PDE_GENERIC_NETWORK_ADAPTER)
			xml_nic(x, c, d);
	}
	x_start(x, "controller");
	x_attr(x, "type", "usb");
	x_attr(x, "model", "none");
	x_end(x);
	x_start(x, "serial");
	x_attr(x, "type", "pty");
	x_empty(x, "target", "port", "0");
	x_end(x);
	x_start(x, "console");
	x_attr(x, "type", "pty");
	x_start(x, "target");
	x_attr(x, "type", "serial");
	x_attr(x, "port", "0");
	x_end(x);
	x_end(x);
	x_empty(x, "memballoon", "model", "none");
	xml_vnc(x, c);
	x_end(x);
}

static char *writer_output(xmlBufferPtr buf)
{
	size_t len = (size_t)xmlBufferLength(buf);
	char *out = malloc(len + 1);
	if (out) {
		memcpy(out, xmlBufferContent(buf), len);
		out[len] = '\0';
	}
	return out;
}

char *disp_hvxml_domain(const char *type, const Prl__VmConfig *c)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xw x = { buf ? xmlNewTextWriterMemory(buf, 0) : NULL, 0, 0, 0, 0 };
	if (x.w) {
		xmlTextWriterSetIndent(x.w, 1);
		xml_head(&x, type, c);
		xml_devices(&x, c);
		x_end(&x);
		x.bad |= xmlTextWriterEndDocument(x.w) < 0;
		xmlFreeTextWriter(x.w);
	}
	char *out = buf && x.w && !x.bad ? writer_output(buf) : NULL;
	if (buf)
		xmlBufferFree(buf);
	return out;
}

/* ---- disks ---------------------------------------------------------------- */

static char *small_xml(void (*fill)(xw *, const void *), const void *arg)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xw x = { buf ? xmlNewTextWriterMemory(buf, 0) : NULL, 0, 0, 0, 0 };
	if (x.w) {
		fill(&x, arg);
		x.bad |= xmlTextWriterEndDocument(x.w) < 0;
		xmlFreeTextWriter(x.w);
	}
	char *out = buf && x.w && !x.bad ? writer_output(buf) : NULL;
	if (buf)
		xmlBufferFree(buf);
	return out;
}

static void fill_pool(xw *x, const void *arg)
{
	const Prl__VmConfig *c = arg;
	char b[37];
	bare(c->uuid, b);
	x_start(x, "pool");
	x_attr(x, "type", "dir");
	x_text(x, "name", b);
	x_start(x, "target");
	x_text(x, "path", c->home_path);
	x_end(x);
	x_end(x);
}

typedef struct volspec {
	const char *name;
	uint64_t mb;
} volspec;

static void fill_vol(xw *x, const void *arg)
{
	const volspec *v = arg;
	char size[32];
	snprintf(size, sizeof size, "%llu", (unsigned long long)v->mb);
	x_start(x, "volume");
	x_text(x, "name", v->name);
	x_start(x, "capacity");
	x_attr(x, "unit", "MiB");
	x->bad |= xmlTextWriterWriteString(x->w, BAD_CAST size) < 0;
	x_end(x);
	x_start(x, "target");
	x_empty(x, "format", "type", "qcow2");
	x_end(x);
	x_end(x);
}

char *disp_hvxml_pool(const Prl__VmConfig *c)
{
	return small_xml(fill_pool, c);
}

char *disp_hvxml_volume(const char *name, uint64_t mb)
{
	volspec v = { name, mb };
	return small_xml(fill_vol, &v);
}
