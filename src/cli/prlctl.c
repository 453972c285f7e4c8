/*
 * prlctl.c — the prlctl tool: its dispatch table.  Each command (name,
 * options, help, run function) is defined in its group's file (cmd_*.c);
 * cli.c parses the command line, logs in, runs it and logs off.
 */
#include "cmds.h"

static const cli_cmd *const commands[] = {
	&cmd_list, &cmd_status, &cmd_start, &cmd_stop, &cmd_restart, &cmd_pause,
	&cmd_resume, &cmd_suspend, &cmd_reset, &cmd_create, &cmd_delete, &cmd_clone,
	&cmd_register, &cmd_unregister, &cmd_set, &cmd_statistics,
};

static const cli_tool prlctl = {
	"prlctl", "Manage virtual machines through the dispatcher (prl_disp_service).",
	commands, (int)(sizeof(commands) / sizeof(commands[0])),
};

int main(int argc, char **argv)
{
	return cli_main(&prlctl, argc, argv);
}
