/*
 * PrlApi.h — every function of the OpenPRL API in one include.
 *
 * Aggregator only: it pulls in the per-area headers in the order the SDK it
 * is compatible with uses (deprecated calls first, statistics last).  Each
 * part also stands alone, so including one of them directly works too.
 */
#ifndef OPENPRL_PRLAPI_H
#define OPENPRL_PRLAPI_H

#include "PrlApiDeprecated.h"
#include "PrlApiCore.h"
#include "PrlApiDisp.h"
#include "PrlApiVm.h"
#include "PrlApiCt.h"
#include "PrlApiNet.h"
#include "PrlApiStat.h"

#endif /* OPENPRL_PRLAPI_H */
