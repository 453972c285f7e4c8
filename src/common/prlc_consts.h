/*
 * prlc_consts.h — the public SDK constants (PRL_ERR_*, PJOC_*, PET_*, PSL_*,
 * PFD_*, PIE_*) for the common code and the dispatcher, from the public
 * headers in include/, which are the single source of their values.
 */
#ifndef OPENPRL_COMMON_PRLC_CONSTS_H
#define OPENPRL_COMMON_PRLC_CONSTS_H

#include <PrlTypes.h>
#include <PrlErrors.h>
#include <PrlEnums.h>

#endif
