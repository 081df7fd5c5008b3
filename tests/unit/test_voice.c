/* test_voice.c — displays/voice.c: the clip sequence of a call in Chinese
 * and English, window numbers at every change of wording, repetition,
 * spelling, a too-small array, and the list of every clip. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "voice.h"
#include "t.h"

static const char *const zh[] = { "zh" };
static const char *const en[] = { "en" };
static const char *const zh_en[] = { "zh", "en" };

/* Compose and compare with a NULL-terminated list, reporting the first
 * difference with the line of the caller. */
#define SAYS(number, window, langs, nlangs, repeat, ...) do {		\
	static const char *const want_[] = { __VA_ARGS__, NULL };	\
	CHECK(says_(__LINE__, (number), (window), (langs), (nlangs),	\
	    (repeat), want_));						\
} while (0)

static int
says_(int line, const char *number, int window, const char *const *langs,
    int nlangs, int repeat, const char *const *want)
{
	const char	*clips[VOICE_CLIPS_MAX];
	int		 n, i, nwant;

	for (nwant = 0; want[nwant] != NULL; nwant++)
		;
	n = voice_compose(number, window, langs, nlangs, repeat, clips,
	    VOICE_CLIPS_MAX);
	if (n != nwant) {
		fprintf(stderr, "line %d: %d clips, want %d\n", line, n,
		    nwant);
		for (i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", clips[i]);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (clips[i] == NULL || strcmp(clips[i], want[i]) != 0) {
			fprintf(stderr, "line %d: clip %d is %s, want %s\n",
			    line, i, clips[i] ? clips[i] : "(null)", want[i]);
			return 0;
		}
	}
	return 1;
}

static void
test_call(void)
{
	SAYS("A012", 3, zh, 1, 1,
	    "chime", "zh/qing", "zh/A", "zh/0", "zh/1", "zh/2", "zh/hao",
	    "zh/dao", "zh/3", "zh/hao_chuangkou", "zh/banli");
	SAYS("A012", 3, en, 1, 1,
	    "chime", "en/number", "en/A", "en/0", "en/1", "en/2",
	    "en/please_go_to_window", "en/n3");
	SAYS("A012", 3, zh_en, 2, 1,
	    "chime",
	    "zh/qing", "zh/A", "zh/0", "zh/1", "zh/2", "zh/hao", "zh/dao",
	    "zh/3", "zh/hao_chuangkou", "zh/banli",
	    "en/number", "en/A", "en/0", "en/1", "en/2",
	    "en/please_go_to_window", "en/n3");
	/* Order is the caller's. */
	{
		static const char *const en_zh[] = { "en", "zh" };

		SAYS("B7", 1, en_zh, 2, 1,
		    "chime", "en/number", "en/B", "en/7",
		    "en/please_go_to_window", "en/n1",
		    "zh/qing", "zh/B", "zh/7", "zh/hao", "zh/dao", "zh/1",
		    "zh/hao_chuangkou", "zh/banli");
	}
	/* 012 is 零一二, never 十二; 10 in a ticket is 一零. */
	SAYS("10", 2, zh, 1, 1,
	    "chime", "zh/qing", "zh/1", "zh/0", "zh/hao", "zh/dao", "zh/2",
	    "zh/hao_chuangkou", "zh/banli");
}

#define ZH_WIN(w, ...)							\
	SAYS("A1", (w), zh, 1, 1, "chime", "zh/qing", "zh/A", "zh/1",	\
	    "zh/hao", "zh/dao", __VA_ARGS__, "zh/hao_chuangkou", "zh/banli")
#define EN_WIN(w, ...)							\
	SAYS("A1", (w), en, 1, 1, "chime", "en/number", "en/A", "en/1",	\
	    "en/please_go_to_window", __VA_ARGS__)

static void
test_windows(void)
{
	ZH_WIN(1, "zh/1");
	ZH_WIN(9, "zh/9");
	ZH_WIN(10, "zh/shi");
	ZH_WIN(11, "zh/shi", "zh/1");
	ZH_WIN(19, "zh/shi", "zh/9");
	ZH_WIN(20, "zh/2", "zh/shi");
	ZH_WIN(23, "zh/2", "zh/shi", "zh/3");
	ZH_WIN(99, "zh/9", "zh/shi", "zh/9");
	ZH_WIN(100, "zh/1", "zh/0", "zh/0");
	ZH_WIN(105, "zh/1", "zh/0", "zh/5");
	ZH_WIN(0, "zh/0");
	ZH_WIN(-7, "zh/7");
	ZH_WIN(INT_MAX, "zh/2", "zh/1", "zh/4", "zh/7", "zh/4", "zh/8",
	    "zh/3", "zh/6", "zh/4", "zh/7");
	ZH_WIN(INT_MIN, "zh/2", "zh/1", "zh/4", "zh/7", "zh/4", "zh/8",
	    "zh/3", "zh/6", "zh/4", "zh/8");

	EN_WIN(1, "en/n1");
	EN_WIN(3, "en/n3");
	EN_WIN(10, "en/n10");
	EN_WIN(11, "en/n11");
	EN_WIN(19, "en/n19");
	EN_WIN(20, "en/n20");
	EN_WIN(23, "en/n20", "en/n3");
	EN_WIN(40, "en/n40");
	EN_WIN(99, "en/n90", "en/n9");
	EN_WIN(100, "en/1", "en/0", "en/0");
	EN_WIN(0, "en/0");
}

