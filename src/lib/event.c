/*
 * event.c — PHT_EVENT and PHT_EVENT_PARAMETER (PrlEvent_*, PrlEvtPrm_*).
 *
 * An event is built once (by the connection, from a wire Event, or locally
 * for errors and connection loss) and never changes afterwards, so readers
 * need no lock.  Parameters are handles of their own, held by the event.
 * Numeric conversions are lenient like the real SDK's: a parameter's text is
 * parsed whatever its declared type.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "errtext.h"
#include "PrlApi.h"

static void evtprm_destroy(prl__obj *o)
{
	prl__evtprm *p = (prl__evtprm *)o;
	free(p->name);
	prl__value_clear(&p->value);
	free(p);
}

const prl__type prl__evtprm_type = { PHT_EVENT_PARAMETER, evtprm_destroy };

prl__evtprm *prl__evtprm_new(const char *name, PRL_PARAM_FIELD_DATA_TYPE type,
			     prl__value *value, prl__to_handle_fn to_handle)
{
	prl__evtprm *p = prl__new(sizeof(*p), &prl__evtprm_type);
	if (!p) {
		prl__value_clear(value);
		return NULL;
	}
	p->name = strdup(name ? name : "");
	p->type = type;
	p->value = *value;
	memset(value, 0, sizeof(*value));
	p->to_handle = to_handle;
	return p;
}

static void event_destroy(prl__obj *o)
{
	prl__event *e = (prl__event *)o;
	for (uint32_t i = 0; i < e->n; i++)
		prl__put(&e->params[i]->base);
	free(e->params);
	free(e->issuer_id);
	free(e->err_string);
	prl__put(e->server ? &e->server->base : NULL);
	prl__put(e->job ? &e->job->base : NULL);
	prl__put(e->vm);
	free(e);
}

const prl__type prl__event_type = { PHT_EVENT, event_destroy };

prl__event *prl__event_new(PRL_EVENT_TYPE type, PRL_EVENT_ISSUER_TYPE issuer,
			   const char *issuer_id)
{
	prl__event *e = prl__new(sizeof(*e), &prl__event_type);
	if (!e)
		return NULL;
	e->type = type;
	e->issuer_type = issuer;
	e->issuer_id = strdup(issuer_id ? issuer_id : "");
	return e;
}

int prl__event_add_param(prl__event *e, prl__evtprm *p)
{
	if (!p)
		return -ENOMEM;
	prl__evtprm **a = realloc(e->params, sizeof(*a) * (e->n + 1));
	if (!a) {
		prl__put(&p->base);
		return -ENOMEM;
	}
	e->params = a;
	a[e->n++] = p;
	return 0;
}

int prl__event_add_u32(prl__event *e, const char *name, uint32_t v)
{
	prl__value val = { .kind = PRL__V_U32, .v.u = v };
	return prl__event_add_param(e, prl__evtprm_new(name, PFD_UINT32, &val, NULL));
}

int prl__event_add_str(prl__event *e, const char *name, const char *s)
{
	prl__value val = { .kind = PRL__V_STR, .v.s = strdup(s ? s : "") };
	if (!val.v.s)
		return -ENOMEM;
	return prl__event_add_param(e, prl__evtprm_new(name, PFD_STRING, &val, NULL));
}

/* ---- PrlEvent_* ------------------------------------------------------------ */

PRL_METHOD(PrlEvent_GetType)(PRL_HANDLE hEvent, PRL_EVENT_TYPE_PTR pnEventType)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(pnEventType);
	*pnEventType = e->type;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvent_GetParamsCount)(PRL_HANDLE hEvent, PRL_UINT32_PTR pnParamsCount)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(pnParamsCount);
	*pnParamsCount = e->n;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvent_GetParam)(PRL_HANDLE hEvent, PRL_UINT32 nIndex, PRL_HANDLE_PTR phEvtParam)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(phEvtParam && nIndex < e->n);
	*phEvtParam = prl__give(&e->params[nIndex]->base);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvent_GetParamByName)(PRL_HANDLE hEvent, PRL_CONST_STR sParamName,
				    PRL_HANDLE_PTR phEvtParam)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(sParamName && phEvtParam);
	for (uint32_t i = 0; i < e->n; i++) {
		if (strcmp(e->params[i]->name, sParamName) == 0) {
			*phEvtParam = prl__give(&e->params[i]->base);
			return PRL_ERR_SUCCESS;
		}
	}
	return PRL_ERR_PARAM_NOT_FOUND;
}

