/*
 * names.c — see names.h.  Tables, not switches: one row per value, looked
 * up both ways.  The distribution names are prlctl's (`prlctl create -d`),
 * restricted to the PVS_GUEST_VER_* values our PrlOses.h defines.
 */
#include "names.h"

#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

typedef struct name_val {
	const char *name;
	unsigned val;
} name_val;

static const name_val states[] = {
	{ "stopped", VMS_STOPPED }, { "starting", VMS_STARTING },
	{ "restoring", VMS_RESTORING }, { "running", VMS_RUNNING },
	{ "paused", VMS_PAUSED }, { "resetting", VMS_RESETTING },
	{ "pausing", VMS_PAUSING }, { "suspending", VMS_SUSPENDING },
	{ "stopping", VMS_STOPPING }, { "compacting", VMS_COMPACTING },
	{ "suspended", VMS_SUSPENDED }, { "snapshoting", VMS_SNAPSHOTING },
	{ "continuing", VMS_CONTINUING }, { "migrating", VMS_MIGRATING },
	{ "del_snapshot", VMS_DELETING_STATE }, { "resuming", VMS_RESUMING },
	{ "syncing", VMS_SUSPENDING_SYNC }, { "invalid", VMS_UNKNOWN },
	{ "reconnecting", VMS_RECONNECTING }, { "mounted", VMS_MOUNTED },
};

/* Families first: `create -o linux` picks the family's default version. */
static const name_val families[] = {
	{ "windows", PVS_GUEST_VER_WIN_2012 }, { "win", PVS_GUEST_VER_WIN_2012 },
	{ "linux", PVS_GUEST_VER_LIN_CENTOS }, { "lin", PVS_GUEST_VER_LIN_CENTOS },
	{ "freebsd", PVS_GUEST_VER_BSD_5X }, { "os2", PVS_GUEST_VER_OS2_WARP4 },
	{ "msdos", PVS_GUEST_VER_DOS_MS622 }, { "netware", PVS_GUEST_VER_NET_5X },
	{ "solaris", PVS_GUEST_VER_SOL_10 }, { "other", PVS_GUEST_VER_OTH_OTHER },
};

static const name_val dists[] = {
	{ "msdos", PVS_GUEST_VER_DOS_OTHER },
	{ "win-2000", PVS_GUEST_VER_WIN_2K }, { "win-xp", PVS_GUEST_VER_WIN_XP },
	{ "win-2003", PVS_GUEST_VER_WIN_2003 }, { "win-vista", PVS_GUEST_VER_WIN_VISTA },
	{ "win-2008", PVS_GUEST_VER_WIN_2008 }, { "win-7", PVS_GUEST_VER_WIN_WINDOWS7 },
	{ "win-8", PVS_GUEST_VER_WIN_WINDOWS8 }, { "win-2012", PVS_GUEST_VER_WIN_2012 },
	{ "win-8.1", PVS_GUEST_VER_WIN_WINDOWS8_1 }, { "win-10", PVS_GUEST_VER_WIN_WINDOWS10 },
	{ "win-2016", PVS_GUEST_VER_WIN_2016 }, { "win-2019", PVS_GUEST_VER_WIN_2019 },
	{ "win", PVS_GUEST_VER_WIN_OTHER },
	{ "rhel", PVS_GUEST_VER_LIN_REDHAT }, { "rhel7", PVS_GUEST_VER_LIN_REDHAT_7 },
	{ "rhel8", PVS_GUEST_VER_LIN_REDHAT_8 }, { "suse", PVS_GUEST_VER_LIN_SUSE },
	{ "sles11", PVS_GUEST_VER_LIN_SLES11 }, { "sles12", PVS_GUEST_VER_LIN_SLES12 },
	{ "debian", PVS_GUEST_VER_LIN_DEBIAN }, { "fedora-core", PVS_GUEST_VER_LIN_FEDORA },
	{ "fc", PVS_GUEST_VER_LIN_FEDORA }, { "xandros", PVS_GUEST_VER_LIN_XANDROS },
	{ "ubuntu", PVS_GUEST_VER_LIN_UBUNTU }, { "mandriva", PVS_GUEST_VER_LIN_MANDRAKE },
	{ "centos", PVS_GUEST_VER_LIN_CENTOS }, { "centos7", PVS_GUEST_VER_LIN_CENTOS_7 },
	{ "centos8", PVS_GUEST_VER_LIN_CENTOS_8 }, { "vzlinux", PVS_GUEST_VER_LIN_VZLINUX },
	{ "vzlinux7", PVS_GUEST_VER_LIN_VZLINUX_7 }, { "cloudlinux", PVS_GUEST_VER_LIN_CLOUDLINUX },
	{ "cloudlinux7", PVS_GUEST_VER_LIN_CLOUDLINUX_7 }, { "psbm", PVS_GUEST_VER_LIN_PSBM },
	{ "redhat", PVS_GUEST_VER_LIN_RH_LEGACY }, { "opensuse", PVS_GUEST_VER_LIN_OPENSUSE },
	{ "linux-2.4", PVS_GUEST_VER_LIN_KRNL_24 }, { "linux-2.6", PVS_GUEST_VER_LIN_KRNL_26 },
	{ "linux", PVS_GUEST_VER_LIN_OTHER }, { "mageia", PVS_GUEST_VER_LIN_MAGEIA },
	{ "mint", PVS_GUEST_VER_LIN_MINT },
	{ "freebsd-4", PVS_GUEST_VER_BSD_4X }, { "freebsd-5", PVS_GUEST_VER_BSD_5X },
	{ "freebsd-6", PVS_GUEST_VER_BSD_6X }, { "freebsd-7", PVS_GUEST_VER_BSD_7X },
	{ "freebsd-8", PVS_GUEST_VER_BSD_8X }, { "freebsd", PVS_GUEST_VER_BSD_OTHER },
	{ "chrome-1", PVS_GUEST_VER_CHROMEOS_1x }, { "chrome", PVS_GUEST_VER_CHROMEOS_OTHER },
	{ "android", PVS_GUEST_VER_ANDROID_OTHER }, { "netware", PVS_GUEST_VER_NET_OTHER },
	{ "solaris", PVS_GUEST_VER_SOL_OTHER }, { "macos", PVS_GUEST_VER_MACOS_UNIVERSAL },
	{ "other", PVS_GUEST_VER_OTH_OTHER },
};

