/*
 * cmd_info.c — `prlctl list -i|--info [<ve>] [-j]`: the configuration of
 * one VM (or of every VM but templates) as indented "Key: value" lines and a
 * "Hardware:" block with one line per device, or the same tree as JSON (an
 * array with one object per VM).  The text follows prlctl's layout:
 *
 *   ID: {uuid}            Name / Description / Type / State / OS / Template
 *   Home: <bundle>        Autostart / Boot order / Remote display
 *   Hardware:
 *     cpu cpus=2 mode=64
 *     memory 512Mb
 *     hdd0 (+) sata:0 image='<path>' type='expanded' 65536Mb
 *     cdrom0 (+) sata:1 image=''
 *     net0 (+) type=shared mac=001C42A1B2C3 card=virtio
 *
 * Everything comes from the VM handle PrlSrv_GetVmConfig / GetVmListEx
 * returned (PrlVmCfg_*, PrlVmDev*_*), printed through out.h.  The public API
 * has no getter for the owner yet, so there is no Owner line.
 */
#include "cmds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "out.h"


/* Appends " word" (no space first) to out when it fits. */
static void append_word(char *out, size_t size, const char *word)
{
	size_t used = strlen(out), n = strlen(word), sep = used && n ? 1 : 0;

	if (!n || used + sep + n + 1 > size)
		return;
	if (sep)
		out[used++] = ' ';
	memcpy(out + used, word, n + 1);
}

/* ---- devices ------------------------------------------------------------------ */

typedef PRL_RESULT (PRL_CALL *dev_get)(PRL_HANDLE, PRL_UINT32, PRL_HANDLE_PTR);

/* "hdd0 (+) sata:0": the name, enabled mark and bus position of a device. */
static void dev_begin(cli_out *o, PRL_HANDLE dev, const char *prefix)
{
	PRL_UINT32 idx = 0, pos = 0;
	PRL_BOOL on = PRL_FALSE;
	PRL_MASS_STORAGE_INTERFACE_TYPE bus = PMS_UNKNOWN_DEVICE;
	char name[64], port[64];

	PrlVmDev_GetIndex(dev, &idx);
	snprintf(name, sizeof(name), "%s%u", prefix, idx);
	out_item_begin(o, name);
	PrlVmDev_IsEnabled(dev, &on);
	out_item_enabled(o, on);
	if (strcmp(prefix, "net") != 0 && PRL_SUCCEEDED(PrlVmDev_GetIfaceType(dev, &bus)) &&
	    *cli_iface_name(bus)) {
		PrlVmDev_GetStackIndex(dev, &pos);
		snprintf(port, sizeof(port), "%s:%u", cli_iface_name(bus), pos);
		out_item_word(o, "port", port);
	}
}

/* image='<path>' for an image file, real='<device>' for a host device. */
static void dev_backing(cli_out *o, PRL_HANDLE dev)
{
	PRL_VM_DEV_EMULATION_TYPE emu = PDT_USE_IMAGE_FILE;
	CLI_AUTOFREE char *path = cli_get_str(PrlVmDev_GetSysName, dev);
	PRL_BOOL connected = PRL_TRUE;

	PrlVmDev_GetEmulatedType(dev, &emu);
	out_item_quoted(o, emu == PDT_USE_IMAGE_FILE ? "image" : "real", path);
	if (PRL_SUCCEEDED(PrlVmDev_IsConnected(dev, &connected)) && !connected)
		out_item_kv(o, "state", "disconnected");
}

static void hdd_info(cli_out *o, PRL_HANDLE dev)
{
	PRL_HARD_DISK_INTERNAL_FORMAT fmt = PHD_EXPANDING_HARD_DISK;
	PRL_UINT32 mb = 0;
	char size[32];

	dev_begin(o, dev, "hdd");
	dev_backing(o, dev);
	if (PRL_SUCCEEDED(PrlVmDevHd_GetDiskType(dev, &fmt)))
		out_item_quoted(o, "type", fmt == PHD_PLAIN_HARD_DISK ? "plain" : "expanded");
	if (PRL_SUCCEEDED(PrlVmDevHd_GetDiskSize(dev, &mb)) && mb) {
		snprintf(size, sizeof(size), "%uMb", mb);
		out_item_word(o, "size", size);
	}
	out_item_end(o);
}

static void cdrom_info(cli_out *o, PRL_HANDLE dev)
{
	dev_begin(o, dev, "cdrom");
	dev_backing(o, dev);
	out_item_end(o);
}

/* The adapter's "IP/mask" list, space-separated. */
static void net_addresses(cli_out *o, PRL_HANDLE dev)
{
	CLI_AUTO_HANDLE list = PRL_INVALID_HANDLE;
	PRL_UINT32 n = 0;
	char all[1024] = "";

	if (PRL_FAILED(PrlVmDevNet_GetNetAddresses(dev, &list)) ||
	    PRL_FAILED(PrlStrList_GetItemsCount(list, &n)) || n == 0)
		return;
	for (PRL_UINT32 i = 0; i < n; i++) {
		char ip[256] = "";
		PRL_UINT32 len = sizeof(ip);
		PrlStrList_GetItem(list, i, ip, &len);
		append_word(all, sizeof(all), ip);
	}
	out_item_quoted(o, "ips", all);
}