PRL_METHOD(PrlEvent_GetErrCode)(PRL_HANDLE hEvent, PRL_RESULT_PTR pnErrCode)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(pnErrCode);
	*pnErrCode = e->err_code;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvent_GetErrString)(PRL_HANDLE hEvent, PRL_BOOL bIsBriefMessage,
				  PRL_BOOL bFormated, PRL_STR sErrString,
				  PRL_UINT32_PTR pnErrStringBufLength)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(pnErrStringBufLength);
	/* The detailed text from the server is the long form; the brief form is
	 * the generic text of the code. */
	if (e->err_string && *e->err_string && !bIsBriefMessage)
		return prl__copy_str(e->err_string, sErrString, pnErrStringBufLength);
	return PrlApi_GetResultDescription(e->err_code, bIsBriefMessage, bFormated,
					   sErrString, pnErrStringBufLength);
}

PRL_METHOD(PrlEvent_GetIssuerType)(PRL_HANDLE hEvent, PRL_EVENT_ISSUER_TYPE_PTR pnIssuerType)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(pnIssuerType);
	*pnIssuerType = e->issuer_type;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvent_GetIssuerId)(PRL_HANDLE hEvent, PRL_STR sIssuerId,
				 PRL_UINT32_PTR pnIssuerIdBufLength)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	return prl__copy_str(e->issuer_id, sIssuerId, pnIssuerIdBufLength);
}

static PRL_RESULT give_or_none(prl__obj *o, PRL_HANDLE_PTR out)
{
	PRL__CHECK_ARG(out);
	if (!o) {
		*out = PRL_INVALID_HANDLE;
		return PRL_ERR_NO_DATA;
	}
	*out = prl__give(o);
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvent_GetServer)(PRL_HANDLE hEvent, PRL_HANDLE_PTR phServer)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	return give_or_none(e->server ? &e->server->base : NULL, phServer);
}

PRL_METHOD(PrlEvent_GetJob)(PRL_HANDLE hEvent, PRL_HANDLE_PTR phJob)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	return give_or_none(e->job ? &e->job->base : NULL, phJob);
}

PRL_METHOD(PrlEvent_GetVm)(PRL_HANDLE hEvent, PRL_HANDLE_PTR phVm)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	return give_or_none(e->vm, phVm);
}

PRL_METHOD(PrlEvent_IsAnswerRequired)(PRL_HANDLE hEvent, PRL_BOOL_PTR pbIsAnswerRequired)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(pbIsAnswerRequired);
	*pbIsAnswerRequired = e->type == PET_DSP_EVT_VM_QUESTION ? PRL_TRUE : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvent_CreateAnswerEvent)(PRL_HANDLE hEvent, PRL_HANDLE_PTR phEvent,
				       PRL_RESULT nAnswer)
{
	PRL__OBJ(e, prl__event, hEvent, PHT_EVENT);
	PRL__CHECK_ARG(phEvent);
	if (e->type != PET_DSP_EVT_VM_QUESTION)
		return PRL_ERR_INVALID_ARG;
	prl__event *a = prl__event_new(PET_DSP_EVT_VM_MESSAGE, e->issuer_type, e->issuer_id);
	if (!a)
		return PRL_ERR_OUT_OF_MEMORY;
	a->err_code = nAnswer;
	*phEvent = prl__handle(&a->base);
	return PRL_ERR_SUCCESS;
}

/* ---- PrlEvtPrm_* ----------------------------------------------------------- */

PRL_METHOD(PrlEvtPrm_GetName)(PRL_HANDLE hEvtParam, PRL_STR sParamName,
			      PRL_UINT32_PTR pnParamNameBufLength)
{
	PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);
	return prl__copy_str(p->name, sParamName, pnParamNameBufLength);
}

PRL_METHOD(PrlEvtPrm_GetType)(PRL_HANDLE hEvtParam, PRL_PARAM_FIELD_DATA_TYPE_PTR pnParamType)
{
	PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);
	PRL__CHECK_ARG(pnParamType);
	*pnParamType = p->type;
	return PRL_ERR_SUCCESS;
}

static PRL_RESULT param_text(prl__evtprm *p, PRL_STR buf, PRL_UINT32_PTR len)
{
	PRL__CHECK_ARG(len);
	char *t = prl__value_to_text(&p->value);
	if (!t)
		return p->value.kind == PRL__V_OBJ ? PRL_ERR_INVALID_ARG : PRL_ERR_OUT_OF_MEMORY;
	PRL_RESULT rc = prl__copy_str(t, buf, len);
	free(t);
	return rc;
}

