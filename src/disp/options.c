/*
 * options.c — command line and configuration file (see options.h).
 *
 * One table describes every setting: its name (the long option and the file
 * key), whether it takes a value, the function that applies it and its help
 * line.  getopt_long's option array, the configuration file reader and
 * --help are all generated from that table, so they cannot disagree.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prlc_consts.h"

typedef int (*opt_apply_fn)(disp_options *o, const char *val);

typedef struct opt_def {
	const char *name;
	const char *arg;        /* metavariable for help; NULL: a flag */
	opt_apply_fn apply;
	const char *help;
	bool cmdline_only;
} opt_def;

static int set_str(char **dst, const char *val)
{
	char *copy = strdup(val);
	if (!copy)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

static int apply_state_dir(disp_options *o, const char *v)
{
	return set_str(&o->state_dir, v);
}

static int apply_unix_socket(disp_options *o, const char *v)
{
	return set_str(&o->unix_socket, v);
}

static int apply_hypervisor(disp_options *o, const char *v)
{
	return set_str(&o->hypervisor, v);
}

static int apply_log_file(disp_options *o, const char *v)
{
	return set_str(&o->log_file, v);
}

static int apply_pid_file(disp_options *o, const char *v)
{
	return set_str(&o->pid_file, v);
}

static int apply_set_password(disp_options *o, const char *v)
{
	return set_str(&o->set_password, v);
}

static void clear_listen(disp_options *o)
{
	for (size_t i = 0; i < o->n_listen; i++)
		free(o->listen[i]);
	free(o->listen);
	o->listen = NULL;
	o->n_listen = 0;
}

/* Set when the next --listen replaces the list instead of extending it:
 * the first one of the file replaces the default, the first one of the
 * command line replaces the file's. */
static bool listen_replace;

/* `none` clears the list; anything else must parse and is appended. */
static int apply_listen(disp_options *o, const char *v)
{
	char host[256];
	uint16_t port;
	if (listen_replace) {
		clear_listen(o);
		listen_replace = false;
	}
	if (strcmp(v, "none") == 0) {
		clear_listen(o);
		return 0;
	}
	if (disp_options_split_addr(v, host, sizeof host, &port) < 0) {
		fprintf(stderr, "prl_disp_service: --listen %s: expected "
			"ADDR:PORT, [IPV6]:PORT, PORT or none\n", v);
		return -1;
	}
	char **list = realloc(o->listen, (o->n_listen + 1) * sizeof *list);
	if (!list)
		return -1;
	o->listen = list;
	list[o->n_listen] = strdup(v);
	return list[o->n_listen++] ? 0 : -1;
}

static int apply_auth(disp_options *o, const char *v)
{
	if (strcmp(v, "pam") == 0)
		o->auth = DISP_AUTH_PAM;
	else if (strcmp(v, "file") == 0)
		o->auth = DISP_AUTH_FILE;
	else {
		fprintf(stderr, "prl_disp_service: --auth %s: expected pam or "
			"file\n", v);
		return -1;
	}
	return 0;
}

static int apply_min_security(disp_options *o, const char *v)
{
	static const char *const names[] = { "low", "normal", "high" };
	for (uint32_t i = 0; i < 3; i++) {
		if (strcasecmp(v, names[i]) == 0) {
			o->min_security = PSL_LOW_SECURITY + i;
			return 0;
		}
	}
	fprintf(stderr, "prl_disp_service: --min-security-level %s: expected "
		"low, normal or high\n", v);
	return -1;
}

static int parse_bool(const char *v, bool *out)
{
	if (!v || !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	    !strcmp(v, "1") || !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
		 !strcmp(v, "0") || !strcasecmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

static int apply_foreground(disp_options *o, const char *v)
{
	if (parse_bool(v, &o->foreground) == 0)
		return 0;
	fprintf(stderr, "prl_disp_service: foreground = %s: expected yes or "
		"no\n", v);
	return -1;
}

static int apply_log_level(disp_options *o, const char *v)
{
	if (prlc_log_parse_level(v, &o->log_level) == 0)
		return 0;
	fprintf(stderr, "prl_disp_service: --log-level %s: expected error, "
		"warn, info or debug\n", v);
	return -1;
}

static int apply_busy_poll(disp_options *o, const char *v)
{
	char *end;
	errno = 0;
	unsigned long us = strtoul(v, &end, 10);
	if (*v && !*end && !errno && us <= 10000) {
		o->busy_poll_us = (uint32_t)us;
		return 0;
	}
	fprintf(stderr, "prl_disp_service: --busy-poll-us %s: expected microseconds "
		"from 0 to 10000\n", v);
	return -1;
}

static const opt_def opt_table[] = {
	{ "state-dir", "DIR", apply_state_dir,
	  "state directory (default " DISP_DEFAULT_STATE_DIR ")", false },
	{ "unix-socket", "PATH", apply_unix_socket,
	  "local socket (default " DISP_DEFAULT_SOCKET ")", false },
	{ "listen", "ADDR:PORT", apply_listen,
	  "TCP address, repeatable; [::1]:PORT for IPv6, none for no TCP "
	  "(default 0.0.0.0:64000)", false },
	{ "hypervisor", "URI", apply_hypervisor,
	  "libvirt URI (default " DISP_DEFAULT_HYPERVISOR
	  "; test:///default is libvirt's embedded test driver)", false },
	{ "auth", "pam|file", apply_auth,
	  "password check for TCP logins: PAM service prl_disp_service "
	  "(default) or <state-dir>/passwd", false },
	{ "min-security-level", "low|normal|high", apply_min_security,
	  "lowest security level accepted on TCP (default low)", false },
	{ "foreground", NULL, apply_foreground,
	  "stay in the foreground, log to stderr", false },
	{ "busy-poll-us", "N", apply_busy_poll,
	  "after serving a request, poll up to N microseconds for the next "
	  "one before sleeping, adapting to the traffic (default 200; 0: "
	  "never)", false },
	{ "log-level", "LEVEL", apply_log_level,
	  "error, warn, info (default) or debug", false },
	{ "log-file", "FILE", apply_log_file,
	  "append the log here; reopened on SIGHUP", false },
	{ "pid-file", "FILE", apply_pid_file,
	  "write the daemon's pid here (background mode)", false },
	{ "config", "FILE", NULL,
	  "read settings from FILE first: `key = value` lines with the "
	  "option names as keys", true },
	{ "set-password", "USER", apply_set_password,
	  "read a password on stdin, store its hash for USER in "
	  "<state-dir>/passwd, exit", true },
	{ "help", NULL, NULL, "show this help and exit", true },
};
#define N_OPTS (sizeof opt_table / sizeof opt_table[0])

static void print_help(FILE *out)
{
	fprintf(out, "Usage: prl_disp_service [OPTION]...\n"
		"The OpenPRL dispatcher: serves the Parallels SDK protocol on "
		"a unix socket and TCP.\n\nOptions:\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char lhs[64];
		snprintf(lhs, sizeof lhs, "--%s%s%s", opt_table[i].name,
			 opt_table[i].arg ? " " : "",
			 opt_table[i].arg ? opt_table[i].arg : "");
		fprintf(out, "  %-36s %s\n", lhs, opt_table[i].help);
	}
}

static void print_valid(void)
{
	fprintf(stderr, "Valid options:");
	for (size_t i = 0; i < N_OPTS; i++)
		fprintf(stderr, " --%s", opt_table[i].name);
	fprintf(stderr, "\nTry 'prl_disp_service --help' for details.\n");
}

static const opt_def *find_opt(const char *name)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (strcmp(opt_table[i].name, name) == 0)
			return &opt_table[i];
	return NULL;
}

static void set_defaults(disp_options *o)
{
	memset(o, 0, sizeof *o);
	o->state_dir = strdup(DISP_DEFAULT_STATE_DIR);
	o->unix_socket = strdup(DISP_DEFAULT_SOCKET);
	o->hypervisor = strdup(DISP_DEFAULT_HYPERVISOR);
	o->auth = DISP_AUTH_PAM;
	o->min_security = PSL_LOW_SECURITY;
	o->log_level = PRLC_LOG_INFO;
	o->busy_poll_us = 200;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Applies one `key = value` line; 0, or -1 with a message. */
static int config_line(disp_options *o, const char *path, int lineno,
		       char *line)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *key = trim(line);
	if (*key == '\0')
		return 0;
	char *eq = strchr(key, '=');
	char *val = eq ? trim(eq + 1) : NULL;
	if (eq)
		*eq = '\0';
	key = trim(key);
	const opt_def *d = find_opt(key);
	if (!d || d->cmdline_only || (d->arg && !val)) {
		fprintf(stderr, "prl_disp_service: %s:%d: %s '%s'\n", path,
			lineno, d && !d->cmdline_only ? "missing value for" :
			"unknown key", key);
		return -1;
	}
	return d->apply(o, val) < 0 ? -1 : 0;
}

static int read_config(disp_options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "prl_disp_service: cannot read configuration "
			"file %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f))
		rc = config_line(o, path, ++lineno, line);
	fclose(f);
	return rc;
}

/* --config is applied before every other option, wherever it appears. */
static const char *find_config_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--config=", 9) == 0)
			return argv[i] + 9;
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	return NULL;
}

static void build_longopts(struct option *lo)
{
	for (size_t i = 0; i < N_OPTS; i++) {
		lo[i].name = opt_table[i].name;
		lo[i].has_arg = opt_table[i].arg ? required_argument :
						   no_argument;
		lo[i].flag = NULL;
		lo[i].val = 1000 + (int)i;
	}
	memset(&lo[N_OPTS], 0, sizeof lo[N_OPTS]);
}

/* Walks argv; the result is disp_options_parse's. */
static int apply_cmdline(disp_options *o, int argc, char **argv)
{
	struct option lo[N_OPTS + 1];
	build_longopts(lo);
	listen_replace = true;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		if (c == '?' || c == ':') {
			fprintf(stderr, "prl_disp_service: %s option '%s'\n",
				c == '?' ? "unknown" : "missing value for",
				argv[optind - 1]);
			print_valid();
			return 2;
		}
		const opt_def *d = &opt_table[c - 1000];
		if (strcmp(d->name, "help") == 0) {
			print_help(stdout);
			return -1;
		}
		if (!d->apply)
			continue;               /* --config: already read */
		if (d->apply(o, optarg) < 0)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "prl_disp_service: unexpected argument '%s'\n",
			argv[optind]);
		print_valid();
		return 2;
	}
	return 0;
}

int disp_options_parse(disp_options *o, int argc, char **argv)
{
	set_defaults(o);
	if (apply_listen(o, "0.0.0.0:64000") < 0)
		return 1;
	listen_replace = true;
	const char *cfg = find_config_arg(argc, argv);
	if (cfg && read_config(o, cfg) < 0)
		return 1;
	return apply_cmdline(o, argc, argv);
}

void disp_options_free(disp_options *o)
{
	free(o->state_dir);
	free(o->unix_socket);
	free(o->hypervisor);
	free(o->log_file);
	free(o->pid_file);
	free(o->set_password);
	clear_listen(o);
	memset(o, 0, sizeof *o);
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int disp_options_split_addr(const char *spec, char *host, size_t hostlen,
			    uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	if (!colon) {
		host[0] = '\0';
		return parse_port(spec, port);
	}
	const char *h = spec;
	size_t hl = (size_t)(colon - spec);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	} else if (memchr(h, ':', hl)) {
		return -1;              /* bare IPv6 needs brackets */
	}
	if (hl >= hostlen || hl == 0)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	return parse_port(colon + 1, port);
}