static void
test_repeat(void)
{
	const char	*clips[VOICE_CLIPS_MAX];
	int		 n1, n, i;

	SAYS("A1", 2, zh, 1, 2,
	    "chime",
	    "zh/qing", "zh/A", "zh/1", "zh/hao", "zh/dao", "zh/2",
	    "zh/hao_chuangkou", "zh/banli",
	    "zh/qing", "zh/A", "zh/1", "zh/hao", "zh/dao", "zh/2",
	    "zh/hao_chuangkou", "zh/banli");
	/* zh, en, zh, en: the languages alternate within a repetition. */
	SAYS("C", 4, zh_en, 2, 2,
	    "chime",
	    "zh/qing", "zh/C", "zh/hao", "zh/dao", "zh/4",
	    "zh/hao_chuangkou", "zh/banli",
	    "en/number", "en/C", "en/please_go_to_window", "en/n4",
	    "zh/qing", "zh/C", "zh/hao", "zh/dao", "zh/4",
	    "zh/hao_chuangkou", "zh/banli",
	    "en/number", "en/C", "en/please_go_to_window", "en/n4");

	/* One sentence of A012 window 3 in Chinese is 10 clips. */
	n1 = voice_compose("A012", 3, zh, 1, 1, clips, VOICE_CLIPS_MAX);
	CHECK_EQ_INT(n1, 11);
	for (i = -3; i <= 8; i++) {
		n = voice_compose("A012", 3, zh, 1, i, clips,
		    VOICE_CLIPS_MAX);
		if (i < 1)
			CHECK_EQ_INT(n, n1);
		else if (i > VOICE_REPEAT_MAX)
			CHECK_EQ_INT(n, 1 + 10 * VOICE_REPEAT_MAX);
		else
			CHECK_EQ_INT(n, 1 + 10 * i);
	}
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, INT_MAX, clips,
	    VOICE_CLIPS_MAX), 51);
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, INT_MIN, clips,
	    VOICE_CLIPS_MAX), 11);
	/* The chime is said once, at the start. */
	n = voice_compose("A012", 3, zh_en, 2, 5, clips, VOICE_CLIPS_MAX);
	CHECK_EQ_INT(n, 1 + 5 * (10 + 7));
	CHECK(strcmp(clips[0], "chime") == 0);
	for (i = 1; i < n; i++)
		CHECK(strcmp(clips[i], "chime") != 0);
}

static void
test_spelling(void)
{
	/* Lowercase is upper-cased; dashes, spaces, UTF-8 skipped. */
	SAYS("a-0 z", 5, zh, 1, 1,
	    "chime", "zh/qing", "zh/A", "zh/0", "zh/Z", "zh/hao", "zh/dao",
	    "zh/5", "zh/hao_chuangkou", "zh/banli");
	SAYS("b\xe5\x8f\xb7" "9!", 5, en, 1, 1,
	    "chime", "en/number", "en/B", "en/9", "en/please_go_to_window",
	    "en/n5");
	SAYS("QWXYZ", 12, en, 1, 1,
	    "chime", "en/number", "en/Q", "en/W", "en/X", "en/Y", "en/Z",
	    "en/please_go_to_window", "en/n12");
	/* Nothing to spell: the sentence is still said. */
	SAYS("", 1, zh, 1, 1,
	    "chime", "zh/qing", "zh/hao", "zh/dao", "zh/1",
	    "zh/hao_chuangkou", "zh/banli");
	SAYS(NULL, 1, en, 1, 1,
	    "chime", "en/number", "en/please_go_to_window", "en/n1");
}

static void
test_langs(void)
{
	static const char *const mixed[] = { "fr", "en", NULL, "ZH", "zh" };
	const char	*clips[VOICE_CLIPS_MAX];

	CHECK(voice_lang_known("zh"));
	CHECK(voice_lang_known("en"));
	CHECK(!voice_lang_known("fr"));
	CHECK(!voice_lang_known("ZH"));
	CHECK(!voice_lang_known(""));
	CHECK(!voice_lang_known(NULL));

	/* Unknown languages skipped, the known ones in order. */
	SAYS("A1", 3, mixed, 5, 1,
	    "chime", "en/number", "en/A", "en/1", "en/please_go_to_window",
	    "en/n3",
	    "zh/qing", "zh/A", "zh/1", "zh/hao", "zh/dao", "zh/3",
	    "zh/hao_chuangkou", "zh/banli");
	/* No language: the chime alone. */
	SAYS("A1", 3, mixed, 1, 1, "chime");
	SAYS("A1", 3, zh, 0, 1, "chime");
	SAYS("A1", 3, NULL, 2, 1, "chime");
	CHECK_EQ_INT(voice_compose("A1", 3, zh, -1, 1, clips,
	    VOICE_CLIPS_MAX), 1);
}

