/*
 * ops_srv.c — the server-level operations: login (local and TCP), logoff,
 * host configuration and statistics, the statistics subscription and the
 * VM list.  Each is a handler in the table at the bottom (see ops.h).
 *
 * Logins check on a worker (PAM, crypt and getpwuid may block) and commit
 * to the connection in done(), back on the loop.  A refused password is
 * answered DISP_AUTH_FAIL_DELAY_MS late, to slow down guessing, without
 * holding up anyone else.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* glibc extensions */
#endif
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "auth.h"
#include "ops.h"
#include "prlc_consts.h"
#ifdef DISP_HAVE_REGISTRY
#include "registry.h"
#ifdef DISP_HAVE_HV
#include "vmlist_wire.h"
#include "vmops.h"
#endif
#endif

#ifndef DISP_PRODUCT_VERSION
#define DISP_PRODUCT_VERSION "0.0.0"
#endif

/* What a successful login hands from run() to done(). */
typedef struct login_data {
	char *user;
	uid_t uid;                      /* (uid_t)-1: no system account */
	uint32_t level;
	char uuid[PRLC_UUID_LEN + 1];
} login_data;

static void login_data_free(void *p)
{
	login_data *d = p;
	if (d)
		free(d->user);
	free(d);
}

static Prl__Value *value_new(void)
{
	Prl__Value *v = malloc(sizeof *v);
	if (v)
		prl__value__init(v);
	return v;
}

static char *host_os_version(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return strdup("");
	char *s = NULL;
	return asprintf(&s, "%s %s", u.sysname, u.release) < 0 ? NULL : s;
}

static char *host_name(void)
{
	char h[256] = "";
	gethostname(h, sizeof h - 1);
	return strdup(h);
}

static Prl__LoginInfo *login_info_new(const disp_server *srv,
				      const char *session_uuid, const char *user)
{
	Prl__LoginInfo *li = malloc(sizeof *li);
	if (!li)
		return NULL;
	prl__login_info__init(li);
	li->user = strdup(user);
	li->session_uuid = strdup(session_uuid);
	li->server_uuid = strdup(srv->uuid);
	li->host_os_version = host_os_version();
	li->product_version = strdup(DISP_PRODUCT_VERSION);
	li->hostname = host_name();
	li->has_cmd_port = true;
	li->cmd_port = srv->tcp_port;
	li->has_start_time = true;
	li->start_time = srv->start_time;
	li->has_app_mode = true;
	li->app_mode = PAM_SERVER;
	if (!li->user || !li->session_uuid || !li->server_uuid || !li->host_os_version ||
	    !li->product_version || !li->hostname) {
		prl__login_info__free_unpacked(li, NULL);
		return NULL;
	}
	return li;
}

/* The successful end of both logins: a session UUID, LoginInfo as the one
 * result value, and the data done() commits. */
static int login_accept(disp_req *r, const char *user, uid_t uid,
			uint32_t level)
{
	if (strlen(user) > DISP_USER_MAX)
		return disp_req_fail(r, PRL_ERR_AUTHENTICATION_FAILED,
				     "user names longer than %d bytes are not "
				     "supported", DISP_USER_MAX);
	login_data *d = calloc(1, sizeof *d);
	Prl__Value *v = value_new();
	if (!d || !v || !(d->user = strdup(user))) {
		free(v);
		login_data_free(d);
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	}
	d->level = level;
	d->uid = uid;
	prlc_uuid_generate(d->uuid);
	disp_req_set_data(r, d, login_data_free);
	v->v_case = PRL__VALUE__V_LOGIN;
	v->login = login_info_new(disp_req_server(r), d->uuid, user);
	if (!v->login) {
		free(v);
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	}
	return disp_req_add_value(r, v, NULL) < 0 ?
		       disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory") :
		       PRL_ERR_SUCCESS;
}

static void login_done(disp_req *r)
{
	disp_conn *c = disp_req_conn(r);
	login_data *d = disp_req_data(r);
	if (disp_req_result(r) != PRL_ERR_SUCCESS || !d ||
	    !disp_conn_alive(c))
		return;
	snprintf(c->sess.user, sizeof c->sess.user, "%s", d->user);
	c->sess.security_level = d->level;
	c->sess.user_uid = d->uid;
	memcpy(c->sess.uuid, d->uuid, sizeof d->uuid);
	c->sess.logged_in = true;
	PRLC_INFO("%s: user '%s' logged in, session %s", c->sess.peer,
		  c->sess.user, c->sess.uuid);
}

