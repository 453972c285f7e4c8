/*
 * PrlApiVersion.h — the API version numbers of OpenPRL.
 *
 * A version is one 32-bit word: the major number in the high 16 bits, the
 * minor number in the low 16.  Programs pass VIRTUOZZO_API_VER (or the
 * Parallels Desktop spelling PARALLELS_API_VER, the same value) to
 * PrlApi_InitEx; the library refuses versions newer than its own.  The real
 * SDK generates this file at build time; OpenPRL keeps it in the tree.
 */
#ifndef OPENPRL_PRLAPIVERSION_H
#define OPENPRL_PRLAPIVERSION_H

#include "PrlTypes.h"

#define TO_VIRTUOZZO_API_VER(majorV, minorV) \
	((PRL_UINT32)(((PRL_UINT32)(majorV)) << 16 | ((PRL_UINT16)(minorV))))

/* Statement-like: assigns both lvalues, e.g. FROM_VIRTUOZZO_API_VER(v, maj, min); */
#define FROM_VIRTUOZZO_API_VER(version, majorV, minorV)    \
	(majorV) = ((PRL_UINT32)(version)) >> 16;          \
	(minorV) = ((PRL_UINT32)(version)) & 0x0000FFFF

/* Version 1 was 0.1; every later one is n.0. */
#define VIRTUOZZO_API_VER_1 TO_VIRTUOZZO_API_VER(0, 1)
#define VIRTUOZZO_API_VER_2 TO_VIRTUOZZO_API_VER(2, 0)
#define VIRTUOZZO_API_VER_3 TO_VIRTUOZZO_API_VER(3, 0)
#define VIRTUOZZO_API_VER_4 TO_VIRTUOZZO_API_VER(4, 0)
#define VIRTUOZZO_API_VER_5 TO_VIRTUOZZO_API_VER(5, 0)
#define VIRTUOZZO_API_VER_6 TO_VIRTUOZZO_API_VER(6, 0)
#define VIRTUOZZO_API_VER_7 TO_VIRTUOZZO_API_VER(7, 0)
#define VIRTUOZZO_API_VER_8 TO_VIRTUOZZO_API_VER(8, 0)
#define VIRTUOZZO_API_VER_9 TO_VIRTUOZZO_API_VER(9, 0)

#define VIRTUOZZO_API_VER     VIRTUOZZO_API_VER_9
#define VIRTUOZZO_SDK_LIB_MAJ "9"

/* The Parallels Desktop SDK names for the same numbers. */
#define TO_PARALLELS_API_VER(majorV, minorV) TO_VIRTUOZZO_API_VER(majorV, minorV)
#define FROM_PARALLELS_API_VER(version, majorV, minorV) \
	FROM_VIRTUOZZO_API_VER(version, majorV, minorV)
#define PARALLELS_API_VER_1 VIRTUOZZO_API_VER_1
#define PARALLELS_API_VER_2 VIRTUOZZO_API_VER_2
#define PARALLELS_API_VER_3 VIRTUOZZO_API_VER_3
#define PARALLELS_API_VER_4 VIRTUOZZO_API_VER_4
#define PARALLELS_API_VER_5 VIRTUOZZO_API_VER_5
#define PARALLELS_API_VER_6 VIRTUOZZO_API_VER_6
#define PARALLELS_API_VER_7 VIRTUOZZO_API_VER_7
#define PARALLELS_API_VER_8 VIRTUOZZO_API_VER_8
#define PARALLELS_API_VER_9 VIRTUOZZO_API_VER_9
#define PARALLELS_API_VER     VIRTUOZZO_API_VER
#define PARALLELS_SDK_LIB_MAJ VIRTUOZZO_SDK_LIB_MAJ

#endif /* OPENPRL_PRLAPIVERSION_H */
