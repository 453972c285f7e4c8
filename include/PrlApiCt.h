/*
 * PrlApiCt.h — container-only calls.  None is implemented yet; the header exists
 * so that programs including it, or PrlApi.h, compile.
 */
#ifndef OPENPRL_PRLAPICT_H
#define OPENPRL_PRLAPICT_H

#include "PrlTypes.h"
#include "PrlErrors.h"
#include "PrlEnums.h"
#include "PrlApiVersion.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif /* OPENPRL_PRLAPICT_H */
