/*
 * PrlPorts.h — the TCP ports the dispatcher listens on.
 *
 * Remote clients (PrlSrv_Login) connect to PRL_DISPATCHER_LISTEN_PORT unless
 * they pass another port; local clients use the unix socket instead.
 */
#ifndef OPENPRL_PRLPORTS_H
#define OPENPRL_PRLPORTS_H

#define PRL_DISPATCHER_LISTEN_PORT         64000
#define PRL_DISPATCHER_LISTEN_PORT_PMOBILE 62319  /* the mobile-client proxy */

#endif /* OPENPRL_PRLPORTS_H */
