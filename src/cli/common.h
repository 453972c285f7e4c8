/*
 * common.h — what every prlctl / prlsrvctl command shares: the session with
 * the dispatcher (library init, local or remote login, logoff), waiting for
 * jobs with the --timeout bound, error texts, string getters and finding a
 * VM by name or UUID.  Only the public API (Parallels.h) is used, as any
 * client of the SDK would.
 *
 * Errors are printed on stderr as "<what failed>: <brief text> <long text>
 * [<PRL_ERR_ name>]": the job's own error event first (PrlJob_GetError +
 * PrlEvent_GetErrString), the generic description of the code otherwise.
 */
#ifndef OPENPRL_CLI_COMMON_H
#define OPENPRL_CLI_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>

#include "Parallels.h"

/* Exit statuses of both tools. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,      /* the operation (or the login) failed */
	CLI_EXIT_USAGE = 2,     /* bad command line */
};

typedef struct cli_login {
	bool remote;            /* -l given */
	char *user;
	char *password;         /* from -l, -p FILE or the prompt */
	char *host;
	unsigned port;          /* 0 = the default */
	const char *passwd_file;
} cli_login;

typedef struct cli_ctx {
	const char *prog;       /* "prlctl" */
	PRL_HANDLE srv;
	bool inited, logged_in;
	unsigned timeout_ms;    /* UINT_MAX: wait for ever (the default) */
	int verbose;
	cli_login login;
} cli_ctx;

/* ---- cleanup helpers ---------------------------------------------------- */

void cli_freep(void *p);
void cli_handle_freep(PRL_HANDLE *h);
#define CLI_AUTOFREE __attribute__((cleanup(cli_freep)))
#define CLI_AUTO_HANDLE __attribute__((cleanup(cli_handle_freep))) PRL_HANDLE

/* ---- messages ------------------------------------------------------------ */

void cli_debug(const cli_ctx *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints "<fmt...>: <texts of rc>" on stderr; returns rc. */
PRL_RESULT cli_fail(PRL_RESULT rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints "<fmt...>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- session -------------------------------------------------------------- */

/* Parses "[user[:password]@]host[:port]" into c->login. */
int cli_parse_login(cli_ctx *c, const char *spec);
/* PrlApi_InitEx, PrlSrv_Create and the login; prints why on failure. */
PRL_RESULT cli_connect(cli_ctx *c);
/* Logoff, free, PrlApi_Deinit: safe after a failed or partial connect. */
void cli_disconnect(cli_ctx *c);

/* ---- jobs ----------------------------------------------------------------- */

/* Waits for job (and frees it).  On success returns PRL_ERR_SUCCESS and, when
 * result is not NULL, the job's PHT_RESULT (the caller frees it).  On failure
 * prints "<what>: <error texts>" and returns the code. */
PRL_RESULT cli_job(cli_ctx *c, PRL_HANDLE job, const char *what, PRL_HANDLE *result);
/* cli_job without the message (for optional information): the code only. */
PRL_RESULT cli_job_try(cli_ctx *c, PRL_HANDLE job, PRL_HANDLE *result);
/* cli_job, then the result's first parameter (the caller frees it). */
PRL_RESULT cli_job_param(cli_ctx *c, PRL_HANDLE job, const char *what, PRL_HANDLE *param);

/* ---- strings -------------------------------------------------------------- */

typedef PRL_RESULT (PRL_CALL *cli_str_getter)(PRL_HANDLE, PRL_STR, PRL_UINT32_PTR);
/* The string a (handle, buf, &len) getter returns, malloc'ed ("" on error). */
char *cli_get_str(cli_str_getter fn, PRL_HANDLE h);
/* The result code's brief and long texts in buf ("brief long"). */
void cli_result_text(PRL_RESULT rc, char *buf, size_t size);
/* Parses a decimal number; false (and a message naming opt) when it is not. */
bool cli_parse_uint(const char *opt, const char *s, unsigned *out);
void *cli_xmalloc(size_t n);
char *cli_xstrdup(const char *s);

/* ---- virtual machines ----------------------------------------------------- */

/* Finds a VM by name or UUID (braces optional).  Prints "The <id> virtual
 * machine does not exist." when there is none. */
PRL_RESULT cli_find_vm(cli_ctx *c, const char *id, PRL_HANDLE *vm);
/* The state cached in a VM handle (VMS_UNKNOWN when there is none). */
VIRTUAL_MACHINE_STATE cli_vm_state(PRL_HANDLE vm);
/* "VM" or "CT". */
const char *cli_vm_type_str(PRL_HANDLE vm);

#endif
