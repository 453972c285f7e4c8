/*
 * prlsrvctl.c — the prlsrvctl tool: its dispatch table (the commands are
 * in srv_cmds.c; cli.c does the rest).
 */
#include "cmds.h"

static const cli_cmd *const commands[] = {
	&srv_cmd_info, &srv_cmd_statistics,
};

static const cli_tool prlsrvctl = {
	"prlsrvctl", "Query the dispatcher (prl_disp_service) and its host.",
	commands, (int)(sizeof(commands) / sizeof(commands[0])),
};

int main(int argc, char **argv)
{
	return cli_main(&prlsrvctl, argc, argv);
}
