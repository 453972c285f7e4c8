/*
 * common.c — see common.h.  The session: PrlApi_InitEx, PrlSrv_Create, then
 * PrlSrv_LoginLocalEx (peer credentials over the unix socket; the library
 * honours $PRL_DISP_SOCKET) or, with -l, PrlSrv_LoginEx over TCP at
 * PSL_LOW_SECURITY (no TLS yet).  A remote password comes from -l, from the
 * first line of the -p file, or from a prompt on /dev/tty without echo.
 * Every job is waited for with the --timeout bound; a job that runs out of
 * time is cancelled, and the message says so.
 */
#define _GNU_SOURCE
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* ---- memory and cleanup ----------------------------------------------------- */

void *cli_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("out of memory\n", stderr);
		exit(CLI_EXIT_FAIL);
	}
	return p;
}

char *cli_xstrdup(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;

	return memcpy(cli_xmalloc(n), s ? s : "", n);
}

void cli_freep(void *p)
{
	free(*(void **)p);
}

void cli_handle_freep(PRL_HANDLE *h)
{
	if (*h != PRL_INVALID_HANDLE)
		PrlHandle_Free(*h);
	*h = PRL_INVALID_HANDLE;
}

/* ---- messages ---------------------------------------------------------------- */

void cli_debug(const cli_ctx *c, int level, const char *fmt, ...)
{
	va_list ap;

	if (c->verbose < level)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "brief long" from a getter taking (is_brief, formatted, buf, &len). */
static void join_texts(const char *brief, const char *lng, char *buf, size_t size)
{
	if (*lng && strcmp(brief, lng) != 0)
		snprintf(buf, size, "%s%s%s", brief, *brief ? " " : "", lng);
	else
		snprintf(buf, size, "%s", brief);
}

void cli_result_text(PRL_RESULT rc, char *buf, size_t size)
{
	char brief[1024] = "", lng[2048] = "";
	PRL_UINT32 bl = sizeof(brief), ll = sizeof(lng);

	if (PRL_FAILED(PrlApi_GetResultDescription(rc, PRL_TRUE, PRL_FALSE, brief, &bl)))
		brief[0] = '\0';
	if (PRL_FAILED(PrlApi_GetResultDescription(rc, PRL_FALSE, PRL_FALSE, lng, &ll)))
		lng[0] = '\0';
	join_texts(brief, lng, buf, size);
	if (!*buf)
		snprintf(buf, size, "error 0x%08X", (unsigned)rc);
}

static void print_failure(PRL_RESULT rc, const char *what, const char *text)
{
	fprintf(stderr, "%s: %s [%s]\n", what, text, prl_result_to_string(rc));
}

PRL_RESULT cli_fail(PRL_RESULT rc, const char *fmt, ...)
{
	char what[1024], text[3072];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cli_result_text(rc, text, sizeof(text));
	print_failure(rc, what, text);
	return rc;
}

/* ---- strings and numbers --------------------------------------------------- */

char *cli_get_str(cli_str_getter fn, PRL_HANDLE h)
{
	PRL_UINT32 len = 0;

	if (PRL_FAILED(fn(h, NULL, &len)) || len == 0)
		return cli_xstrdup("");
	char *buf = cli_xmalloc(len + 1);
	if (PRL_FAILED(fn(h, buf, &len)))
		buf[0] = '\0';
	buf[len] = '\0';
	return buf;
}

bool cli_parse_uint(const char *opt, const char *s, unsigned *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = s && isdigit((unsigned char)*s) ? strtoul(s, &end, 10) : 0;
	if (!end || *end || errno || v > UINT_MAX) {
		cli_error("Invalid value for %s: '%s' (a non-negative number is expected).",
			  opt, s ? s : "");
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* ---- jobs ------------------------------------------------------------------- */

/* The texts of a job's error event, "brief long"; false when it has none. */
static bool event_text(PRL_HANDLE ev, char *buf, size_t size)
{
	char brief[1024] = "", lng[2048] = "";
	PRL_UINT32 bl = sizeof(brief), ll = sizeof(lng);

	if (PRL_FAILED(PrlEvent_GetErrString(ev, PRL_TRUE, PRL_FALSE, brief, &bl)))
		brief[0] = '\0';
	if (PRL_FAILED(PrlEvent_GetErrString(ev, PRL_FALSE, PRL_FALSE, lng, &ll)))
		lng[0] = '\0';
	join_texts(brief, lng, buf, size);
	return *buf != '\0';
}

static PRL_RESULT job_failed(PRL_HANDLE job, PRL_RESULT rc, const char *what)
{
	CLI_AUTO_HANDLE err = PRL_INVALID_HANDLE;
	char text[3072];

	if (PRL_FAILED(PrlJob_GetError(job, &err)) || !event_text(err, text, sizeof(text)))
		cli_result_text(rc, text, sizeof(text));
	print_failure(rc, what, text);
	return rc;
}

/* Out of time: the job is cancelled so the dispatcher stops working on it. */
static PRL_RESULT job_timed_out(cli_ctx *c, PRL_HANDLE job, const char *what)
{
	CLI_AUTO_HANDLE cancel = PrlJob_Cancel(job);

	if (cancel != PRL_INVALID_HANDLE)
		PrlJob_Wait(cancel, 5000);
	cli_error("%s: the operation did not finish within %u s (--timeout); "
		  "it was cancelled. [%s]", what, c->timeout_ms / 1000,
		  prl_result_to_string(PRL_ERR_TIMEOUT));
	return PRL_ERR_TIMEOUT;
}

/* Waits; *ret gets the operation's result.  Returns the wait's own result. */
static PRL_RESULT job_wait(cli_ctx *c, PRL_HANDLE job, PRL_RESULT *ret)
{
	PRL_RESULT rc = PrlJob_Wait(job, c->timeout_ms);

	*ret = rc;
	if (PRL_SUCCEEDED(rc))
		rc = PrlJob_GetRetCode(job, ret);
	return rc;
}

/* Reports a waited-for job (rc: the wait, ret: the operation) and frees it. */
static PRL_RESULT job_finish(cli_ctx *c, PRL_HANDLE job, PRL_RESULT rc, PRL_RESULT ret,
			     const char *what, PRL_HANDLE *result)
{
	CLI_AUTO_HANDLE j = job;

	if (rc == PRL_ERR_TIMEOUT)
		return job_timed_out(c, j, what);
	if (PRL_FAILED(rc))
		return cli_fail(rc, "%s", what);
	if (PRL_FAILED(ret))
		return job_failed(j, ret, what);
	if (result && PRL_FAILED(rc = PrlJob_GetResult(j, result)))
		return cli_fail(rc, "%s (reading the result)", what);
	return PRL_ERR_SUCCESS;
}

PRL_RESULT cli_job(cli_ctx *c, PRL_HANDLE job, const char *what, PRL_HANDLE *result)
{
	PRL_RESULT ret, rc;

	if (result)
		*result = PRL_INVALID_HANDLE;
	if (job == PRL_INVALID_HANDLE)
		return cli_fail(PRL_ERR_OUT_OF_MEMORY, "%s", what);
	rc = job_wait(c, job, &ret);
	return job_finish(c, job, rc, ret, what, result);
}

PRL_RESULT cli_job_try(cli_ctx *c, PRL_HANDLE job, PRL_HANDLE *result)
{
	CLI_AUTO_HANDLE j = job;
	PRL_RESULT ret, rc = job_wait(c, j, &ret);

	*result = PRL_INVALID_HANDLE;
	if (PRL_SUCCEEDED(rc))
		rc = ret;
	if (PRL_SUCCEEDED(rc))
		rc = PrlJob_GetResult(j, result);
	if (PRL_FAILED(rc))
		cli_debug(c, 1, "(optional information unavailable: %s)", prl_result_to_string(rc));
	return rc;
}

PRL_RESULT cli_job_param(cli_ctx *c, PRL_HANDLE job, const char *what, PRL_HANDLE *param)
{
	CLI_AUTO_HANDLE res = PRL_INVALID_HANDLE;
	PRL_RESULT rc = cli_job(c, job, what, &res);

	*param = PRL_INVALID_HANDLE;
	if (PRL_FAILED(rc))
		return rc;
	if (PRL_FAILED(rc = PrlResult_GetParam(res, param)))
		return cli_fail(rc, "%s (the answer holds no object)", what);
	return PRL_ERR_SUCCESS;
}

/* ---- login ------------------------------------------------------------------ */

/* "host[:port]", with "[v6addr]:port" for IPv6. */
static int parse_host_port(cli_login *l, const char *s)
{
	const char *end = s[0] == '[' ? strchr(s, ']') : NULL;
	const char *colon = end ? (end[1] == ':' ? end + 1 : NULL) :
			    (strchr(s, ':') == strrchr(s, ':') ? strchr(s, ':') : NULL);
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	if (end)
		s++, n = (size_t)(end - s);
	if (n == 0 || (colon && !cli_parse_uint("the port of --login", colon + 1, &l->port)))
		return -1;
	l->host = strndup(s, n);
	return l->host ? 0 : -1;
}

int cli_parse_login(cli_ctx *c, const char *spec)
{
	cli_login *l = &c->login;
	const char *at = strrchr(spec, '@');
	const char *hostpart = at ? at + 1 : spec;

	free(l->user), free(l->password), free(l->host);
	l->user = l->password = l->host = NULL;
	l->remote = true;
	if (at) {
		const char *colon = memchr(spec, ':', (size_t)(at - spec));
		l->user = strndup(spec, (size_t)((colon ? colon : at) - spec));
		if (colon)
			l->password = strndup(colon + 1, (size_t)(at - colon - 1));
	} else {
		l->user = cli_xstrdup("root");
	}
	if (!l->user || !*l->user || parse_host_port(l, hostpart) < 0) {
		cli_error("Invalid --login value '%s': expected user[:password]@host[:port].", spec);
		return -1;
	}
	return 0;
}

static int read_password_file(cli_login *l)
{
	char line[1024];
	FILE *f = fopen(l->passwd_file, "r");

	if (!f) {
		cli_error("Cannot read the password file %s: %s.", l->passwd_file, strerror(errno));
		return -1;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	l->password = cli_xstrdup(line);
	return 0;
}

/* Reads a line from the terminal with echo off (stdin when there is none). */
static int prompt_password(cli_login *l)
{
	char line[1024] = "";
	FILE *tty = fopen("/dev/tty", "r+");
	FILE *in = tty ? tty : stdin;
	struct termios old, quiet;
	bool restore = tcgetattr(fileno(in), &old) == 0;

	if (tty)
		fprintf(tty, "%s@%s's password: ", l->user, l->host), fflush(tty);
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fileno(in), TCSAFLUSH, &quiet);
	}
	char *got = fgets(line, sizeof(line), in);
	if (restore)
		tcsetattr(fileno(in), TCSAFLUSH, &old);
	if (tty)
		fputc('\n', tty), fclose(tty);
	line[strcspn(line, "\r\n")] = '\0';
	l->password = cli_xstrdup(line);
	if (!got)
		cli_error("No password for %s@%s: none could be read from the terminal or "
			  "standard input (use -p FILE or -l user:password@host).", l->user, l->host);
	return got ? 0 : -1;
}

static PRL_RESULT login_remote(cli_ctx *c)
{
	cli_login *l = &c->login;
	char what[512];

	if (!l->password && (l->passwd_file ? read_password_file(l) : prompt_password(l)) < 0)
		return PRL_ERR_INVALID_ARG;
	snprintf(what, sizeof(what), "Failed to log in to %s:%u as %s", l->host,
		 l->port ? l->port : 64000, l->user);
	cli_debug(c, 1, "Logging in to %s:%u as %s", l->host, l->port ? l->port : 64000, l->user);
	/* PSL_LOW_SECURITY: the channel is plain TCP until TLS exists. */
	return cli_job(c, PrlSrv_LoginEx(c->srv, l->host, l->user, l->password, NULL, l->port,
					 c->timeout_ms == UINT_MAX ? 0 : c->timeout_ms,
					 PSL_LOW_SECURITY, PACF_NON_INTERACTIVE_MODE),
		       what, NULL);
}

static PRL_RESULT login_local(cli_ctx *c)
{
	const char *sock = getenv("PRL_DISP_SOCKET");
	PRL_RESULT rc;

	cli_debug(c, 1, "Logging in to the local dispatcher");
	rc = cli_job(c, PrlSrv_LoginLocalEx(c->srv, NULL, 0, PSL_HIGH_SECURITY,
					    PACF_NON_INTERACTIVE_MODE),
		     "Failed to log in to the local dispatcher", NULL);
	if (rc == PRL_ERR_CANT_CONNECT_TO_DISPATCHER)
		cli_error("Is prl_disp_service running and listening on %s? "
			  "(set PRL_DISP_SOCKET to use another socket, or -l for a remote one)",
			  sock ? sock : "/var/run/prl_disp_service.socket");
	return rc;
}

PRL_RESULT cli_connect(cli_ctx *c)
{
	PRL_RESULT rc = PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0);

	if (PRL_FAILED(rc))
		return cli_fail(rc, "Failed to initialise the SDK library");
	c->inited = true;
	PrlApi_SwitchConsoleLogging(c->verbose >= 3 ? PRL_TRUE : PRL_FALSE);
	if (PRL_FAILED(rc = PrlSrv_Create(&c->srv)))
		return cli_fail(rc, "PrlSrv_Create");
	rc = c->login.remote ? login_remote(c) : login_local(c);
	c->logged_in = PRL_SUCCEEDED(rc);
	return rc;
}

void cli_disconnect(cli_ctx *c)
{
	if (c->logged_in) {
		CLI_AUTO_HANDLE job = PrlSrv_Logoff(c->srv);
		if (job != PRL_INVALID_HANDLE)
			PrlJob_Wait(job, 10000);
		c->logged_in = false;
	}
	cli_handle_freep(&c->srv);
	if (c->inited)
		PrlApi_Deinit();
	c->inited = false;
	free(c->login.user), free(c->login.password), free(c->login.host);
	memset(&c->login, 0, sizeof(c->login));
}

/* ---- virtual machines ------------------------------------------------------- */

/* "0f...-..." (36 characters) → "{0f...}"; anything else unchanged. */
static void normalize_id(const char *id, char *buf, size_t size)
{
	if (strlen(id) == 36 && id[8] == '-' && id[13] == '-' && strspn(id, "0123456789abcdefABCDEF-") == 36)
		snprintf(buf, size, "{%s}", id);
	else
		snprintf(buf, size, "%s", id);
}

static bool is_not_found(PRL_RESULT rc)
{
	return rc == PRL_ERR_VM_UUID_NOT_FOUND;
}

PRL_RESULT cli_find_vm(cli_ctx *c, const char *id, PRL_HANDLE *vm)
{
	char key[1024], what[1100];
	CLI_AUTO_HANDLE res = PRL_INVALID_HANDLE;
	PRL_RESULT ret, rc;

	*vm = PRL_INVALID_HANDLE;
	normalize_id(id, key, sizeof(key));
	snprintf(what, sizeof(what), "Failed to find the %s virtual machine", id);
	PRL_HANDLE job = PrlSrv_GetVmConfig(c->srv, key, PGVC_SEARCH_BY_UUID | PGVC_SEARCH_BY_NAME);
	rc = job_wait(c, job, &ret);
	if (PRL_SUCCEEDED(rc) && is_not_found(ret)) {
		PrlHandle_Free(job);
		cli_error("The %s virtual machine does not exist. [%s]", id, prl_result_to_string(ret));
		return ret;
	}
	if (PRL_FAILED(rc = job_finish(c, job, rc, ret, what, &res)))
		return rc;
	if (PRL_FAILED(rc = PrlResult_GetParam(res, vm)))
		return cli_fail(rc, "%s (the answer holds no VM)", what);
	return PRL_ERR_SUCCESS;
}

VIRTUAL_MACHINE_STATE cli_vm_state(PRL_HANDLE vm)
{
	CLI_AUTO_HANDLE info = PRL_INVALID_HANDLE;
	VIRTUAL_MACHINE_STATE st = VMS_UNKNOWN;

	if (PRL_SUCCEEDED(PrlVmCfg_GetVmInfo(vm, &info)) && PRL_FAILED(PrlVmInfo_GetState(info, &st)))
		st = VMS_UNKNOWN;
	return st;
}

const char *cli_vm_type_str(PRL_HANDLE vm)
{
	PRL_VM_TYPE t = PVT_VM;

	PrlVmCfg_GetVmType(vm, &t);
	return t == PVT_CT ? "CT" : "VM";
}
