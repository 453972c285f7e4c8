/*
 * dispcfg.h — the PHT_DISP_CONFIG constructor (dispcfg.c).
 */
#ifndef OPENPRL_LIB_DISPCFG_H
#define OPENPRL_LIB_DISPCFG_H

#include "core.h"
#include "prl.pb-c.h"

/* A PHT_DISP_CONFIG copied from w; one reference for the caller. */
prl__obj *prl__dispcfg_new(const Prl__DispConfig *w);

#endif