PRL_METHOD(PrlEvtPrm_ToString)(PRL_HANDLE hEvtParam, PRL_STR sVal, PRL_UINT32_PTR pnValBufLength)
{
	PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);
	return param_text(p, sVal, pnValBufLength);
}

PRL_METHOD(PrlEvtPrm_ToCData)(PRL_HANDLE hEvtParam, PRL_STR sVal, PRL_UINT32_PTR pnValBufLength)
{
	PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);
	return param_text(p, sVal, pnValBufLength);
}

/* Numeric view of a parameter: numbers as they are, text parsed leniently. */
static int param_number(const prl__evtprm *p, int64_t *i, uint64_t *u)
{
	const prl__value *v = &p->value;
	switch (v->kind) {
	case PRL__V_U32: case PRL__V_U64: case PRL__V_BOOL:
		*u = v->v.u; *i = (int64_t)v->v.u; return 0;
	case PRL__V_I32: case PRL__V_I64:
		*i = v->v.i; *u = (uint64_t)v->v.i; return 0;
	case PRL__V_STR: {
		const char *s = v->v.s ? v->v.s : "";
		if (!strcmp(s, "true")) { *i = 1; *u = 1; return 0; }
		*i = strtoll(s, NULL, 0);
		*u = *s == '-' ? (uint64_t)*i : strtoull(s, NULL, 0);
		return 0;
	}
	default:
		return -1;
	}
}

#define EVTPRM_NUMERIC(Name, CType, PtrType, field)                               \
	PRL_METHOD(Name)(PRL_HANDLE hEvtParam, PtrType out)                       \
	{                                                                         \
		PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);         \
		PRL__CHECK_ARG(out);                                              \
		int64_t i; uint64_t u;                                            \
		if (param_number(p, &i, &u))                                      \
			return PRL_ERR_INVALID_ARG;                               \
		*out = (CType)field;                                              \
		return PRL_ERR_SUCCESS;                                           \
	}

EVTPRM_NUMERIC(PrlEvtPrm_ToUint32, PRL_UINT32, PRL_UINT32_PTR, u)
EVTPRM_NUMERIC(PrlEvtPrm_ToInt32, PRL_INT32, PRL_INT32_PTR, i)
EVTPRM_NUMERIC(PrlEvtPrm_ToUint64, PRL_UINT64, PRL_UINT64_PTR, u)
EVTPRM_NUMERIC(PrlEvtPrm_ToInt64, PRL_INT64, PRL_INT64_PTR, i)

PRL_METHOD(PrlEvtPrm_ToBoolean)(PRL_HANDLE hEvtParam, PRL_BOOL_PTR pbVal)
{
	PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);
	PRL__CHECK_ARG(pbVal);
	int64_t i;
	uint64_t u;
	if (param_number(p, &i, &u))
		return PRL_ERR_INVALID_ARG;
	*pbVal = u ? PRL_TRUE : PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvtPrm_ToHandle)(PRL_HANDLE hEvtParam, PRL_HANDLE_PTR phHandle)
{
	PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);
	PRL__CHECK_ARG(phHandle);
	if (p->value.kind == PRL__V_OBJ) {
		*phHandle = prl__give(p->value.v.o);
		return PRL_ERR_SUCCESS;
	}
	if (!p->to_handle)
		return PRL_ERR_INVALID_ARG;
	prl__obj *o = p->to_handle(p);
	if (!o)
		return PRL_ERR_INVALID_ARG;
	*phHandle = prl__handle(o);          /* the converter's reference */
	return PRL_ERR_SUCCESS;
}

PRL_METHOD(PrlEvtPrm_GetBuffer)(PRL_HANDLE hEvtParam, PRL_VOID_PTR pBuffer,
				PRL_UINT32_PTR pnBufferSize)
{
	PRL__OBJ(p, prl__evtprm, hEvtParam, PHT_EVENT_PARAMETER);
	PRL__CHECK_ARG(pnBufferSize);
	if (p->value.kind == PRL__V_BIN)
		return prl__copy_bin(p->value.v.bin.p, p->value.v.bin.n, pBuffer, pnBufferSize);
	if (p->value.kind == PRL__V_STR)
		return prl__copy_bin(p->value.v.s, strlen(p->value.v.s), pBuffer, pnBufferSize);
	return PRL_ERR_INVALID_ARG;
}