/* PJOC_SRV_LOGIN_LOCAL: the unix socket's peer credentials name the user;
 * every security level is fine because the channel never leaves the host. */
static int login_local_run(disp_req *r)
{
	const disp_session *s = disp_req_session(r);
	uint32_t level = PSL_LOW_SECURITY;
	disp_req_arg_u32(r, "security_level", &level);
	if (!s->is_unix)
		return disp_req_fail(r, PRL_ERR_LOCAL_AUTHENTICATION_FAILED,
				     "local login works only on the "
				     "dispatcher's unix socket");
	struct passwd pw, *res = NULL;
	char buf[4096], uidname[24];
	getpwuid_r(s->uid, &pw, buf, sizeof buf, &res);
	snprintf(uidname, sizeof uidname, "%u", (unsigned)s->uid);
	return login_accept(r, res ? res->pw_name : uidname, s->uid, level);
}

/* The security level a TCP login may use: plain TCP only until TLS comes,
 * and never below the configured minimum. */
static int check_tcp_level(disp_req *r, uint32_t level)
{
	uint32_t min = disp_req_server(r)->opt->min_security;
	if (level > PSL_LOW_SECURITY)
		return disp_req_fail(r, PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL,
				     "security level %u needs TLS, which this "
				     "dispatcher does not offer on TCP yet; "
				     "use PSL_LOW_SECURITY or the local "
				     "socket", level);
	if (level < min)
		return disp_req_fail(r, PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL,
				     "this dispatcher accepts security level "
				     "%u or higher only (asked: %u)", min,
				     level);
	return PRL_ERR_SUCCESS;
}

/* The account behind a user name; password-file users may have none. */
static uid_t system_uid(const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	getpwnam_r(user, &pw, buf, sizeof buf, &res);
	return res ? res->pw_uid : (uid_t)-1;
}

/* PJOC_SRV_LOGIN: user name and password, checked by PAM or the password
 * file. */
static int login_run(disp_req *r)
{
	const disp_session *s = disp_req_session(r);
	const disp_server *srv = disp_req_server(r);
	const char *user = disp_req_arg_str(r, "user");
	const char *pass = disp_req_arg_str(r, "password");
	uint32_t level = PSL_LOW_SECURITY;
	disp_req_arg_u32(r, "security_level", &level);
	int rc = s->is_unix ? PRL_ERR_SUCCESS : check_tcp_level(r, level);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	if (!user || !*user || !pass)
		return disp_req_fail(r, PRL_ERR_INVALID_ARG, "login needs the "
				     "arguments 'user' and 'password'");
	if (disp_auth_check(srv->opt->auth, srv->opt->state_dir, user, pass))
		return login_accept(r, user, system_uid(user), level);
	PRLC_WARN("%s: login of user '%s' refused", s->peer, user);
	disp_req_delay_reply(r, DISP_AUTH_FAIL_DELAY_MS);
	return disp_req_fail(r, PRL_ERR_AUTHENTICATION_FAILED,
			     "user '%s' could not be authenticated on this "
			     "host: wrong user name or password", user);
}

/* PJOC_SRV_LOGOFF: the connection stays open and may log in again. */
static int logoff_run(disp_req *r)
{
	disp_conn *c = disp_req_conn(r);
	PRLC_INFO("%s: user '%s' logged off", c->sess.peer, c->sess.user);
	disp_stats_unsubscribe(c);
	c->sess.user[0] = '\0';
	c->sess.user_uid = (uid_t)-1;
	c->sess.uuid[0] = '\0';
	c->sess.logged_in = false;
	return PRL_ERR_SUCCESS;
}

/* ---- host information --------------------------------------------------------- */

static void free_srv_config_value(Prl__Value *v)
{
	disp_stats_free_config(v->srv_config);
	free(v->srv_config);
	free(v);
}

static int get_srv_config_run(disp_req *r)
{
	Prl__Value *v = value_new();
	Prl__ServerConfig *cfg = malloc(sizeof *cfg);
	if (!v || !cfg) {
		free(v);
		free(cfg);
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	}
	int rc = disp_stats_fill_config(cfg);
	v->v_case = PRL__VALUE__V_SRV_CONFIG;
	v->srv_config = cfg;
	if (disp_req_add_value(r, v, free_srv_config_value) < 0 || rc < 0)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY,
				     "cannot describe the host: out of memory");
	return PRL_ERR_SUCCESS;
}