static const name_val autostart[] = {
	{ "off", PAO_VM_START_MANUAL }, { "on", PAO_VM_START_ON_LOAD },
	{ "auto", PAO_VM_START_ON_RELOAD },
};

static const name_val ifaces[] = {
	{ "ide", PMS_IDE_DEVICE }, { "scsi", PMS_SCSI_DEVICE },
	{ "sata", PMS_SATA_DEVICE }, { "virtio", PMS_VIRTIO_BLOCK_DEVICE },
};

static const name_val net_types[] = {
	{ "host-only", PNA_HOST_ONLY }, { "shared", PNA_SHARED },
	{ "bridged", PNA_BRIDGED_ETHERNET }, { "direct", PNA_DIRECT_ASSIGN },
	{ "routed", PNA_ROUTED }, { "bridge", PNA_BRIDGE },
};

static const name_val cards[] = {
	{ "rtl", PNT_RTL }, { "e1000", PNT_E1000 }, { "virtio", PNT_VIRTIO },
	{ "e1000e", PNT_E1000E },
};

static const char *by_val(const name_val *t, size_t n, unsigned v, const char *dflt)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].val == v)
			return t[i].name;
	return dflt;
}

static const name_val *by_name(const name_val *t, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const char *cli_state_name(VIRTUAL_MACHINE_STATE st)
{
	return by_val(states, N_ELEMS(states), (unsigned)st, "unknown");
}

unsigned cli_dist_version(const char *name)
{
	const name_val *e = by_name(dists, N_ELEMS(dists), name);

	return e ? e->val : 0;
}

unsigned cli_ostype_version(const char *name)
{
	const name_val *e = by_name(families, N_ELEMS(families), name);

	return e ? e->val : 0;
}

const char *cli_dist_name(unsigned version)
{
	return by_val(dists, N_ELEMS(dists), version, "");
}

void cli_print_dists(FILE *f, int fams)
{
	const name_val *t = fams ? families : dists;
	size_t n = fams ? N_ELEMS(families) : N_ELEMS(dists);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", t[i].name, i + 1 < n ? " " : "\n");
}

const char *cli_autostart_name(PRL_VM_AUTOSTART_OPTION v)
{
	return by_val(autostart, N_ELEMS(autostart), (unsigned)v, "on");
}

int cli_autostart_value(const char *name)
{
	const name_val *e = by_name(autostart, N_ELEMS(autostart), name);

	return e ? (int)e->val : -1;
}

const char *cli_iface_name(PRL_MASS_STORAGE_INTERFACE_TYPE t)
{
	return by_val(ifaces, N_ELEMS(ifaces), (unsigned)t, "");
}

const char *cli_net_type_name(PRL_NET_ADAPTER_EMULATED_TYPE t)
{
	return by_val(net_types, N_ELEMS(net_types), (unsigned)t, "unknown");
}

const char *cli_card_name(PRL_VM_NET_ADAPTER_TYPE t)
{
	return by_val(cards, N_ELEMS(cards), (unsigned)t, "");
}
