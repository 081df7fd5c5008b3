/* test_pad.c — displays/pad.c: what each key means as a hall command, with
 * the pad's memory of digits (kept 10 s, 4 at most), a bus pad's resent key
 * (one press within 500 ms), the window as the caller sees it, an
 * evaluator's score and a remote's configured keys. */
#include <string.h>

#include "ft12.h"
#include "pad.h"
#include "t.h"

static const struct pad_window idle = { 0, 0, 0, 0 };
static const struct pad_window busy = { 1, 0, 41, 39 };	/* done 41, parked 39 */
static const struct pad_window paused = { 0, 1, 0, 0 };

static int64_t now = 1000000;

/* Press a key 1 s after the last one. */
static void
press(struct pad *p, int bus, uint8_t code, int arg,
    const struct pad_window *w, struct pad_action *a)
{
	now += 1000;
	pad_key(p, bus, code, arg, w, now, a);
}

static int
is_cmd(const struct pad_action *a, int i, const char *op, const char *key,
    int64_t value)
{
	if (a->what != PAD_CMD || i >= a->ncmd || strcmp(a->cmd[i].op, op) != 0)
		return 0;
	if (key == NULL)
		return a->cmd[i].nkeys == 0;
	return a->cmd[i].nkeys == 1 && strcmp(a->cmd[i].key[0], key) == 0 &&
	    a->cmd[i].value[0] == value;
}

static void
type(struct pad *p, const char *digits)
{
	struct pad_action a;

	for (; *digits; digits++) {
		press(p, 1, (uint8_t)(*digits - '0'), -1, &idle, &a);
		CHECK_EQ_INT(a.what, PAD_NOTHING);
	}
}

static void
test_commands(void)
{
	struct pad p;
	struct pad_action a;

	pad_init(&p);
	CHECK_EQ_INT(p.last_digit, -1);

	/* CALL finishes the ticket in hand first. */
	press(&p, 1, FT12_KEY_CALL, -1, &idle, &a);
	CHECK_EQ_INT(a.ncmd, 1);
	CHECK(is_cmd(&a, 0, "call-next", NULL, 0));
	press(&p, 1, FT12_KEY_CALL, -1, &busy, &a);
	CHECK_EQ_INT(a.ncmd, 2);
	CHECK(is_cmd(&a, 0, "finish", NULL, 0));
	CHECK(is_cmd(&a, 1, "call-next", NULL, 0));

	press(&p, 1, FT12_KEY_RECALL, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "recall", NULL, 0));
	press(&p, 1, FT12_KEY_PAUSE, -1, &idle, &a);
	CHECK(is_cmd(&a, 0, "pause", NULL, 0));
	press(&p, 1, FT12_KEY_PAUSE, -1, &paused, &a);
	CHECK(is_cmd(&a, 0, "resume", NULL, 0));

	/* TRANSFER to the window typed before; nothing typed is refused. */
	type(&p, "12");
	press(&p, 1, FT12_KEY_TRANSFER, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "transfer", "window", 12));
	press(&p, 1, FT12_KEY_TRANSFER, -1, &busy, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
	CHECK_EQ_INT(a.status, 400);
	/* Four digits are kept, the fifth is not. */
	type(&p, "12345");
	press(&p, 1, FT12_KEY_TRANSFER, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "transfer", "window", 1234));

	/* EVALUATE prompts for the last ticket finished. */
	press(&p, 1, FT12_KEY_EVALUATE, -1, &busy, &a);
	CHECK_EQ_INT(a.what, PAD_PROMPT);
	CHECK_EQ_INT(a.ticket, 41);
	press(&p, 1, FT12_KEY_EVALUATE, -1, &idle, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
	CHECK_EQ_INT(a.status, 409);
}

