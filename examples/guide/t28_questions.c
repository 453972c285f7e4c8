/*
 * t28_questions.c — guide task T28: answer the dispatcher's questions.
 *
 * In interactive mode the dispatcher may ask the client to decide
 * (PET_DSP_EVT_VM_QUESTION).  The handler prints the question, answers
 * PET_ANSWER_YES with PrlEvent_CreateAnswerEvent + PrlSrv_SendAnswer, and
 * frees everything.  Questions already pending are listed first with
 * PrlSrv_GetQuestions.  The program listens for the given number of seconds.
 *
 * Usage: t28_questions [seconds]
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "guide.h"

static PRL_HANDLE g_server;
static atomic_int answered;   /* written by the handler thread */

static PRL_RESULT on_event(PRL_HANDLE hEvent, PRL_VOID_PTR pUserData)
{
	PRL_HANDLE_TYPE type;
	PRL_BOOL required = PRL_FALSE;
	(void)pUserData;
	if (PRL_SUCCEEDED(PrlHandle_GetType(hEvent, &type)) && type == PHT_EVENT &&
	    PRL_SUCCEEDED(PrlEvent_IsAnswerRequired(hEvent, &required)) && required) {
		char text[1024] = "";
		PRL_UINT32 len = sizeof(text);
		PRL_HANDLE hAnswer;
		PrlEvent_GetErrString(hEvent, PRL_FALSE, PRL_FALSE, text, &len);
		printf("Question: %s\n", text);
		if (PRL_SUCCEEDED(PrlEvent_CreateAnswerEvent(hEvent, &hAnswer, PET_ANSWER_YES))) {
			guide_wait(PrlSrv_SendAnswer(g_server, hAnswer), 10000, "PrlSrv_SendAnswer",
				   NULL);
			PrlHandle_Free(hAnswer);
			printf("Answered: yes\n");
			answered++;
		}
	}
	PrlHandle_Free(hEvent);
	return PRL_ERR_SUCCESS;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 2;
	PRL_HANDLE hList = PRL_INVALID_HANDLE;
	g_server = guide_login();
	if (g_server == PRL_INVALID_HANDLE)
		return 1;
	PRL_UINT32 pending = 0;
	if (PRL_SUCCEEDED(PrlSrv_GetQuestions(g_server, &hList))) {
		PrlHndlList_GetItemsCount(hList, &pending);
		PrlHandle_Free(hList);
	}
	printf("Pending questions: %u\n", pending);
	PrlSrv_RegEventHandler(g_server, on_event, NULL);
	struct timespec ts = { .tv_sec = seconds > 0 ? seconds : 0 };
	while (nanosleep(&ts, &ts) != 0)
		;
	PrlSrv_UnregEventHandler(g_server, on_event, NULL);
	if (!answered)
		printf("No questions were asked.\n");
	guide_logoff(g_server);
	return 0;
}
