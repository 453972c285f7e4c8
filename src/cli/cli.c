/*
 * cli.c — see cli.h.  The getopt_long tables are built per command from the
 * global options and the command's own; getopt permutes, so options may
 * come before or after the positional arguments (`prlctl stop vm1 --kill`).
 * The command name itself must come first, as with the real tools.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

enum {
	G_TIMEOUT = CLI_LONG_ONLY + 1000,
};

static const cli_opt global_opts[] = {
	{ "login", 'l', true, "user[:passwd]@host[:port]",
	  "log in to a remote dispatcher (default: the local one)" },
	{ "read-passwd", 'p', true, "FILE", "read the --login password from FILE" },
	{ "verbose", 'v', true, "N", "say more: 1 login and steps, 3 also the library's log" },
	{ "timeout", G_TIMEOUT, true, "SEC", "cancel an operation still running after SEC seconds" },
	{ "help", 'h', false, NULL, "show the help" },
	{ NULL },
};

const char *cli_opt_val(const cli_args *a, int key)
{
	for (int i = a->nset - 1; i >= 0; i--)
		if (a->set[i].key == key)
			return a->set[i].val;
	return NULL;
}

bool cli_opt_has(const cli_args *a, int key)
{
	return cli_opt_val(a, key) != NULL;
}

/* ---- help texts ------------------------------------------------------------- */

static void print_opts(FILE *f, const cli_opt *opts)
{
	for (const cli_opt *o = opts; o && o->name; o++) {
		char left[80];
		int n = o->key < CLI_LONG_ONLY ? snprintf(left, sizeof(left), "-%c, --%s", o->key, o->name)
					       : snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->has_arg && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->argname);
		if (strlen(left) > 32)
			fprintf(f, "  %s\n  %-32s %s\n", left, "", o->help);
		else
			fprintf(f, "  %-32s %s\n", left, o->help);
	}
}

static void print_usage(FILE *f, const cli_tool *t)
{
	fprintf(f, "Usage: %s <command> [arguments] [options]\n%s\n\nCommands:\n", t->name, t->what);
	for (int i = 0; i < t->ncmds; i++)
		fprintf(f, "  %-12s %s\n", t->cmds[i]->name, t->cmds[i]->help);
	fputs("\nGlobal options (every command):\n", f);
	print_opts(f, global_opts);
	fprintf(f, "\nRun '%s <command> --help' for the arguments and options of a command.\n"
		"Exit status: 0 success, 1 the operation failed, 2 bad command line.\n", t->name);
}

static void print_cmd_help(FILE *f, const cli_tool *t, const cli_cmd *cmd)
{
	fprintf(f, "Usage: %s %s %s\n%s\n", t->name, cmd->name, cmd->synopsis, cmd->help);
	if (cmd->opts && cmd->opts->name) {
		fputs("\nOptions:\n", f);
		print_opts(f, cmd->opts);
	}
	fputs("\nGlobal options:\n", f);
	print_opts(f, global_opts);
}

static void print_valid_opts(const cli_tool *t, const cli_cmd *cmd)
{
	fprintf(stderr, "Valid options of '%s %s':\n", t->name, cmd->name);
	print_opts(stderr, cmd->opts);
	print_opts(stderr, global_opts);
}

/* ---- parsing ------------------------------------------------------------------ */

typedef struct opt_tables {
	struct option lo[64];
	char so[160];
	int nlo;
	size_t nso;
} opt_tables;

static void add_opts(opt_tables *t, const cli_opt *opts)
{
	for (const cli_opt *o = opts; o && o->name && t->nlo < 63; o++) {
		t->lo[t->nlo++] = (struct option){ o->name, o->has_arg ? required_argument : no_argument,
						   NULL, o->key };
		if (o->key < CLI_LONG_ONLY && t->nso + 3 < sizeof(t->so)) {
			t->so[t->nso++] = (char)o->key;
			if (o->has_arg)
				t->so[t->nso++] = ':';
		}
	}
}

