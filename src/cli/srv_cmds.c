/*
 * srv_cmds.c — the commands of prlsrvctl: `info [-j]` (who the dispatcher
 * is and what host it runs on) and `statistics [-j]` (one snapshot of the
 * host's CPU, RAM, swap and uptime).
 *
 * info takes the identity from the PHT_SERVER_INFO cached at login
 * (PrlSrv_GetServerInfo: UUID, host name, product version) and the hardware
 * from PrlSrv_GetSrvConfig, and adds the dispatcher preferences
 * (PrlSrv_GetCommonPrefs) when the dispatcher answers for them.  Lines and
 * keys follow prlsrvctl: "ID: {uuid}", "Hostname", "Version: Server <v>",
 * then a "Hardware info:" block with one "%8s  %-40s '%s'" line per host
 * device (type, name, id).  statistics reads PrlSrv_GetStatistics.
 */
#include "cmds.h"

#include <stdio.h>

#include "out.h"

enum { O_JSON = 'j' };

/* ---- info --------------------------------------------------------------------- */

static void identity(cli_out *o, cli_ctx *c)
{
	CLI_AUTO_HANDLE si = PRL_INVALID_HANDLE;
	char version[256];

	if (PRL_FAILED(PrlSrv_GetServerInfo(c->srv, &si))) {
		cli_error("The server information is missing (PrlSrv_GetServerInfo).");
		return;
	}
	CLI_AUTOFREE char *uuid = cli_get_str(PrlSrvInfo_GetServerUuid, si);
	CLI_AUTOFREE char *host = cli_get_str(PrlSrvInfo_GetHostName, si);
	CLI_AUTOFREE char *ver = cli_get_str(PrlSrvInfo_GetProductVersion, si);
	snprintf(version, sizeof(version), "Server %s", ver);
	out_kv_uuid(o, "ID", uuid);
	out_kv(o, "Hostname", host);
	out_kv(o, "Version", version);
}

static void host_hw(cli_out *o, PRL_HANDLE cfg)
{
	CLI_AUTOFREE char *os = cli_get_str(PrlSrvCfg_GetHostOsStrPresentation, cfg);
	CLI_AUTOFREE char *model = cli_get_str(PrlSrvCfg_GetCpuModel, cfg);
	PRL_UINT32 cpus = 0, mhz = 0, ram = 0;
	char buf[64];

	PrlSrvCfg_GetCpuCount(cfg, &cpus);
	PrlSrvCfg_GetCpuSpeed(cfg, &mhz);
	PrlSrvCfg_GetHostRamSize(cfg, &ram);
	out_kv(o, "OS", os);
	out_kv(o, "CPU model", model);
	out_kv_uint(o, "CPU count", cpus);
	snprintf(buf, sizeof(buf), "%uMHz", mhz);
	out_kv(o, "CPU speed", buf);
	snprintf(buf, sizeof(buf), "%uMb", ram);
	out_kv(o, "RAM", buf);
}

static const char *security_name(PRL_SECURITY_LEVEL l)
{
	return l == PSL_HIGH_SECURITY ? "high" : l == PSL_NORMAL_SECURITY ? "normal" : "low";
}

/* VM home and minimal security level: optional, the preferences may not exist. */
static void prefs(cli_out *o, cli_ctx *c)
{
	CLI_AUTO_HANDLE res = PRL_INVALID_HANDLE, dc = PRL_INVALID_HANDLE;
	PRL_SECURITY_LEVEL lvl = PSL_LOW_SECURITY;

	if (PRL_FAILED(cli_job_try(c, PrlSrv_GetCommonPrefs(c->srv), &res)) ||
	    PRL_FAILED(PrlResult_GetParam(res, &dc)))
		return;
	CLI_AUTOFREE char *home = cli_get_str(PrlDispCfg_GetDefaultVmDir, dc);
	out_kv(o, "VM home", home);
	if (PRL_SUCCEEDED(PrlDispCfg_GetMinSecurityLevel(dc, &lvl)))
		out_kv(o, "Minimal security level", security_name(lvl));
}

static void host_dev(cli_out *o, PRL_HANDLE dev, const char *type)
{
	CLI_AUTOFREE char *name = cli_get_str(PrlSrvCfgDev_GetName, dev);
	CLI_AUTOFREE char *id = cli_get_str(PrlSrvCfgDev_GetId, dev);

	if (!o->json) {
		fprintf(o->f, "%8s  %-40s '%s'\n", type, name, id);
		return;
	}
	out_section_begin(o, *id ? id : name);
	out_kv(o, "name", name);
	out_kv(o, "type", type);
	out_section_end(o);
}

typedef struct dev_kind {
	const char *type;
	PRL_RESULT (PRL_CALL *count)(PRL_HANDLE, PRL_UINT32_PTR);
	PRL_RESULT (PRL_CALL *get)(PRL_HANDLE, PRL_UINT32, PRL_HANDLE_PTR);
} dev_kind;

static const dev_kind kinds[] = {
	{ "hdd", PrlSrvCfg_GetHardDisksCount, PrlSrvCfg_GetHardDisk },
	{ "cdrom", PrlSrvCfg_GetOpticalDisksCount, PrlSrvCfg_GetOpticalDisk },
	{ "net", PrlSrvCfg_GetNetAdaptersCount, PrlSrvCfg_GetNetAdapter },
};

