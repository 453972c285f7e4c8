/*
 * srvcfg.c — the host description: PHT_SERVER_CONFIG (PrlSrvCfg_*) and the
 * host devices it lists, PHT_HW_HARD_DISK, PHT_HW_NET_ADAPTER and
 * PHT_HW_GENERIC_DEVICE (PrlSrvCfgDev_*).
 *
 * The configuration object owns one unpacked Prl__ServerConfig.  A device
 * handle points at one Prl__HwDevice inside it and holds a reference on the
 * configuration, so the message lives as long as the last handle into it.
 * Nothing changes after construction, so no lock is needed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "stat.h"
#include "PrlApi.h"

typedef struct cfg_obj {
	prl__obj base;
	struct cfg_obj *root;            /* reference; NULL on the configuration */
	Prl__ServerConfig *cfg;          /* configuration only: owned */
	const Prl__HwDevice *dev;        /* device handles only */
} cfg_obj;

static void cfg_destroy(prl__obj *o)
{
	cfg_obj *c = (cfg_obj *)o;
	if (c->root)
		prl__put(&c->root->base);
	else if (c->cfg)
		prl__server_config__free_unpacked(c->cfg, NULL);
	free(c);
}

static const prl__type cfg_type = { PHT_SERVER_CONFIG, cfg_destroy };
static const prl__type hdd_type = { PHT_HW_HARD_DISK, cfg_destroy };
static const prl__type net_type = { PHT_HW_NET_ADAPTER, cfg_destroy };
static const prl__type generic_type = { PHT_HW_GENERIC_DEVICE, cfg_destroy };

/* Deep copy through the wire encoding (see prl__stat_new). */
prl__obj *prl__srvcfg_new(const Prl__ServerConfig *c)
{
	if (!c)
		return NULL;
	size_t n = prl__server_config__get_packed_size(c);
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return NULL;
	prl__server_config__pack(c, b);
	Prl__ServerConfig *copy = prl__server_config__unpack(NULL, n, b);
	free(b);
	if (!copy)
		return NULL;
	cfg_obj *o = prl__new(sizeof(*o), &cfg_type);
	if (!o) {
		prl__server_config__free_unpacked(copy, NULL);
		return NULL;
	}
	o->cfg = copy;
	return &o->base;
}

/* ---- PHT_SERVER_CONFIG ------------------------------------------------------ */

#define CFG(o) ((const Prl__ServerConfig *)(o)->cfg)

#define CFG_U32(Name, ptr_t, field)                                           \
	PRL_METHOD(Name)(PRL_HANDLE h, ptr_t out)                             \
	{                                                                     \
		PRL__OBJ(o, cfg_obj, h, PHT_SERVER_CONFIG);                   \
		PRL__CHECK_ARG(out);                                          \
		*out = CFG(o)->field;                                         \
		return PRL_ERR_SUCCESS;                                       \
	}

#define CFG_STR(Name, field)                                                  \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_STR buf, PRL_UINT32_PTR len)       \
	{                                                                     \
		PRL__OBJ(o, cfg_obj, h, PHT_SERVER_CONFIG);                   \
		PRL__CHECK_ARG(len);                                          \
		return prl__copy_str(CFG(o)->field, buf, len);                \
	}

#define CFG_COUNT(Name, nfield)                                               \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_UINT32_PTR out)                    \
	{                                                                     \
		PRL__OBJ(o, cfg_obj, h, PHT_SERVER_CONFIG);                   \
		PRL__CHECK_ARG(out);                                          \
		size_t n_ = CFG(o)->nfield;                                   \
		*out = n_ > UINT32_MAX ? UINT32_MAX : (PRL_UINT32)n_;         \
		return PRL_ERR_SUCCESS;                                       \
	}

/* Hands the caller a device handle of type t; an index out of range is
 * PRL_ERR_INVALID_ARG. */
static PRL_RESULT give_dev(cfg_obj *o, const prl__type *t, Prl__HwDevice **arr, size_t n,
			   PRL_UINT32 i, PRL_HANDLE_PTR out)
{
	PRL__CHECK_ARG(out && i < n && arr[i]);
	cfg_obj *d = prl__new(sizeof(*d), t);
	if (!d)
		return PRL_ERR_OUT_OF_MEMORY;
	prl__ref(&o->base);
	d->root = o;
	d->dev = arr[i];
	*out = prl__handle(&d->base);
	return PRL_ERR_SUCCESS;
}

#define CFG_DEV(Name, arr, nfield, type)                                      \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_UINT32 i, PRL_HANDLE_PTR out)      \
	{                                                                     \
		PRL__OBJ(o, cfg_obj, h, PHT_SERVER_CONFIG);                   \
		return give_dev(o, &(type), o->cfg->arr, o->cfg->nfield, i, out); \
	}

