/*
 * names.h — the words the tools print for SDK values and accept on the
 * command line: VM states (prlctl's vmstate2str set), guest OS
 * distributions and families (create -o / --distribution, "OS:" of list
 * -i), autostart modes, buses, network attachments and card models.
 */
#ifndef OPENPRL_CLI_NAMES_H
#define OPENPRL_CLI_NAMES_H

#include <stdio.h>

#include "Parallels.h"

const char *cli_state_name(VIRTUAL_MACHINE_STATE st);
/* Distribution name ("centos", "win-2012") → PVS_GUEST_VER_*, 0 if unknown. */
unsigned cli_dist_version(const char *name);
/* OS family ("linux", "win") → its default PVS_GUEST_VER_*, 0 if unknown. */
unsigned cli_ostype_version(const char *name);
/* PVS_GUEST_VER_* → distribution name ("" if none matches). */
const char *cli_dist_name(unsigned version);
/* The accepted names, space-separated, for error messages. */
void cli_print_dists(FILE *f, int families);

const char *cli_autostart_name(PRL_VM_AUTOSTART_OPTION v);
/* "on"/"off"/"auto" → PAO_*; -1 if unknown. */
int cli_autostart_value(const char *name);
const char *cli_iface_name(PRL_MASS_STORAGE_INTERFACE_TYPE t);
const char *cli_net_type_name(PRL_NET_ADAPTER_EMULATED_TYPE t);
const char *cli_card_name(PRL_VM_NET_ADAPTER_TYPE t);

#endif
