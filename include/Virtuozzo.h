/*
 * Virtuozzo.h — the umbrella header a program written for the Virtuozzo SDK
 * includes: types, result and event codes, enums and flags, every API
 * function, guest OS ids, ports, performance-counter names and the API
 * version (VIRTUOZZO_API_VER, the value to pass to PrlApi_InitEx).
 *
 * Parallels.h and Virtuozzo.h are the same header under the two names the
 * SDK has shipped with.  The SDK's keyboard (PrlKeys.h) and standalone disk
 * (PrlDisk.h) headers are not part of OpenPRL.
 */
#ifndef OPENPRL_VIRTUOZZO_H
#define OPENPRL_VIRTUOZZO_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApi.h"
#include "PrlOses.h"
#include "PrlPorts.h"
#include "PrlPerfCounters.h"
#include "PrlApiVersion.h"

#endif /* OPENPRL_VIRTUOZZO_H */