static void
test_max(void)
{
	const char	*clips[VOICE_CLIPS_MAX + 2];
	char		 longnum[200];
	int		 i, n;

	/* Exactly enough, one short, none. */
	for (i = 0; i < VOICE_CLIPS_MAX + 2; i++)
		clips[i] = "untouched";
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 1, clips, 11), 11);
	CHECK(strcmp(clips[11], "untouched") == 0);
	clips[10] = "untouched";
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 1, clips, 10), -1);
	CHECK(strcmp(clips[10], "untouched") == 0);
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 1, clips, 1), -1);
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 1, clips, 0), -1);
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 1, clips, -5), -1);
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 1, NULL, 0), -1);
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 1, NULL, 100), -1);
	CHECK_EQ_INT(voice_compose("A012", 3, NULL, 0, 1, clips, 1), 1);
	/* Short in the second repetition only. */
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 2, clips, 20), -1);
	CHECK_EQ_INT(voice_compose("A012", 3, zh, 1, 2, clips, 21), 21);

	/* A number longer than VOICE_CLIPS_MAX allows: -1, no overrun. */
	memset(longnum, '7', sizeof longnum - 1);
	longnum[sizeof longnum - 1] = '\0';
	for (i = 0; i < VOICE_CLIPS_MAX + 2; i++)
		clips[i] = "untouched";
	n = voice_compose(longnum, 3, zh_en, 2, 5, clips, VOICE_CLIPS_MAX);
	CHECK_EQ_INT(n, -1);
	CHECK(strcmp(clips[VOICE_CLIPS_MAX], "untouched") == 0);

	/* A long call fits VOICE_CLIPS_MAX: a 16-character number, window
	 * 99 (the longest wording below 100), both languages, 5 times. */
	n = voice_compose("ABCDEFGH01234567", 99, zh_en, 2, 5, clips,
	    VOICE_CLIPS_MAX);
	CHECK_EQ_INT(n, 1 + 5 * ((1 + 16 + 2 + 3 + 2) + (1 + 16 + 1 + 2)));
}

/* Every clip the composer can say is in the list, the list has no gaps
 * and no duplicates, and its size is what the naming scheme gives. */
static void
test_all(void)
{
	static const char *const langs[] = { "zh", "en" };
	const char *const	*all = voice_all_clips();
	const char		*clips[VOICE_CLIPS_MAX];
	char			 number[2];
	int			 nall, i, j, n, w, missing = 0, dup = 0;
	int			 failed = 0;
	int			 used[VOICE_CLIPS_MAX];

	for (nall = 0; all[nall] != NULL; nall++)
		;
	/* chime; zh: qing, 26, 10, shi hao dao hao_chuangkou banli;
	 * en: number, 26, 10, please_go_to_window, n1..n19, n20..n90 */
	CHECK_EQ_INT(nall, 1 + (1 + 26 + 10 + 5) + (1 + 26 + 10 + 1 + 19 + 8));
	CHECK(nall <= VOICE_CLIPS_MAX);
	CHECK(strcmp(all[0], "chime") == 0);
	for (i = 0; i < nall; i++) {
		CHECK(strlen(all[i]) > 0 && strchr(all[i], ' ') == NULL);
		for (j = 0; j < i; j++) {
			if (strcmp(all[i], all[j]) == 0)
				dup++;
		}
	}
	CHECK_EQ_INT(dup, 0);

	memset(used, 0, sizeof used);
	for (w = -2; w <= 1000 && nall <= VOICE_CLIPS_MAX; w++) {
		for (i = 0; i < 36 + 1; i++) {
			number[0] = i < 26 ? 'A' + i : i < 36 ? '0' + i - 26 :
			    'z';
			number[1] = '\0';
			n = voice_compose(number, w, langs, 2, 1, clips,
			    VOICE_CLIPS_MAX);
			if (n <= 0)
				failed++;
			for (j = 0; j < n; j++) {
				int	 k;

				for (k = 0; k < nall; k++) {
					if (strcmp(clips[j], all[k]) == 0)
						break;
				}
				if (k == nall) {
					if (missing++ == 0)
						fprintf(stderr, "not listed: "
						    "%s\n", clips[j]);
				} else
					used[k] = 1;
			}
		}
	}
	CHECK_EQ_INT(failed, 0);
	CHECK_EQ_INT(missing, 0);
	/* And every listed clip is said by some call. */
	for (i = 0; i < nall && i < VOICE_CLIPS_MAX; i++) {
		if (!used[i])
			fprintf(stderr, "never said: %s\n", all[i]);
		CHECK(used[i]);
	}
	/* The same pointer every time: static, no allocation. */
	CHECK(voice_all_clips() == all);
}

int
main(void)
{
	test_call();
	test_windows();
	test_repeat();
	test_spelling();
	test_langs();
	test_max();
	test_all();
	return t_done("voice");
}
