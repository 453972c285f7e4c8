/*
 * cmds.h — the commands of prlctl and prlsrvctl.  Each cmd_*.c / srv_*.c
 * file defines the commands of one group, complete with their options and
 * help; prlctl.c and prlsrvctl.c list them in their dispatch tables.
 */
#ifndef OPENPRL_CLI_CMDS_H
#define OPENPRL_CLI_CMDS_H

#include "cli.h"

/* cmd_list.c, cmd_info.c: the list options cmd_info.c reads too */
enum { LIST_O_JSON = 'j', LIST_O_NO_HDR = 'H' };
extern const cli_cmd cmd_list;
int cli_list_info(cli_ctx *c, const cli_args *a);   /* list -i */

/* cmd_lifecycle.c */
extern const cli_cmd cmd_start, cmd_stop, cmd_restart, cmd_pause, cmd_resume,
	cmd_suspend, cmd_reset, cmd_status;

/* cmd_create.c */
extern const cli_cmd cmd_create, cmd_delete, cmd_clone, cmd_register, cmd_unregister;

/* cmd_set.c, cmd_stats.c */
extern const cli_cmd cmd_set, cmd_statistics;

/* srv_cmds.c (prlsrvctl) */
extern const cli_cmd srv_cmd_info, srv_cmd_statistics;

#endif