static void net_info(cli_out *o, PRL_HANDLE dev)
{
	PRL_VM_DEV_EMULATION_TYPE emu = (PRL_VM_DEV_EMULATION_TYPE)PNA_SHARED;
	PRL_VM_NET_ADAPTER_TYPE card = PNT_UNDEFINED;
	CLI_AUTOFREE char *mac = cli_get_str(PrlVmDevNet_GetMacAddress, dev);

	dev_begin(o, dev, "net");
	PrlVmDev_GetEmulatedType(dev, &emu);
	out_item_kv(o, "type", cli_net_type_name((PRL_NET_ADAPTER_EMULATED_TYPE)emu));
	out_item_kv(o, "mac", mac);
	if (PRL_SUCCEEDED(PrlVmDevNet_GetAdapterType(dev, &card)) && *cli_card_name(card))
		out_item_kv(o, "card", cli_card_name(card));
	net_addresses(o, dev);
	out_item_end(o);
}

static void each_dev(cli_out *o, PRL_HANDLE vm, PRL_RESULT (PRL_CALL *count)(PRL_HANDLE, PRL_UINT32_PTR),
		     dev_get get, void (*show)(cli_out *, PRL_HANDLE))
{
	PRL_UINT32 n = 0;

	count(vm, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE dev = PRL_INVALID_HANDLE;
		if (PRL_SUCCEEDED(get(vm, i, &dev)))
			show(o, dev);
	}
}

/* ---- the VM ------------------------------------------------------------------------ */

static void cpu_info(cli_out *o, PRL_HANDLE vm)
{
	PRL_UINT32 cpus = 0, units = 0;
	PRL_CPU_MODE mode = PCM_CPU_MODE_64;
	CLI_AUTOFREE char *mask = cli_get_str(PrlVmCfg_GetCpuMask, vm);

	PrlVmCfg_GetCpuCount(vm, &cpus);
	out_item_begin(o, "cpu");
	out_item_uint(o, "cpus", cpus);
	if (PRL_SUCCEEDED(PrlVmCfg_GetCpuMode(vm, &mode)))
		out_item_kv(o, "mode", mode == PCM_CPU_MODE_32 ? "32" : "64");
	if (PRL_SUCCEEDED(PrlVmCfg_GetCpuUnits(vm, &units)) && units)
		out_item_uint(o, "cpuunits", units);
	if (*mask)
		out_item_kv(o, "mask", mask);
	out_item_end(o);
}

/* "memory 512Mb" / "video 32Mb". */
static void size_item(cli_out *o, const char *name, PRL_RESULT (PRL_CALL *get)(PRL_HANDLE, PRL_UINT32_PTR),
		      PRL_HANDLE vm)
{
	PRL_UINT32 mb = 0;
	char size[32];

	if (PRL_FAILED(get(vm, &mb)))
		return;
	snprintf(size, sizeof(size), "%uMb", mb);
	out_item_begin(o, name);
	out_item_word(o, "size", size);
	out_item_end(o);
}

static void hardware(cli_out *o, PRL_HANDLE vm)
{
	out_section_begin(o, "Hardware");
	cpu_info(o, vm);
	size_item(o, "memory", PrlVmCfg_GetRamSize, vm);
	size_item(o, "video", PrlVmCfg_GetVideoRamSize, vm);
	each_dev(o, vm, PrlVmCfg_GetHardDisksCount, PrlVmCfg_GetHardDisk, hdd_info);
	each_dev(o, vm, PrlVmCfg_GetOpticalDisksCount, PrlVmCfg_GetOpticalDisk, cdrom_info);
	each_dev(o, vm, PrlVmCfg_GetNetAdaptersCount, PrlVmCfg_GetNetAdapter, net_info);
	out_section_end(o);
}

static const char *boot_prefix(PRL_DEVICE_TYPE t)
{
	switch (t) {
	case PDE_HARD_DISK: return "hdd";
	case PDE_OPTICAL_DISK: return "cdrom";
	case PDE_GENERIC_NETWORK_ADAPTER: return "net";
	case PDE_FLOPPY_DISK: return "fdd";
	default: return "dev";
	}
}

