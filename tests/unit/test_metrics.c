/* test_metrics.c — GET /metrics's text (metrics.c): label values escaped as
 * the format says, histograms cumulative with +Inf equal to _count, tickets
 * counted from events (first calls only in the wait histogram), commands by
 * op and status, and only the codes given rendered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "event.h"
#include "metrics.h"
#include "t.h"

static int64_t first_call_ms;

static int64_t
first_call(void *arg, int64_t ticket)
{
	(void)arg;
	(void)ticket;
	return first_call_ms;
}

static void
ev_ticket(struct event *ev, enum event_type type, const char *matter,
    int64_t issued, int64_t called)
{
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->ticket = 7;
	ev->body = json_pack("{s:{s:s, s:I, s:I}}", "ticket", "matter", matter,
	    "issued_at", (json_int_t)issued, "called_at", (json_int_t)called);
}

static int
has(const char *text, const char *line)
{
	return strstr(text, line) != NULL;
}

static void
test_escape(void)
{
	struct mbuf b = { NULL, 0, 0 };

	mbuf_label(&b, "a\\b\"c\nd");
	CHECK(b.len == strlen("a\\\\b\\\"c\\nd"));
	CHECK(strcmp(b.p, "a\\\\b\\\"c\\nd") == 0);
	b.len = 0;
	mbuf_value(&b, 3);
	mbuf_printf(&b, " ");
	mbuf_value(&b, 0.25);
	CHECK(strcmp(b.p, "3 0.25") == 0);
	free(b.p);
}

static void
test_counts(void)
{
	static const char *const codes[] = { "SB01", "Q\"1" };
	static const size_t waiting[] = { 4, 0 };
	struct metrics *m = metrics_new(first_call, NULL);
	struct mbuf b = { NULL, 0, 0 };
	struct event ev[5];
	int i;

	ev_ticket(&ev[0], EVT_TICKET_ISSUED, "SB01", 1000, 0);
	ev_ticket(&ev[1], EVT_TICKET_CALLED, "SB01", 1000, 91000);	/* 90 s */
	ev_ticket(&ev[2], EVT_TICKET_DONE, "SB01", 1000, 91000);
	ev_ticket(&ev[3], EVT_TICKET_ISSUED, "ZZ99", 1000, 0);	/* not rendered */
	ev_ticket(&ev[4], EVT_WINDOW_OPENED, "SB01", 0, 0);	/* not a ticket's */
	first_call_ms = 91000;
	metrics_events(m, ev, 5);
	/* Called back later: counted as a call, not as a wait. */
	json_decref(ev[1].body);
	ev_ticket(&ev[1], EVT_TICKET_CALLED, "SB01", 1000, 500000);
	metrics_events(m, &ev[1], 1);
	metrics_command(m, "issue", 201);
	metrics_command(m, "issue", 201);
	metrics_command(m, "call-next", 403);
	metrics_commit(m, 0.003, 3);
	metrics_commit(m, 2.0, 0);
	metrics_render(m, &b, codes, waiting, 2);

	CHECK(has(b.p, "# HELP hallq_tickets_issued_total "));
	CHECK(has(b.p, "# TYPE hallq_tickets_issued_total counter\n"));
	CHECK(has(b.p, "hallq_tickets_issued_total{matter=\"SB01\"} 1\n"));
	CHECK(has(b.p, "hallq_tickets_issued_total{matter=\"Q\\\"1\"} 0\n"));
	CHECK(!has(b.p, "ZZ99"));
	CHECK(has(b.p, "hallq_tickets_called_total{matter=\"SB01\"} 2\n"));
	CHECK(has(b.p, "hallq_tickets_served_total{matter=\"SB01\"} 1\n"));
	CHECK(has(b.p, "hallq_tickets_waiting{matter=\"SB01\"} 4\n"));
	CHECK(has(b.p, "hallq_ticket_wait_seconds_bucket{matter=\"SB01\",le=\"60\"} 0\n"));
	CHECK(has(b.p, "hallq_ticket_wait_seconds_bucket{matter=\"SB01\",le=\"300\"} 1\n"));
	CHECK(has(b.p, "hallq_ticket_wait_seconds_bucket{matter=\"SB01\",le=\"7200\"} 1\n"));
	CHECK(has(b.p, "hallq_ticket_wait_seconds_bucket{matter=\"SB01\",le=\"+Inf\"} 1\n"));
	CHECK(has(b.p, "hallq_ticket_wait_seconds_sum{matter=\"SB01\"} 90\n"));
	CHECK(has(b.p, "hallq_ticket_wait_seconds_count{matter=\"SB01\"} 1\n"));
	CHECK(has(b.p, "hallq_ticket_wait_seconds_count{matter=\"Q\\\"1\"} 0\n"));
	CHECK(has(b.p, "hallq_commands_total{op=\"issue\",status=\"201\"} 2\n"));
	CHECK(has(b.p, "hallq_commands_total{op=\"call-next\",status=\"403\"} 1\n"));
	CHECK(has(b.p, "hallq_commit_seconds_bucket{le=\"0.0025\"} 0\n"));
	CHECK(has(b.p, "hallq_commit_seconds_bucket{le=\"0.005\"} 1\n"));
	CHECK(has(b.p, "hallq_commit_seconds_bucket{le=\"1\"} 1\n"));
	CHECK(has(b.p, "hallq_commit_seconds_bucket{le=\"+Inf\"} 2\n"));
	CHECK(has(b.p, "hallq_commit_seconds_count 2\n"));
	CHECK(has(b.p, "hallq_commit_batch_commands_bucket{le=\"2\"} 0\n"));
	CHECK(has(b.p, "hallq_commit_batch_commands_bucket{le=\"4\"} 1\n"));
	CHECK(has(b.p, "hallq_commit_batch_commands_sum 3\n"));
	CHECK(has(b.p, "hallq_commit_batch_commands_count 1\n"));
	CHECK(b.p[b.len - 1] == '\n');
	for (i = 0; i < 5; i++)
		json_decref(ev[i].body);
	free(b.p);
	metrics_free(m);

	/* Nothing counted yet (or no counters at all): every family still. */
	b.p = NULL;
	b.len = b.cap = 0;
	metrics_render(NULL, &b, codes, waiting, 1);
	CHECK(has(b.p, "hallq_commit_seconds_count 0\n"));
	CHECK(has(b.p, "# TYPE hallq_commands_total counter\n"));
	free(b.p);
	metrics_free(NULL);
}

int
main(void)
{
	test_escape();
	test_counts();
	return t_done("metrics");
}
