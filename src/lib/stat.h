/*
 * stat.h — constructors of the statistics and server-configuration objects
 * (stat.c: PHT_SYSTEM_STATISTICS and its children; srvcfg.c:
 * PHT_SERVER_CONFIG and its host devices), called by the connection code
 * when a result or event parameter carries one of them.
 *
 * Every constructor returns an object with one reference for the caller,
 * or NULL (out of memory, handle table full, undecodable bytes).  None
 * keeps a pointer into its argument: the wire message belongs to the
 * caller and may be freed as soon as the call returns.
 */
#ifndef OPENPRL_LIB_STAT_H
#define OPENPRL_LIB_STAT_H

#include <stddef.h>

#include "core.h"
#include "prl.pb-c.h"

/* PHT_SYSTEM_STATISTICS from a decoded message: deep-copies st. */
prl__obj *prl__stat_new(const Prl__Statistics *st);
/* PHT_SYSTEM_STATISTICS from a packed Statistics message (the binary
 * "statistics" event parameter); NULL when buf is not one. */
prl__obj *prl__stat_from_bin(const void *buf, size_t len);
/* PHT_SERVER_CONFIG from a decoded message: deep-copies c. */
prl__obj *prl__srvcfg_new(const Prl__ServerConfig *c);

#endif