static void free_stats_value(Prl__Value *v)
{
	disp_stats_free_sample(v->stats);
	free(v->stats);
	free(v);
}

static int get_statistics_run(disp_req *r)
{
	Prl__Value *v = value_new();
	Prl__Statistics *st = malloc(sizeof *st);
	if (!v || !st) {
		free(v);
		free(st);
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	}
	int rc = disp_stats_sample(disp_req_server(r), st);
	v->v_case = PRL__VALUE__V_STATS;
	v->stats = st;
	if (disp_req_add_value(r, v, free_stats_value) < 0)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	if (rc < 0)
		return disp_req_fail(r, PRL_ERR_FAILURE, "cannot read the host "
				     "statistics: %s", strerror(-rc));
	return PRL_ERR_SUCCESS;
}

static int subscribe_run(disp_req *r)
{
	disp_stats_subscribe(disp_req_conn(r));
	return PRL_ERR_SUCCESS;
}

static int unsubscribe_run(disp_req *r)
{
	disp_stats_unsubscribe(disp_req_conn(r));
	return PRL_ERR_SUCCESS;
}

/* ---- VMs ------------------------------------------------------------------------ */

/* PJOC_SRV_GET_VM_LIST: the VMs the user may see (root: all, others: their
 * own), each packed in Response.vms; the library unpacks a VM only when it
 * is asked for.  Runs on the loop: the registry answers from memory, and a
 * worker round trip would double the latency of the most frequent request.
 * The frame is assembled from bytes each registry snapshot packs once
 * (vmlist_wire.h). */
#if defined(DISP_HAVE_REGISTRY) && defined(DISP_HAVE_HV)
static int get_vm_list_run(disp_req *r)
{
	disp_registry *reg = disp_req_server(r)->registry;
	if (!reg)
		return PRL_ERR_SUCCESS;
	disp_vmsnap *room[16], **snaps;
	size_t n, len;
	int rc = disp_registry_list_in(reg, disp_req_session(r)->user_uid, room,
				       sizeof room / sizeof *room, &snaps, &n);
	if (rc != PRL_ERR_SUCCESS)
		return disp_req_fail(r, rc, "%s", disp_registry_errmsg());
	uint8_t *frame = disp_vmlist_wire_encode(disp_req_msg(r)->id, snaps, n, &len);
	disp_registry_list_release(snaps, n, room);
	if (!frame)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory, or "
				     "a list of %zu VMs larger than a frame may "
				     "be (%u bytes)", n, (unsigned)PRLC_MAX_FRAME);
	disp_req_set_reply(r, frame, len);
	return PRL_ERR_SUCCESS;
}
#else
static int get_vm_list_run(disp_req *r)
{
	(void)r;                        /* no registry linked: no VMs */
	return PRL_ERR_SUCCESS;
}
#endif

static const disp_op srv_ops[] = {
	{ PJOC_SRV_LOGIN, "SRV_LOGIN",
	  DISP_OP_NO_LOGIN | DISP_OP_LOGIN | DISP_OP_WORKER |
	  DISP_OP_CANCELLABLE, login_run, login_done },
	{ PJOC_SRV_LOGIN_LOCAL, "SRV_LOGIN_LOCAL",
	  DISP_OP_NO_LOGIN | DISP_OP_LOGIN | DISP_OP_WORKER |
	  DISP_OP_CANCELLABLE, login_local_run, login_done },
	{ PJOC_SRV_LOGOFF, "SRV_LOGOFF", 0, logoff_run, NULL },
	{ PJOC_SRV_GET_SRV_CONFIG, "SRV_GET_SRV_CONFIG",
	  DISP_OP_WORKER | DISP_OP_CANCELLABLE, get_srv_config_run, NULL },
	{ PJOC_SRV_GET_STATISTICS, "SRV_GET_STATISTICS",
	  DISP_OP_WORKER | DISP_OP_CANCELLABLE, get_statistics_run, NULL },
	{ PJOC_SRV_SUBSCRIBE_TO_HOST_STATISTICS,
	  "SRV_SUBSCRIBE_TO_HOST_STATISTICS", 0, subscribe_run, NULL },
	{ PJOC_SRV_UNSUBSCRIBE_FROM_HOST_STATISTICS,
	  "SRV_UNSUBSCRIBE_FROM_HOST_STATISTICS", 0, unsubscribe_run, NULL },
	{ PJOC_SRV_GET_VM_LIST, "SRV_GET_VM_LIST", 0, get_vm_list_run, NULL },
};
DISP_OPS_REGISTER(srv_ops)