static void hardware_info(cli_out *o, PRL_HANDLE cfg)
{
	out_section_begin(o, "Hardware info");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		PRL_UINT32 n = 0;
		kinds[k].count(cfg, &n);
		for (PRL_UINT32 i = 0; i < n; i++) {
			CLI_AUTO_HANDLE dev = PRL_INVALID_HANDLE;
			if (PRL_SUCCEEDED(kinds[k].get(cfg, i, &dev)))
				host_dev(o, dev, kinds[k].type);
		}
	}
	out_section_end(o);
}

static int run_info(cli_ctx *c, const cli_args *a)
{
	CLI_AUTO_HANDLE cfg = PRL_INVALID_HANDLE;
	cli_out o;

	if (PRL_FAILED(cli_job_param(c, PrlSrv_GetSrvConfig(c->srv),
				     "Failed to get the server configuration", &cfg)))
		return CLI_EXIT_FAIL;
	out_init(&o, stdout, cli_opt_has(a, O_JSON));
	out_record_begin(&o);
	identity(&o, c);
	host_hw(&o, cfg);
	prefs(&o, c);
	hardware_info(&o, cfg);
	out_record_end(&o);
	out_finish(&o);
	return CLI_EXIT_OK;
}

static const cli_opt json_opts[] = {
	{ "json", O_JSON, false, NULL, "print JSON" },
	{ NULL },
};

const cli_cmd srv_cmd_info = {
	"info", run_info, json_opts, 0, 0, "[-j]",
	"show the dispatcher's identity, version and host hardware",
};

/* ---- statistics ------------------------------------------------------------------- */

/* "3d 04:05:06", or seconds as a number in JSON. */
static void uptime(cli_out *o, const char *key, PRL_UINT64 s)
{
	char buf[64];

	if (o->json) {
		out_kv_uint(o, key, s);
		return;
	}
	snprintf(buf, sizeof(buf), "%llud %02llu:%02llu:%02llu", (unsigned long long)s / 86400,
		 (unsigned long long)s / 3600 % 24, (unsigned long long)s / 60 % 60,
		 (unsigned long long)s % 60);
	out_kv(o, key, buf);
}

static void mb_item(cli_out *o, const char *key, PRL_UINT64 bytes)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%lluMb", (unsigned long long)(bytes >> 20));
	out_item_kv(o, key, buf);
}

static void memory(cli_out *o, const char *name, PRL_HANDLE st,
		   PRL_RESULT (PRL_CALL *total)(PRL_HANDLE, PRL_UINT64_PTR),
		   PRL_RESULT (PRL_CALL *used)(PRL_HANDLE, PRL_UINT64_PTR),
		   PRL_RESULT (PRL_CALL *avail)(PRL_HANDLE, PRL_UINT64_PTR))
{
	PRL_UINT64 t = 0, u = 0, f = 0;

	total(st, &t), used(st, &u), avail(st, &f);
	out_item_begin(o, name);
	mb_item(o, "total", t);
	mb_item(o, "used", u);
	mb_item(o, "free", f);
	out_item_end(o);
}

static void cpus(cli_out *o, PRL_HANDLE st)
{
	PRL_UINT32 n = 0;

	PrlStat_GetCpusStatsCount(st, &n);
	out_section_begin(o, "CPU usage");
	for (PRL_UINT32 i = 0; i < n; i++) {
		CLI_AUTO_HANDLE cpu = PRL_INVALID_HANDLE;
		PRL_UINT32 pct = 0;
		char name[32], val[32];
		if (PRL_FAILED(PrlStat_GetCpuStat(st, i, &cpu)) || PRL_FAILED(PrlStatCpu_GetCpuUsage(cpu, &pct)))
			continue;
		snprintf(name, sizeof(name), "cpu%u", i);
		snprintf(val, sizeof(val), "%u%%", pct);
		out_kv(o, name, val);
	}
	out_section_end(o);
}

static int run_statistics(cli_ctx *c, const cli_args *a)
{
	CLI_AUTO_HANDLE st = PRL_INVALID_HANDLE;
	PRL_UINT64 os_up = 0, disp_up = 0;
	cli_out o;

	if (PRL_FAILED(cli_job_param(c, PrlSrv_GetStatistics(c->srv),
				     "Failed to get the host statistics", &st)))
		return CLI_EXIT_FAIL;
	out_init(&o, stdout, cli_opt_has(a, O_JSON));
	out_record_begin(&o);
	cpus(&o, st);
	memory(&o, "RAM", st, PrlStat_GetTotalRamSize, PrlStat_GetUsageRamSize, PrlStat_GetFreeRamSize);
	memory(&o, "Swap", st, PrlStat_GetTotalSwapSize, PrlStat_GetUsageSwapSize, PrlStat_GetFreeSwapSize);
	PrlStat_GetOsUptime(st, &os_up);
	PrlStat_GetDispUptime(st, &disp_up);
	uptime(&o, "Uptime", os_up);
	uptime(&o, "Dispatcher uptime", disp_up);
	out_record_end(&o);
	out_finish(&o);
	return CLI_EXIT_OK;
}

const cli_cmd srv_cmd_statistics = {
	"statistics", run_statistics, json_opts, 0, 0, "[-j]",
	"show the host's CPU usage, memory, swap and uptime",
};