/* "hdd0 cdrom0 net0": the entries in use, in their sequence order. */
static void boot_order(PRL_HANDLE vm, char *out, size_t size)
{
	PRL_UINT32 n = 0;
	char slot[16][32] = { { 0 } };

	PrlVmCfg_GetBootDevCount(vm, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE b = PRL_INVALID_HANDLE;
		PRL_DEVICE_TYPE t = PDE_GENERIC_DEVICE;
		PRL_UINT32 idx = 0, seq = 0;
		PRL_BOOL used = PRL_FALSE;
		if (PRL_FAILED(PrlVmCfg_GetBootDev(vm, i, &b)) || PRL_FAILED(PrlBootDev_IsInUse(b, &used)) ||
		    !used || PRL_FAILED(PrlBootDev_GetSequenceIndex(b, &seq)) || seq >= 16)
			continue;
		PrlBootDev_GetType(b, &t);
		PrlBootDev_GetIndex(b, &idx);
		snprintf(slot[seq], sizeof(slot[seq]), "%s%u", boot_prefix(t), idx);
	}
	out[0] = '\0';
	for (int s = 0; s < 16; s++)
		append_word(out, size, slot[s]);
}

static void remote_display(cli_out *o, PRL_HANDLE vm)
{
	PRL_VM_REMOTE_DISPLAY_MODE mode = PRD_DISABLED;
	PRL_UINT32 port = 0;
	CLI_AUTOFREE char *addr = cli_get_str(PrlVmCfg_GetVNCHostName, vm);

	if (PRL_FAILED(PrlVmCfg_GetVNCMode(vm, &mode)))
		return;
	out_item_begin(o, "Remote display");
	out_item_kv(o, "mode", mode == PRD_AUTO ? "auto" : mode == PRD_MANUAL ? "manual" : "off");
	if (PRL_SUCCEEDED(PrlVmCfg_GetVNCPort(vm, &port)) && port)
		out_item_uint(o, "port", port);
	if (*addr)
		out_item_kv(o, "address", addr);
	out_item_end(o);
}

static void identity(cli_out *o, PRL_HANDLE vm)
{
	CLI_AUTOFREE char *uuid = cli_get_str(PrlVmCfg_GetUuid, vm);
	CLI_AUTOFREE char *name = cli_get_str(PrlVmCfg_GetName, vm);
	CLI_AUTOFREE char *desc = cli_get_str(PrlVmCfg_GetDescription, vm);
	PRL_UINT32 ver = 0;
	PRL_BOOL tmpl = PRL_FALSE;

	PrlVmCfg_GetOsVersion(vm, &ver);
	PrlVmCfg_IsTemplate(vm, &tmpl);
	out_kv_uuid(o, "ID", uuid);
	out_kv(o, "Name", name);
	out_kv(o, "Description", desc);
	out_kv(o, "Type", cli_vm_type_str(vm));
	out_kv(o, "State", cli_state_name(cli_vm_state(vm)));
	out_kv(o, "OS", cli_dist_name(ver));
	out_kv(o, "Template", tmpl ? "yes" : "no");
}

static void vm_record(cli_out *o, PRL_HANDLE vm)
{
	CLI_AUTOFREE char *home = cli_get_str(PrlVmCfg_GetHomePath, vm);
	PRL_VM_AUTOSTART_OPTION as = PAO_VM_START_MANUAL;
	char boot[256];

	out_record_begin(o);
	identity(o, vm);
	out_kv(o, "Home", home);
	PrlVmCfg_GetAutoStart(vm, &as);
	out_kv(o, "Autostart", cli_autostart_name(as));
	boot_order(vm, boot, sizeof(boot));
	out_kv(o, "Boot order", boot);
	remote_display(o, vm);
	hardware(o, vm);
	out_record_end(o);
	if (!o->json)
		fputc('\n', o->f);
}

/* ---- the command ------------------------------------------------------------------ */

static int info_all(cli_ctx *c, cli_out *o)
{
	CLI_AUTO_HANDLE res = PRL_INVALID_HANDLE;
	PRL_UINT32 n = 0;

	if (PRL_FAILED(cli_job(c, PrlSrv_GetVmListEx(c->srv, PVTF_VM | PVTF_CT | PGVLF_GET_STATE_INFO),
			       "Failed to get the list of virtual machines", &res)))
		return CLI_EXIT_FAIL;
	PrlResult_GetParamsCount(res, &n);
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;
		PRL_BOOL tmpl = PRL_FALSE;
		if (PRL_SUCCEEDED(PrlResult_GetParamByIndex(res, i, &vm)) &&
		    PRL_SUCCEEDED(PrlVmCfg_IsTemplate(vm, &tmpl)) && !tmpl)
			vm_record(o, vm);
	}
	return CLI_EXIT_OK;
}

int cli_list_info(cli_ctx *c, const cli_args *a)
{
	cli_out o;
	int rc = CLI_EXIT_OK;
	CLI_AUTO_HANDLE vm = PRL_INVALID_HANDLE;

	if (a->npos && PRL_FAILED(cli_find_vm(c, a->pos[0], &vm)))
		return CLI_EXIT_FAIL;
	out_init(&o, stdout, cli_opt_has(a, LIST_O_JSON));
	if (!o.json && !cli_opt_has(a, LIST_O_NO_HDR))
		puts("INFO");
	out_list_begin(&o);
	if (vm != PRL_INVALID_HANDLE)
		vm_record(&o, vm);
	else
		rc = info_all(c, &o);
	out_list_end(&o);
	out_finish(&o);
	return rc;
}
