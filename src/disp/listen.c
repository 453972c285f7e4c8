/*
 * listen.c — the listening sockets: the unix socket for local logins and
 * the TCP addresses for remote ones (see disp.h).
 *
 * The unix socket is made world-connectable (0666): who may do what is
 * decided from the peer's credentials, not from the file mode.  A socket
 * file left behind by a dead dispatcher is replaced; one that still answers
 * belongs to a live dispatcher and is an error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/listener.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "disp.h"

#define BACKLOG 128

struct disp_listeners {
	struct evconnlistener **l;
	size_t n;
	char *unix_path;                /* unlinked on close */
	bool have_tcp;
};

static int add_listener(disp_listeners *ls, struct evconnlistener *l)
{
	struct evconnlistener **v = realloc(ls->l, (ls->n + 1) * sizeof *v);
	if (!v) {
		evconnlistener_free(l);
		return -ENOMEM;
	}
	ls->l = v;
	v[ls->n++] = l;
	return 0;
}

static void peer_name(const struct sockaddr *sa, char *out, size_t n)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
		snprintf(out, n, "tcp:%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
		snprintf(out, n, "tcp:[%s]:%u", host, port);
	} else {
		snprintf(out, n, "tcp:?");
	}
}

static void on_tcp_accept(struct evconnlistener *l, evutil_socket_t fd,
			  struct sockaddr *sa, int len, void *arg)
{
	char peer[80];
	peer_name(sa, peer, sizeof peer);
	disp_conn_accept(arg, fd, false, peer);
}

static void on_unix_accept(struct evconnlistener *l, evutil_socket_t fd,
			   struct sockaddr *sa, int len, void *arg)
{
	disp_conn_accept(arg, fd, true, NULL);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
	PRLC_WARN("accept: %s", strerror(EVUTIL_SOCKET_ERROR()));
}

/* True when something accepts connections at addr (a live dispatcher). */
static bool unix_socket_alive(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool alive = connect(fd, (const void *)addr, sizeof *addr) == 0 ||
		     errno != ECONNREFUSED;
	close(fd);
	return alive;
}

static int bind_unix(int fd, const struct sockaddr_un *addr)
{
	if (bind(fd, (const void *)addr, sizeof *addr) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return -errno;
	if (unix_socket_alive(addr))
		return -EADDRINUSE;
	unlink(addr->sun_path);         /* left by a dead dispatcher */
	return bind(fd, (const void *)addr, sizeof *addr) == 0 ? 0 : -errno;
}

static int open_unix(disp_server *srv, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof addr.sun_path)
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int rc = bind_unix(fd, &addr);
	if (rc == 0 && (chmod(path, 0666) < 0 || listen(fd, BACKLOG) < 0))
		rc = -errno;
	struct evconnlistener *l = rc ? NULL :
		evconnlistener_new(srv->base, on_unix_accept, srv,
				   LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!l) {
		close(fd);
		return rc ? rc : -ENOMEM;
	}
	evconnlistener_set_error_cb(l, on_accept_error);
	srv->listeners->unix_path = strdup(path);
	PRLC_INFO("listening on unix socket %s", path);
	return add_listener(srv->listeners, l);
}

static int resolve(const char *host, uint16_t port, struct addrinfo **res)
{
	char service[8];
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	snprintf(service, sizeof service, "%u", port);
	int rc = getaddrinfo(*host ? host : NULL, service, &hints, res);
	if (rc == EAI_SYSTEM)
		return -errno;
	return rc ? -EADDRNOTAVAIL : 0;
}

static uint16_t bound_port(struct evconnlistener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(evconnlistener_get_fd(l), (void *)&ss, &len) < 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ?
		     ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
}

static int open_tcp(disp_server *srv, const char *spec)
{
	char host[256];
	uint16_t port;
	struct addrinfo *ai = NULL;
	if (disp_options_split_addr(spec, host, sizeof host, &port) < 0)
		return -EINVAL;
	int rc = resolve(host, port, &ai);
	if (rc < 0)
		return rc;
	/* v6-only, so that [::]:P and 0.0.0.0:P can be listed together. */
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
			 LEV_OPT_REUSEABLE |
			 (ai->ai_family == AF_INET6 ? LEV_OPT_BIND_IPV6ONLY : 0);
	struct evconnlistener *l = evconnlistener_new_bind(
		srv->base, on_tcp_accept, srv, flags, BACKLOG, ai->ai_addr,
		(int)ai->ai_addrlen);
	rc = l ? 0 : -errno;
	freeaddrinfo(ai);
	if (!l)
		return rc ? rc : -EADDRNOTAVAIL;
	evconnlistener_set_error_cb(l, on_accept_error);
	if (!srv->listeners->have_tcp)         /* LoginInfo names the first */
		srv->tcp_port = bound_port(l);
	srv->listeners->have_tcp = true;
	PRLC_INFO("listening on tcp %s (port %u)", spec, bound_port(l));
	return add_listener(srv->listeners, l);
}

int disp_listeners_open(disp_server *srv)
{
	const disp_options *o = srv->opt;
	srv->listeners = calloc(1, sizeof *srv->listeners);
	if (!srv->listeners)
		return -1;
	int rc = 0;
	if (o->unix_socket && *o->unix_socket && strcmp(o->unix_socket, "none"))
		rc = open_unix(srv, o->unix_socket);
	if (rc < 0)
		fprintf(stderr, "prl_disp_service: cannot listen on unix socket "
			"%s: %s\n", o->unix_socket, strerror(-rc));
	for (size_t i = 0; rc == 0 && i < o->n_listen; i++) {
		rc = open_tcp(srv, o->listen[i]);
		if (rc < 0)
			fprintf(stderr, "prl_disp_service: cannot listen on "
				"TCP %s: %s\n", o->listen[i], strerror(-rc));
	}
	return rc < 0 ? -1 : 0;
}

void disp_listeners_close(disp_server *srv)
{
	disp_listeners *ls = srv->listeners;
	if (!ls)
		return;
	for (size_t i = 0; i < ls->n; i++)
		evconnlistener_free(ls->l[i]);
	if (ls->unix_path)
		unlink(ls->unix_path);
	free(ls->unix_path);
	free(ls->l);
	free(ls);
	srv->listeners = NULL;
}