CFG_U32(PrlSrvCfg_GetHostRamSize, PRL_UINT32_PTR, ram_mb)
CFG_U32(PrlSrvCfg_GetCpuCount, PRL_UINT32_PTR, cpu_count)
CFG_U32(PrlSrvCfg_GetCpuSpeed, PRL_UINT32_PTR, cpu_speed_mhz)
CFG_U32(PrlSrvCfg_GetCpuMode, PRL_CPU_MODE_PTR, cpu_mode)
CFG_U32(PrlSrvCfg_GetHostOsMajor, PRL_UINT32_PTR, os_major)
CFG_U32(PrlSrvCfg_GetHostOsMinor, PRL_UINT32_PTR, os_minor)
CFG_U32(PrlSrvCfg_GetHostOsSubMinor, PRL_UINT32_PTR, os_subminor)
CFG_STR(PrlSrvCfg_GetCpuModel, cpu_model)
CFG_STR(PrlSrvCfg_GetHostname, hostname)
CFG_STR(PrlSrvCfg_GetHostOsStrPresentation, os_str)
CFG_STR(PrlSrvCfg_GetDefaultGateway, default_gateway)
CFG_COUNT(PrlSrvCfg_GetHardDisksCount, n_hard_disks)
CFG_COUNT(PrlSrvCfg_GetNetAdaptersCount, n_net_adapters)
CFG_COUNT(PrlSrvCfg_GetOpticalDisksCount, n_optical_disks)
CFG_DEV(PrlSrvCfg_GetHardDisk, hard_disks, n_hard_disks, hdd_type)
CFG_DEV(PrlSrvCfg_GetNetAdapter, net_adapters, n_net_adapters, net_type)
CFG_DEV(PrlSrvCfg_GetOpticalDisk, optical_disks, n_optical_disks, generic_type)

/* A configuration that does not say is a Linux host's: the only kind of
 * host a dispatcher of ours runs on. */
PRL_METHOD(PrlSrvCfg_GetHostOsType)(PRL_HANDLE hSrvConfig, PRL_HOST_OS_TYPE_PTR pnHostOsType)
{
	PRL__OBJ(o, cfg_obj, hSrvConfig, PHT_SERVER_CONFIG);
	PRL__CHECK_ARG(pnHostOsType);
	*pnHostOsType = CFG(o)->has_os_type ? (PRL_HOST_OS_TYPE)CFG(o)->os_type : PHO_LIN;
	return PRL_ERR_SUCCESS;
}

/* A new PHT_STRINGS_LIST holding the host's DNS servers. */
PRL_METHOD(PrlSrvCfg_GetDnsServers)(PRL_HANDLE hSrvConfig, PRL_HANDLE_PTR phDnsServersList)
{
	PRL__OBJ(o, cfg_obj, hSrvConfig, PHT_SERVER_CONFIG);
	PRL__CHECK_ARG(phDnsServersList);
	PRL_HANDLE list = PRL_INVALID_HANDLE;
	PRL_RESULT rc = PrlApi_CreateStringsList(&list);
	for (size_t i = 0; PRL_SUCCEEDED(rc) && i < CFG(o)->n_dns_servers; i++)
		rc = PrlStrList_AddItem(list, CFG(o)->dns_servers[i] ? CFG(o)->dns_servers[i] : "");
	if (PRL_FAILED(rc)) {
		if (list != PRL_INVALID_HANDLE)
			PrlHandle_Free(list);
		return rc;
	}
	*phDnsServersList = list;
	return PRL_ERR_SUCCESS;
}

/* ---- PHT_HW_GENERIC_DEVICE, PHT_HW_HARD_DISK, PHT_HW_NET_ADAPTER ------------- */

/* Resolves a handle of any of the three device types. */
static cfg_obj *dev_get(PRL_HANDLE h)
{
	prl__obj *o = prl__get(h, PHT_ERROR);
	PRL_HANDLE_TYPE t = o ? prl__type_of(o) : PHT_ERROR;
	if (t == PHT_HW_GENERIC_DEVICE || t == PHT_HW_HARD_DISK || t == PHT_HW_NET_ADAPTER)
		return (cfg_obj *)o;
	prl__put(o);
	return NULL;
}

#define DEV_OBJ(var, h)                                                        \
	prl__auto cfg_obj *var = dev_get(h);                                   \
	if (!var)                                                              \
		return prl__bad_handle()

PRL_METHOD(PrlSrvCfgDev_GetName)(PRL_HANDLE hGenericDevice, PRL_STR sDevName,
				 PRL_UINT32_PTR pnDevNameBufLength)
{
	DEV_OBJ(d, hGenericDevice);
	PRL__CHECK_ARG(pnDevNameBufLength);
	return prl__copy_str(d->dev->name, sDevName, pnDevNameBufLength);
}

PRL_METHOD(PrlSrvCfgDev_GetId)(PRL_HANDLE hGenericDevice, PRL_STR sDevId,
			       PRL_UINT32_PTR pnDevIdBufLength)
{
	DEV_OBJ(d, hGenericDevice);
	PRL__CHECK_ARG(pnDevIdBufLength);
	return prl__copy_str(d->dev->id, sDevId, pnDevIdBufLength);
}

PRL_METHOD(PrlSrvCfgDev_GetType)(PRL_HANDLE hGenericDevice, PRL_DEVICE_TYPE_PTR pnDevType)
{
	DEV_OBJ(d, hGenericDevice);
	PRL__CHECK_ARG(pnDevType);
	*pnDevType = (PRL_DEVICE_TYPE)d->dev->type;
	return PRL_ERR_SUCCESS;
}
