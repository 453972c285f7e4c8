/*
 * cli.h — the command-line driver both tools share: a table of commands,
 * each with its own table of options, parsed with getopt_long together with
 * the global options (-l/--login, -p/--read-passwd, -v/--verbose, --timeout,
 * -h/--help).  The driver checks the command line, logs in, runs the command
 * and logs off; an unknown command or option is answered with the list of
 * valid ones, `<tool> <command> --help` with the command's options.
 */
#ifndef OPENPRL_CLI_CLI_H
#define OPENPRL_CLI_CLI_H

#include <stdbool.h>

#include "common.h"

/* Keys of long-only options start here (short options use their letter). */
#define CLI_LONG_ONLY 256
#define CLI_MAX_SET 32

typedef struct cli_opt {
	const char *name;       /* long name, without "--" */
	int key;                /* the short letter, or >= CLI_LONG_ONLY */
	bool has_arg;
	const char *argname;    /* "N", "MB", ... for the help text */
	const char *help;
} cli_opt;

struct cli_cmd;

/* What the command line gave a command. */
typedef struct cli_args {
	const struct cli_cmd *cmd;      /* the command being run */
	int npos;
	char **pos;             /* positional arguments after the command name */
	int nset;
	struct { int key; const char *val; } set[CLI_MAX_SET];
} cli_args;

typedef struct cli_cmd {
	const char *name;
	int (*run)(cli_ctx *c, const cli_args *a);
	const cli_opt *opts;    /* terminated by { NULL }; may be NULL */
	int min_pos, max_pos;   /* how many positional arguments it takes */
	const char *synopsis;   /* after the command name, e.g. "<ve> [--kill]" */
	const char *help;       /* one line */
	const void *data;       /* for commands sharing one run function */
} cli_cmd;

typedef struct cli_tool {
	const char *name;       /* "prlctl" */
	const char *what;       /* one line for the usage text */
	const cli_cmd *const *cmds;
	int ncmds;
} cli_tool;

/* Runs the tool on argv; returns the exit status. */
int cli_main(const cli_tool *t, int argc, char **argv);

/* The option's value ("" for a flag), or NULL when it was not given. */
const char *cli_opt_val(const cli_args *a, int key);
bool cli_opt_has(const cli_args *a, int key);

#endif