static const cli_opt *find_opt(const cli_opt *opts, int key)
{
	for (const cli_opt *o = opts; o && o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

/* A global option goes to the context; false when its value is bad. */
static bool take_global(cli_ctx *c, int key, const char *val)
{
	unsigned n;

	switch (key) {
	case 'l':
		return cli_parse_login(c, val) == 0;
	case 'p':
		c->login.passwd_file = val;
		return true;
	case 'v':
		if (!cli_parse_uint("--verbose", val, &n))
			return false;
		c->verbose = (int)(n > 10 ? 10 : n);
		return true;
	case G_TIMEOUT:
		if (!cli_parse_uint("--timeout", val, &n))
			return false;
		c->timeout_ms = n == 0 || n > UINT_MAX / 1000 - 1 ? UINT_MAX : n * 1000;
		return true;
	}
	return true;
}

static int bad_option(const cli_tool *t, const cli_cmd *cmd, int ch, char **argv)
{
	const char *arg = argv[optind - 1];

	if (ch == ':')
		cli_error("Option '%s' of '%s %s' needs a value.", arg, t->name, cmd->name);
	else if (optopt && optopt < CLI_LONG_ONLY)
		cli_error("Unknown option '-%c' for '%s %s'.", optopt, t->name, cmd->name);
	else
		cli_error("Unknown option '%s' for '%s %s'.", arg, t->name, cmd->name);
	print_valid_opts(t, cmd);
	return -1;
}

/* One option found by getopt: 1 = help asked, 0 = go on, -1 = bad. */
static int take_opt(cli_ctx *c, cli_args *a, int ch)
{
	if (ch == 'h')
		return 1;
	if (find_opt(global_opts, ch))
		return take_global(c, ch, optarg) ? 0 : -1;
	if (a->nset == CLI_MAX_SET) {
		cli_error("Too many options.");
		return -1;
	}
	a->set[a->nset].key = ch;
	a->set[a->nset++].val = optarg ? optarg : "";
	return 0;
}

/* argv[0] is the command name.  Returns 1 for --help, 0 ok, -1 bad. */
static int parse(const cli_tool *t, const cli_cmd *cmd, int argc, char **argv,
		 cli_ctx *c, cli_args *a)
{
	opt_tables tb = { .so = ":", .nso = 1 };
	int ch, r = 0;

	add_opts(&tb, cmd->opts);
	add_opts(&tb, global_opts);
	tb.lo[tb.nlo] = (struct option){ 0 };
	optind = 0;
	opterr = 0;
	while (r == 0 && (ch = getopt_long(argc, argv, tb.so, tb.lo, NULL)) != -1)
		r = ch == '?' || ch == ':' ? bad_option(t, cmd, ch, argv) : take_opt(c, a, ch);
	a->pos = argv + optind;
	a->npos = argc - optind;
	return r;
}

static int check_positional(const cli_tool *t, const cli_cmd *cmd, const cli_args *a)
{
	if (a->npos >= cmd->min_pos && a->npos <= cmd->max_pos)
		return 0;
	if (a->npos < cmd->min_pos)
		cli_error("'%s %s' needs more arguments.", t->name, cmd->name);
	else
		cli_error("'%s %s': unexpected argument '%s'.", t->name, cmd->name,
			  a->pos[cmd->max_pos]);
	cli_error("Usage: %s %s %s", t->name, cmd->name, cmd->synopsis);
	return -1;
}

/* ---- the driver ---------------------------------------------------------------- */

static const cli_cmd *find_cmd(const cli_tool *t, const char *name)
{
	for (int i = 0; i < t->ncmds; i++)
		if (strcmp(t->cmds[i]->name, name) == 0)
			return t->cmds[i];
	return NULL;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "help");
}

/* "prlctl", "prlctl --help", "prlctl help [cmd]", "prlctl nosuchcmd". */
static int no_command(const cli_tool *t, int argc, char **argv)
{
	const cli_cmd *cmd = argc > 2 ? find_cmd(t, argv[2]) : NULL;

	if (argc < 2) {
		print_usage(stderr, t);
		return CLI_EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		if (cmd)
			print_cmd_help(stdout, t, cmd);
		else
			print_usage(stdout, t);
		return CLI_EXIT_OK;
	}
	cli_error("%s '%s'.\n", argv[1][0] == '-' ? "Expected a command, not the option"
						: "Unknown command", argv[1]);
	print_usage(stderr, t);
	return CLI_EXIT_USAGE;
}

static int run_cmd(const cli_cmd *cmd, cli_ctx *c, const cli_args *a)
{
	int rc = CLI_EXIT_FAIL;

	if (PRL_SUCCEEDED(cli_connect(c)))
		rc = cmd->run(c, a);
	cli_disconnect(c);
	return rc;
}

int cli_main(const cli_tool *t, int argc, char **argv)
{
	const cli_cmd *cmd = argc > 1 ? find_cmd(t, argv[1]) : NULL;
	cli_ctx c = { .prog = t->name, .srv = PRL_INVALID_HANDLE, .timeout_ms = UINT_MAX };
	cli_args a = { .cmd = cmd };
	int r;

	if (!cmd)
		return no_command(t, argc, argv);
	r = parse(t, cmd, argc - 1, argv + 1, &c, &a);
	if (r == 0)
		r = check_positional(t, cmd, &a);
	if (r == 1)
		print_cmd_help(stdout, t, cmd);
	if (r != 0) {
		cli_disconnect(&c);     /* frees what --login parsed */
		return r == 1 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	return run_cmd(cmd, &c, &a);
}