static void
test_confirm(void)
{
	struct pad p;
	struct pad_action a;

	pad_init(&p);
	type(&p, "6");
	press(&p, 1, FT12_KEY_CONFIRM, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "no-show", NULL, 0));
	type(&p, "0");
	press(&p, 1, FT12_KEY_CONFIRM, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "hold", NULL, 0));
	type(&p, "3");
	press(&p, 1, FT12_KEY_CONFIRM, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "call", "ticket", 39));
	/* The last digit typed counts. */
	type(&p, "36");
	press(&p, 1, FT12_KEY_CONFIRM, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "no-show", NULL, 0));
	/* Nothing parked to call back; nothing typed; another digit. */
	type(&p, "3");
	press(&p, 1, FT12_KEY_CONFIRM, -1, &idle, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
	CHECK_EQ_INT(a.status, 400);
	press(&p, 1, FT12_KEY_CONFIRM, -1, &busy, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
	type(&p, "5");
	press(&p, 1, FT12_KEY_CONFIRM, -1, &busy, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
	/* A Modbus keypad sends the digit with the key. */
	press(&p, 0, FT12_KEY_CONFIRM, 6, &busy, &a);
	CHECK(is_cmd(&a, 0, "no-show", NULL, 0));
	press(&p, 0, FT12_KEY_CONFIRM, 0, &busy, &a);
	CHECK(is_cmd(&a, 0, "hold", NULL, 0));
}

static void
test_memory(void)
{
	struct pad p;
	struct pad_action a;

	/* A bus pad's key resent within 500 ms is one press, and each resend
	 * moves the window on; a Modbus keypad's is not resent. */
	pad_init(&p);
	pad_key(&p, 1, FT12_KEY_RECALL, -1, &busy, now, &a);
	CHECK(is_cmd(&a, 0, "recall", NULL, 0));
	pad_key(&p, 1, FT12_KEY_RECALL, -1, &busy, now + 400, &a);
	CHECK_EQ_INT(a.what, PAD_NOTHING);
	pad_key(&p, 1, FT12_KEY_RECALL, -1, &busy, now + 800, &a);
	CHECK_EQ_INT(a.what, PAD_NOTHING);
	pad_key(&p, 1, FT12_KEY_RECALL, -1, &busy, now + 1300, &a);
	CHECK(is_cmd(&a, 0, "recall", NULL, 0));
	now += 1300;
	pad_key(&p, 0, FT12_KEY_RECALL, -1, &busy, now + 100, &a);
	CHECK(is_cmd(&a, 0, "recall", NULL, 0));
	now += 100;

	/* Digits typed over 10 s ago are forgotten. */
	type(&p, "7");
	now += PAD_DIGITS_MS + 1;
	press(&p, 1, FT12_KEY_TRANSFER, -1, &busy, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);

	/* A window that cannot be seen: nothing, and the digits are kept. */
	type(&p, "5");
	press(&p, 1, FT12_KEY_CALL, -1, NULL, &a);
	CHECK_EQ_INT(a.what, PAD_NOTHING);
	press(&p, 1, FT12_KEY_TRANSFER, -1, &busy, &a);
	CHECK(is_cmd(&a, 0, "transfer", "window", 5));

	/* An unknown key is said so, and forgets the digits too. */
	type(&p, "8");
	press(&p, 1, 0x20, -1, &busy, &a);
	CHECK_EQ_INT(a.what, PAD_UNKNOWN);
	press(&p, 1, FT12_KEY_TRANSFER, -1, &busy, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
}

static void
test_rate(void)
{
	struct pad_action a;
	unsigned s;

	for (s = 1; s <= 5; s++) {
		pad_rate(77, s, &a);
		CHECK_EQ_INT(a.what, PAD_CMD);
		CHECK_EQ_INT(a.ncmd, 1);
		CHECK(strcmp(a.cmd[0].op, "rate") == 0);
		CHECK_EQ_INT(a.cmd[0].nkeys, 2);
		CHECK(strcmp(a.cmd[0].key[0], "ticket") == 0);
		CHECK_EQ_INT(a.cmd[0].value[0], 77);
		CHECK(strcmp(a.cmd[0].key[1], "score") == 0);
		CHECK_EQ_INT(a.cmd[0].value[1], s);
	}
	pad_rate(77, 0, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
	pad_rate(77, 6, &a);
	CHECK_EQ_INT(a.what, PAD_REFUSE);
	pad_rate(0, 5, &a);		/* nothing asked */
	CHECK_EQ_INT(a.what, PAD_REFUSE);
}

static void
test_remote(void)
{
	char call[] = "call-next", recall[] = "recall", pause_[] = "pause";
	char *keys[16] = { NULL };

	keys[1] = call;
	keys[2] = recall;
	keys[8] = pause_;
	CHECK(pad_remote_op(keys, 1) == call);
	CHECK(pad_remote_op(keys, 2) == recall);
	CHECK(pad_remote_op(keys, 8) == pause_);
	CHECK(pad_remote_op(keys, 3) == NULL);
	CHECK(pad_remote_op(keys, 0) == NULL);
	CHECK(pad_remote_op(keys, 16) == NULL);
	CHECK(pad_remote_op(keys, 255) == NULL);
}

int
main(void)
{
	test_commands();
	test_confirm();
	test_memory();
	test_rate();
	test_remote();
	return t_done("pad");
}
