/*
 * test_disp_service.c — integration test of prl_disp_service over raw
 * frames (no client library).
 *
 * Starts the real daemon (path in argv[1]) in the foreground with a private
 * state directory, unix socket and free loopback port, password file auth
 * and libvirt's test driver, then checks the handshake, the login rules,
 * statistics events, cancellation, bad clients that must not hurt good
 * ones, and the clean shutdown on SIGTERM.  Every wait is bounded; a failed
 * check prints what was expected and what came, plus the daemon's log.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* glibc extensions */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "uuid.h"

#define USER "tester"
#define PASSWORD "s3cret pass"

static const char *disp_bin;
static char dir[64], sock_path[96], log_path[96];
static uint16_t tcp_port;
static pid_t disp_pid = -1;
static int failures;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "FAIL %s:%d: %s: ", __func__,       \
				__LINE__, #cond);                           \
			fprintf(stderr, __VA_ARGS__);                       \
			fprintf(stderr, "\n");                              \
			failures++;                                         \
			return -1;                                          \
		}                                                           \
	} while (0)

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the daemon ------------------------------------------------------------ */

static int set_password(void)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[1]);
		execl(disp_bin, disp_bin, "--state-dir", dir, "--set-password",
		      USER, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	dprintf(p[1], "%s\n", PASSWORD);
	close(p[1]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bind(fd, (void *)&a, sizeof a);
	getsockname(fd, (void *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

static int connect_unix(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(fd, (void *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_tcp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(tcp_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(fd, (void *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int start_daemon(void)
{
	char listen[64];
	snprintf(listen, sizeof listen, "127.0.0.1:%u", tcp_port);
	disp_pid = fork();
	if (disp_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* never outlive the test */
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(disp_bin, disp_bin, "--foreground", "--state-dir", dir,
		      "--unix-socket", sock_path, "--listen", listen,
		      "--hypervisor", "test:///default", "--auth", "file",
		      "--log-level", "debug", (char *)NULL);
		_exit(127);
	}
	/* Ready when both sockets accept; bounded at 10 s. */
	for (uint64_t end = now_ms() + 10000; now_ms() < end;) {
		int u = connect_unix(), t = u >= 0 ? connect_tcp() : -1;
		if (u >= 0)
			close(u);
		if (t >= 0) {
			close(t);
			return 0;
		}
		if (waitpid(disp_pid, NULL, WNOHANG) == disp_pid)
			break;
		usleep(20000);
	}
	return -1;
}

static void dump_log(void)
{
	char line[512];
	FILE *f = fopen(log_path, "r");
	fprintf(stderr, "---- daemon log ----\n");
	while (f && fgets(line, sizeof line, f))
		fputs(line, stderr);
	if (f)
		fclose(f);
}

/* ---- frames ---------------------------------------------------------------------- */

/* Reads one frame within timeout_ms: 1, 0 on EOF, -ETIMEDOUT, <0. */
static int read_frame(int fd, Prl__Frame **out, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc = poll(&p, 1, timeout_ms);
	if (rc == 0)
		return -ETIMEDOUT;
	if (rc < 0)
		return -errno;
	return prlc_frame_read_fd(fd, out);
}

static int send_hello(int fd, uint32_t magic, uint32_t version)
{
	Prl__Hello h = PRL__HELLO__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	h.magic = magic;
	h.version = version;
	h.client = "test_disp_service";
	f.body_case = PRL__FRAME__BODY_HELLO;
	f.hello = &h;
	return prlc_frame_write_fd(fd, &f);
}

/* Hello with our version; returns the HelloReply frame (caller frees). */
static Prl__Frame *handshake(int fd)
{
	Prl__Frame *f = NULL;
	if (send_hello(fd, PRLC_WIRE_MAGIC, PRLC_PROTOCOL_VERSION) < 0 ||
	    read_frame(fd, &f, 5000) != 1)
		return NULL;
	if (f->body_case != PRL__FRAME__BODY_HELLO_REPLY ||
	    f->hello_reply->result != 0) {
		prl__frame__free_unpacked(f, NULL);
		return NULL;
	}
	return f;
}

static int hello_ok(int fd)
{
	Prl__Frame *f = handshake(fd);
	if (f)
		prl__frame__free_unpacked(f, NULL);
	return f ? 0 : -1;
}

typedef struct arg {
	const char *name;
	const char *str;
	uint32_t u32;
} arg;

static int send_request(int fd, uint64_t id, uint32_t op, const arg *args,
			size_t n, const uint64_t *cancel_id)
{
	Prl__Value vals[4];
	Prl__Param params[4], *pp[4];
	Prl__Request r = PRL__REQUEST__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	for (size_t i = 0; i < n; i++) {
		prl__value__init(&vals[i]);
		prl__param__init(&params[i]);
		if (args[i].str) {
			vals[i].v_case = PRL__VALUE__V_STR;
			vals[i].str = (char *)args[i].str;
		} else {
			vals[i].v_case = PRL__VALUE__V_U32;
			vals[i].u32 = args[i].u32;
		}
		params[i].name = (char *)args[i].name;
		params[i].value = &vals[i];
		pp[i] = &params[i];
	}
	r.id = id;
	r.op = op;
	r.args = pp;
	r.n_args = n;
	r.has_cancel_id = cancel_id != NULL;
	r.cancel_id = cancel_id ? *cancel_id : 0;
	f.body_case = PRL__FRAME__BODY_REQUEST;
	f.request = &r;
	return prlc_frame_write_fd(fd, &f);
}

/* Waits for the Response with this id, skipping events and pings. */
static Prl__Response *wait_response(int fd, uint64_t id, Prl__Frame **hold,
				    int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	while (now_ms() < end) {
		Prl__Frame *f = NULL;
		if (read_frame(fd, &f, (int)(end - now_ms())) != 1)
			return NULL;
		if (f->body_case == PRL__FRAME__BODY_RESPONSE &&
		    f->response->id == id) {
			*hold = f;
			return f->response;
		}
		prl__frame__free_unpacked(f, NULL);
	}
	return NULL;
}

/* Sends a request and returns its result (INT32_MIN: no answer). */
static int32_t call(int fd, uint64_t id, uint32_t op, const arg *args,
		    size_t n, char *text, size_t textlen)
{
	Prl__Frame *hold = NULL;
	if (send_request(fd, id, op, args, n, NULL) < 0)
		return INT32_MIN;
	Prl__Response *r = wait_response(fd, id, &hold, 10000);
	int32_t rc = r ? r->result : INT32_MIN;
	if (r && text)
		snprintf(text, textlen, "%s", r->error ? r->error : "");
	if (hold)
		prl__frame__free_unpacked(hold, NULL);
	return rc;
}

static int32_t tcp_login(int fd, uint64_t id, const char *pw, uint32_t lvl)
{
	arg a[3] = { { "user", USER, 0 }, { "password", pw, 0 },
		     { "security_level", NULL, lvl } };
	return call(fd, id, PJOC_SRV_LOGIN, a, 3, NULL, 0);
}

static int32_t local_login(int fd, uint64_t id)
{
	return call(fd, id, PJOC_SRV_LOGIN_LOCAL, NULL, 0, NULL, 0);
}

/* True when the peer closes within timeout_ms (frames before EOF are
 * skipped). */
static bool sees_eof(int fd, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	while (now_ms() < end) {
		Prl__Frame *f = NULL;
		int rc = read_frame(fd, &f, (int)(end - now_ms()));
		if (rc == 0 || rc == -ECONNRESET)
			return true;
		if (rc != 1)
			return false;
		prl__frame__free_unpacked(f, NULL);
	}
	return false;
}

/* ---- the checks ---------------------------------------------------------------------- */

static int t_wrong_version(void)
{
	int fd = connect_unix();
	Prl__Frame *f = NULL;
	CHECK(fd >= 0, "connect");
	CHECK(send_hello(fd, PRLC_WIRE_MAGIC, PRLC_PROTOCOL_VERSION + 7) == 0,
	      "send");
	CHECK(read_frame(fd, &f, 5000) == 1, "no HelloReply");
	CHECK(f->body_case == PRL__FRAME__BODY_HELLO_REPLY, "body %d",
	      f->body_case);
	CHECK(f->hello_reply->result == PRL_ERR_WRONG_PROTOCOL_VERSION,
	      "result 0x%x", (unsigned)f->hello_reply->result);
	CHECK(f->hello_reply->error && *f->hello_reply->error, "no text");
	prl__frame__free_unpacked(f, NULL);
	CHECK(sees_eof(fd, 5000), "connection stays open");
	close(fd);
	return 0;
}

static int t_garbage_before_hello(void)
{
	static const char *junk[] = { "\xff\xff\xff\xffjunk",
				      "\x00\x00\x00\x04\xff\xff\xff\xff" };
	static const size_t sizes[] = { 8, 8 };
	int good = connect_unix();
	CHECK(good >= 0, "connect");
	for (int i = 0; i < 2; i++) {
		int bad = connect_unix();
		CHECK(bad >= 0, "connect");
		CHECK(write(bad, junk[i], sizes[i]) == (ssize_t)sizes[i],
		      "write");
		CHECK(sees_eof(bad, 5000), "garbage %d not dropped", i);
		close(bad);
	}
	CHECK(hello_ok(good) == 0, "second client not served");
	CHECK(local_login(good, 1) == 0, "second client cannot log in");
	close(good);
	return 0;
}

static int read_server_uuid(char out[PRLC_UUID_LEN + 1])
{
	char path[400];
	snprintf(path, sizeof path, "%s/server.uuid", dir);
	FILE *f = fopen(path, "r");
	int ok = f && fscanf(f, "%38s", out) == 1;
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

static int t_login_local(void)
{
	int fd = connect_unix();
	CHECK(fd >= 0, "connect");
	Prl__Frame *hr = handshake(fd), *hold = NULL;
	CHECK(hr != NULL, "handshake");
	char suuid[PRLC_UUID_LEN + 1];
	CHECK(read_server_uuid(suuid) == 0, "server.uuid unreadable");
	CHECK(hr->hello_reply->server_uuid &&
	      strcmp(hr->hello_reply->server_uuid, suuid) == 0,
	      "hello server uuid %s", hr->hello_reply->server_uuid);
	prl__frame__free_unpacked(hr, NULL);
	CHECK(send_request(fd, 7, PJOC_SRV_LOGIN_LOCAL, NULL, 0, NULL) == 0,
	      "send");
	Prl__Response *r = wait_response(fd, 7, &hold, 5000);
	CHECK(r && r->result == 0, "login local result 0x%x",
	      r ? (unsigned)r->result : 0);
	CHECK(r->n_params == 1 && r->params[0]->v_case ==
	      PRL__VALUE__V_LOGIN, "no LoginInfo");
	Prl__LoginInfo *li = r->params[0]->login;
	CHECK(prlc_uuid_is_valid(li->session_uuid), "session uuid %s",
	      li->session_uuid);
	CHECK(strcmp(li->server_uuid, suuid) == 0, "server uuid %s",
	      li->server_uuid);
	CHECK(li->product_version && *li->product_version, "no version");
	CHECK(li->host_os_version && *li->host_os_version, "no host os");
	prl__frame__free_unpacked(hold, NULL);
	CHECK(local_login(fd, 8) == PRL_ERR_ALREADY_CONNECTED_TO_DISPATCHER,
	      "second login accepted");
	char text[200];
	CHECK(call(fd, 9, 999, NULL, 0, text, sizeof text) ==
	      PRL_ERR_UNIMPLEMENTED, "unknown op");
	CHECK(strstr(text, "999") != NULL, "text '%s' does not name it", text);
	CHECK(call(fd, 10, PJOC_SRV_GET_VM_LIST, NULL, 0, NULL, 0) == 0,
	      "vm list");
	CHECK(call(fd, 11, PJOC_SRV_GET_SRV_CONFIG, NULL, 0, NULL, 0) == 0,
	      "srv config");
	CHECK(call(fd, 12, PJOC_SRV_GET_STATISTICS, NULL, 0, NULL, 0) == 0,
	      "statistics");
	CHECK(call(fd, 13, PJOC_SRV_LOGOFF, NULL, 0, NULL, 0) == 0, "logoff");
	CHECK(call(fd, 14, PJOC_SRV_GET_VM_LIST, NULL, 0, NULL, 0) ==
	      PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, "served after logoff");
	close(fd);
	return 0;
}

static int t_request_before_login(void)
{
	int fd = connect_tcp();
	CHECK(fd >= 0 && hello_ok(fd) == 0, "connect");
	CHECK(call(fd, 1, PJOC_SRV_GET_VM_LIST, NULL, 0, NULL, 0) ==
	      PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, "served before login");
	CHECK(call(fd, 2, PJOC_SRV_SUBSCRIBE_TO_HOST_STATISTICS, NULL, 0,
		   NULL, 0) == PRL_ERR_NOT_CONNECTED_TO_DISPATCHER,
	      "subscribed before login");
	CHECK(local_login(fd, 3) == PRL_ERR_LOCAL_AUTHENTICATION_FAILED,
	      "local login over TCP");
	close(fd);
	return 0;
}

static int t_tcp_login(void)
{
	int fd = connect_tcp();
	CHECK(fd >= 0 && hello_ok(fd) == 0, "connect");
	uint64_t t0 = now_ms();
	CHECK(tcp_login(fd, 1, "wrong", PSL_LOW_SECURITY) ==
	      PRL_ERR_AUTHENTICATION_FAILED, "wrong password");
	CHECK(now_ms() - t0 >= 900, "refusal not delayed (%llu ms)",
	      (unsigned long long)(now_ms() - t0));
	CHECK(tcp_login(fd, 2, PASSWORD, PSL_NORMAL_SECURITY) ==
	      PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL, "normal level on TCP");
	CHECK(tcp_login(fd, 3, PASSWORD, PSL_HIGH_SECURITY) ==
	      PRL_ERR_WRONG_CONNECTION_SECURITY_LEVEL, "high level on TCP");
	CHECK(tcp_login(fd, 4, PASSWORD, PSL_LOW_SECURITY) == 0,
	      "right password refused");
	CHECK(call(fd, 5, PJOC_SRV_GET_VM_LIST, NULL, 0, NULL, 0) == 0,
	      "not served after login");
	close(fd);
	return 0;
}

/* A refused login waits a second before its reply: cancel it meanwhile. */
static int t_cancel(void)
{
	int fd = connect_tcp();
	Prl__Frame *f = NULL;
	CHECK(fd >= 0 && hello_ok(fd) == 0, "connect");
	arg a[2] = { { "user", USER, 0 }, { "password", "nope", 0 } };
	uint64_t target = 20, missing = 99;
	CHECK(send_request(fd, target, PJOC_SRV_LOGIN, a, 2, NULL) == 0, "s");
	CHECK(send_request(fd, 21, PJOC_JOB_CANCEL, NULL, 0, &target) == 0,
	      "send cancel");
	CHECK(read_frame(fd, &f, 5000) == 1 &&
	      f->body_case == PRL__FRAME__BODY_RESPONSE, "no response");
	CHECK(f->response->id == 20 && f->response->result ==
	      PRL_ERR_OPERATION_WAS_CANCELED, "first reply id %llu 0x%x",
	      (unsigned long long)f->response->id,
	      (unsigned)f->response->result);
	prl__frame__free_unpacked(f, NULL);
	CHECK(read_frame(fd, &f, 5000) == 1 &&
	      f->body_case == PRL__FRAME__BODY_RESPONSE, "no response");
	CHECK(f->response->id == 21 && f->response->result == 0,
	      "cancel reply id %llu 0x%x", (unsigned long long)f->response->id,
	      (unsigned)f->response->result);
	prl__frame__free_unpacked(f, NULL);
	Prl__Frame *hold = NULL;
	CHECK(send_request(fd, 22, PJOC_JOB_CANCEL, NULL, 0, &missing) == 0,
	      "send");
	Prl__Response *r = wait_response(fd, 22, &hold, 5000);
	CHECK(r && r->result == PRL_ERR_TASK_NOT_FOUND, "cancel of nothing");
	prl__frame__free_unpacked(hold, NULL);
	/* The cancelled login's late result must not have logged us in. */
	CHECK(call(fd, 23, PJOC_SRV_GET_VM_LIST, NULL, 0, NULL, 0) ==
	      PRL_ERR_NOT_CONNECTED_TO_DISPATCHER, "cancelled login counted");
	close(fd);
	return 0;
}

static int check_stats_event(const Prl__Event *ev)
{
	CHECK(ev->type == PET_DSP_EVT_HOST_STATISTICS_UPDATED, "type %u",
	      ev->type);
	CHECK(ev->issuer_type == PIE_DISPATCHER, "issuer %u", ev->issuer_type);
	CHECK(ev->n_params == 1 && strcmp(ev->params[0]->name, "statistics")
	      == 0, "parameter");
	CHECK(ev->params[0]->has_type && ev->params[0]->type == PFD_BINARY,
	      "parameter type");
	const Prl__Value *v = ev->params[0]->value;
	CHECK(v->v_case == PRL__VALUE__V_BIN, "not binary");
	Prl__Statistics *st = prl__statistics__unpack(NULL, v->bin.len,
						      v->bin.data);
	CHECK(st != NULL, "statistics do not decode");
	prl__statistics__free_unpacked(st, NULL);
	return 0;
}

static int t_stats_subscription(void)
{
	int fd = connect_unix();
	CHECK(fd >= 0 && hello_ok(fd) == 0 && local_login(fd, 1) == 0,
	      "login");
	CHECK(call(fd, 2, PJOC_SRV_SUBSCRIBE_TO_HOST_STATISTICS, NULL, 0,
		   NULL, 0) == 0, "subscribe");
	Prl__Frame *f = NULL;
	uint64_t end = now_ms() + 2500;
	int events = 0;
	while (events == 0 && now_ms() < end &&
	       read_frame(fd, &f, (int)(end - now_ms())) == 1) {
		if (f->body_case == PRL__FRAME__BODY_EVENT) {
			events++;
			if (check_stats_event(f->event) < 0)
				events = -100;
		}
		prl__frame__free_unpacked(f, NULL);
	}
	CHECK(events == 1, "no statistics event within 2.5 s (%d)", events);
	CHECK(call(fd, 3, PJOC_SRV_UNSUBSCRIBE_FROM_HOST_STATISTICS, NULL, 0,
		   NULL, 0) == 0, "unsubscribe");
	close(fd);
	return 0;
}

static int t_disconnect_mid_frame(void)
{
	static const uint8_t part[] = { 0, 0, 0, 100, 0x1a, 0x05, 0x08 };
	int bad = connect_unix();
	CHECK(bad >= 0 && hello_ok(bad) == 0, "connect");
	CHECK(write(bad, part, sizeof part) == (ssize_t)sizeof part, "write");
	close(bad);
	int good = connect_unix();
	CHECK(good >= 0 && hello_ok(good) == 0, "next client not served");
	CHECK(local_login(good, 1) == 0, "next client cannot log in");
	close(good);
	return 0;
}

static int t_sigterm(void)
{
	int fd = connect_unix();
	CHECK(fd >= 0 && hello_ok(fd) == 0 && local_login(fd, 1) == 0,
	      "login");
	CHECK(kill(disp_pid, SIGTERM) == 0, "kill");
	Prl__Frame *f = NULL;
	CHECK(read_frame(fd, &f, 5000) == 1, "no shutdown event");
	CHECK(f->body_case == PRL__FRAME__BODY_EVENT &&
	      f->event->type == PET_DSP_EVT_DISP_SHUTDOWN &&
	      f->event->issuer_type == PIE_DISPATCHER, "not the shutdown event");
	prl__frame__free_unpacked(f, NULL);
	CHECK(sees_eof(fd, 5000), "no EOF after shutdown");
	close(fd);
	int st = 0;
	pid_t w = 0;
	for (uint64_t end = now_ms() + 5000; w == 0 && now_ms() < end;
	     usleep(10000))
		w = waitpid(disp_pid, &st, WNOHANG);
	CHECK(w == disp_pid, "daemon still running");
	disp_pid = -1;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status 0x%x", st);
	CHECK(access(sock_path, F_OK) != 0, "socket file left behind");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-prl_disp_service\n", argv[0]);
		return 2;
	}
	disp_bin = argv[1];
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof dir, "/tmp/prl-disp-test-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(sock_path, sizeof sock_path, "%s/s", dir);
	snprintf(log_path, sizeof log_path, "%s/log", dir);
	tcp_port = free_port();
	if (set_password() < 0 || start_daemon() < 0) {
		fprintf(stderr, "FAIL: cannot start %s\n", disp_bin);
		dump_log();
		return 1;
	}
	int (*tests[])(void) = { t_wrong_version, t_garbage_before_hello,
				 t_login_local, t_request_before_login,
				 t_tcp_login, t_cancel, t_stats_subscription,
				 t_disconnect_mid_frame, t_sigterm };
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		tests[i]();
	if (disp_pid > 0) {
		kill(disp_pid, SIGKILL);
		waitpid(disp_pid, NULL, 0);
	}
	if (failures)
		dump_log();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (!failures && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
