/*
 * result.c — values and PHT_RESULT (PrlResult_*).
 *
 * A result is an array of values filled before its job finishes: objects
 * (VMs, configurations, statistics) are handed out with a new reference
 * each time they are asked for; strings and numbers are readable as text
 * with the usual size-query convention.  The VMs of a list arrive packed
 * and become VM objects when first asked for (core.h, prl__result).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "core.h"
#include "vm.h"
#include "PrlApi.h"

void prl__value_clear(prl__value *v)
{
	switch (v->kind) {
	case PRL__V_STR: free(v->v.s); break;
	case PRL__V_BIN: free(v->v.bin.p); break;
	case PRL__V_OBJ: prl__put(v->v.o); break;
	default: break;
	}
	memset(v, 0, sizeof(*v));
}

char *prl__value_to_text(const prl__value *v)
{
	char *out = NULL;
	int rc = 0;
	switch (v->kind) {
	case PRL__V_STR: return strdup(v->v.s ? v->v.s : "");
	case PRL__V_U32:
	case PRL__V_U64: rc = asprintf(&out, "%" PRIu64, v->v.u); break;
	case PRL__V_I32:
	case PRL__V_I64: rc = asprintf(&out, "%" PRId64, v->v.i); break;
	case PRL__V_BOOL: return strdup(v->v.u ? "true" : "false");
	case PRL__V_BIN: {
		out = malloc(v->v.bin.n + 1);
		if (out) {
			memcpy(out, v->v.bin.p, v->v.bin.n);
			out[v->v.bin.n] = 0;
		}
		return out;
	}
	case PRL__V_NONE: return strdup("");
	case PRL__V_OBJ:
	case PRL__V_VM_PACKED: return NULL;
	}
	return rc < 0 ? NULL : out;
}

static void result_destroy(prl__obj *o)
{
	prl__result *r = (prl__result *)o;
	for (uint32_t i = 0; i < r->n; i++)
		prl__value_clear(&r->params[i]);
	free(r->params);
	prl__arena_unref(r->arena);
	if (r->server)
		prl__put(&r->server->base);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

const prl__type prl__result_type = { PHT_RESULT, result_destroy };

prl__result *prl__result_new(void)
{
	prl__result *r = prl__new(sizeof(prl__result), &prl__result_type);
	if (r)
		pthread_mutex_init(&r->mu, NULL);
	return r;
}

int prl__result_add(prl__result *r, prl__value *v)
{
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 4;
		prl__value *p = realloc(r->params, sizeof(*p) * cap);
		if (!p) {
			prl__value_clear(v);
			return -ENOMEM;
		}
		r->params = p;
		r->cap = cap;
	}
	r->params[r->n++] = *v;
	memset(v, 0, sizeof(*v));
	return 0;
}

int prl__result_add_obj(prl__result *r, prl__obj *o)
{
	prl__ref(o);
	prl__value v = { .kind = PRL__V_OBJ, .v.o = o };
	return prl__result_add(r, &v);
}

int prl__result_add_str(prl__result *r, const char *s)
{
	prl__value v = { .kind = PRL__V_STR, .v.s = strdup(s ? s : "") };
	if (!v.v.s)
		return -ENOMEM;
	return prl__result_add(r, &v);
}

int prl__result_add_vm_packed(prl__result *r, prl__server *s, prl__arena *a,
			      const void *p, size_t n)
{
	if (!r->arena) {
		prl__arena_ref(a);
		r->arena = a;
	}
	if (!r->server && s) {
		prl__ref(&s->base);
		r->server = s;
	}
	prl__value v = { .kind = PRL__V_VM_PACKED, .v.bin = { (void *)p, n } };
	return prl__result_add(r, &v);
}

/* A new reference on the object of value i, a packed VM unpacked first
 * (r->mu held); PRL_ERR_NO_DATA when the value is not an object. */
static PRL_RESULT object_at(prl__result *r, uint32_t i, PRL_HANDLE *out)
{
	prl__value *v = &r->params[i];
	if (v->kind == PRL__V_VM_PACKED) {
		/* Bytes that failed once are forgotten: a retry must not
		 * leave another partial message in the arena. */
		prl__obj *vm = v->v.bin.p ? prl__vm_from_packed(r->server, r->arena,
								v->v.bin.p, v->v.bin.n)
					  : NULL;
		if (!vm) {
			v->v.bin.p = NULL;
			return PRL_ERR_PARSE_VM_CONFIG;
		}
		v->kind = PRL__V_OBJ;
		v->v.o = vm;
	}
	if (v->kind != PRL__V_OBJ)
		return PRL_ERR_NO_DATA;
	*out = prl__give(v->v.o);
	return PRL_ERR_SUCCESS;
}

/* ---- the public layer ---------------------------------------------------- */

PRL_METHOD(PrlResult_GetParamsCount)(PRL_HANDLE hResult, PRL_UINT32_PTR pnParamsCount)
{
	PRL__OBJ(r, prl__result, hResult, PHT_RESULT);
	PRL__CHECK_ARG(pnParamsCount);
	*pnParamsCount = r->n;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlResult_GetParamByIndex)(PRL_HANDLE hResult, PRL_UINT32 nIndex,
				      PRL_HANDLE_PTR phParam)
{
	PRL__OBJ(r, prl__result, hResult, PHT_RESULT);
	PRL__CHECK_ARG(phParam && nIndex < r->n);
	pthread_mutex_lock(&r->mu);
	PRL_RESULT rc = object_at(r, nIndex, phParam);
	pthread_mutex_unlock(&r->mu);
	return rc;
}

PRL_METHOD(PrlResult_GetParam)(PRL_HANDLE hResult, PRL_HANDLE_PTR phParam)
{
	return PrlResult_GetParamByIndex(hResult, 0, phParam);
}

PRL_METHOD(PrlResult_GetParamByIndexAsString)(PRL_HANDLE hResult, PRL_UINT32 nIndex,
					      PRL_STR sParamBuf,
					      PRL_UINT32_PTR pnParamBufLength)
{
	PRL__OBJ(r, prl__result, hResult, PHT_RESULT);
	PRL__CHECK_ARG(pnParamBufLength && nIndex < r->n);
	pthread_mutex_lock(&r->mu);
	char *t = prl__value_to_text(&r->params[nIndex]);
	prl__vkind kind = r->params[nIndex].kind;
	pthread_mutex_unlock(&r->mu);
	if (!t)
		return kind == PRL__V_OBJ || kind == PRL__V_VM_PACKED ?
			       PRL_ERR_NO_DATA : PRL_ERR_OUT_OF_MEMORY;
	PRL_RESULT rc = prl__copy_str(t, sParamBuf, pnParamBufLength);
	free(t);
	return rc;
}

PRL_METHOD(PrlResult_GetParamAsString)(PRL_HANDLE hResult, PRL_STR sParamBuf,
				       PRL_UINT32_PTR pnParamBufLength)
{
	return PrlResult_GetParamByIndexAsString(hResult, 0, sParamBuf, pnParamBufLength);
}
